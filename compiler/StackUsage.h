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

/// What the stack takes beyond the frames LLVM reports, per target.
struct StackCosts {
  uint64_t perCall = 0;      // outside the callee's frame: x86's return address, Hexagon's frame record
  uint64_t realignment = 0;  // a frame that aligns sp for wide vectors may skip this much more
  uint64_t belowLeaf = 0;    // a leaf may use this below its frame (x86-64's red zone)
  uint64_t libraryCall = 0;  // a call out of the generated code (memcpy, compiler helpers)
};

/// The deepest stack a call of any of `entries` uses: over every chain of
/// calls, the frames with `costs` on top, and the largest frame of the
/// functions the code generator made itself (outlined code). Unbounded
/// with recursion, a run-time-sized frame, an indirect call, a function
/// without a reported frame or an entry that is not there.
StackBound worstStack(const StackFrames &frames, llvm::ArrayRef<std::string> entries, const StackCosts &costs);

} // namespace edgec

#endif
