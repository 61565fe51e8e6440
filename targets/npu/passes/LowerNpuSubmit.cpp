//===- LowerNpuSubmit.cpp - npu.submit on buffers -> edgec_npu_submit(...) ===//
//
// The driver's entry (runtime-stub/npu/edgec_npu.h) takes plain pointers:
//   int edgec_npu_submit(const uint32_t *stream, uint32_t words,
//                        void *const *bindings, const uint32_t *bytes,
//                        uint32_t count);
// Declared here with one-element memrefs, which the bare-pointer calling
// convention of the LLVM lowering turns into exactly those pointers. The
// binding addresses and sizes go into arrays on the stack (no allocator).
//
//===----------------------------------------------------------------------===//
#include "targets/npu/dialect/NpuOps.h"
#include "targets/npu/passes/NpuPasses.h"

namespace edgec {
#define GEN_PASS_DEF_LOWERNPUSUBMITPASS
#include "targets/npu/passes/NpuPasses.h.inc"

namespace {
using namespace mlir;

constexpr const char *kDriver = "edgec_npu_submit";

/// The byte address of a buffer's first element, as an index.
Value addressOf(OpBuilder &b, Location loc, Value buffer) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, meta.getBaseBuffer());
  auto type = cast<MemRefType>(buffer.getType());
  int64_t width = type.getElementTypeBitWidth() / 8;
  Value offset = arith::MulIOp::create(b, loc, meta.getOffset(), arith::ConstantIndexOp::create(b, loc, width));
  return arith::AddIOp::create(b, loc, base, offset);
}

/// A one-element view of a buffer's first element: what the driver's
/// pointer parameters are declared as.
Value firstElement(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  auto one = MemRefType::get({1}, type.getElementType());
  return memref::ReinterpretCastOp::create(b, loc, one, buffer, 0, ArrayRef<int64_t>{1}, ArrayRef<int64_t>{1});
}

struct LowerNpuSubmitPass : impl::LowerNpuSubmitPassBase<LowerNpuSubmitPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<npu::SubmitOp> submits;
    module.walk([&](npu::SubmitOp op) { submits.push_back(op); });
    if (submits.empty())
      return;
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    Type i32 = b.getI32Type(), index = b.getIndexType();
    auto words = MemRefType::get({1}, i32), addresses = MemRefType::get({1}, index);
    auto driverType = b.getFunctionType({words, i32, addresses, words, i32}, {i32});
    if (auto existing = module.lookupSymbol<func::FuncOp>(kDriver)) {
      if (existing.getFunctionType() != driverType) {
        existing.emitError("edgec-lower-npu-submit: '") << kDriver << "' is declared with another type";
        return signalPassFailure();
      }
    } else {
      b.setInsertionPointToEnd(module.getBody());
      func::FuncOp::create(b, module.getLoc(), kDriver, driverType).setPrivate();
    }

    // Per function: a status slot, the first failure wins, returned at the end.
    llvm::DenseMap<func::FuncOp, Value> status;
    for (npu::SubmitOp op : submits) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn || fn.getNumResults() != 1 || !fn.getResultTypes()[0].isInteger(32)) {
        op.emitError("edgec-lower-npu-submit: npu.submit outside an entry function returning a status "
                     "(run edgec-export-entry first)");
        return signalPassFailure();
      }
      if (!isa<MemRefType>(op.getStream().getType())) {
        op.emitError("edgec-lower-npu-submit: npu.submit must be bufferised first");
        return signalPassFailure();
      }
      Location loc = op.getLoc();
      Value &slot = status[fn];
      if (!slot) {
        b.setInsertionPointToStart(&fn.getBody().front());
        slot = memref::AllocaOp::create(b, loc, MemRefType::get({}, i32));
        memref::StoreOp::create(b, loc, arith::ConstantIntOp::create(b, loc, 0, 32), slot);
        fn.walk([&](func::ReturnOp ret) {
          b.setInsertionPoint(ret);
          ret->setOperands(memref::LoadOp::create(b, loc, slot).getResult());
        });
      }
      b.setInsertionPoint(op);
      SmallVector<Value> bindings{op.getConstants()};
      bindings.append(op.getInputs().begin(), op.getInputs().end());
      bindings.append(op.getOutputs().begin(), op.getOutputs().end());
      int64_t n = int64_t(bindings.size());
      Value pointers = memref::AllocaOp::create(b, loc, MemRefType::get({n}, index));
      Value sizes = memref::AllocaOp::create(b, loc, MemRefType::get({n}, i32));
      for (auto [i, buffer] : llvm::enumerate(bindings)) {
        auto type = cast<MemRefType>(buffer.getType());
        if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
          op.emitError("edgec-lower-npu-submit: NPU buffers must be contiguous with a static shape");
          return signalPassFailure();
        }
        Value at = arith::ConstantIndexOp::create(b, loc, int64_t(i));
        memref::StoreOp::create(b, loc, addressOf(b, loc, buffer), pointers, at);
        int64_t bytes = type.getNumElements() * (type.getElementTypeBitWidth() / 8);
        memref::StoreOp::create(b, loc, arith::ConstantIntOp::create(b, loc, bytes, 32), sizes, at);
      }
      int64_t streamWords = cast<MemRefType>(op.getStream().getType()).getNumElements();
      Value rc = func::CallOp::create(b, loc, kDriver, TypeRange{i32},
                                      ValueRange{firstElement(b, loc, op.getStream()),
                                                 arith::ConstantIntOp::create(b, loc, streamWords, 32),
                                                 firstElement(b, loc, pointers), firstElement(b, loc, sizes),
                                                 arith::ConstantIntOp::create(b, loc, n, 32)})
                     .getResult(0);
      Value old = memref::LoadOp::create(b, loc, slot);
      Value ok = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, old, arith::ConstantIntOp::create(b, loc, 0, 32));
      memref::StoreOp::create(b, loc, arith::SelectOp::create(b, loc, ok, rc, old), slot);
      op.erase();
    }
  }
};

} // namespace
} // namespace edgec
