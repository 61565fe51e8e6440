//===- Host.cpp - x86-64 host targets -------------------------------------===//
//
// `host` compiles for this machine's cpu and features (fastest, not
// portable); `host-x86-64-v2` for any x86-64 with SSE4.2/POPCNT (the
// distributable choice).
//
//===----------------------------------------------------------------------===//
#include "targets/TargetInfo.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

namespace edgec::detail {

void registerHostTargets(std::vector<TargetInfo> &targets) {
  TargetInfo host;
  host.name = "host";
  host.description = "this machine (" + llvm::sys::getHostCPUName().str() + ", native features)";
  host.triple = llvm::sys::getDefaultTargetTriple();
  host.cpu = llvm::sys::getHostCPUName().str();
  std::string features;
  // Sorted, so the feature string (and so the artifact) is deterministic.
  std::vector<std::string> names;
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    names.push_back((f.second ? "+" : "-") + f.first().str());
  std::sort(names.begin(), names.end());
  for (const auto &n : names)
    features += (features.empty() ? "" : ",") + n;
  host.features = features;
  host.vectorBits = features.find("+avx512f") != std::string::npos ? 512
                    : features.find("+avx2") != std::string::npos  ? 256
                                                                  : 128;
  // 16 vector registers (AVX2): 4 x 2 accumulators, two loads, a broadcast.
  host.floatVectorBits = host.vectorBits;
  // pmaddwd: 16-bit products summed in pairs into 32-bit lanes (SSE2 on;
  // its 512-bit form needs AVX-512BW).
  bool x86 = llvm::Triple(host.triple).isX86();
  if (x86 && (host.vectorBits < 512 || features.find("+avx512bw") != std::string::npos))
    host.intDotProduct = "x86-pmaddwd";
  host.l1Bytes = 32 * 1024;
  host.l2Bytes = 1024 * 1024;
  host.hostNative = true;
  // Two FMA pipes of the widest float vector, at a nominal 3 GHz (the report
  // must not depend on the machine's current clock).
  host.clockMHz = 3000;
  host.floatMacsPerCycle = 2.0 * host.floatVectorBits / 32;
  host.intMacsPerCycle = 2.0 * host.floatVectorBits / 16; // pmaddwd: 16-bit pairs
  host.bytesPerCycle = 32;
  targets.push_back(host);

  TargetInfo v2 = host;
  v2.name = "host-x86-64-v2";
  v2.description = "any x86-64-v2 machine (SSE4.2, portable artifacts)";
  v2.cpu = "x86-64-v2";
  v2.features = "";
  v2.vectorBits = v2.floatVectorBits = 128;
  v2.floatMacsPerCycle = 8;
  v2.intMacsPerCycle = 16;
  targets.push_back(v2);
}

} // namespace edgec::detail
