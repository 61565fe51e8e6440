//===- GraphInterfaces.td - interfaces of graph ops -----------*- tablegen -*-===//
//
// What passes and the compile report ask of every graph op without knowing
// it. Each op states its cost (GraphOps.td): pointwise by default, nothing
// for data movement, or its own (the contractions); the test
// test/unit/GraphOpRegistryTest.cpp fails for an op that states none.
//
//===----------------------------------------------------------------------===//

#ifndef EDGEC_GRAPH_INTERFACES
#define EDGEC_GRAPH_INTERFACES

include "mlir/IR/OpBase.td"

def Graph_CostOpInterface : OpInterface<"CostOpInterface"> {
  let cppNamespace = "::edgec::graph";
  let description = [{
    The arithmetic an op does on its static shapes, for the compile report
    (report.txt, manifest.json) and the NPU partitioner. The default is
    pointwise: no multiply-accumulates, one operation per result element
    and per tap of a `kernel_shape` window; an op with the MovesData trait
    does none. Contractions compute their own.
  }];
  let methods = [
    InterfaceMethod<"Multiply-accumulates (0 for an op that is not a contraction).",
      "int64_t", "getMacs", (ins), "", [{ return 0; }]>,
    InterfaceMethod<"Arithmetic operations (2 per multiply-accumulate).",
      "int64_t", "getFlops", (ins), "",
      [{ return ::edgec::graph::pointwiseFlops($_op.getOperation()); }]>,
  ];
}

// Constants, reshapes, slices, gathers: the op computes nothing.
def Graph_MovesData : NativeOpTrait<"MovesData"> {
  let cppNamespace = "::edgec::graph";
}

// The cost kinds an op lists among its traits.
defvar Graph_PointwiseCost = Graph_CostOpInterface;
defvar Graph_OwnCost = DeclareOpInterfaceMethods<Graph_CostOpInterface, ["getMacs", "getFlops"]>;
defvar Graph_OwnFlops = DeclareOpInterfaceMethods<Graph_CostOpInterface, ["getFlops"]>;

#endif // EDGEC_GRAPH_INTERFACES
