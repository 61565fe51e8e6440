//===- Pipeline.cpp - graph module -> native object -----------------------===//
#include "compiler/Pipeline.h"
#include "compiler/ParallelCodegen.h"

#include "dialects/graph/GraphOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Triple.h"

#include <chrono>
#include <mutex>

using namespace mlir;

namespace edgec {

void registerPipelineDialectsAndPasses(DialectRegistry &registry) {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::registerAllPasses();
    registerAllPasses();
  });
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<graph::GraphDialect>();
  registerTargetExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

/// A target plug-in's stages before the CPU lowering ("" = none).
static std::string ownStages(const CompileOptions &options, const TargetInfo &target) {
  return target.ownStages ? target.ownStages(options.npuConfig) : "";
}

/// The lowering after a plug-in's own stages (all of it for CPU targets).
static std::string cpuPipeline(const CompileOptions &options, const TargetInfo &target) {
  // Graph level, then linalg on tensors fused elementwise, bufferised with
  // results written to caller buffers, every intermediate buffer planned into
  // the arena, loops, polynomial transcendentals, LLVM dialect with bare
  // pointers for the statically shaped arguments (the C API). Index
  // arithmetic is as wide as the target's pointers: 32-bit MCUs get no
  // 64-bit multiplies or divisions for addressing.
  std::string index = "index-bitwidth=" + std::to_string(target.indexBits);
  std::string math = std::string("edgec-approximate-math{expand-rounding=") +
                     (target.fpuRounding ? "0" : "1") +
                     " expand-sqrt=" + (target.fpuSqrt ? "0" : "1") +
                     " expand-min-max=" + (target.fpuMinMax ? "0" : "1") +
                     " expand-wide-min-max=" + (target.fpuWideMinMax ? "0" : "1") + "}";
  std::string kernels = "edgec-vectorize-contractions{vector-bits=" +
                        std::to_string(target.floatVectorBits) +
                        " rows=" + std::to_string(target.kernelRows) +
                        " vectors=" + std::to_string(target.kernelVectors) +
                        (target.intDotProduct.empty() ? "" : " dot-product=" + target.intDotProduct) + "}";
  // Conv weights in panels as wide as a kernel block of output channels
  // (SIMD targets; scalar kernels read one weight at a time anyway).
  int64_t lanes = target.floatVectorBits >= 128 ? target.floatVectorBits / 32 : 0;
  std::string toLinalg = "edgec-convert-graph-to-linalg{panel-lanes=" + std::to_string(lanes) +
                         " panel-width=" + std::to_string(lanes * target.kernelVectors) + "}";
  return "func.func(edgec-fold-constants,edgec-fold-reshapes,edgec-fold-batch-norm,"
         "edgec-fold-constants,edgec-eliminate-dead-code,edgec-chain-state-updates,edgec-eliminate-dead-code," + toLinalg + ","
         "edgec-fuse-elementwise,canonicalize),"
         "one-shot-bufferize{bufferize-function-boundaries "
         "function-boundary-type-conversion=identity-layout-map unknown-type-conversion=identity-layout-map},"
         "buffer-results-to-out-params{modify-public-functions hoist-static-allocs},"
         "func.func(edgec-state-in-place,canonicalize," + kernels + ",edgec-plan-memory,edgec-lower-copies,"
         "convert-linalg-to-loops," +
         math + ",lower-affine,canonicalize),convert-math-to-funcs,edgec-export-entry{name=" +
         options.name + "}," + (target.afterEntryStages.empty() ? "" : target.afterEntryStages + ",") + "edgec-outline-layers,convert-scf-to-cf,expand-strided-metadata,edgec-convert-vector-to-llvm{" + index +
         "},finalize-memref-to-llvm{" +
         index + "},convert-math-to-llvm,convert-arith-to-llvm{" + index +
         "},convert-index-to-llvm{" + index + "},convert-func-to-llvm{use-bare-ptr-memref-call-conv=1 " +
         index + "},convert-cf-to-llvm{" + index + "},reconcile-unrealized-casts";
}

std::string loweringPipeline(const CompileOptions &options, const TargetInfo &target) {
  std::string own = ownStages(options, target);
  return (own.empty() ? "" : own + ",") + cpuPipeline(options, target);
}

/// What a plug-in's stages made of @main: the NPU submissions and the
/// graph ops left on the CPU.
static void describeNpuPartition(func::FuncOp main, CompiledModel &out) {
  main.walk([&](Operation *op) {
    if (isNpuSubmission(op))
      out.npu.push_back(getNpuSubmission(op));
  });
  for (Operation &op : main.getBody().front())
    if (isa<graph::GraphDialect>(op.getDialect()) && !isa<graph::ConstantOp>(op))
      ++out.cpuOps[op.getName().getStringRef().str()];
}

/// `int <name>_run_packed(void *const *inputs, void *const *outputs, void *arena)`
/// calls `<name>_run` with the pointers unpacked: one entry point of the same
/// shape for every model, for runners and harnesses.
static LogicalResult addPackedEntry(ModuleOp module, const std::string &name, unsigned numInputs,
                                    unsigned numOutputs) {
  auto run = module.lookupSymbol<LLVM::LLVMFuncOp>(name + "_run");
  if (!run)
    return module.emitError("no ") << name << "_run after lowering";
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = run.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i32 = b.getI32Type();
  auto fnType = LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr});
  auto packed = LLVM::LLVMFuncOp::create(b, loc, name + "_run_packed", fnType);
  Block *entry = packed.addEntryBlock(b);
  b.setInsertionPointToStart(entry);
  SmallVector<Value> args;
  auto load = [&](Value array, unsigned i) {
    Value at = LLVM::GEPOp::create(b, loc, ptr, ptr, array, ArrayRef<LLVM::GEPArg>{LLVM::GEPArg(static_cast<int32_t>(i))});
    return LLVM::LoadOp::create(b, loc, ptr, at).getResult();
  };
  for (unsigned i = 0; i < numInputs; ++i)
    args.push_back(load(entry->getArgument(0), i));
  for (unsigned i = 0; i < numOutputs; ++i)
    args.push_back(load(entry->getArgument(1), i));
  args.push_back(entry->getArgument(2));
  if (args.size() != run.getNumArguments())
    return run.emitError("unexpected entry signature after lowering");
  Value status = LLVM::CallOp::create(b, loc, run, args).getResult();
  LLVM::ReturnOp::create(b, loc, status);
  return success();
}

static FailureOr<std::unique_ptr<llvm::TargetMachine>> makeTargetMachine(const TargetInfo &target,
                                                                       int optLevel, Location loc) {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
  llvm::Triple triple(target.triple);
  // The target's backend options (see TargetInfo::llvmOptions); each name
  // is set once per process.
  static std::mutex optionsMutex;
  {
    std::lock_guard<std::mutex> lock(optionsMutex);
    auto &registered = llvm::cl::getRegisteredOptions();
    for (const std::string &option : target.llvmOptions) {
      auto [name, value] = llvm::StringRef(option).split('=');
      auto *o = registered.lookup(name);
      if (!o)
        return emitError(loc) << "target '" << target.name << "': LLVM has no option '" << name
                              << "'",
               failure();
      if (o->getNumOccurrences() == 0 && o->addOccurrence(0, name, value))
        return emitError(loc) << "target '" << target.name << "': bad LLVM option '" << option
                              << "'",
               failure();
    }
  }
  std::string error;
  const llvm::Target *t = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!t)
    return emitError(loc) << "target '" << target.name << "': " << error, failure();
  llvm::TargetOptions opts;
  opts.MCOptions.ABIName = target.abi;
  if (triple.isARM() || triple.isThumb())
    opts.FloatABIType = triple.getEnvironment() == llvm::Triple::EABIHF ? llvm::FloatABI::Hard
                                                                       : llvm::FloatABI::Soft;
  // One section per function and object: the firmware linker drops what is
  // not called (--gc-sections).
  opts.FunctionSections = true;
  opts.DataSections = true;
  auto level = optLevel <= 0   ? llvm::CodeGenOptLevel::None
               : optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : optLevel == 2 ? llvm::CodeGenOptLevel::Default
                               : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(t->createTargetMachine(
      triple, target.cpu, target.features, opts,
      // Bare metal: absolute addresses, no GOT to set up; elsewhere the
      // library may go into a position-independent executable.
      target.bareMetal ? llvm::Reloc::Static : llvm::Reloc::PIC_, std::nullopt, level));
  if (!tm)
    return emitError(loc) << "cannot create a code generator for " << target.triple, failure();
  return tm;
}

/// Refuses tensors no target of this kind could hold, before anything is
/// sized or allocated from them: more bytes than a 32-bit target addresses,
/// or than 1 TiB on a 64-bit one (no edge device has more). The element
/// count is multiplied with overflow checks: the shapes are the model's.
static LogicalResult checkTensorSizes(func::FuncOp main, const TargetInfo &target) {
  const uint64_t limit = target.indexBits <= 32 ? (uint64_t(1) << 31) : (uint64_t(1) << 40);
  auto check = [&](Type type, Location loc) -> LogicalResult {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t || !t.hasStaticShape())
      return success();
    Type e = t.getElementType();
    if (auto q = dyn_cast<quant::QuantizedType>(e))
      e = q.getStorageType();
    uint64_t bytes = e.isIntOrFloat() ? std::max<uint64_t>(1, e.getIntOrFloatBitWidth() / 8) : 1;
    bool overflow = false;
    for (int64_t d : t.getShape()) {
      overflow = overflow || (d > 0 && bytes > UINT64_MAX / static_cast<uint64_t>(d));
      bytes = overflow ? bytes : bytes * static_cast<uint64_t>(d);
    }
    if (!overflow && bytes <= limit)
      return success();
    return emitError(loc) << "a tensor of " << (overflow ? std::string("more than 2^64") : std::to_string(bytes))
                          << " bytes (" << type << ") is more than " << target.name << " can hold ("
                          << limit << " bytes at most)";
  };
  for (BlockArgument arg : main.getArguments())
    if (failed(check(arg.getType(), main.getLoc())))
      return failure();
  WalkResult walk = main.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (failed(check(t, op->getLoc())))
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

FailureOr<CompiledModel> compileToObject(ModuleOp module, const TargetInfo &target,
                                         const CompileOptions &options) {
  MLIRContext *ctx = module.getContext();
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return module.emitError("no @main function to compile"), failure();
  unsigned numInputs = main.getNumArguments(), numOutputs = main.getNumResults();
  if (failed(checkTensorSizes(main, target)))
    return failure();

  CompiledModel out;
  auto runPipeline = [&](PassManager &pm) -> LogicalResult {
    if (options.printIRAfterAll) {
      ctx->disableMultithreading();
      pm.enableIRPrinting();
    }
    if (options.timing)
      pm.enableTiming();
    return pm.run(module);
  };
  auto runPipelineText = [&](const std::string &text) -> LogicalResult {
    PassManager pm(ctx);
    if (failed(parsePassPipeline(text, pm, llvm::errs())))
      return module.emitError("internal error: bad lowering pipeline"), failure();
    return runPipeline(pm);
  };
  if (!options.passPipeline.empty()) {
    // A researcher's pipeline, as `--print-pipeline` gives it: run whole
    // (an NPU target's report then says nothing of its submissions).
    std::string error;
    llvm::raw_string_ostream errors(error);
    FailureOr<OpPassManager> parsed = parsePassPipeline(options.passPipeline, errors);
    if (failed(parsed))
      return module.emitError("--pass-pipeline: ") << llvm::StringRef(error).trim(), failure();
    if (parsed->getOpAnchorName() != ModuleOp::getOperationName())
      return module.emitError("--pass-pipeline: the pipeline must run on builtin.module, as "
                              "`--print-pipeline` prints it"),
             failure();
    PassManager pm(ctx);
    static_cast<OpPassManager &>(pm) = *parsed;
    if (failed(runPipeline(pm)))
      return failure();
  } else {
    // A plug-in's stages first (the NPU's), so the report can say what
    // they chose.
    if (std::string own = ownStages(options, target); !own.empty()) {
      if (failed(runPipelineText(own)))
        return failure();
      describeNpuPartition(main, out);
    }
    if (failed(runPipelineText(cpuPipeline(options, target))))
      return failure();
  }
  // Conversions are partial: make sure nothing was left behind unlowered.
  Operation *leftover = nullptr;
  module.walk([&](Operation *op) {
    if (!leftover && op != module.getOperation() && !isa<LLVM::LLVMDialect>(op->getDialect()))
      leftover = op;
  });
  if (leftover)
    return leftover->emitError(options.passPipeline.empty() ? "internal error: '" : "--pass-pipeline left '")
               << leftover->getName() << "' unlowered (everything must reach the LLVM dialect)",
           failure();
  if (auto run = module.lookupSymbol<LLVM::LLVMFuncOp>(options.name + "_run")) {
    ArenaPlan plan = getArenaPlan(run);
    out.arenaBytes = plan.bytes;
    out.arenaNaiveBytes = plan.naiveBytes;
    out.arenaLowerBoundBytes = plan.lowerBoundBytes;
    out.arenaPlan = std::move(plan.buffers);
    out.kernels = getKernels(run);
  }
  if (failed(addPackedEntry(module, options.name, numInputs, numOutputs)))
    return failure();
  if (options.stopAfterMlir)
    return out;

  auto tm = makeTargetMachine(target, options.optLevel, module.getLoc());
  if (failed(tm))
    return failure();
  // --mlir-timing: LLVM's phases too (MLIR's report follows, printed when
  // its pass manager goes).
  auto printPhase = [&](double seconds, const std::string &what) {
    if (options.timing)
      llvm::errs() << llvm::format("  %8.4f s  %s\n", seconds, what.c_str());
  };
  auto phaseStart = std::chrono::steady_clock::now();
  auto phaseSeconds = [&] {
    auto now = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(now - phaseStart).count();
    phaseStart = now;
    return seconds;
  };
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule = translateModuleToLLVMIR(module, llvmContext, "edgec");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed"), failure();
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  llvmModule->setDataLayout((*tm)->createDataLayout());
  // Every ABI edgec targets aligns the stack to at least 8 (Hexagon's data
  // layout does not say).
  uint64_t stackAlign = llvmModule->getDataLayout().getStackAlignment().value_or(llvm::Align(8)).value();
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration()) {
      f.addFnAttr(llvm::Attribute::NoUnwind); // no unwind tables on any target
      if (options.addressSanitizer)
        f.addFnAttr(llvm::Attribute::SanitizeAddress);
    }
  printPhase(phaseSeconds(), "translation to LLVM IR");
  unsigned jobs = options.jobs ? options.jobs
                               : llvm::heavyweight_hardware_concurrency().compute_thread_count();
  auto emitted = emitObjects(
      std::move(llvmModule),
      [&]() -> std::unique_ptr<llvm::TargetMachine> {
        if (*tm) // the one made above, for the first part
          return std::move(*tm);
        auto another = makeTargetMachine(target, options.optLevel, module.getLoc());
        return succeeded(another) ? std::move(*another) : nullptr;
      },
      std::min<int>(options.optLevel, target.maxIrOptLevel), jobs, options.name, options.emit,
      options.addressSanitizer);
  if (!emitted)
    return module.emitError("internal error: LLVM: ") << llvm::toString(emitted.takeError()),
           failure();
  unsigned parts = emitted->objects.size();
  std::string summed = parts == 1 ? "" : llvm::formatv(" (sum over {0} parts)", parts).str();
  printPhase(emitted->optimiseSeconds, "LLVM IR optimisation" + summed);
  printPhase(emitted->codegenSeconds, "LLVM code generation" + summed);
  double llvmWall = phaseSeconds();
  if (parts > 1)
    printPhase(llvmWall, llvm::formatv("LLVM, {0} parts on {1} threads (wall)", parts,
                                       emitted->threads));
  out.objects = std::move(emitted->objects);
  if (options.emit != EmitKind::Object)
    return out;
  // The artifact may need memcpy/memset/memmove (every runtime stub has
  // them) and the compiler's own runtime helpers (__truncdfhf2, soft-float
  // and __aeabi_* routines, from libgcc/compiler-rt); nothing else: no
  // libm, no allocator. What one part uses from another is defined there.
  std::map<std::string, std::set<std::string>> undefined;
  std::string error;
  if (!undefinedReferences(out.objects, undefined, error))
    return module.emitError("internal error: ") << error, failure();
  for (const std::string &name : undefined[""])
    if (!llvm::StringRef(name).starts_with("__") && !llvm::is_contained({"memcpy", "memset", "memmove"}, name) &&
        !llvm::is_contained(target.runtimeCalls, name))
      return module.emitError("internal error: the generated code calls '")
                 << name << "', which edge targets do not have",
             failure();

  // The stack: the IR's calls, and those the code generator added (its
  // helpers). Beyond the frames LLVM reports (docs/design/reliability.md#stack):
  // per call the return address on x86 and the frame record (FP and LR)
  // Hexagon's allocframe pushes, elsewhere in the frame; per frame the
  // padding of realigning sp for vectors wider than its alignment; below
  // a leaf x86-64's red zone. Calls out of the generated code reach the
  // runtime stub's mem* and libgcc/compiler-rt helpers: the target says
  // how deep (TargetInfo::helperStackBytes).
  for (const auto &[function, names] : undefined)
    if (!function.empty())
      emitted->frames[function].callees.insert(names.begin(), names.end());
  StackCosts costs;
  costs.perCall = target.stackPerCall;
  costs.realignment = target.vectorBits / 8 > stackAlign ? target.vectorBits / 8 - stackAlign : 0;
  costs.belowLeaf = target.stackBelowLeaf;
  costs.libraryCall = target.helperStackBytes;
  out.stack = worstStack(emitted->frames, {options.name + "_run", options.name + "_run_packed"}, costs);
  return out;
}

} // namespace edgec
