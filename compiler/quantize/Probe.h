//===- Probe.h - run a model in-process and read its tensors ---*- C++ -*-===//
//
// The model compiled for the host with chosen f32 tensors as extra outputs
// (so fusion cannot hide them), linked into this process (HostJit) and run
// on samples. Calibration reads activation ranges through it, and
// `edgec quant-report` the float and quantised models' tensors.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_PROBE_H
#define EDGEC_COMPILER_QUANTIZE_PROBE_H

#include "compiler/quantize/HostJit.h"
#include "compiler/quantize/Samples.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <string>
#include <vector>

namespace edgec {

class Probe {
public:
  /// `values`: f32 tensors of `module`'s @main (arguments or op results in
  /// its body). `module` itself is left as it is; `what` names the model in
  /// messages.
  static mlir::FailureOr<std::unique_ptr<Probe>> build(mlir::ModuleOp module, llvm::ArrayRef<mlir::Value> values,
                                                       llvm::StringRef what);

  /// Runs one sample; emits an error on `loc` and fails when the model
  /// returns a non-zero status.
  mlir::LogicalResult run(const Sample &sample, mlir::Location loc);

  /// Tensor `i` of the probed values after the last run.
  llvm::ArrayRef<float> tensor(size_t i) const;

  double compileSeconds = 0;

private:
  /// 16-byte aligned storage for one tensor.
  struct Buffer {
    std::vector<uint64_t> words;
    explicit Buffer(int64_t bytes) : words((bytes + 15) / 8 + 1) {}
    void *data() {
      return reinterpret_cast<void *>((reinterpret_cast<uintptr_t>(words.data()) + 15) & ~uintptr_t(15));
    }
  };

  Probe() = default;
  std::unique_ptr<HostJit> jit;
  std::vector<Buffer> inputs, outputs;
  std::vector<const void *> inputPointers;
  std::vector<void *> outputPointers;
  std::vector<int64_t> probedElements;
  size_t firstProbed = 0;
  std::unique_ptr<Buffer> arena;
};

/// Every input of `module`'s @main as calibration data must match it.
std::vector<InputSpec> inputSpecs(mlir::ModuleOp module);

} // namespace edgec

#endif
