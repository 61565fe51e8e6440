//===- FuzzModel.cpp - what the model fuzzers run on each input -----------===//
#include "test/fuzz/FuzzModel.h"

#include "compiler/GraphFile.h"
#include "compiler/Pipeline.h"
#include "compiler/onnx/OnnxImporter.h"
#include "targets/TargetInfo.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace edgec::fuzz {

namespace {
struct Setup {
  mlir::DialectRegistry registry;
  const TargetInfo *target = nullptr;
  Setup() {
    onnx_import::registerImportDialects(registry);
    registerPipelineDialectsAndPasses(registry);
    const char *name = std::getenv("EDGEC_FUZZ_TARGET");
    std::string wanted = name && *name ? name : "host";
    if (wanted != "none" && !(target = lookupTarget(wanted))) {
      std::fprintf(stderr, "EDGEC_FUZZ_TARGET=%s: no such target\n", wanted.c_str());
      std::abort();
    }
  }
};
} // namespace

/// Lowers what an importer made (nothing when it failed) for the target.
static void lower(const Setup &setup, mlir::OwningOpRef<mlir::ModuleOp> &module) {
  if (!module || !setup.target)
    return;
  CompileOptions compile;
  compile.stopAfterMlir = true;
  compile.jobs = 1;
  (void)compileToObject(*module, *setup.target, compile);
}

void importAndLower(const uint8_t *data, size_t size) {
  static Setup setup;
  // A context per input: nothing one input interns can change the next.
  mlir::MLIRContext context(setup.registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler drop(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  std::string bytes(reinterpret_cast<const char *>(data), size);
  // In-process: ONNX's crashes are what the fuzzers look for (edgec itself
  // runs ONNX's code in a child process).
  onnx_import::ImportOptions options;
  options.isolateOnnx = false;
  mlir::OwningOpRef<mlir::ModuleOp> module = onnx_import::importOnnxBytes(bytes, "fuzz.onnx", options, context);
  lower(setup, module);
}

void importGraphAndLower(const uint8_t *data, size_t size) {
  static Setup setup;
  mlir::MLIRContext context(setup.registry, mlir::MLIRContext::Threading::DISABLED);
  mlir::ScopedDiagnosticHandler drop(&context, [](mlir::Diagnostic &) { return mlir::success(); });
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.mlir");
  mlir::OwningOpRef<mlir::ModuleOp> module = importGraphBuffer(std::move(buffer), context);
  if (module && mlir::failed(onnx_import::expandOnnxOps(*module)))
    module = nullptr;
  lower(setup, module);
}

} // namespace edgec::fuzz
