//===- ParallelCodegen.h - LLVM optimisation and codegen in parts -*- C++ -*-===//
//
// LLVM optimises and generates code one module at a time, on one thread.
// A large model's module is split into parts by function (edgec-outline-
// layers gave each layer a function), each part optimised and compiled into
// its own object in its own LLVM context, on as many threads as allowed.
// How a module is split depends only on the module, never on the number of
// threads: the objects are the same on any machine.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_PARALLELCODEGEN_H
#define EDGEC_COMPILER_PARALLELCODEGEN_H

#include "compiler/StackUsage.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace edgec {

/// What each part becomes: an ELF object (the artifact), or for people
/// reading the code (`edgec compile --emit`) assembly or optimised LLVM IR.
enum class EmitKind { Object, Assembly, LLVMIR };

struct EmittedObjects {
  std::vector<std::string> objects; // one per part, in part order, of the kind asked for
  unsigned threads = 1;
  double optimiseSeconds = 0, codegenSeconds = 0; // summed over the parts
  StackFrames frames; // objects only: every function's frame and calls (StackUsage.h)
};

/// The number of parts `module` is split into: one for a small module, up
/// to four for a large one with enough functions.
unsigned codegenParts(const llvm::Module &module);

/// Optimises `module` (LLVM's -O`optLevel` pipeline) and emits its objects,
/// one per part (see codegenParts), on up to `jobs` threads. Internal
/// symbols one part uses from another become hidden globals named
/// `<prefix>.<name>`, so two models in one firmware keep theirs apart.
/// `makeTarget` is called once per part, on the calling thread.
/// `addressSanitizer` runs LLVM's ASan instrumentation after the optimiser
/// on functions with the sanitize_address attribute (`edgec run --sanitize`).
llvm::Expected<EmittedObjects>
emitObjects(std::unique_ptr<llvm::Module> module,
            llvm::function_ref<std::unique_ptr<llvm::TargetMachine>()> makeTarget, int optLevel,
            unsigned jobs, llvm::StringRef prefix, EmitKind kind = EmitKind::Object,
            bool addressSanitizer = false);

} // namespace edgec

#endif
