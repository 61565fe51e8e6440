"""DFT and STFT variants the ONNX test data leaves out (dft_length that
pads or cuts, onesided, inverse of a complex signal, a complex STFT),
each compiled and run by `edgec run --target TARGET` and compared with
numpy.fft: spectral_check.py WORK_DIR TARGET. Prints one line per case."""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

work, target = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(7)


def run(name, node, x, extra_inits=(), out_shape=None):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x.shape))]
    g = helper.make_graph([node], "g", inputs, [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)],
                          list(extra_inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    path = os.path.join(work, name + ".onnx")
    onnx.save(m, path)
    x.astype(np.float32).tofile(path + ".bin")
    out = os.path.join(work, name + ".out")
    subprocess.run(["edgec", "run", path, "--target", target, "--input", path + ".bin", "--save-outputs", out],
                   check=True, stdout=subprocess.DEVNULL)
    return np.fromfile(os.path.join(out, "out0.bin"), dtype=np.float32).reshape(out_shape)


def check(name, got, want):
    want = np.stack([want.real, want.imag], -1)
    err = np.abs(got - want).max()
    ok = err <= 1e-4 + 1e-4 * np.abs(want).max()
    print(f"{name}: {'match' if ok else 'MISMATCH'} (max abs err {err:.2e})")


scalar = lambda name, v: helper.make_tensor(name, TensorProto.INT64, [], [v])  # noqa: E731

# A real signal [2, 10, 3, 1] along axis 1, padded to 12, onesided: 7 bins.
x = rng.standard_normal((2, 10, 3, 1))
y = run("dft_pad_onesided", helper.make_node("DFT", ["x", "n"], ["y"], axis=1, onesided=1), x, [scalar("n", 12)],
        [2, 7, 3, 2])
check("dft_pad_onesided", y, np.fft.rfft(x[..., 0], n=12, axis=1))

# A complex signal [1, 4, 10, 2] along axis 2, cut to 8, inverse.
x = rng.standard_normal((1, 4, 10, 2))
y = run("dft_cut_inverse", helper.make_node("DFT", ["x", "n"], ["y"], axis=2, inverse=1), x, [scalar("n", 8)],
        [1, 4, 8, 2])
check("dft_cut_inverse", y, np.fft.ifft(x[..., 0] + 1j * x[..., 1], n=8, axis=2))

# A complex STFT (two-sided): frames of 16 every 5 samples of 64.
x = rng.standard_normal((2, 64, 2))
y = run("stft_complex", helper.make_node("STFT", ["x", "step", "", "len"], ["y"], onesided=0), x,
        [scalar("step", 5), scalar("len", 16)], [2, 10, 16, 2])
frames = np.stack([x[:, f * 5:f * 5 + 16] for f in range(10)], 1)
check("stft_complex", y, np.fft.fft(frames[..., 0] + 1j * frames[..., 1], axis=2))

# A real STFT, onesided (the default) with a constant frame_length and a
# window: frames of 8 every 3 samples of 32, 5 bins (ONNX 1.12's shape
# inference says 8 here; the operator's definition says 8 / 2 + 1).
x = rng.standard_normal((1, 32, 1))
window = np.hanning(8).astype(np.float32)
y = run("stft_onesided", helper.make_node("STFT", ["x", "step", "w", "len"], ["y"]), x,
        [scalar("step", 3), scalar("len", 8), helper.make_tensor("w", TensorProto.FLOAT, [8], window)], [1, 9, 5, 2])
frames = np.stack([x[:, f * 3:f * 3 + 8, 0] for f in range(9)], 1) * window
check("stft_onesided", y, np.fft.rfft(frames, axis=2))
