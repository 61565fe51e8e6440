//===- RuntimeStub.cpp - runtime-stub/ files embedded in edgec ------------===//
#include "compiler/RuntimeStub.h"

namespace edgec {

static const StubFile kFiles[] = {
#include "compiler/RuntimeStubFiles.inc"
};

llvm::ArrayRef<StubFile> runtimeStubFiles() { return kFiles; }

std::optional<llvm::StringRef> runtimeStubFile(llvm::StringRef path) {
  for (const StubFile &f : kFiles)
    if (f.path == path)
      return f.text;
  return std::nullopt;
}

static const StubFile kNpuSimulator[] = {
#include "compiler/NpuSimulatorFiles.inc"
};

llvm::ArrayRef<StubFile> npuSimulatorFiles() { return kNpuSimulator; }

} // namespace edgec
