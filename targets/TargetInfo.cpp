//===- TargetInfo.cpp - the table of targets ------------------------------===//
#include "targets/TargetInfo.h"

#include "llvm/TargetParser/Triple.h"

namespace edgec {

/// The stack ABI of the target's triple (TargetInfo::stackPerCall).
static void setStackAbi(TargetInfo &t) {
  llvm::Triple triple(t.triple);
  t.stackPerCall = triple.isX86() ? t.indexBits / 8 : triple.getArch() == llvm::Triple::hexagon ? 8 : 0;
  t.stackBelowLeaf = triple.getArch() == llvm::Triple::x86_64 ? 128 : 0;
}

static const std::vector<TargetInfo> &targets() {
  static const std::vector<TargetInfo> all = [] {
    std::vector<TargetInfo> t;
    detail::registerHostTargets(t);
    detail::registerCortexMTargets(t);
    detail::registerCortexATargets(t);
    detail::registerRiscv32Targets(t);
    detail::registerHexagonTargets(t);
    detail::registerNpuTargets(t);
    for (TargetInfo &target : t)
      setStackAbi(target);
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

void registerTargetExtensions(mlir::DialectRegistry &registry) {
  for (const TargetInfo &t : targets())
    if (t.registerExtensions)
      t.registerExtensions(registry);
}

} // namespace edgec
