"""How test scripts link runtime-stub/host/harness.c against an artifact
compiled with `edgec compile --name m` (the same command `edgec run` uses)."""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "..", "..", "runtime-stub", "host", "harness.c")
NUMPY_DTYPE = {"float32": np.float32, "int64": np.int64, "int32": np.int32, "int8": np.int8,
               "uint8": np.uint8, "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
               "bool": np.bool_, "float64": np.float64, "int16": np.int16, "float16": np.float16}


def tensor_bytes(t):
    """Bytes of manifest tensor `t` at the C API."""
    size = int(np.prod(t["shape"], dtype=np.int64))
    return size * (t["string_bytes"] if t["dtype"] == "string" else np.dtype(NUMPY_DTYPE[t["dtype"]]).itemsize)


def encode_strings(values, t):
    """A numpy array of str (or bytes) as manifest string tensor `t`'s bytes:
    each UTF-8, NUL-padded to string_bytes (a longer one is an error)."""
    width = t["string_bytes"]
    out = bytearray()
    for v in np.asarray(values, dtype=object).reshape(-1):
        b = v if isinstance(v, bytes) else str(v).encode("utf-8")
        if len(b) > width:
            raise ValueError(f"string {b!r} is longer than {width} bytes (--string-bytes)")
        out += b + bytes(width - len(b))
    return bytes(out)


def decode_strings(data, t, shape=None):
    """Manifest string tensor `t`'s bytes as a numpy array of str."""
    width = t["string_bytes"]
    items = [data[k:k + width].split(b"\0", 1)[0].decode("utf-8", "replace") for k in range(0, len(data), width)]
    return np.array(items, dtype=object).reshape(t["shape"] if shape is None else shape)


def random_input(rng, t):
    """A seeded input for manifest tensor `t`: normal floats, 0/1 otherwise."""
    if t["dtype"].startswith("float"):
        return rng.standard_normal(t["shape"]).astype(NUMPY_DTYPE[t["dtype"]])
    return rng.integers(0, 2, t["shape"]).astype(NUMPY_DTYPE[t["dtype"]])


def fixed_inputs(flags, model):
    """--input-value NAME=V[,V] from the edgec flags, typed as the model says."""
    import onnx
    m = onnx.load(model, load_external_data=False)
    types = {i.name: onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[i.type.tensor_type.elem_type]
             for i in m.graph.input}
    shapes = {i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in m.graph.input}
    out = {}
    for i, f in enumerate(flags):
        if f == "--input-value":
            name, values = flags[i + 1].split("=", 1)
            v = np.array([float(x) for x in values.split(",")]).astype(types[name])
            out[name] = v.reshape([d for d in shapes[name]] if v.size > 1 else shapes[name] or [])
    return out


def write_fixed_inputs(flags, model, work):
    """Writes the inputs edgec fixed at compile time (--input-value) to
    work/fixedJ.bin and returns their ONNX Runtime spec entries: ORT still
    needs them as inputs."""
    specs = []
    for j, (name, value) in enumerate(fixed_inputs(flags, model).items()):
        path = os.path.join(work, f"fixed{j}.bin")
        value.tofile(path)
        specs.append({"name": name, "dtype": str(value.dtype) if value.dtype != np.bool_ else "bool",
                      "shape": list(value.shape), "file": path})
    return specs


def harness_command(art, manifest, out, sanitize=False):
    """The cc command line that builds the harness for artifact dir `art`."""
    out_bytes = [tensor_bytes(t) for t in manifest["outputs"]]
    cmd = ["cc", "-O1", "-std=c11", "-I", art, "-include", os.path.join(art, "m.h"),
           "-DRUN=m_run_packed", f"-DARENA_BYTES={manifest['sizes']['arena']}",
           f"-DNUM_INPUTS={len(manifest['inputs'])}", f"-DNUM_OUTPUTS={len(manifest['outputs'])}",
           "-DOUTPUT_BYTES={" + ",".join(map(str, out_bytes)) + "}"]
    if sanitize:
        cmd += ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"]
    return cmd + [HARNESS, os.path.join(art, "libm.a"), "-o", out]
