//===- TargetInfo.cpp - the table of targets ------------------------------===//
#include "targets/TargetInfo.h"

namespace edgec {

static const std::vector<TargetInfo> &targets() {
  static const std::vector<TargetInfo> all = [] {
    std::vector<TargetInfo> t;
    detail::registerHostTargets(t);
    detail::registerCortexMTargets(t);
    detail::registerCortexATargets(t);
    detail::registerRiscv32Targets(t);
    detail::registerHexagonTargets(t);
    detail::registerNpuTargets(t);
    return t;
  }();
  return all;
}

const TargetInfo *lookupTarget(const std::string &name) {
  for (const TargetInfo &t : targets())
    if (t.name == name)
      return &t;
  return nullptr;
}

std::vector<const TargetInfo *> allTargets() {
  std::vector<const TargetInfo *> out;
  for (const TargetInfo &t : targets())
    out.push_back(&t);
  return out;
}

} // namespace edgec
