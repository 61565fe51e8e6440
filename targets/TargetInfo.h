//===- TargetInfo.h - what edgec knows about a device ----------*- C++ -*-===//
//
// A target gives the code generator its triple, cpu and features, the
// parameters tiling and vectorisation read, and the board's memories so an
// artifact that does not fit is refused at compile time. Targets register
// themselves in targets/<name>/.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_TARGETINFO_H
#define EDGEC_TARGETS_TARGETINFO_H

#include <cstdint>
#include <string>
#include <vector>

namespace edgec {

struct TargetInfo {
  std::string name;        // --target value
  std::string description; // one line for `edgec targets`
  std::string triple;      // LLVM target triple
  std::string cpu;         // LLVM cpu name ("" = generic)
  std::string features;    // LLVM feature string, e.g. "+avx2,+fma"
  unsigned vectorBits = 0; // widest SIMD register, 0 = scalar only
  uint64_t l1Bytes = 0, l2Bytes = 0; // data caches (0 = none / unknown)
  uint64_t flashBytes = 0, sramBytes = 0; // board memories (0 = unbounded)
  bool hostNative = false; // artifacts can run on this machine
};

/// The target called `name`, or null.
const TargetInfo *lookupTarget(const std::string &name);
/// All known targets, in a stable order.
std::vector<const TargetInfo *> allTargets();

namespace detail {
/// Called by each target directory's registration.
void registerHostTargets(std::vector<TargetInfo> &targets);
} // namespace detail

} // namespace edgec

#endif
