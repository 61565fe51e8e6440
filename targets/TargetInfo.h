//===- TargetInfo.h - what edgec knows about a device ----------*- C++ -*-===//
//
// A target gives the code generator its triple, cpu and features, the
// parameters tiling and vectorisation read, and the board's memories so an
// artifact that does not fit is refused at compile time. It also says how
// test code is built and run for it (which runtime stub, which emulator):
// `edgec run` and the conformance runner read that. Targets register
// themselves in targets/<family>/.
//
//===----------------------------------------------------------------------===//
#ifndef EDGEC_TARGETS_TARGETINFO_H
#define EDGEC_TARGETS_TARGETINFO_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
}

namespace edgec {

/// How a program for the target is built and run under emulation.
struct TargetRunner {
  // Files of runtime-stub/: what firmware links (startup, memcpy, helpers),
  // the board's linker script, and the test I/O shim harnesses add.
  std::vector<std::string> stubSources;
  std::string linkerScript;
  std::vector<std::string> testSources;
  std::vector<std::string> cflags;   // clang flags for C compiled for the target
  std::vector<std::string> ldflags;  // extra link flags (clang driver, ld.lld)
  /// A gcc driver and flags whose `-print-libgcc-file-name` is the compiler
  /// helper library (64-bit division, float/int64 conversions); empty when
  /// the stub provides the helpers itself.
  std::vector<std::string> libgcc;
  /// The emulator command; the program's path is appended.
  std::vector<std::string> emulator;
};

struct TargetInfo {
  std::string name;        // --target value
  std::string description; // one line for `edgec targets`
  std::string triple;      // LLVM target triple
  std::string cpu;         // LLVM cpu name ("" = generic)
  std::string features;    // LLVM feature string, e.g. "+avx2,+fma"
  std::string abi;         // LLVM target ABI name ("ilp32f"), "" = the triple's
  unsigned indexBits = 64; // width of address arithmetic (the pointer width)
  bool bareMetal = false;  // static relocation model, no GOT, no OS
  unsigned vectorBits = 0; // widest SIMD register, 0 = scalar only
  unsigned floatVectorBits = 0; // widest SIMD register that does f32, 0 = none
  // The register block of conv/matmul kernels (edgec-vectorize-contractions):
  // rows x vectors accumulators, sized to the register file.
  unsigned kernelRows = 4, kernelVectors = 2;
  // The instruction int8 kernels sum products with (edgec-vectorize-
  // contractions' dot-product option); "" = a multiply-add per element.
  std::string intDotProduct;
  // What the FPU does in one instruction; the rest is expanded in generated
  // code rather than left to libm.
  bool fpuRounding = true; // floor/ceil/trunc/round of f32
  bool fpuSqrt = true;     // sqrt of f32
  bool fpuMinMax = true;     // NaN-propagating max/min of f32
  bool fpuWideMinMax = true; // the same of f16 and f64
  uint64_t l1Bytes = 0, l2Bytes = 0; // data caches (0 = none / unknown)
  uint64_t flashBytes = 0, sramBytes = 0; // board memories (0 = unbounded)
  std::string board;       // the board whose memories these are
  bool hostNative = false; // artifacts can run on this machine
  /// The CPU code hands int8 subgraphs to edgec's NPU (docs/design/npu.md):
  /// edgec-npu-partition and edgec-npu-compile run, and the artifact calls
  /// edgec_npu_submit (the simulator provides it on the host).
  bool npu = false;
  /// LLVM command-line options ("name=value") the backend needs for this
  /// target. They are global to LLVM, so only options that no other
  /// target's backend reads belong here.
  std::vector<std::string> llvmOptions;
  /// For the report's time estimates, a roofline (docs/guides/report.md): the clock
  /// of a typical part with this core and the peak rates of edgec's kernels
  /// on it, in multiply-accumulates (float, int8) and bytes per cycle.
  /// Estimates of what a part could do, not measurements; 0 = no estimate.
  double clockMHz = 0, floatMacsPerCycle = 0, intMacsPerCycle = 0, bytesPerCycle = 0;
  /// The stack one call out of the generated code may use: the stub's mem*
  /// and the compiler helpers (soft float, 64-bit conversions), counted per
  /// call by the stack bound. Where firmware links gcc's libgcc it is that
  /// library's deepest helper chain (bench/helper_stack.py measures it and
  /// fails below it); elsewhere small routines that save a few registers.
  uint64_t helperStackBytes = 64;
  /// The highest LLVM IR optimisation level (-O) used for this target.
  unsigned maxIrOptLevel = 3;
  /// Stack ABI facts the stack bound adds to LLVM's frame sizes
  /// (docs/design/reliability.md#stack): what a call pushes outside the
  /// callee's frame (x86's return address, Hexagon's allocframe record) and
  /// the red zone a leaf may use below the stack pointer (x86-64). Derived
  /// from the triple when the targets are registered.
  uint64_t stackPerCall = 0, stackBelowLeaf = 0;

  // A target plug-in's own parts, as IREE's HAL back ends have theirs (the
  // NPU: targets/npu). The generic layers call these hooks and know nothing
  // else of the plug-in.
  /// Its dialects and passes, for every compile's context and edgec-opt.
  void (*registerExtensions)(mlir::DialectRegistry &registry) = nullptr;
  /// The stages it runs on the graph before the CPU lowering, a textual
  /// pass pipeline on builtin.module; `config` is --npu-config's file.
  std::string (*ownStages)(const std::string &config) = nullptr;
  /// Passes it adds to the CPU lowering right after edgec-export-entry.
  std::string afterEntryStages;
  /// Functions the generated code may call besides mem* and the compiler's
  /// helpers: its driver's entry points, which the firmware provides.
  std::vector<std::string> runtimeCalls;
  /// `edgec npu-config [FILE]`: the plug-in's parameters as text, the
  /// defaults or FILE's over them; false with `error` when FILE is invalid.
  bool (*describeConfig)(const std::string &file, std::string &text, std::string &error) = nullptr;
  TargetRunner runner;     // empty for host targets
};

/// The target called `name`, or null.
const TargetInfo *lookupTarget(const std::string &name);
/// All known targets, in a stable order.
std::vector<const TargetInfo *> allTargets();
/// Every target plug-in's dialects and passes (TargetInfo::registerExtensions).
void registerTargetExtensions(mlir::DialectRegistry &registry);

namespace detail {
/// Called by each target directory's registration.
void registerHostTargets(std::vector<TargetInfo> &targets);
void registerCortexMTargets(std::vector<TargetInfo> &targets);
void registerCortexATargets(std::vector<TargetInfo> &targets);
void registerRiscv32Targets(std::vector<TargetInfo> &targets);
void registerHexagonTargets(std::vector<TargetInfo> &targets);
void registerNpuTargets(std::vector<TargetInfo> &targets);
} // namespace detail

} // namespace edgec

#endif
