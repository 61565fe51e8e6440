//===- StateInPlace.cpp - a state output in its input's buffer -----------===//
//
// After bufferisation a state input (`graph.state_output = r`,
// edgec-chain-state-updates) has been updated in its own buffer, and
// buffer-results-to-out-params ends the function with a copy of it into
// out-param r. The caller owns both buffers and may pass one for both (a KV
// cache updated in place) or two (the input left as it was). So: the copy
// at the end goes, the function starts by copying the input into the
// output when the two pointers differ, and works in the output throughout.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

namespace edgec {
#define GEN_PASS_DEF_STATEINPLACEPASS
#include "passes/Passes.h.inc"

namespace {
using namespace mlir;

/// The out-param result `r` became: buffer-results-to-out-params appends
/// one argument per result after the inputs (`graph.num_inputs`, set by
/// edgec-chain-state-updates).
BlockArgument outParam(func::FuncOp fn, unsigned numInputs, int64_t r) {
  unsigned i = numInputs + static_cast<unsigned>(r);
  return i < fn.getNumArguments() ? fn.getArgument(i) : BlockArgument();
}

struct StateInPlacePass : impl::StateInPlacePassBase<StateInPlacePass> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    auto numInputs = fn->getAttrOfType<IntegerAttr>("graph.num_inputs");
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      auto r = fn.getArgAttrOfType<IntegerAttr>(i, "graph.state_output");
      if (!r)
        continue;
      BlockArgument in = fn.getArgument(i);
      BlockArgument out = numInputs ? outParam(fn, numInputs.getInt(), r.getInt()) : BlockArgument();
      if (!out || out.getType() != in.getType()) {
        fn.emitError("edgec-state-in-place: no out-param of the state input's type for result ") << r.getInt();
        return signalPassFailure();
      }
      // The one write of the output: the copy of the updated input.
      memref::CopyOp last;
      for (Operation *user : out.getUsers()) {
        auto copy = dyn_cast<memref::CopyOp>(user);
        if (!copy || copy.getSource() != in || copy.getTarget() != out || last) {
          last = {};
          break;
        }
        last = copy;
      }
      if (!last) {
        auto name = fn.getArgAttrOfType<StringAttr>(out.getArgNumber(), "graph.name");
        fn.emitError() << "output '" << (name ? name.getValue() : StringRef("?"))
                       << "' is not its state input updated in place (the graph reads the old state after "
                          "writing the new one, or computes the output otherwise); compile without --state "
                          "for it";
        return signalPassFailure();
      }
      last.erase();
      in.replaceAllUsesWith(out);
      OpBuilder b = OpBuilder::atBlockBegin(&fn.getBody().front());
      Location loc = fn.getLoc();
      Value pin = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, in);
      Value pout = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, out);
      Value differ = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, pin, pout);
      scf::IfOp::create(b, loc, differ, [&](OpBuilder &tb, Location l) {
        memref::CopyOp::create(tb, l, in, out);
        scf::YieldOp::create(tb, l);
      });
    }
  }
};

} // namespace
} // namespace edgec
