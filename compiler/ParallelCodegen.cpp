//===- ParallelCodegen.cpp - LLVM optimisation and codegen in parts -------===//
#include "compiler/ParallelCodegen.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>

namespace edgec {
namespace {

// Splitting costs a copy of the module through bitcode per part: worth it
// from a few thousand instructions (MLPerf-Tiny models have 5-15k before
// optimisation). Four parts keep two to four cores busy with little
// imbalance; more would change nothing on the machines edgec runs on.
constexpr unsigned kMaxParts = 4;
constexpr unsigned kInstructionsPerPart = 2500;
// Constants up to this size are copied into each part that reads them.
constexpr uint64_t kCopiedConstantBytes = 256;

void optimize(llvm::Module &module, llvm::TargetMachine &tm, int optLevel, bool addressSanitizer) {
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  if (addressSanitizer)
    pb.registerOptimizerLastEPCallback(
        [](llvm::ModulePassManager &mpm, llvm::OptimizationLevel, llvm::ThinOrFullLTOPhase) {
          mpm.addPass(llvm::AddressSanitizerPass(llvm::AddressSanitizerOptions()));
        });
  auto level = optLevel <= 0   ? llvm::OptimizationLevel::O0
               : optLevel == 1 ? llvm::OptimizationLevel::O1
               : optLevel == 2 ? llvm::OptimizationLevel::O2
                               : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager mpm = optLevel <= 0 ? pb.buildO0DefaultPipeline(level)
                                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

/// An object writer's stream (it seeks back to patch headers) that writes
/// into a std::string, unbuffered.
class StringPwriteStream : public llvm::raw_pwrite_stream {
public:
  explicit StringPwriteStream(std::string &out) : out(out) { SetUnbuffered(); }

private:
  void write_impl(const char *data, size_t size) override { out.append(data, size); }
  void pwrite_impl(const char *data, size_t size, uint64_t offset) override {
    std::memcpy(out.data() + offset, data, size);
  }
  uint64_t current_pos() const override { return out.size(); }
  std::string &out;
};

llvm::Expected<std::string> emitObject(llvm::Module &module, llvm::TargetMachine &tm, EmitKind kind) {
  // The object is written straight into the string it is returned in, sized
  // up front for the weights it will hold: growing by doubling and a final
  // copy would each cost up to the weights' size again at the compile's
  // peak (test/resources/large_model.py).
  std::string out;
  if (kind == EmitKind::Object) {
    uint64_t data = 0;
    for (const llvm::GlobalVariable &g : module.globals())
      if (g.hasInitializer())
        data += module.getDataLayout().getTypeAllocSize(g.getValueType());
    out.reserve(data + (64 << 10));
  }
  StringPwriteStream os(out);
  if (kind == EmitKind::LLVMIR) {
    module.print(os, nullptr);
    return out;
  }
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             kind == EmitKind::Assembly ? llvm::CodeGenFileType::AssemblyFile
                                                        : llvm::CodeGenFileType::ObjectFile))
    return llvm::createStringError("the target cannot emit this kind of file");
  codegen.run(module);
  return out;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// One part's object, how long its two phases took, and for an object its
/// functions' frames and calls.
struct PartResult {
  std::string object, error;
  double optimiseSeconds = 0, codegenSeconds = 0;
  StackFrames frames;
};

/// Optimises `module` and emits its object. For an object, the code
/// generator writes each function's frame into a temporary file (its only
/// way to tell), read back into r.frames.
PartResult compilePart(llvm::Module &module, llvm::TargetMachine &tm, int optLevel, EmitKind kind,
                       bool addressSanitizer) {
  PartResult r;
  auto start = std::chrono::steady_clock::now();
  optimize(module, tm, optLevel, addressSanitizer);
  r.optimiseSeconds = secondsSince(start);
  llvm::SmallString<128> usagePath;
  std::optional<llvm::FileRemover> removeUsage;
  if (kind == EmitKind::Object) {
    addCalls(module, r.frames);
    int fd = -1;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile("edgec-stack", "su", fd, usagePath)) {
      r.error = "cannot create a temporary file for the stack usage: " + ec.message();
      return r;
    }
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
    removeUsage.emplace(usagePath);
    tm.Options.StackUsageOutput = usagePath.str().str();
  }
  start = std::chrono::steady_clock::now();
  auto object = emitObject(module, tm, kind);
  r.codegenSeconds = secondsSince(start);
  tm.Options.StackUsageOutput.clear();
  if (!object) {
    r.error = llvm::toString(object.takeError());
    return r;
  }
  r.object = std::move(*object);
  if (kind == EmitKind::Object) {
    auto usage = llvm::MemoryBuffer::getFile(usagePath, /*IsText=*/true);
    if (!usage)
      r.error = "cannot read the stack usage file: " + usage.getError().message();
    else
      addFrames((*usage)->getBuffer(), r.frames, r.error);
  }
  return r;
}

/// Calls `fn` on every global `def` refers to: from its instructions (a
/// function) or its initialiser (a variable), through constant expressions.
template <typename Fn> void forEachReferencedGlobal(const llvm::GlobalValue &def, Fn fn) {
  llvm::SmallPtrSet<const llvm::Constant *, 16> seen;
  std::function<void(const llvm::Value *)> visit = [&](const llvm::Value *v) {
    if (auto *gv = llvm::dyn_cast<llvm::GlobalValue>(v)) {
      fn(gv);
      return;
    }
    if (auto *c = llvm::dyn_cast<llvm::Constant>(v); c && seen.insert(c).second)
      for (const llvm::Value *operand : c->operands())
        visit(operand);
  };
  if (auto *f = llvm::dyn_cast<llvm::Function>(&def)) {
    for (const llvm::BasicBlock &block : *f)
      for (const llvm::Instruction &inst : block)
        for (const llvm::Value *operand : inst.operands())
          visit(operand);
  } else if (auto *var = llvm::dyn_cast<llvm::GlobalVariable>(&def); var && var->hasInitializer()) {
    visit(var->getInitializer());
  }
}

} // namespace

unsigned codegenParts(const llvm::Module &module) {
  unsigned functions = 0;
  uint64_t instructions = 0;
  for (const llvm::Function &f : module)
    if (!f.isDeclaration()) {
      ++functions;
      instructions += f.getInstructionCount();
    }
  uint64_t bySize = 1 + instructions / kInstructionsPerPart;
  return static_cast<unsigned>(std::min<uint64_t>({kMaxParts, functions, bySize}));
}

llvm::Expected<EmittedObjects>
emitObjects(std::unique_ptr<llvm::Module> module,
            llvm::function_ref<std::unique_ptr<llvm::TargetMachine>()> makeTarget, int optLevel,
            unsigned jobs, llvm::StringRef prefix, EmitKind kind, bool addressSanitizer) {
  EmittedObjects out;
  unsigned parts = codegenParts(*module);
  if (parts <= 1) {
    std::unique_ptr<llvm::TargetMachine> tm = makeTarget();
    if (!tm)
      return llvm::createStringError("cannot create the target machine");
    PartResult r = compilePart(*module, *tm, optLevel, kind, addressSanitizer);
    if (!r.error.empty())
      return llvm::createStringError(r.error);
    out.objects.push_back(std::move(r.object));
    out.optimiseSeconds = r.optimiseSeconds;
    out.codegenSeconds = r.codegenSeconds;
    out.frames = std::move(r.frames);
    return out;
  }

  // Functions, largest first, each to the part with the least work so far
  // (ties to the lower part): parts of about equal size, in a fixed way.
  std::vector<llvm::Function *> functions;
  for (llvm::Function &f : *module)
    if (!f.isDeclaration())
      functions.push_back(&f);
  std::stable_sort(functions.begin(), functions.end(), [](llvm::Function *a, llvm::Function *b) {
    return a->getInstructionCount() > b->getInstructionCount();
  });
  llvm::DenseMap<const llvm::GlobalValue *, unsigned> owner;
  std::vector<uint64_t> load(parts, 0);
  for (llvm::Function *f : functions) {
    unsigned k = std::min_element(load.begin(), load.end()) - load.begin();
    owner[f] = k;
    load[k] += f->getInstructionCount();
  }
  // Variables stay in part 0, which is `module` itself, so the weights are
  // never copied (through bitcode, ResNet-18's 45 MB took seconds). Small
  // constants are copied into every part that reads them instead: the
  // optimiser still sees their values there.
  const llvm::DataLayout &layout = module->getDataLayout();
  llvm::SmallPtrSet<const llvm::GlobalValue *, 16> copiedConstants;
  for (llvm::GlobalVariable &var : module->globals()) {
    if (!var.isConstant() || !var.hasInitializer() || !var.hasLocalLinkage() ||
        layout.getTypeAllocSize(var.getValueType()) > kCopiedConstantBytes)
      continue;
    bool plainData = true; // no addresses of other globals inside
    forEachReferencedGlobal(var, [&](const llvm::GlobalValue *) { plainData = false; });
    if (plainData)
      copiedConstants.insert(&var);
  }
  auto copied = [&](const llvm::GlobalValue *gv) { return copiedConstants.contains(gv); };
  auto ownerOf = [&](const llvm::GlobalValue *gv) { return owner.lookup(gv); };
  // What one part reads from another must have a symbol the linker sees:
  // hidden (not exported from a shared library), prefixed (not clashing
  // with another model's).
  llvm::SetVector<llvm::GlobalValue *> shared;
  for (llvm::Function &f : *module)
    if (!f.isDeclaration())
      forEachReferencedGlobal(f, [&](const llvm::GlobalValue *gv) {
        if (gv->hasLocalLinkage() && !copied(gv) && ownerOf(gv) != ownerOf(&f))
          shared.insert(const_cast<llvm::GlobalValue *>(gv));
      });
  for (llvm::GlobalValue *gv : shared) {
    if (!gv->getName().starts_with(prefix))
      gv->setName(prefix + "." + gv->getName());
    gv->setLinkage(llvm::GlobalValue::ExternalLinkage);
    gv->setVisibility(llvm::GlobalValue::HiddenVisibility);
  }

  // Parts 1.. through bitcode into contexts of their own (an LLVMContext
  // is not thread-safe): their functions and the small constants.
  std::vector<llvm::SmallVector<char, 0>> bitcode(parts);
  for (unsigned k = 1; k < parts; ++k) {
    llvm::ValueToValueMapTy map;
    std::unique_ptr<llvm::Module> part =
        llvm::CloneModule(*module, map, [&](const llvm::GlobalValue *gv) {
          return llvm::isa<llvm::Function>(gv) ? ownerOf(gv) == k : copied(gv);
        });
    llvm::raw_svector_ostream os(bitcode[k]);
    llvm::WriteBitcodeToFile(*part, os);
  }
  // Part 0 keeps the rest.
  for (llvm::Function *f : functions)
    if (ownerOf(f) != 0)
      f->deleteBody();
  std::vector<std::unique_ptr<llvm::TargetMachine>> targets;
  for (unsigned k = 0; k < parts; ++k) {
    targets.push_back(makeTarget());
    if (!targets.back())
      return llvm::createStringError("cannot create the target machine");
  }

  std::vector<PartResult> results(parts);
  std::atomic<unsigned> next{0};
  auto work = [&] {
    for (unsigned k; (k = next++) < parts;) {
      llvm::LLVMContext context;
      std::unique_ptr<llvm::Module> parsed;
      if (k > 0) {
        auto part = llvm::parseBitcodeFile(
            llvm::MemoryBufferRef(llvm::StringRef(bitcode[k].data(), bitcode[k].size()), "part"),
            context);
        if (!part) {
          results[k].error = llvm::toString(part.takeError());
          continue;
        }
        parsed = std::move(*part);
      }
      results[k] = compilePart(k == 0 ? *module : *parsed, *targets[k], optLevel, kind, addressSanitizer);
    }
  };
  out.threads = std::max(1u, std::min(jobs, parts));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < out.threads; ++t)
    threads.emplace_back(work);
  work();
  for (std::thread &t : threads)
    t.join();
  for (PartResult &r : results) {
    if (!r.error.empty())
      return llvm::createStringError(r.error);
    out.objects.push_back(std::move(r.object));
    out.optimiseSeconds += r.optimiseSeconds;
    out.codegenSeconds += r.codegenSeconds;
    // A function of the IR is defined in one part; a function the code
    // generator made may have a (local) namesake in each: keep the largest.
    for (auto &[name, frame] : r.frames) {
      FunctionFrame &merged = out.frames[name];
      if (frame.defined) {
        merged = frame;
      } else if (!merged.defined) {
        merged.frameKnown = true;
        merged.frameBytes = std::max(merged.frameBytes, frame.frameBytes);
      }
    }
  }
  return out;
}

} // namespace edgec
