//===- Run.cpp - edgec run: compile, link the harness, run, compare -------===//
//
// edgec run model.onnx [--input in0.pb ...] [--expected out0.pb ...]
//
// Compiles the model for a target into a work directory and links a test
// program against the artifact: on the host, runtime-stub/host/harness.c
// with the system C compiler; on any other target the freestanding
// runtime-stub/harness.c with the target's runtime stub and test I/O shim,
// built by clang and ld.lld and run under the target's emulator (qemu).
// Runs it on the inputs (ONNX TensorProto .pb files, raw .bin files, or
// generated ones) and prints the outputs, or compares them with expected
// .pb outputs: for float32,
// |edgec - expected| <= atol + rtol * |expected| (defaults 1e-4 and 1e-3),
// NaN where NaN is expected; other types exactly.
//
//===----------------------------------------------------------------------===//
#include "tools/edgec/Commands.h"

#include "compiler/RuntimeStub.h"
#include "compiler/onnx/OnnxImporter.h"
#include "compiler/onnx/TensorFile.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace edgec::cli {
namespace {

using onnx_import::shapeText;

/// Reads a TensorProto .pb or a .npy and checks it fits `want`; returns its
/// bytes. A `.bin` file is taken as raw little-endian bytes of the right size.
bool readTensorFile(const std::string &path, const TensorInfo &want, std::string &bytes) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    fmt::print(stderr, "edgec: error: {}: cannot open: {}\n", path, buffer.getError().message());
    return false;
  }
  if (llvm::StringRef(path).ends_with(".bin")) {
    if (static_cast<int64_t>((*buffer)->getBufferSize()) != want.bytes) {
      fmt::print(stderr, "edgec: error: {}: {} bytes, but '{}' ({} [{}]) takes {}\n", path,
                 (*buffer)->getBufferSize(), want.name, want.dtype, shapeText(want.shape),
                 want.bytes);
      return false;
    }
    bytes = (*buffer)->getBuffer().str();
    return true;
  }
  onnx_import::TensorFile tensor;
  std::string error;
  if (!onnx_import::readTensorFile(path, tensor, error)) {
    fmt::print(stderr, "edgec: error: {}\n", error);
    return false;
  }
  if (tensor.shape != want.shape || tensor.dtype != want.dtype) {
    fmt::print(stderr, "edgec: error: {}: {} [{}] does not fit '{}', which is {} [{}]\n", path, tensor.dtype,
               shapeText(tensor.shape), want.name, want.dtype, shapeText(want.shape));
    return false;
  }
  bytes = std::move(tensor.bytes);
  return true;
}

bool writeFile(const std::string &path, llvm::StringRef bytes) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return false;
  os << bytes;
  os.close();
  return !os.has_error();
}

/// IEEE half precision bits as a float.
float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float v;
  if (exponent == 0)
    v = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    v = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    v = std::ldexp(static_cast<float>(mantissa | 0x400), static_cast<int>(exponent) - 25);
  return sign ? -v : v;
}

/// Element i of raw little-endian bytes of `dtype`, as a double.
double elementAt(const std::string &bytes, const std::string &dtype, size_t i) {
  auto get = [&](auto zero) {
    decltype(zero) v;
    std::memcpy(&v, bytes.data() + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  if (dtype == "float32")
    return get(float());
  if (dtype == "float64")
    return get(double());
  if (dtype == "float16")
    return halfToFloat(static_cast<uint16_t>(get(uint16_t())));
  if (dtype == "int8")
    return get(int8_t());
  if (dtype == "uint8" || dtype == "bool")
    return get(uint8_t());
  if (dtype == "int16")
    return get(int16_t());
  if (dtype == "uint16")
    return get(uint16_t());
  if (dtype == "int32")
    return get(int32_t());
  if (dtype == "uint32")
    return get(uint32_t());
  if (dtype == "uint64")
    return get(uint64_t());
  return get(int64_t());
}

size_t elementsOf(const TensorInfo &t) { return static_cast<size_t>(t.elements()); }

/// Runs `program args...`; prints why when it fails. `stdoutFile`, when
/// given, receives its standard output.
int run(const std::string &program, llvm::ArrayRef<std::string> args, const std::string &what,
        unsigned timeoutSeconds = 0, const std::string &stdoutFile = "") {
  llvm::SmallVector<llvm::StringRef> argv{program};
  for (const auto &a : args)
    argv.push_back(a);
  std::optional<llvm::StringRef> redirects[3] = {std::nullopt, std::nullopt, std::nullopt};
  if (!stdoutFile.empty())
    redirects[1] = llvm::StringRef(stdoutFile);
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, redirects, timeoutSeconds, 0,
                                     &error);
  if (rc != 0)
    fmt::print(stderr, "edgec: error: {} failed ({})\n", what,
               error.empty() ? "exit " + std::to_string(rc) : error);
  return rc;
}

/// What the harnesses' exit codes mean (runtime-stub/harness.c).
const char *harnessFailure(int rc) {
  switch (rc) {
  case 2:
    return "an input file is missing or short";
  case 3:
    return "the model wrote outside its arena or outputs (guard bytes overwritten)";
  case 4:
    return "the model returned an error";
  case 5:
    return "an output could not be written";
  case 6:
    return "the program faulted";
  case 7:
    return "the model used more stack than the compiler computed (<NAME>_STACK_BYTES); please report this";
  case 8:
    return "the model wrote one of its inputs, which are const; please report this";
  default:
    return "the program failed";
  }
}

/// The first program of `names` on PATH, else in LLVM 22's bin directory.
std::string findTool(std::initializer_list<const char *> names) {
  for (const char *name : names) {
    if (auto path = llvm::sys::findProgramByName(name))
      return *path;
    if (auto path = llvm::sys::findProgramByName(name, {"/usr/lib/llvm-22/bin"}))
      return *path;
  }
  return "";
}

/// The compiler helper library of a gcc cross toolchain (`driver -print-libgcc-file-name`).
std::string libgccPath(const std::vector<std::string> &driverAndFlags, const std::string &dir) {
  auto driver = llvm::sys::findProgramByName(driverAndFlags[0]);
  if (!driver) {
    fmt::print(stderr, "edgec: error: linking for this target needs {} (its libgcc holds the "
               "compiler helpers); scripts/setup.sh installs it\n", driverAndFlags[0]);
    return "";
  }
  std::vector<std::string> args(driverAndFlags.begin() + 1, driverAndFlags.end());
  args.push_back("-print-libgcc-file-name");
  std::string out = dir + "/libgcc-path.txt";
  if (run(*driver, args, "asking " + driverAndFlags[0] + " for libgcc", 60, out))
    return "";
  auto buffer = llvm::MemoryBuffer::getFile(out);
  std::string path = buffer ? (*buffer)->getBuffer().trim().str() : "";
  if (path.empty() || !llvm::sys::fs::exists(path)) {
    fmt::print(stderr, "edgec: error: {} names no libgcc for these flags\n", driverAndFlags[0]);
    return "";
  }
  return path;
}

/// The program's source: --program's file, or the runtime stub's test
/// harness at `stubPath` (nothing, after an error, when unreadable).
std::optional<std::string> programSource(const RunCommand &cmd, llvm::StringRef stubPath) {
  if (cmd.program.empty()) {
    auto text = runtimeStubFile(stubPath);
    return text ? std::optional<std::string>(text->str()) : std::nullopt;
  }
  auto buffer = llvm::MemoryBuffer::getFile(cmd.program, /*IsText=*/true);
  if (!buffer) {
    fmt::print(stderr, "edgec: error: cannot read {}: {}\n", cmd.program, buffer.getError().message());
    return std::nullopt;
  }
  return (*buffer)->getBuffer().str();
}

/// The -D flags that fit a harness to an artifact.
std::vector<std::string> harnessDefines(const std::string &art, const std::string &name,
                                        const ArtifactInfo &info, const CompiledModel &compiled) {
  std::string inBytes, outBytes;
  int64_t ioBytes = 0;
  for (const auto &t : info.inputs) {
    inBytes += (inBytes.empty() ? "" : ",") + std::to_string(t.bytes);
    ioBytes += (t.bytes + 15) / 16 * 16 + 64;
  }
  for (const auto &t : info.outputs) {
    outBytes += (outBytes.empty() ? "" : ",") + std::to_string(t.bytes);
    ioBytes += (t.bytes + 15) / 16 * 16 + 64;
  }
  return {"-I", art, "-include", art + "/" + name + ".h", "-DRUN=" + name + "_run_packed",
          fmt::format("-DARENA_BYTES={}", compiled.arenaBytes),
          fmt::format("-DNUM_INPUTS={}", info.inputs.size()),
          fmt::format("-DNUM_OUTPUTS={}", info.outputs.size()),
          "-DINPUT_BYTES={" + inBytes + "}", "-DOUTPUT_BYTES={" + outBytes + "}",
          fmt::format("-DIO_BYTES={}", ioBytes)};
}

/// Builds the test program for a cross target into `dir`/harness.elf and
/// returns the command that runs it under the emulator (empty on failure).
std::vector<std::string> buildTargetProgram(const TargetInfo &target, const std::string &dir,
                                            const RunCommand &cmd, const ArtifactInfo &info,
                                            const CompiledModel &compiled) {
  const std::string &name = cmd.name;
  std::string clang = findTool({"clang-22", "clang"});
  if (clang.empty()) {
    fmt::print(stderr, "edgec: error: edgec run --target {} needs clang-22 and ld.lld\n",
               target.name);
    return {};
  }
  const TargetRunner &runner = target.runner;
  std::string stub = dir + "/stub";
  std::vector<std::string> sources{"harness.c"};
  sources.insert(sources.end(), runner.stubSources.begin(), runner.stubSources.end());
  sources.insert(sources.end(), runner.testSources.begin(), runner.testSources.end());
  std::vector<std::string> files = sources;
  files.push_back("edgec_test_io.h");
  if (!runner.linkerScript.empty())
    files.push_back(runner.linkerScript);
  for (const std::string &f : files) {
    std::optional<std::string> text;
    if (f == "harness.c") // the test harness, or the user's program
      text = programSource(cmd, f);
    else if (auto stubText = runtimeStubFile(f))
      text = stubText->str();
    llvm::sys::fs::create_directories(llvm::sys::path::parent_path(stub + "/" + f));
    if (!text || !writeFile(stub + "/" + f, *text)) {
      fmt::print(stderr, "edgec: error: cannot write the runtime stub's {} into {}\n", f, stub);
      return {};
    }
  }
  std::string art = dir + "/artifact", elf = dir + "/harness.elf";
  std::vector<std::string> args = runner.cflags;
  args.insert(args.end(), {"-std=c99", "-O2", "-ffreestanding", "-nostdlib", "-fuse-ld=lld",
                           "-Wl,--gc-sections", "-I", stub,
                           "-DFILE_DIR=\"" + dir + "/\""});
  args.insert(args.end(), runner.ldflags.begin(), runner.ldflags.end());
  auto defines = harnessDefines(art, name, info, compiled);
  args.insert(args.end(), defines.begin(), defines.end());
  // On a device-like stack, check the compiler's stack figure (harness.c).
  if (compiled.stack.bounded)
    args.push_back(fmt::format("-DSTACK_BOUND={}", compiled.stack.bytes));
  for (const std::string &d : cmd.harnessDefines)
    args.push_back("-D" + d);
  for (const std::string &f : sources)
    args.push_back(stub + "/" + f);
  args.push_back(art + "/lib" + name + ".a");
  if (!runner.libgcc.empty()) {
    std::string libgcc = libgccPath(runner.libgcc, dir);
    if (libgcc.empty())
      return {};
    args.push_back(libgcc);
  }
  if (!runner.linkerScript.empty())
    args.push_back("-Wl,-T," + stub + "/" + runner.linkerScript);
  args.insert(args.end(), {"-o", elf});
  if (run(clang, args, "linking the test program for " + target.name))
    return {};
  std::vector<std::string> command = runner.emulator;
  auto emulator = llvm::sys::findProgramByName(command[0]);
  if (!emulator) {
    fmt::print(stderr, "edgec: error: running {} code needs {}; scripts/setup.sh installs it\n",
               target.name, command[0]);
    return {};
  }
  command[0] = *emulator;
  command.insert(command.begin() + 1, cmd.emulatorOptions.begin(), cmd.emulatorOptions.end());
  command.push_back(elf);
  return command;
}

} // namespace

/// Builds dir/harness for an NPU artifact: the harness compiled as C with
/// `ccArgs`, the simulator's sources as C++, linked by the C++ driver.
static int linkWithNpuSimulator(std::vector<std::string> ccArgs, const std::string &dir, const std::string &library,
                         bool sanitize) {
  auto cxx = llvm::sys::findProgramByName("c++");
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cxx || !cc) {
    fmt::print(stderr, "edgec: error: edgec run --target npu needs 'cc' and 'c++' to build the simulator\n");
    return kUsageError;
  }
  std::string sim = dir + "/npu-sim";
  std::vector<std::string> cxxArgs{"-O2", "-std=c++17", "-ffp-contract=off", "-I" + sim};
  if (sanitize)
    cxxArgs.insert(cxxArgs.end(), {"-fsanitize=address,undefined", "-fno-sanitize-recover=all"});
  for (const StubFile &f : npuSimulatorFiles()) {
    std::string path = sim + "/" + f.path.str();
    if (auto ec = llvm::sys::fs::create_directories(llvm::sys::path::parent_path(path)); ec || !writeFile(path, f.text)) {
      fmt::print(stderr, "edgec: error: cannot write {}\n", path);
      return kOutputError;
    }
    if (f.path.ends_with(".cpp"))
      cxxArgs.push_back(path);
  }
  ccArgs.insert(ccArgs.end(), {"-c", dir + "/harness.c", "-o", dir + "/harness.o"});
  if (run(*cc, ccArgs, "compiling the harness"))
    return kModelError;
  cxxArgs.insert(cxxArgs.end(), {dir + "/harness.o", library, "-o", dir + "/harness"});
  if (run(*cxx, cxxArgs, "linking the harness with the NPU simulator"))
    return kModelError;
  return 0;
}

int runModel(RunCommand cmd) {
  const TargetInfo *target = lookupTarget(cmd.target);
  if (!target) { // compileArtifact says which targets there are
    ArtifactInfo info;
    CompiledModel compiled;
    return compileArtifact(cmd, "", info, compiled);
  }
  // --sanitize: the generated code is checked by ASan too, not only the harness.
  cmd.addressSanitizer = cmd.sanitize && target->hostNative;
  std::string cc;
  if (target->hostNative) {
    auto found = llvm::sys::findProgramByName("cc");
    if (!found) {
      fmt::print(stderr, "edgec: error: edgec run needs a C compiler ('cc') to link the harness\n");
      return kUsageError;
    }
    cc = *found;
  }
  llvm::SmallString<256> work;
  if (!cmd.keep.empty()) {
    work = cmd.keep;
    if (auto ec = llvm::sys::fs::create_directories(work)) {
      fmt::print(stderr, "edgec: error: cannot create {}: {}\n", cmd.keep, ec.message());
      return kOutputError;
    }
    llvm::sys::fs::make_absolute(work);
  } else if (auto ec = [&] {
               llvm::SmallString<256> base;
               llvm::sys::path::system_temp_directory(/*ErasedOnReboot=*/true, base);
               llvm::sys::path::append(base, "edgec-run");
               return llvm::sys::fs::createUniqueDirectory(base, work);
             }()) {
    fmt::print(stderr, "edgec: error: cannot create a work directory: {}\n", ec.message());
    return kOutputError;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      if (!dir.empty())
        llvm::sys::fs::remove_directories(dir);
    }
  } cleanup{cmd.keep.empty() ? work.str().str() : ""};
  std::string dir = work.str().str();
  if (dir.find_first_of("\"\\") != std::string::npos) {
    fmt::print(stderr, "edgec: error: the work directory '{}' has a quote or backslash\n", dir);
    return kUsageError;
  }

  ArtifactInfo info;
  CompiledModel compiled;
  if (int rc = compileArtifact(cmd, dir + "/artifact", info, compiled))
    return rc;
  if (!cmd.program.empty() && (!cmd.inputs.empty() || !cmd.expected.empty() || !cmd.saveOutputs.empty())) {
    fmt::print(stderr, "edgec: error: --program runs a program of its own: it takes no --input, --expected "
                       "or --save-outputs\n");
    return kUsageError;
  }
  if (!cmd.inputs.empty() && cmd.inputs.size() != info.inputs.size()) {
    fmt::print(stderr, "edgec: error: the model has {} inputs, --input gives {}\n",
               info.inputs.size(), cmd.inputs.size());
    return kUsageError;
  }
  // The count outputs of outputs of run-time size are edgec's: --expected
  // may give files for the model's outputs only (ONNX's test data does).
  std::vector<bool> isCount(info.outputs.size(), false);
  for (const TensorInfo &t : info.outputs)
    if (t.countOutput >= 0 && t.countOutput < static_cast<int64_t>(info.outputs.size()))
      isCount[t.countOutput] = true;
  size_t modelOutputs = std::count(isCount.begin(), isCount.end(), false);
  bool countsExpected = cmd.expected.size() == info.outputs.size();
  if (!cmd.expected.empty() && !countsExpected && cmd.expected.size() != modelOutputs) {
    fmt::print(stderr, "edgec: error: the model has {} outputs, --expected gives {}\n",
               info.outputs.size(), cmd.expected.size());
    return kUsageError;
  }

  // Inputs: the given files, or a fixed pseudo-random pattern (none for
  // --program, which makes its own).
  std::vector<std::string> inFiles, outFiles;
  for (size_t i = 0; cmd.program.empty() && i < info.inputs.size(); ++i) {
    const TensorInfo &t = info.inputs[i];
    std::string bytes;
    if (!cmd.inputs.empty()) {
      if (!readTensorFile(cmd.inputs[i], t, bytes))
        return kUsageError;
    } else {
      bytes.assign(static_cast<size_t>(t.bytes), '\0');
      if (t.dtype == "float32") {
        uint32_t state = 12345u + static_cast<uint32_t>(i);
        for (size_t k = 0; k < elementsOf(t); ++k) {
          state = state * 1664525u + 1013904223u;
          float v = static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
          std::memcpy(&bytes[k * 4], &v, 4);
        }
      }
      fmt::print("input {} '{}' {} [{}]: generated ({})\n", i, t.name, t.dtype, shapeText(t.shape),
                 t.dtype == "float32" ? "uniform in [-1, 1), fixed seed" : "zeros");
    }
    inFiles.push_back(fmt::format("{}/in{}.bin", dir, i));
    if (!writeFile(inFiles.back(), bytes)) {
      fmt::print(stderr, "edgec: error: cannot write {}\n", inFiles.back());
      return kOutputError;
    }
  }
  for (size_t i = 0; i < info.outputs.size(); ++i)
    outFiles.push_back(fmt::format("{}/out{}.bin", dir, i));

  // The test program, linked against the artifact, and how to run it.
  std::string art = dir + "/artifact";
  std::vector<std::string> command;
  if (target->hostNative) {
    auto harnessText = programSource(cmd, "host/harness.c");
    if (!harnessText || !writeFile(dir + "/harness.c", *harnessText)) {
      fmt::print(stderr, "edgec: error: cannot write {}/harness.c\n", dir);
      return kOutputError;
    }
    std::vector<std::string> ccArgs{"-O1", "-std=c11"};
    auto defines = harnessDefines(art, cmd.name, info, compiled);
    ccArgs.insert(ccArgs.end(), defines.begin(), defines.end());
    for (const std::string &d : cmd.harnessDefines)
      ccArgs.push_back("-D" + d);
    if (cmd.sanitize)
      ccArgs.insert(ccArgs.end(), {"-fsanitize=address,undefined", "-fno-sanitize-recover=all"});
    if (target->npu) {
      // The NPU is the simulator, compiled from the sources edgec carries
      // and linked in (it provides edgec_npu_submit); it reads the
      // accelerator's parameters the artifact was compiled for.
      if (int rc = linkWithNpuSimulator(ccArgs, dir, art + "/lib" + cmd.name + ".a", cmd.sanitize))
        return rc;
      if (!cmd.npuConfig.empty()) {
        llvm::SmallString<256> config(cmd.npuConfig);
        llvm::sys::fs::make_absolute(config);
        ::setenv("EDGEC_NPU_CONFIG", config.c_str(), 1);
      }
    } else {
      ccArgs.insert(ccArgs.end(), {dir + "/harness.c", art + "/lib" + cmd.name + ".a", "-o",
                                   dir + "/harness"});
      if (run(cc, ccArgs, "linking the harness"))
        return kModelError;
    }
    command = {dir + "/harness"};
    if (cmd.program.empty()) {
      command.insert(command.end(), inFiles.begin(), inFiles.end());
      command.insert(command.end(), outFiles.begin(), outFiles.end());
    }
  } else {
    if (cmd.sanitize) {
      fmt::print(stderr, "edgec: error: --sanitize is for host targets\n");
      return kUsageError;
    }
    command = buildTargetProgram(*target, dir, cmd, info, compiled);
    if (command.empty())
      return kModelError;
  }
  std::vector<std::string> args(command.begin() + 1, command.end());
  if (!cmd.program.empty()) { // the program's output is all there is
    if (run(command[0], args, "running " + cmd.program + " on " + target->name, cmd.timeout))
      return kModelError; // run() said how it ended
    return kOk;
  }
  if (int rc = run(command[0], args, "running the model on " + target->name, cmd.timeout)) {
    if (rc > 0)
      fmt::print(stderr, "edgec: error: {}\n", harnessFailure(rc));
    return kModelError;
  }
  if (!cmd.saveOutputs.empty()) {
    llvm::sys::fs::create_directories(cmd.saveOutputs);
    for (size_t i = 0; i < outFiles.size(); ++i)
      if (llvm::sys::fs::copy_file(outFiles[i], fmt::format("{}/out{}.bin", cmd.saveOutputs, i))) {
        fmt::print(stderr, "edgec: error: cannot write outputs into {}\n", cmd.saveOutputs);
        return kOutputError;
      }
  }

  bool allMatch = true;
  std::vector<std::string> outputs;
  for (size_t i = 0; i < info.outputs.size(); ++i) {
    auto buffer = llvm::MemoryBuffer::getFile(outFiles[i], /*IsText=*/false);
    if (!buffer) {
      fmt::print(stderr, "edgec: error: the harness wrote no output {}\n", i);
      return kModelError;
    }
    outputs.push_back((*buffer)->getBuffer().str());
    if (static_cast<int64_t>(outputs.back().size()) != info.outputs[i].bytes) {
      fmt::print(stderr, "edgec: error: output {} has {} bytes, {} expected\n", i, outputs.back().size(),
                 info.outputs[i].bytes);
      return kModelError;
    }
  }
  for (size_t i = 0, expectedIndex = 0; i < info.outputs.size(); ++i) {
    TensorInfo t = info.outputs[i];
    std::string got = outputs[i];
    if (t.boundedDim >= 0) {
      // Sized for its bound: the first `count` along the dim hold data.
      int64_t count = 0;
      std::memcpy(&count, outputs[t.countOutput].data(), sizeof(count));
      int64_t bound = t.shape[t.boundedDim];
      if (count < 0 || count > bound) {
        fmt::print(stderr, "edgec: error: output {} '{}': run-time size {} outside 0..{}\n", i, t.name, count, bound);
        return kModelError;
      }
      int64_t outer = 1, inner = t.elements() ? t.bytes / t.elements() : 0;
      for (int64_t d = 0; d < t.boundedDim; ++d)
        outer *= t.shape[d];
      for (size_t d = t.boundedDim + 1; d < t.shape.size(); ++d)
        inner *= t.shape[d];
      std::string kept;
      for (int64_t o = 0; o < outer; ++o)
        kept.append(got, static_cast<size_t>(o * bound * inner), static_cast<size_t>(count * inner));
      got = std::move(kept);
      t.shape[t.boundedDim] = count;
      t.bytes = static_cast<int64_t>(got.size());
    }
    if (!countsExpected && isCount[i]) {
      fmt::print("output {} '{}' {} [{}]: {} (a run-time size)\n", i, t.name, t.dtype, shapeText(t.shape),
                 elementAt(got, t.dtype, 0));
      continue;
    }
    size_t e = expectedIndex++;
    size_t n = elementsOf(t);
    std::string head;
    for (size_t k = 0; k < std::min<size_t>(n, 8); ++k) {
      if (t.stringBytes) { // up to its first NUL
        llvm::StringRef s(got.data() + k * t.stringBytes, static_cast<size_t>(t.stringBytes));
        head += fmt::format("{}\"{}\"", k ? ", " : "", s.take_until([](char c) { return c == '\0'; }).str());
      } else {
        head += fmt::format("{}{:.6g}", k ? ", " : "", elementAt(got, t.dtype, k));
      }
    }
    fmt::print("output {} '{}' {} [{}]: {}{}\n", i, t.name, t.dtype, shapeText(t.shape), head,
               n > 8 ? ", ..." : "");
    if (cmd.expected.empty())
      continue;
    std::string want;
    if (!readTensorFile(cmd.expected[e], t, want))
      return kUsageError;
    if (t.stringBytes) { // strings: the same bytes
      fmt::print("  vs {}: {}\n", cmd.expected[e], got == want ? "match" : "MISMATCH");
      allMatch &= got == want;
      continue;
    }
    double maxAbs = 0, maxRel = 0;
    bool match = true;
    bool isFloat = t.dtype == "float32" || t.dtype == "float64" || t.dtype == "float16";
    for (size_t k = 0; k < n; ++k) {
      double a = elementAt(got, t.dtype, k), e = elementAt(want, t.dtype, k);
      if (!isFloat) {
        match &= a == e;
        maxAbs = std::max(maxAbs, std::fabs(a - e));
        continue;
      }
      if (std::isnan(e) || std::isnan(a)) {
        match &= std::isnan(e) && std::isnan(a);
        continue;
      }
      if (a == e)
        continue; // equal, infinities included
      double d = std::fabs(a - e);
      maxAbs = std::max(maxAbs, d);
      maxRel = std::max(maxRel, d / std::max(std::fabs(e), 1e-30));
      match &= d <= cmd.atol + cmd.rtol * std::fabs(e);
    }
    fmt::print("  vs {}: {} (max abs err {:.3g}, max rel err {:.3g}; atol {:g}, rtol {:g})\n",
               cmd.expected[e], match ? "match" : "MISMATCH", maxAbs, maxRel, cmd.atol, cmd.rtol);
    allMatch &= match;
  }
  if (!cmd.keep.empty())
    fmt::print("work directory kept: {}\n", dir);
  return allMatch ? kOk : kOutputsDiffer;
}

} // namespace edgec::cli
