//===- NpuCompile.cpp - npu.subgraph -> command stream + npu.submit -------===//
//
// Describes each subgraph to the NPU back end (targets/npu/NpuCodegen) as
// maps and layers, in the NPU's terms:
//   - maps are NHWC: an NCHW [1,C,H,W] tensor is H x W x C, a [M,K] matrix
//     is 1 x M x K;
//   - conv weights go from ONNX's [O][I][kh][kw] to the array's
//     [O][kh][kw][I] (a matmul's [K][N] to [N][K]);
//   - the requantisation is QuantUtils::requantisationOf, the very values
//     the CPU kernels use, so both compute the same bytes.
// The subgraph is replaced by an npu.submit of the stream and constants;
// the CPU transposes the inputs to NHWC before and the outputs back after.
//
//===----------------------------------------------------------------------===//
#include "dialects/graph/ConstantUtils.h"
#include "dialects/graph/QuantUtils.h"
#include "targets/npu/dialect/NpuOps.h"
#include "passes/PassResults.h"
#include "targets/npu/passes/NpuPasses.h"
#include "targets/npu/NpuCodegen.h"

#include "llvm/ADT/TypeSwitch.h"

namespace edgec {
#define GEN_PASS_DEF_NPUCOMPILEPASS
#include "targets/npu/passes/NpuPasses.h.inc"

namespace {
using namespace mlir;
using namespace edgec::graph;

quant::UniformQuantizedType mapType(Value v) {
  return cast<quant::UniformQuantizedType>(cast<RankedTensorType>(v.getType()).getElementType());
}

/// The layer name: the ONNX node the op came from.
std::string nameOf(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  if (auto named = dyn_cast<NameLoc>(loc))
    return named.getName().str();
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

struct ProgramBuilder {
  npu::Program program;
  llvm::DenseMap<Value, uint32_t> maps;
  std::string error;
  Operation *failedOp = nullptr;

  uint32_t addMap(Value v) {
    auto t = cast<RankedTensorType>(v.getType());
    npu::MapInfo m;
    if (t.getRank() == 4)
      m = {uint32_t(t.getDimSize(2)), uint32_t(t.getDimSize(3)), uint32_t(t.getDimSize(1)), 0};
    else
      m = {1, uint32_t(t.getDimSize(0)), uint32_t(t.getDimSize(1)), 0};
    m.zeroPoint = int32_t(mapType(v).getZeroPoint());
    program.maps.push_back(m);
    return maps[v] = uint32_t(program.maps.size() - 1);
  }

  /// The map of `v`; a value the subgraph neither receives nor computes
  /// (a constant operand) is not one the NPU can read.
  FailureOr<uint32_t> mapOf(Operation *op, Value v) {
    auto it = maps.find(v);
    if (it != maps.end())
      return it->second;
    (void)fail(op, "an operand is neither a subgraph input nor computed on the NPU");
    return failure();
  }

  LogicalResult fail(Operation *op, const std::string &why) {
    failedOp = op;
    error = why;
    return failure();
  }

  /// Per-channel bias and requantisation of a conv or matmul.
  LogicalResult requantisation(Operation *op, Value input, Value weight, Value bias, Value output, size_t channels,
                               npu::Layer &l) {
    auto w = cast<quant::QuantizedType>(cast<RankedTensorType>(weight.getType()).getElementType());
    Requantisation rq;
    if (!requantisationOf(mapType(input).getScale(), scalesOf(w), mapType(output).getScale(), rq))
      return fail(op, "its requantisation multiplier is out of range");
    SmallVector<int64_t> b;
    if (bias && !readInts(getStoredConstant(bias), b))
      return fail(op, "its bias is not a constant");
    b.resize(channels, 0);
    for (size_t c = 0; c < channels; ++c) {
      const FixedPointMultiplier &f = rq.channels[rq.channels.size() == 1 ? 0 : c];
      l.bias.push_back(int32_t(b[c]));
      l.multiplier.push_back(int32_t(f.multiplier));
      l.shift.push_back(int32_t(rq.oneShift ? rq.commonShift : f.shift));
    }
    return success();
  }

  LogicalResult addConv(QConvOp op) {
    npu::Layer l;
    auto wt = cast<RankedTensorType>(op.getWeight().getType());
    int64_t oc = wt.getDimSize(0), icg = wt.getDimSize(1), kh = wt.getDimSize(2), kw = wt.getDimSize(3);
    l.kind = op.getGroup() > 1 ? npu::LayerKind::DepthwiseConv : npu::LayerKind::Conv;
    l.name = nameOf(op);
    FailureOr<uint32_t> in = mapOf(op, op.getInput());
    if (failed(in))
      return failure();
    l.inputs = {*in};
    l.kernelH = uint32_t(kh);
    l.kernelW = uint32_t(kw);
    l.strideH = uint32_t(op.getStrides()[0]);
    l.strideW = uint32_t(op.getStrides()[1]);
    l.dilationH = uint32_t(op.getDilations()[0]);
    l.dilationW = uint32_t(op.getDilations()[1]);
    l.padTop = int32_t(op.getPads()[0]);
    l.padLeft = int32_t(op.getPads()[1]);
    l.actMin = int32_t(op.getActMin());
    l.actMax = int32_t(op.getActMax());
    SmallVector<int64_t> w;
    if (!readInts(getStoredConstant(op.getWeight()), w))
      return fail(op, "its weights are not a constant");
    // [O][I][kh][kw] -> [O][kh][kw][I]
    l.weights.resize(w.size());
    for (int64_t o = 0; o < oc; ++o)
      for (int64_t i = 0; i < icg; ++i)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            l.weights[((o * kh + y) * kw + x) * icg + i] = int8_t(w[((o * icg + i) * kh + y) * kw + x]);
    if (failed(requantisation(op, op.getInput(), op.getWeight(), op.getBias(), op.getOutput(), size_t(oc), l)))
      return failure();
    l.output = addMap(op.getOutput());
    program.layers.push_back(std::move(l));
    return success();
  }

  LogicalResult addMatMul(QMatMulOp op) {
    npu::Layer l;
    auto wt = cast<RankedTensorType>(op.getRhs().getType());
    int64_t k = wt.getDimSize(0), n = wt.getDimSize(1);
    l.kind = npu::LayerKind::Conv; // 1x1 over the 1 x M map of K channels
    l.name = nameOf(op);
    FailureOr<uint32_t> in = mapOf(op, op.getLhs());
    if (failed(in))
      return failure();
    l.inputs = {*in};
    l.actMin = int32_t(op.getActMin());
    l.actMax = int32_t(op.getActMax());
    SmallVector<int64_t> w;
    if (!readInts(getStoredConstant(op.getRhs()), w))
      return fail(op, "its weights are not a constant");
    l.weights.resize(w.size());
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < n; ++j)
        l.weights[j * k + i] = int8_t(w[i * n + j]);
    if (failed(requantisation(op, op.getLhs(), op.getRhs(), op.getBias(), op.getOutput(), size_t(n), l)))
      return failure();
    l.output = addMap(op.getOutput());
    program.layers.push_back(std::move(l));
    return success();
  }

  template <typename PoolOp> void poolGeometry(PoolOp op, npu::Layer &l) {
    l.kernelH = uint32_t(op.getKernelShape()[0]);
    l.kernelW = uint32_t(op.getKernelShape()[1]);
    l.strideH = uint32_t(op.getStrides()[0]);
    l.strideW = uint32_t(op.getStrides()[1]);
    l.padTop = int32_t(op.getPads()[0]);
    l.padLeft = int32_t(op.getPads()[1]);
  }

  LogicalResult addMaxPool(MaxPoolOp op) {
    npu::Layer l;
    l.kind = npu::LayerKind::MaxPool;
    l.name = nameOf(op);
    FailureOr<uint32_t> in = mapOf(op, op.getInput());
    if (failed(in))
      return failure();
    l.inputs = {*in};
    poolGeometry(op, l);
    l.output = addMap(op.getOutput());
    program.layers.push_back(std::move(l));
    return success();
  }

  /// The quantize that ends an add or average-pool unit.
  LogicalResult addQuantize(QuantizeOp q) {
    npu::Layer l;
    l.name = nameOf(q);
    l.outScale = float(mapType(q.getOutput()).getScale());
    Operation *def = q.getInput().getDefiningOp();
    bool relu = false;
    if (isa_and_nonnull<ReluOp>(def)) {
      relu = true;
      def = def->getOperand(0).getDefiningOp();
    }
    if (isa_and_nonnull<ReshapeOp>(def))
      def = def->getOperand(0).getDefiningOp();
    auto dequantized = [&](Value v) { return v.getDefiningOp<DequantizeOp>().getInput(); };
    if (auto add = dyn_cast_or_null<AddOp>(def)) {
      Value a = dequantized(add.getLhs()), b = dequantized(add.getRhs());
      l.kind = npu::LayerKind::Add;
      l.name = nameOf(add);
      FailureOr<uint32_t> ma = mapOf(add, a), mb = mapOf(add, b);
      if (failed(ma) || failed(mb))
        return failure();
      l.inputs = {*ma, *mb};
      l.scaleA = float(mapType(a).getScale());
      l.scaleB = float(mapType(b).getScale());
      // relu then quantize = quantize, then at least the zero point
      l.actMin = relu ? std::max<int32_t>(-128, int32_t(mapType(q.getOutput()).getZeroPoint())) : -128;
    } else if (def && isa<AveragePoolOp, GlobalAveragePoolOp>(def)) {
      Value a = dequantized(def->getOperand(0));
      auto in = cast<RankedTensorType>(a.getType());
      l.kind = npu::LayerKind::AveragePool;
      l.name = nameOf(def);
      FailureOr<uint32_t> ma = mapOf(def, a);
      if (failed(ma))
        return failure();
      l.inputs = {*ma};
      l.scaleA = float(mapType(a).getScale());
      if (auto pool = dyn_cast<AveragePoolOp>(def)) {
        poolGeometry(pool, l);
        l.countPad = pool.getCountIncludePad();
      } else {
        l.kernelH = uint32_t(in.getDimSize(2));
        l.kernelW = uint32_t(in.getDimSize(3));
      }
    } else {
      return fail(q, "a quantize the NPU does not run");
    }
    l.output = addMap(q.getOutput());
    program.layers.push_back(std::move(l));
    return success();
  }

  LogicalResult build(npu::SubgraphOp subgraph) {
    Block &body = subgraph.getBody().front();
    for (BlockArgument a : body.getArguments())
      program.inputs.push_back(addMap(a));
    for (Operation &op : body) {
      LogicalResult r = llvm::TypeSwitch<Operation *, LogicalResult>(&op)
                            .Case([&](QConvOp c) { return addConv(c); })
                            .Case([&](QMatMulOp m) { return addMatMul(m); })
                            .Case([&](MaxPoolOp p) { return addMaxPool(p); })
                            .Case([&](QuantizeOp q) { return addQuantize(q); })
                            .Case([&](ReshapeOp r) {
                              // A float reshape is part of an average pool's unit.
                              if (!isa<quant::QuantizedType>(r.getInput().getType().getElementType()))
                                return success();
                              // Byte-identical in NHWC (the partition checked): the same map.
                              FailureOr<uint32_t> in = mapOf(r, r.getInput());
                              if (failed(in))
                                return failure();
                              maps[r.getOutput()] = *in;
                              return success();
                            })
                            .Case([&](npu::YieldOp y) {
                              for (Value v : y.getValues()) {
                                FailureOr<uint32_t> m = mapOf(y, v);
                                if (failed(m))
                                  return failure();
                                program.outputs.push_back(*m);
                              }
                              return success();
                            })
                            .Default([](Operation *) { return success(); }); // constants, float parts of units
      if (failed(r))
        return failure();
    }
    return success();
  }
};

/// NCHW <-> NHWC for rank-4 maps; matrices are already the NPU's 1 x M x K.
Value toLayout(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  if (cast<RankedTensorType>(v.getType()).getRank() != 4)
    return v;
  return TransposeOp::create(b, loc, v, b.getDenseI64ArrayAttr(perm)).getOutput();
}

struct NpuCompilePass : impl::NpuCompilePassBase<NpuCompilePass> {
  using NpuCompilePassBase::NpuCompilePassBase;

  void runOnOperation() override {
    npu::NpuConfig cfg;
    if (!config.empty()) {
      std::string error;
      if (!npu::loadNpuConfig(config, cfg, error)) {
        getOperation().emitError("edgec-npu-compile: ") << error;
        return signalPassFailure();
      }
    }
    SmallVector<npu::SubgraphOp> subgraphs;
    getOperation().walk([&](npu::SubgraphOp s) { subgraphs.push_back(s); });
    for (npu::SubgraphOp s : subgraphs)
      if (failed(compile(s, cfg)))
        return signalPassFailure();
  }

  LogicalResult compile(npu::SubgraphOp subgraph, const npu::NpuConfig &cfg) {
    ProgramBuilder builder;
    if (failed(builder.build(subgraph)))
      return builder.failedOp->emitError("edgec-npu-compile: ") << builder.error;
    npu::CompiledProgram compiled;
    std::string error;
    if (!npu::compileProgram(builder.program, cfg, compiled, error))
      return subgraph.emitError("edgec-npu-compile: ") << error;

    OpBuilder b(subgraph);
    Location loc = subgraph.getLoc();
    auto i8 = b.getIntegerType(8);
    SmallVector<Value> inputs, inits;
    for (Value v : subgraph.getInputs()) {
      auto t = cast<RankedTensorType>(v.getType());
      Value stored = quant::StorageCastOp::create(b, loc, RankedTensorType::get(t.getShape(), i8), v);
      inputs.push_back(toLayout(b, loc, stored, {0, 2, 3, 1}));
    }
    for (Type t : subgraph.getResultTypes()) {
      auto shape = SmallVector<int64_t>(cast<RankedTensorType>(t).getShape());
      if (shape.size() == 4)
        shape = {shape[0], shape[2], shape[3], shape[1]};
      inits.push_back(tensor::EmptyOp::create(b, loc, shape, i8));
    }
    // Maps that do not fit SRAM live in a scratch buffer of the arena, the
    // binding after the outputs.
    if (compiled.scratchBytes)
      inits.push_back(tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{int64_t(compiled.scratchBytes)}, i8));
    auto words = RankedTensorType::get({int64_t(compiled.stream.size())}, b.getI32Type());
    Value stream = ConstantOp::create(
        b, loc,
        makeFromBytes(words,
                      ArrayRef<char>(reinterpret_cast<const char *>(compiled.stream.data()),
                                     compiled.stream.size() * 4),
                      "npu_stream"));
    if (compiled.constants.empty())
      compiled.constants.push_back(0); // a binding needs a byte to point at
    auto bytes = RankedTensorType::get({int64_t(compiled.constants.size())}, i8);
    Value constants = ConstantOp::create(
        b, loc,
        makeFromBytes(bytes,
                      ArrayRef<char>(reinterpret_cast<const char *>(compiled.constants.data()),
                                     compiled.constants.size()),
                      "npu_constants"));
    auto submit = npu::SubmitOp::create(b, loc, ValueRange(inits).getTypes(), stream, constants, inputs, inits);
    // What the report prints.
    NpuSubmission summary;
    uint64_t macs = 0;
    for (const npu::LayerPlacement &p : compiled.layers) {
      macs += p.macs;
      summary.layers.push_back(p.name);
      summary.chained.push_back(p.chained);
    }
    summary.macs = int64_t(macs);
    summary.sramBytes = compiled.sramBytes;
    summary.scratchBytes = int64_t(compiled.scratchBytes);
    summary.streamWords = int64_t(compiled.stream.size());
    summary.constantBytes = int64_t(compiled.constants.size());
    setNpuSubmission(submit, summary);
    for (auto [old, result] : llvm::zip(subgraph.getResults(), submit.getResults())) {
      Value nchw = toLayout(b, loc, result, {0, 3, 1, 2});
      old.replaceAllUsesWith(quant::StorageCastOp::create(b, loc, old.getType(), nchw).getResult());
    }
    subgraph.erase();
    return success();
  }
};

} // namespace
} // namespace edgec
