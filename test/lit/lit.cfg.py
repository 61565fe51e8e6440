# lit configuration for edgec: FileCheck tests of passes, the dialect and the
# importer. Tools come from this build and from Debian's LLVM 22.
import os
import lit.formats

config.name = "edgec"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.edgec_bin_root, "test", "lit")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

tools = [
    os.path.join(config.edgec_bin_root, "tools", "edgec-opt"),
    os.path.join(config.edgec_bin_root, "tools", "edgec"),
    config.llvm_tools_dir,
]
config.environment["PATH"] = os.pathsep.join(tools + [config.environment.get("PATH", "")])
config.substitutions.append(("%edgec_bin", os.path.join(config.edgec_bin_root, "tools", "edgec", "edgec")))
config.substitutions.append(("%models", config.shared_models_dir))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
if os.path.isdir(config.shared_models_dir):
    config.available_features.add("shared-models")
onnx_data = "/usr/share/libonnx-testdata/data/node"
config.substitutions.append(("%onnxdata", onnx_data))
if os.path.isdir(onnx_data):
    config.available_features.add("onnx-testdata")
# Emulators for the tests that run code of a cross target.
import shutil
if shutil.which("qemu-system-arm"):
    config.available_features.add("qemu-system-arm")
