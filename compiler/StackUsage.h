//===- StackUsage.h - the deepest stack a model's run can use --*- C++ -*-===//
//
// A device with no MMU has a fixed stack and nothing to catch an overflow,
// so the artifact says how much stack a run needs: the deepest chain of
// calls from its entry points, each function's frame as the code generator
// laid it out (LLVM's stack-usage output, as gcc's -fstack-usage), the
// calls from the optimised IR. `edgec run` checks the figure on the
// emulator by painting the stack (runtime-stub/harness.c).
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_STACKUSAGE_H
#define EDGEC_COMPILER_STACKUSAGE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace llvm {
class Module;
} // namespace llvm

namespace edgec {

/// One function of the generated code.
struct FunctionFrame {
  bool defined = false;       // its body is in the IR (else: only its frame)
  bool frameKnown = false;    // the code generator reported its frame
  bool dynamic = false;       // its frame has a size known only at run time
  bool indirectCalls = false; // it calls through a pointer
  uint64_t frameBytes = 0;
  std::set<std::string> callees; // direct calls, library functions included
};
using StackFrames = std::map<std::string, FunctionFrame>;

/// Adds the calls of every function `module` defines (not those the code
/// generator adds: see undefinedReferences).
void addCalls(const llvm::Module &module, StackFrames &frames);

/// The symbols `objects` (ELF, one model's parts, each function in its own
/// `.text.<function>` section) use and none defines: memcpy, the compiler's
/// helpers (soft float, 64-bit conversions), which the code generator calls
/// without the IR showing them. Keyed by the function whose section refers
/// to them; "" holds all of them. False with `error` on an unreadable object.
bool undefinedReferences(llvm::ArrayRef<std::string> objects,
                         std::map<std::string, std::set<std::string>> &out, std::string &error);

/// Adds the frames of LLVM's stack-usage output (TargetOptions::
/// StackUsageOutput): one `<file>:<line>:<function>\t<bytes>\t<static|dynamic...>`
/// line per function. Fails on a line it cannot read.
bool addFrames(llvm::StringRef stackUsage, StackFrames &frames, std::string &error);

struct StackBound {
  bool bounded = false;
  uint64_t bytes = 0;
  std::vector<std::string> path;       // the deepest chain, entry first
  std::set<std::string> libraryCalls;  // functions outside the generated code it calls
  uint64_t libraryBytes = 0;           // what the bound allows each of them
  std::string unboundedReason;         // when !bounded
};

/// The deepest stack a call of any of `entries` uses: over every chain of
/// calls, the sum of the frames plus `linkageBytes` per call (a return
/// address the frame does not count, as on x86), plus `libraryBytes` where
/// the chain ends in a call out of the generated code (memcpy, compiler
/// helpers) and the largest frame of functions the code generator made
/// itself (outlined code). Unbounded with recursion, a run-time-sized
/// frame, an indirect call or a function without a reported frame.
StackBound worstStack(const StackFrames &frames, llvm::ArrayRef<std::string> entries,
                      uint64_t linkageBytes, uint64_t libraryBytes);

} // namespace edgec

#endif
