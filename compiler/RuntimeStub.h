//===- RuntimeStub.h - runtime-stub/ files embedded in edgec ---*- C++ -*-===//
//
// The files of runtime-stub/ as they were when edgec was built: artifacts
// ship the ABI header and their target's startup code from here, and
// `edgec run` builds its test programs from them, so an installed edgec
// needs no source tree.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_RUNTIMESTUB_H
#define EDGEC_COMPILER_RUNTIMESTUB_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace edgec {

struct StubFile {
  llvm::StringRef path; // relative to runtime-stub/, e.g. "cortex-m/startup.c"
  llvm::StringRef text;
};

llvm::ArrayRef<StubFile> runtimeStubFiles();
/// The text of runtime-stub/`path`, if edgec has it.
std::optional<llvm::StringRef> runtimeStubFile(llvm::StringRef path);

/// The NPU simulator's sources (paths relative to edgec's source tree:
/// runtime-stub/npu/..., targets/npu/...): on the host, the program that
/// runs an `npu` artifact is linked with them as the device.
llvm::ArrayRef<StubFile> npuSimulatorFiles();

} // namespace edgec

#endif
