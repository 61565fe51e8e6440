//===- Artifact.cpp - the files a user links ------------------------------===//
#include "compiler/Artifact.h"
#include "compiler/RuntimeStub.h"

#include "dialects/graph/GraphOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

#include <set>

using namespace mlir;

namespace edgec {


namespace {

TensorInfo tensorInfo(const std::string &name, Type type) {
  auto t = llvm::cast<RankedTensorType>(type);
  TensorInfo info;
  info.name = name;
  info.shape.assign(t.getShape().begin(), t.getShape().end());
  Type e = t.getElementType();
  // Quantised tensors cross the C API as their stored integers.
  if (auto q = llvm::dyn_cast<quant::QuantizedType>(e)) {
    if (auto u = llvm::dyn_cast<quant::UniformQuantizedType>(q)) {
      info.quantised = true;
      info.scale = u.getScale();
      info.zeroPoint = u.getZeroPoint();
    }
    e = IntegerType::get(e.getContext(), q.getStorageTypeIntegralWidth(),
                         q.isSigned() ? IntegerType::Signless : IntegerType::Unsigned);
  }
  auto setType = [&](const char *dtype, const char *ctype, int64_t width) {
    info.dtype = dtype;
    info.ctype = ctype;
    info.bytes = t.getNumElements() * width;
  };
  if (e.isF32())
    setType("float32", "float", 4);
  else if (e.isF64())
    setType("float64", "double", 8);
  else if (e.isF16())
    setType("float16", "uint16_t", 2);
  else if (e.isInteger(1))
    setType("bool", "uint8_t", 1);
  else if (e.isUnsignedInteger(8))
    setType("uint8", "uint8_t", 1);
  else if (e.isInteger(8))
    setType("int8", "int8_t", 1);
  else if (e.isUnsignedInteger(16))
    setType("uint16", "uint16_t", 2);
  else if (e.isUnsignedInteger(32))
    setType("uint32", "uint32_t", 4);
  else if (e.isUnsignedInteger(64))
    setType("uint64", "uint64_t", 8);
  else if (e.isInteger(16))
    setType("int16", "int16_t", 2);
  else if (e.isInteger(32))
    setType("int32", "int32_t", 4);
  else
    setType("int64", "int64_t", 8);
  return info;
}

/// A string tensor held as its bytes [..., width] (i8): strings of `width`
/// bytes at the C API, its shape without the bytes.
void asStrings(TensorInfo &info, int64_t width) {
  info.dtype = "string";
  info.ctype = "char";
  if (!info.shape.empty())
    info.shape.pop_back();
  info.stringBytes = width;
}

/// Multiply-accumulates of a graph op (CostOpInterface); 0 for others.
int64_t macsOf(Operation *op) {
  auto cost = llvm::dyn_cast<graph::CostOpInterface>(op);
  return cost ? cost.getMacs() : 0;
}

int64_t bytesOf(Type type) {
  auto t = llvm::dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() ? tensorInfo("", t).bytes : 0;
}

/// True for a constant, or a value computed from constants only: a
/// quantised weight is an integer constant seen through quant.scast.
bool fromConstants(Value v, int depth = 0) {
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8 || def->getNumRegions() ||
      !llvm::isa<graph::GraphDialect, quant::QuantDialect>(def->getDialect()))
    return false;
  return llvm::isa<graph::ConstantOp>(def) ||
         (def->getNumOperands() && llvm::all_of(def->getOperands(), [&](Value o) { return fromConstants(o, depth + 1); }));
}

std::string upper(const std::string &s) {
  std::string out;
  for (char c : s)
    out += llvm::isAlnum(c) ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : '_';
  return out;
}

std::string shapeList(const std::vector<int64_t> &shape, const char *sep) {
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? sep : "") + std::to_string(shape[i]);
  return s;
}

const char *dtypeCode(const std::string &dtype) {
  if (dtype == "float32")
    return "EDGEC_DTYPE_F32";
  if (dtype == "int8")
    return "EDGEC_DTYPE_I8";
  if (dtype == "uint8")
    return "EDGEC_DTYPE_U8";
  if (dtype == "int16")
    return "EDGEC_DTYPE_I16";
  if (dtype == "uint16")
    return "EDGEC_DTYPE_U16";
  if (dtype == "uint32")
    return "EDGEC_DTYPE_U32";
  if (dtype == "uint64")
    return "EDGEC_DTYPE_U64";
  if (dtype == "int32")
    return "EDGEC_DTYPE_I32";
  if (dtype == "bool")
    return "EDGEC_DTYPE_BOOL";
  if (dtype == "float16")
    return "EDGEC_DTYPE_F16";
  if (dtype == "float64")
    return "EDGEC_DTYPE_F64";
  if (dtype == "string")
    return "EDGEC_DTYPE_STRING";
  return "EDGEC_DTYPE_I64";
}

/// Text safe inside a C comment.
std::string commentSafe(std::string s) {
  for (size_t at = s.find("*/"); at != std::string::npos; at = s.find("*/", at))
    s.replace(at, 2, "* /");
  return s;
}

/// `<name>_run`'s parameters before the arena: "const float *in0, float *out0, ".
static std::string runParams(const ArtifactInfo &info) {
  std::string params;
  for (size_t i = 0; i < info.inputs.size(); ++i)
    params += fmt::format("const {} *in{}, ", info.inputs[i].ctype, i);
  for (size_t i = 0; i < info.outputs.size(); ++i)
    params += fmt::format("{} *out{}, ", info.outputs[i].ctype, i);
  return params;
}

/// The header's argument checks (edgec_runtime.h, EDGEC_CHECK_ARGUMENTS):
/// `<name>_run` and `<name>_run_packed` become macros calling inline
/// wrappers that check the pointers against the model's sizes and
/// alignments, then call the model (its name in parentheses is not
/// expanded). Without EDGEC_CHECK_ARGUMENTS none of it exists.
static std::string checkedEntries(const ArtifactInfo &info) {
  auto list = [](const std::vector<TensorInfo> &ts, bool align) {
    std::string out;
    for (const TensorInfo &t : ts) {
      int64_t elements = t.elements();
      int64_t value = align ? (elements && !t.stringBytes ? t.bytes / elements : 1) : t.bytes;
      out += fmt::format("{}{}u", out.empty() ? "" : ", ", value);
    }
    return out;
  };
  auto table = [&](const char *kind, const std::vector<TensorInfo> &ts) {
    return ts.empty() ? std::string()
                      : fmt::format("  static const uintptr_t {0}_bytes[] = {{{1}}}, {0}_align[] = {{{2}}};\n",
                                    kind, list(ts, false), list(ts, true));
  };
  // Which input each output may be the same buffer as (-1: none).
  std::string updates;
  for (const TensorInfo &t : info.outputs)
    updates += fmt::format("{}{}", updates.empty() ? "" : ", ", t.updatesInput);
  bool anyState = llvm::any_of(info.outputs, [](const TensorInfo &t) { return t.updatesInput >= 0; });
  std::string stateTable = anyState ? fmt::format("  static const int output_updates[] = {{{}}};\n", updates)
                                    : std::string();
  std::string stateField = anyState ? "  c.output_updates = output_updates;\n" : "  c.output_updates = 0;\n";
  auto fields = [&](const char *kind, const std::vector<TensorInfo> &ts) {
    if (ts.empty())
      return fmt::format("  c.{0}s = 0;\n  c.{0}_bytes = 0;\n  c.{0}_align = 0;\n", kind);
    return fmt::format("  c.{0}s = {0}s;\n  c.{0}_bytes = {0}_bytes;\n  c.{0}_align = {0}_align;\n", kind);
  };
  std::string args, inputs, outputs;
  for (size_t i = 0; i < info.inputs.size(); ++i) {
    args += fmt::format("in{}, ", i);
    inputs += fmt::format("{}in{}", i ? ", " : "", i);
  }
  for (size_t i = 0; i < info.outputs.size(); ++i) {
    args += fmt::format("out{}, ", i);
    outputs += fmt::format("{}out{}", i ? ", " : "", i);
  }
  std::string N = upper(info.name);
  return fmt::format(
      "#if EDGEC_CHECK_ARGUMENTS\n"
      "/* Argument checks, on unless NDEBUG is defined (edgec_runtime.h): the calls\n"
      " * below return EDGEC_ERROR_* for a null, misaligned or overlapping pointer\n"
      " * instead of running the model on it. */\n"
      "static inline int {name}_check_call(const void *const *inputs, void *const *outputs, const void *arena) {{\n"
      "{in_table}{out_table}{state_table}"
      "  edgec_call c;\n"
      "{in_fields}{out_fields}{state_field}"
      "  c.num_inputs = {ni};\n  c.num_outputs = {no};\n"
      "  c.arena = arena;\n  c.arena_bytes = {N}_ARENA_BYTES;\n  c.arena_align = {N}_ARENA_ALIGN;\n"
      "  return edgec_check_call(&c);\n}}\n\n"
      "static inline int {name}_run_checked({params}void *arena) {{\n"
      "{in_array}  void *outputs[] = {{{outputs}}};\n"
      "  int status = {name}_check_call(inputs, outputs, arena);\n"
      "  return status != EDGEC_OK ? status : ({name}_run)({args}arena);\n}}\n\n"
      "static inline int {name}_run_packed_checked(const void *const *inputs, void *const *outputs, void *arena) {{\n"
      "  int status = {name}_check_call(inputs, outputs, arena);\n"
      "  return status != EDGEC_OK ? status : ({name}_run_packed)(inputs, outputs, arena);\n}}\n\n"
      "#define {name}_run(...) {name}_run_checked(__VA_ARGS__)\n"
      "#define {name}_run_packed(...) {name}_run_packed_checked(__VA_ARGS__)\n"
      "#endif /* EDGEC_CHECK_ARGUMENTS */\n\n",
      fmt::arg("name", info.name), fmt::arg("N", N), fmt::arg("ni", info.inputs.size()),
      fmt::arg("no", info.outputs.size()), fmt::arg("in_table", table("input", info.inputs)),
      fmt::arg("out_table", table("output", info.outputs)), fmt::arg("in_fields", fields("input", info.inputs)),
      fmt::arg("out_fields", fields("output", info.outputs)), fmt::arg("params", runParams(info)),
      fmt::arg("args", args), fmt::arg("outputs", outputs), fmt::arg("state_table", stateTable),
      fmt::arg("state_field", stateField),
      fmt::arg("in_array", info.inputs.empty() ? std::string("  const void *const *inputs = 0;\n")
                                               : fmt::format("  const void *inputs[] = {{{}}};\n", inputs)));
}

std::string headerText(const ArtifactInfo &info, const CompiledModel &compiled) {
  std::string N = upper(info.name);
  std::string h = fmt::format(
      "/* {name}.h: generated by edgec from {model} (sha256 {sha}).\n"
      " * Do not edit; recompile the model instead. */\n"
      "#ifndef {N}_H\n#define {N}_H\n\n#include <stdint.h>\n#include \"edgec_runtime.h\"\n\n"
      "#ifdef __cplusplus\nextern \"C\" {{\n#endif\n\n"
      "/* Caller-owned scratch memory for one call of {name}_run. */\n"
      "#define {N}_ARENA_BYTES {arena}\n#define {N}_ARENA_ALIGN 16\n\n"
      "{stack}"
      "#define {N}_NUM_INPUTS {ni}\n#define {N}_NUM_OUTPUTS {no}\n\n",
      fmt::arg("name", info.name), fmt::arg("model", commentSafe(llvm::sys::path::filename(info.modelPath).str())),
      fmt::arg("sha", info.modelSha256), fmt::arg("N", N), fmt::arg("arena", compiled.arenaBytes),
      fmt::arg("ni", info.inputs.size()), fmt::arg("no", info.outputs.size()),
      fmt::arg("stack", compiled.stack.bounded
                            ? fmt::format("/* The most stack one call of {}_run uses (its deepest call chain). */\n"
                                          "#define {}_STACK_BYTES {}\n\n",
                                          info.name, N, compiled.stack.bytes)
                            : fmt::format("/* The stack of a call is not bounded: {}. */\n\n",
                                          commentSafe(compiled.stack.unboundedReason))));
  auto describe = [&](const char *kind, size_t i, const TensorInfo &t) {
    std::string K = fmt::format("{}_{}{}", N, kind, i);
    int64_t elements = t.elements();
    h += fmt::format("/* {} {}: \"{}\", {} [{}] */\n", kind[0] == 'I' ? "input" : "output", i,
                     commentSafe(t.name), t.dtype, shapeList(t.shape, ", "));
    if (t.stringBytes)
      h += fmt::format("/* Each string is {w} bytes: UTF-8, NUL-padded (a string of {w} bytes has no\n"
                       " * terminator). */\n#define {K}_STRING_BYTES {w}\n",
                       fmt::arg("w", t.stringBytes), fmt::arg("K", K));
    if (t.boundedDim >= 0)
      h += fmt::format("/* Its size along dim {d} is known only at run time: the buffer holds the\n"
                       " * most ({max}); output {c} (\"{cname}\") holds the size N: the first N\n"
                       " * positions along dim {d} hold data, the rest is padding. */\n"
                       "#define {K}_RUNTIME_DIM {d}\n#define {K}_COUNT_OUTPUT {c}\n",
                       fmt::arg("d", t.boundedDim), fmt::arg("max", t.shape[t.boundedDim]),
                       fmt::arg("c", t.countOutput), fmt::arg("cname", commentSafe(info.outputs[t.countOutput].name)),
                       fmt::arg("K", K));
    if (t.updatesInput >= 0)
      h += fmt::format("/* The next value of input {i} (\"{iname}\"), a state such as a KV cache: pass\n"
                       " * the same buffer as both to update it in place (nothing is copied), or\n"
                       " * two buffers (the input is only read, and copied into this one). */\n"
                       "#define {K}_UPDATES_INPUT {i}\n",
                       fmt::arg("i", t.updatesInput), fmt::arg("iname", commentSafe(info.inputs[t.updatesInput].name)),
                       fmt::arg("K", K));
    h += fmt::format("#define {}_DTYPE {}\n#define {}_RANK {}\n#define {}_SHAPE {{{}}}\n"
                     "#define {}_ELEMENTS {}\n#define {}_BYTES {}\n\n",
                     K, dtypeCode(t.dtype), K, t.shape.size(), K, shapeList(t.shape, ", "), K,
                     elements, K, t.bytes);
    if (t.quantised) {
      // Drop the blank line just written: these belong to the same tensor.
      h.pop_back();
      h += fmt::format("/* real = {K}_SCALE * (stored - {K}_ZERO_POINT) */\n"
                       "#define {K}_SCALE {scale:.9g}f\n#define {K}_ZERO_POINT {zp}\n\n",
                       fmt::arg("K", K), fmt::arg("scale", t.scale), fmt::arg("zp", t.zeroPoint));
    }
  };
  for (size_t i = 0; i < info.inputs.size(); ++i)
    describe("INPUT", i, info.inputs[i]);
  for (size_t i = 0; i < info.outputs.size(); ++i)
    describe("OUTPUT", i, info.outputs[i]);
  h += fmt::format(
      "/* Runs the model: reads the inputs, writes the outputs, uses the arena\n"
      " * as scratch. Inputs, outputs and arena must not overlap (outputs are\n"
      " * written while inputs are still read){state}. Returns EDGEC_OK. Not\n"
      " * reentrant on the same arena. */\n"
      "int {name}_run({params}void *arena);\n\n"
      "/* The same with the pointers in arrays, in input and output order. */\n"
      "int {name}_run_packed(const void *const *inputs, void *const *outputs, void *arena);\n\n",
      fmt::arg("name", info.name), fmt::arg("params", runParams(info)),
      fmt::arg("state", llvm::any_of(info.outputs, [](const TensorInfo &t) { return t.updatesInput >= 0; })
                            ? ", except that an output\n * with _UPDATES_INPUT may be that input's very buffer"
                            : ""));
  h += checkedEntries(info);
  h += fmt::format("#ifdef __cplusplus\n}}\n#endif\n\n#endif /* {N}_H */\n", fmt::arg("N", N));
  return h;
}

std::string manifestText(const ArtifactInfo &info, const TargetInfo &target,
                         const CompiledModel &compiled, const SectionSizes &sizes) {
  std::string ops;
  for (const auto &[name, count] : info.opCounts)
    ops += fmt::format("{}{}: {}", ops.empty() ? "" : ", ", jsonQuote(name), count);
  auto tensors = [](const std::vector<TensorInfo> &list) {
    std::string out;
    for (const TensorInfo &t : list)
      out += fmt::format("{}{{\"name\": {}, \"dtype\": \"{}\", \"shape\": [{}]{}{}}}",
                         out.empty() ? "" : ", ", jsonQuote(t.name), t.dtype, shapeList(t.shape, ", "),
                         t.quantised ? fmt::format(", \"scale\": {:.9g}, \"zero_point\": {}", t.scale, t.zeroPoint)
                                     : std::string(),
                         (t.boundedDim >= 0 ? fmt::format(", \"runtime_dim\": {}, \"count_output\": {}",
                                                          t.boundedDim, t.countOutput)
                                            : std::string()) +
                             (t.stringBytes ? fmt::format(", \"string_bytes\": {}", t.stringBytes) : std::string()) +
                             (t.updatesInput >= 0 ? fmt::format(", \"updates_input\": {}", t.updatesInput)
                                                  : std::string()));
    return out;
  };
  return fmt::format(
      "{{\n  \"edgec_abi_version\": 1,\n  \"name\": {},\n  \"model\": {},\n  \"model_sha256\": \"{}\",\n"
      "  \"target\": {},\n  \"triple\": {},\n  \"cpu\": {},\n  \"features\": {},\n  \"flags\": {},\n"
      "  \"sizes\": {{\"text\": {}, \"rodata\": {}, \"data\": {}, \"bss\": {}, \"weights\": {}, "
      "\"arena\": {}, \"arena_naive\": {}, \"arena_lower_bound\": {}, \"stack\": {}}},\n"
      "  \"inputs\": [{}],\n  \"outputs\": [{}],\n  \"ops\": {{{}}}\n}}\n",
      jsonQuote(info.name), jsonQuote(llvm::sys::path::filename(info.modelPath).str()),
      info.modelSha256, jsonQuote(target.name), jsonQuote(target.triple), jsonQuote(target.cpu),
      jsonQuote(target.features), jsonQuote(info.flags), sizes.text, sizes.rodata, sizes.data,
      sizes.bss, info.weightBytes, compiled.arenaBytes, compiled.arenaNaiveBytes,
      compiled.arenaLowerBoundBytes,
      compiled.stack.bounded ? std::to_string(compiled.stack.bytes) : std::string("null"),
      tensors(info.inputs), tensors(info.outputs), ops);
}

/// The roofline estimate of an op on `target`, in microseconds: the slower
/// of its arithmetic at the kernels' peak rate and its bytes at the
/// memory's (TargetInfo::clockMHz and the rates next to it). -1: no model.
double estimateMicroseconds(const OpReport &o, const TargetInfo &target) {
  if (target.clockMHz <= 0 || target.floatMacsPerCycle <= 0 || target.intMacsPerCycle <= 0 ||
      target.bytesPerCycle <= 0)
    return -1;
  bool integer = llvm::StringRef(o.op).starts_with("graph.q");
  bool contraction = o.macs > 0;
  double rate = integer ? target.intMacsPerCycle : target.floatMacsPerCycle;
  // Other ops do one operation per element, about a float MAC's rate.
  double compute = contraction ? o.macs / rate : o.flops / target.floatMacsPerCycle;
  double memory = static_cast<double>(o.weightBytes + o.activationBytes) / target.bytesPerCycle;
  return std::max(compute, memory) / target.clockMHz;
}

/// The report's lines on the stack of a run (StackUsage.h).
static std::string stackReport(const StackBound &stack) {
  if (!stack.bounded)
    return fmt::format("stack (a run)      not bounded: {}\n", stack.unboundedReason);
  std::string r = fmt::format("stack (a run)      {:>10} bytes at most, the deepest chain: {}\n", stack.bytes,
                              llvm::join(stack.path, " -> "));
  if (!stack.libraryCalls.empty())
    r += fmt::format("  calls out of the model ({} bytes of stack allowed each): {}\n", stack.libraryBytes,
                     llvm::join(stack.libraryCalls, ", "));
  return r;
}

std::string reportText(const ArtifactInfo &info, const TargetInfo &target,
                       const CompiledModel &compiled, const SectionSizes &sizes) {
  std::string r = fmt::format("edgec report: {} for {} ({}, cpu {})\n\n", info.name, target.name,
                              target.triple, target.cpu.empty() ? "generic" : target.cpu);
  // Ops the NPU runs are named by their ONNX nodes in its submissions.
  std::set<std::string> onNpu;
  for (const NpuSubmission &s : compiled.npu)
    onNpu.insert(s.layers.begin(), s.layers.end());
  r += fmt::format("{:>4}  {:<25} {:<28} {:>12} {:>11} {:>11} {:>9}  {:<40} {}\n", "#", "op", "ONNX node", "MACs",
                   "weights B", "maps B", "est. us", "kernel", "result");
  int64_t total = 0;
  double micros = 0;
  for (size_t i = 0; i < info.ops.size(); ++i) {
    const OpReport &o = info.ops[i];
    // (A dequantize after an NPU layer carries its node's name; the NPU runs
    // int8 layers only.)
    bool npu = !o.node.empty() && onNpu.count(o.node) && llvm::StringRef(o.type).contains("!quant.");
    // Contractions and pools became register-blocked kernels, with the ops
    // they took in; other ops of the same node (a dequantize after a
    // qmatmul) and the rest are loops over the elements, or only move data.
    auto kernel = compiled.kernels.find(o.node);
    bool blocked = o.macs > 0 || llvm::StringRef(o.op).ends_with("pool");
    bool inKernel = kernel != compiled.kernels.end() && llvm::StringRef(kernel->second).starts_with("in ");
    std::string how = npu                                                      ? "NPU"
                      : kernel != compiled.kernels.end() && (blocked || inKernel) ? kernel->second
                      : o.flops == 0                                           ? "data movement"
                                                                               : "loops";
    // An op done in another's kernel costs nothing of its own (its work is
    // on the registers there), nor does a reshape (a view of its input).
    bool free = inKernel ||
                llvm::is_contained({"graph.reshape", "graph.flatten", "graph.squeeze", "graph.unsqueeze"}, o.op);
    double us = free ? 0 : estimateMicroseconds(o, target);
    std::string time = npu ? "NPU" : free ? "-" : us < 0 ? "-" : fmt::format("{:.1f}", us);
    r += fmt::format("{:>4}  {:<25} {:<28} {:>12} {:>11} {:>11} {:>9}  {:<40} {}\n", i, o.op, o.node.substr(0, 28),
                     o.macs, o.weightBytes, o.activationBytes, time, how, o.type);
    total += o.macs;
    micros += npu ? 0 : std::max(us, 0.0);
  }
  r += fmt::format("\ntotal MACs: {}\n", total);
  if (target.clockMHz > 0)
    r += fmt::format("estimated time: {:.1f} us{} on a {:.0f} MHz part at the kernels' peak rates ({} float / {} "
                     "int8 MACs and {} bytes per cycle): optimistic, not a measurement (docs/guides/report.md)\n",
                     micros, onNpu.empty() ? "" : " for the CPU's ops", target.clockMHz,
                     target.floatMacsPerCycle, target.intMacsPerCycle, target.bytesPerCycle);
  r += "\n";
  if (target.npu) {
    r += fmt::format("NPU: {} submission(s)\n", compiled.npu.size());
    for (size_t i = 0; i < compiled.npu.size(); ++i) {
      const NpuSubmission &s = compiled.npu[i];
      r += fmt::format("  #{}: {} layers, {} MACs, SRAM {} bytes, stream {} words, constants {} bytes\n", i,
                       s.layers.size(), s.macs, s.sramBytes, s.streamWords, s.constantBytes);
      if (s.scratchBytes)
        r += fmt::format("      maps in DRAM: {} bytes of scratch\n", s.scratchBytes);
      for (size_t l = 0; l < s.layers.size(); ++l)
        r += fmt::format("      {}{}\n", s.layers[l], s.chained[l] ? "  (chained)" : "");
    }
    r += "CPU (graph ops outside the NPU's subgraphs, the layout changes at their boundaries included):\n";
    for (const auto &[op, count] : compiled.cpuOps)
      r += fmt::format("  {:<28} {:>5}\n", op, count);
    r += "\n";
  }
  r += fmt::format("code   (.text)     {:>10} bytes\n", sizes.text);
  r += fmt::format("weights (.rodata)  {:>10} bytes\n", sizes.rodata);
  r += fmt::format("arena (peak)       {:>10} bytes\n", compiled.arenaBytes);
  r += fmt::format("  naive sum        {:>10} bytes\n", compiled.arenaNaiveBytes);
  r += fmt::format("  lower bound      {:>10} bytes (most bytes alive at once)\n",
                   compiled.arenaLowerBoundBytes);
  r += "  the plan, buffer by buffer over the schedule: memory-plan.svg\n";
  r += stackReport(compiled.stack);
  if (target.flashBytes || target.sramBytes) {
    MemoryNeed need = memoryNeed(sizes, compiled);
    auto share = [](uint64_t used, uint64_t have) {
      return have ? fmt::format("{} of {} bytes ({:.1f}%)", used, have, 100.0 * static_cast<double>(used) / have)
                  : fmt::format("{} bytes", used);
    };
    r += fmt::format("\n{}: flash {}, RAM {} with the run's stack\n",
                     target.board.empty() ? "the part" : target.board, share(need.flash, target.flashBytes),
                     share(need.ram, target.sramBytes));
  }
  return r;
}

/// Text for SVG: the markup characters escaped, invalid UTF-8 and the
/// control characters XML forbids replaced (node names are anyone's bytes).
std::string xmlEscape(const std::string &text) {
  std::string out;
  for (char c : llvm::json::fixUTF8(text))
    out += c == '&'   ? "&amp;"
           : c == '<' ? "&lt;"
           : c == '>' ? "&gt;"
           : c == '"' ? "&quot;"
           : (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ? "?"
                                                                                         : std::string(1, c);
  return out;
}

/// The arena plan as a picture: one box per buffer, its offset and size up
/// the side, the ops it lives through along the bottom; hovering a box
/// names its ONNX node.
std::string memoryPlanSvg(const ArtifactInfo &info, const TargetInfo &target, const CompiledModel &compiled) {
  const double left = 80, top = 40, width = 820, height = 360;
  int64_t steps = 1;
  for (const ArenaBuffer &b : compiled.arenaPlan)
    steps = std::max(steps, b.last + 1);
  double peak = static_cast<double>(std::max<int64_t>(compiled.arenaBytes, 1));
  auto x = [&](int64_t step) { return left + width * static_cast<double>(step) / static_cast<double>(steps); };
  auto y = [&](int64_t offset) { return top + height - height * static_cast<double>(offset) / peak; };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n",
      left + width + 20, top + height + 50);
  s += fmt::format("<text x=\"{:.0f}\" y=\"20\" font-size=\"14\">{} for {}: arena {} B, lower bound {} B, {} "
                   "buffers (naive sum {} B)</text>\n",
                   left, xmlEscape(info.name), xmlEscape(target.name), compiled.arenaBytes,
                   compiled.arenaLowerBoundBytes, compiled.arenaPlan.size(), compiled.arenaNaiveBytes);
  s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                   "stroke=\"#888\"/>\n",
                   left, top, width, height);
  for (size_t i = 0; i < compiled.arenaPlan.size(); ++i) {
    const ArenaBuffer &b = compiled.arenaPlan[i];
    double x0 = x(b.first), x1 = std::max(x(b.last + 1), x0 + 1), y0 = y(b.offset + b.bytes), y1 = y(b.offset);
    s += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                     "fill=\"hsl({},60%,65%)\" stroke=\"#333\" stroke-width=\"0.5\"><title>{}: {} B at offset "
                     "{}, ops {}-{}</title></rect>\n",
                     x0, y0, x1 - x0, std::max(y1 - y0, 0.5), (i * 47) % 360,
                     xmlEscape(b.node.empty() ? "(unnamed)" : b.node), b.bytes, b.offset, b.first, b.last);
  }
  double lower = y(compiled.arenaLowerBoundBytes);
  s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00\" "
                   "stroke-dasharray=\"4 3\"/>\n",
                   left, lower, left + width, lower);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{} B</text>\n", left - 6, top + 4,
                   compiled.arenaBytes);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">0</text>\n", left - 6, top + height);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#c00\">lower bound</text>\n",
                   left + width - 4, lower - 4);
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">op in the lowered function "
                   "(0-{}): a buffer lives from its first to its last use</text>\n",
                   left + width / 2, top + height + 30, steps - 1);
  s += fmt::format("<text x=\"16\" y=\"{:.1f}\" transform=\"rotate(-90 16 {:.1f})\" text-anchor=\"middle\">"
                   "arena offset</text>\n",
                   top + height / 2, top + height / 2);
  return s + "</svg>\n";
}

} // namespace

int64_t flopsOf(Operation *op) {
  auto cost = llvm::dyn_cast<graph::CostOpInterface>(op);
  return cost ? cost.getFlops() : 0;
}

std::string nodeOf(Location loc) { return onnxNodeName(loc); }

ArtifactInfo describeGraph(ModuleOp module) {
  ArtifactInfo info;
  auto main = module.lookupSymbol<func::FuncOp>("main");
  if (!main)
    return info;
  for (unsigned i = 0; i < main.getNumArguments(); ++i) {
    auto name = main.getArgAttrOfType<StringAttr>(i, "graph.name");
    info.inputs.push_back(tensorInfo(name ? name.str() : fmt::format("in{}", i),
                                     main.getArgument(i).getType()));
    if (auto bytes = main.getArgAttrOfType<IntegerAttr>(i, "graph.string_bytes"))
      asStrings(info.inputs.back(), bytes.getInt());
  }
  for (unsigned i = 0; i < main.getNumResults(); ++i) {
    auto name = main.getResultAttrOfType<StringAttr>(i, "graph.name");
    info.outputs.push_back(
        tensorInfo(name ? name.str() : fmt::format("out{}", i), main.getResultTypes()[i]));
    auto dim = main.getResultAttrOfType<IntegerAttr>(i, "graph.bounded_dim");
    auto count = main.getResultAttrOfType<IntegerAttr>(i, "graph.count_output");
    if (dim && count) {
      info.outputs.back().boundedDim = dim.getInt();
      info.outputs.back().countOutput = count.getInt();
    }
    if (auto bytes = main.getResultAttrOfType<IntegerAttr>(i, "graph.string_bytes"))
      asStrings(info.outputs.back(), bytes.getInt());
  }
  for (unsigned i = 0; i < main.getNumArguments(); ++i)
    if (auto r = main.getArgAttrOfType<IntegerAttr>(i, "graph.state_output"))
      if (r.getInt() >= 0 && static_cast<size_t>(r.getInt()) < info.outputs.size())
        info.outputs[r.getInt()].updatesInput = i;
  main.walk([&](Operation *op) {
    if (auto c = llvm::dyn_cast<graph::ConstantOp>(op)) {
      info.weightBytes += tensorInfo("", c.getType()).bytes;
      return;
    }
    if (op->getDialect() == nullptr || !llvm::isa<graph::GraphDialect>(op->getDialect()) ||
        llvm::isa<graph::YieldOp>(op))
      return;
    std::string type;
    llvm::raw_string_ostream os(type);
    os << op->getResult(0).getType();
    OpReport report{op->getName().getStringRef().str(), nodeOf(op->getLoc()), type, macsOf(op), flopsOf(op)};
    for (Value operand : op->getOperands())
      (fromConstants(operand) ? report.weightBytes : report.activationBytes) += bytesOf(operand.getType());
    for (Type result : op->getResultTypes())
      report.activationBytes += bytesOf(result);
    info.ops.push_back(std::move(report));
    ++info.opCounts[op->getName().getStringRef().str()];
  });
  return info;
}

std::string jsonQuote(const std::string &v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", c);
    else
      out += c;
  }
  return out + "\"";
}

std::string sha256OfFile(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return "";
  auto bytes = (*buffer)->getBuffer();
  auto digest = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
  std::string hex;
  for (uint8_t b : digest)
    hex += fmt::format("{:02x}", b);
  return hex;
}

/// Adds `object`'s section sizes to `s`.
static void addSectionSizes(const std::string &object, SectionSizes &s) {
  auto file = llvm::object::ObjectFile::createObjectFile(
      llvm::MemoryBufferRef(object, "model.o"));
  if (!file) {
    llvm::consumeError(file.takeError());
    return;
  }
  for (const auto &section : (*file)->sections()) {
    auto name = section.getName();
    if (!name) {
      llvm::consumeError(name.takeError());
      continue;
    }
    int64_t size = static_cast<int64_t>(section.getSize());
    if (name->starts_with(".text"))
      s.text += size;
    else if (name->starts_with(".rodata") || name->starts_with(".data.rel.ro"))
      s.rodata += size;
    else if (name->starts_with(".data"))
      s.data += size;
    else if (name->starts_with(".bss"))
      s.bss += size;
  }
}

MemoryNeed memoryNeed(const SectionSizes &sizes, const CompiledModel &compiled) {
  return {static_cast<uint64_t>(sizes.text + sizes.rodata + sizes.data),
          static_cast<uint64_t>(compiled.arenaBytes + sizes.data + sizes.bss) +
              (compiled.stack.bounded ? compiled.stack.bytes : 0)};
}

SectionSizes sectionSizes(const std::vector<std::string> &objects) {
  SectionSizes s;
  for (const std::string &object : objects)
    addSectionSizes(object, s);
  return s;
}

LogicalResult writeArtifact(const std::string &outPath, const ArtifactInfo &info,
                            const TargetInfo &target, const CompiledModel &compiled, Location loc) {
  // An absolute path without trailing separators: "out/" and "out" are the
  // same directory, and its parent is where the temporary one goes.
  llvm::SmallString<256> absolute(outPath);
  llvm::sys::fs::make_absolute(absolute);
  llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
  while (absolute.size() > 1 && llvm::sys::path::is_separator(absolute.back()))
    absolute.pop_back();
  std::string outDir = absolute.str().str();
  llvm::SmallString<256> cwd;
  llvm::sys::fs::current_path(cwd);
  if (llvm::sys::path::parent_path(outDir).empty() || outDir == cwd.str() ||
      llvm::StringRef(cwd).starts_with(outDir + "/"))
    return emitError(loc) << "-o '" << outPath
                          << "' is the root, the current directory or one of its parents; "
                             "give the artifact a directory of its own";
  // Only a previous artifact is replaced, never some other directory.
  if (llvm::sys::fs::exists(outDir) &&
      (!llvm::sys::fs::is_directory(outDir) || !llvm::sys::fs::exists(outDir + "/manifest.json")))
    return emitError(loc) << "'" << outPath
                          << "' exists and is not an edgec artifact; remove it or choose another -o";
  llvm::SmallString<256> temp;
  std::string parent = llvm::sys::path::parent_path(outDir).str();
  if (parent.empty())
    parent = ".";
  if (auto ec = llvm::sys::fs::create_directories(parent))
    return emitError(loc) << "cannot create '" << parent << "': " << ec.message();
  if (auto ec = llvm::sys::fs::createUniqueDirectory(
          (parent + "/." + llvm::sys::path::filename(outDir).str() + ".tmp").c_str(), temp))
    return emitError(loc) << "cannot create a directory next to '" << outDir
                          << "': " << ec.message();
  auto fail = [&](const llvm::Twine &what) {
    llvm::sys::fs::remove_directories(temp);
    return emitError(loc) << what;
  };
  auto write = [&](const std::string &file, llvm::StringRef bytes) -> bool {
    std::error_code ec;
    if (auto dir = llvm::sys::path::parent_path(file); !dir.empty())
      llvm::sys::fs::create_directories(temp + "/" + dir);
    llvm::raw_fd_ostream os((temp + "/" + file).str(), ec, llvm::sys::fs::OF_None);
    if (ec)
      return false;
    os << bytes;
    os.close();
    return !os.has_error();
  };
  SectionSizes sizes = sectionSizes(compiled.objects);
  // <name>.o, or <name>.o, <name>.1.o, ... for a model compiled in parts.
  std::vector<std::string> objectNames;
  objectNames.reserve(compiled.objects.size()); // members keep references to the names
  std::vector<llvm::NewArchiveMember> members;
  for (size_t k = 0; k < compiled.objects.size(); ++k) {
    objectNames.push_back(info.name + (k ? "." + std::to_string(k) : "") + ".o");
    members.emplace_back(llvm::MemoryBufferRef(compiled.objects[k], objectNames.back()));
  }
  auto archive = llvm::writeArchiveToBuffer(members,
                                            llvm::SymtabWritingMode::NormalSymtab,
                                            llvm::object::Archive::K_GNU,
                                            /*Deterministic=*/true, /*Thin=*/false);
  if (!archive)
    return fail("cannot build lib" + info.name + ".a: " + llvm::toString(archive.takeError()));
  if (!write(info.name + ".h", headerText(info, compiled)) ||
      !write("lib" + info.name + ".a", (*archive)->getBuffer()) ||
      !write("edgec_runtime.h", *runtimeStubFile("edgec_runtime.h")) ||
      !write("manifest.json", manifestText(info, target, compiled, sizes)) ||
      !write("report.txt", reportText(info, target, compiled, sizes)) ||
      !write("memory-plan.svg", memoryPlanSvg(info, target, compiled)))
    return fail("cannot write the artifact in '" + temp + "'");
  // What firmware links besides the library: the target's startup code,
  // memory helpers and linker script (runtime-stub/ of this edgec).
  std::vector<std::string> stub = target.runner.stubSources;
  if (!target.runner.linkerScript.empty())
    stub.push_back(target.runner.linkerScript);
  // NPU targets: the driver that hands the streams to the device.
  if (target.npu)
    for (const char *file : {"npu/edgec_npu.h", "npu/edgec_npu.c"})
      stub.push_back(file);
  for (const std::string &file : stub) {
    auto text = runtimeStubFile(file);
    if (!text || !write("runtime/" + file, *text))
      return fail("cannot write runtime/" + file + " in '" + temp + "'");
  }
  if (llvm::sys::fs::is_directory(outDir))
    llvm::sys::fs::remove_directories(outDir);
  if (auto ec = llvm::sys::fs::rename(temp, outDir))
    return fail("cannot move the artifact to '" + outDir + "': " + ec.message());
  return success();
}

} // namespace edgec
