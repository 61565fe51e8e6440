//===- NpuDialect.cpp - edgec npu dialect: ops, verifiers, bufferisation --===//
#include "targets/npu/dialect/NpuOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;
using namespace edgec::npu;

#include "targets/npu/dialect/NpuDialect.cpp.inc"

void NpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "targets/npu/dialect/NpuOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "targets/npu/dialect/NpuOps.cpp.inc"

LogicalResult SubgraphOp::verify() {
  Block &body = getBody().front();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("body arguments must match the operands");
  if (body.getTerminator()->getOperandTypes() != getResultTypes())
    return emitOpError("npu.yield operands must match the results");
  return success();
}

LogicalResult SubmitOp::verify() {
  auto isBuffer = [](Type t) { return isa<MemRefType>(t); };
  bool buffers = isBuffer(getStream().getType());
  for (Value v : getOperands())
    if (isBuffer(v.getType()) != buffers)
      return emitOpError("operands must be all tensors or all buffers");
  if (buffers ? getNumResults() != 0 : getNumResults() != getOutputs().size())
    return emitOpError("returns its outputs on tensors, nothing on buffers");
  auto stream = cast<ShapedType>(getStream().getType());
  if (!stream.getElementType().isInteger(32) || stream.getRank() != 1)
    return emitOpError("the stream must be one-dimensional i32");
  for (auto [init, result] : llvm::zip(getOutputs(), getResults()))
    if (init.getType() != result.getType())
      return emitOpError("each result has its output's type");
  return success();
}

void SubmitOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &effects) {
  // On buffers: reads everything but the outputs, writes the outputs (and
  // talks to a device). On tensors: none.
  for (OpOperand &operand : getOperation()->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    if (isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand, SideEffects::DefaultResource::get());
    else
      effects.emplace_back(MemoryEffects::Read::get(), &operand, SideEffects::DefaultResource::get());
  }
}

namespace {

struct SubmitBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<SubmitBufferization, SubmitOp> {
  // The NPU overwrites every output byte: the buffer's old contents are dead.
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand, const bufferization::AnalysisState &) const {
    return !cast<SubmitOp>(op).isDpsInit(&operand);
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter, const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto submit = cast<SubmitOp>(op);
    auto buffer = [&](Value v) -> FailureOr<Value> { return bufferization::getBuffer(rewriter, v, options, state); };
    SmallVector<Value> inputs, outputs;
    FailureOr<Value> stream = buffer(submit.getStream()), constants = buffer(submit.getConstants());
    if (failed(stream) || failed(constants))
      return failure();
    for (Value v : submit.getInputs()) {
      FailureOr<Value> b = buffer(v);
      if (failed(b))
        return failure();
      inputs.push_back(*b);
    }
    for (Value v : submit.getOutputs()) {
      FailureOr<Value> b = buffer(v);
      if (failed(b))
        return failure();
      outputs.push_back(*b);
    }
    rewriter.setInsertionPoint(op);
    auto bufferized = SubmitOp::create(rewriter, op->getLoc(), TypeRange{}, *stream, *constants, inputs, outputs);
    bufferized->setAttrs(op->getDiscardableAttrDictionary());
    bufferization::replaceOpWithBufferizedValues(rewriter, op, outputs);
    return success();
  }
};

} // namespace

void edgec::npu::registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, NpuDialect *) { SubmitOp::attachInterface<SubmitBufferization>(*ctx); });
}
