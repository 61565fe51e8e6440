//===- HostJit.cpp - run a host object in this process --------------------===//
#include "compiler/quantize/HostJit.h"

#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"

namespace edgec {

HostJit::~HostJit() = default;

llvm::Expected<std::unique_ptr<HostJit>> HostJit::load(llvm::ArrayRef<std::string> objects, llvm::StringRef entry) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit)
    return jit.takeError();
  // The object may call memcpy/memset/memmove: take this process's.
  auto &dylib = (*jit)->getMainJITDylib();
  auto generator = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!generator)
    return generator.takeError();
  dylib.addGenerator(std::move(*generator));
  for (const std::string &object : objects)
    if (auto err = (*jit)->addObjectFile(llvm::MemoryBuffer::getMemBufferCopy(object, "model.o")))
      return std::move(err);
  auto symbol = (*jit)->lookup(entry);
  if (!symbol)
    return symbol.takeError();
  std::unique_ptr<HostJit> result(new HostJit());
  result->entry = symbol->toPtr<Entry>();
  result->jit = std::move(*jit);
  return result;
}

} // namespace edgec
