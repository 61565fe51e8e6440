//===- HostJit.h - run a host object in this process -----------*- C++ -*-===//
//
// Calibration and the per-layer error report run the model on the machine
// edgec runs on: the host target's objects, as `edgec compile` emits them,
// loaded with LLVM's ORC JIT linker and called through its
// `<name>_run_packed` entry. No C compiler, no temporary files.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_COMPILER_QUANTIZE_HOSTJIT_H
#define EDGEC_COMPILER_QUANTIZE_HOSTJIT_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm::orc {
class LLJIT;
}

namespace edgec {

class HostJit {
public:
  /// Links `objects` (ELF objects for this machine, one model) and finds `entry`,
  /// a `<name>_run_packed` function.
  static llvm::Expected<std::unique_ptr<HostJit>> load(llvm::ArrayRef<std::string> objects,
                                                       llvm::StringRef entry);
  ~HostJit();

  /// Calls the entry; 0 is success, as the C API says.
  int run(const void *const *inputs, void *const *outputs, void *arena) const {
    return entry(inputs, outputs, arena);
  }

private:
  using Entry = int (*)(const void *const *, void *const *, void *);
  HostJit() = default;
  std::unique_ptr<llvm::orc::LLJIT> jit;
  Entry entry = nullptr;
};

} // namespace edgec

#endif
