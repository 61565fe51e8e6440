//===- OnnxIsolation.h - ONNX's own code in a child process -----*- C++ -*-===//
//
// ONNX 1.12's checker, version converter and shape inference are not
// hardened against malformed models: the fuzzers found a crash in them with
// nearly every new seed (null dereferences, a division by a zero stride, a
// 16 GiB allocation). Guarding them one bug at a time does not end, so edgec
// runs them in a forked child with memory and time limits. The child sends
// the prepared model back (weights it did not change stay in the parent);
// a crash, hang or exhausted memory there becomes one diagnostic naming the
// stage and, when re-running on prefixes of the graph finds it, the node.
//
// The fuzzers run the same stages in-process (ImportOptions::isolateOnnx =
// false), so that they still see ONNX's bugs.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_ONNX_ONNXISOLATION_H
#define EDGEC_COMPILER_ONNX_ONNXISOLATION_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>

namespace edgec::onnx_import {

/// The stages tell it which of ONNX's functions they are about to call
/// ("ONNX's shape inference"), so that a crash can be named. In-process it
/// only remembers the name.
class OnnxStageLog {
public:
  explicit OnnxStageLog(int fd = -1) : fd(fd) {}
  void enter(const char *stage);
  const std::string &current() const { return stage; }

private:
  int fd;
  std::string stage;
};

/// Limits on the child: wall-clock seconds and address space it may add to
/// what it inherits (0: 4 GiB plus four times the model's size). The
/// environment overrides them: EDGEC_ONNX_TIME_LIMIT (seconds),
/// EDGEC_ONNX_MEMORY_LIMIT (MiB); EDGEC_ONNX_IN_PROCESS=1 turns the child off
/// (to debug ONNX itself).
struct OnnxIsolationLimits {
  double seconds = 300;
  uint64_t memoryBytes = 0;
};

using OnnxStages = llvm::function_ref<mlir::LogicalResult(onnx::ModelProto &, OnnxStageLog &)>;

/// Runs `stages` on `model` and leaves their result in it. With `isolate`,
/// in a child process: its diagnostics (at `file` or at a node's
/// onnxNodeLoc) are emitted again here, and a crash, timeout or
/// out-of-memory there is one error naming the stage (and the node, when
/// one is found). `model` is unchanged on failure. Where no process can be
/// started, the stages run here.
mlir::LogicalResult runOnnxStages(onnx::ModelProto &model, mlir::Location file, bool isolate,
                                  OnnxStages stages, OnnxIsolationLimits limits = {});

} // namespace edgec::onnx_import

#endif
