// A NonZero of data in a graph-dialect file: its output size is known only
// at run time, which a .mlir graph has no way to carry (refused).
module {
  func.func @main(%x: tensor<2x3xf32> {graph.name = "x"}) -> (tensor<2x6xi64> {graph.name = "y"}) {
    %y = graph.onnx "NonZero"(%x) {} : (tensor<2x3xf32>) -> (tensor<2x6xi64>)
    return %y : tensor<2x6xi64>
  }
}
