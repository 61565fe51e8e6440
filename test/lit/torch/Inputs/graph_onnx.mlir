// A ConvTranspose left to the ONNX importer (as edgec-torch writes it):
// x [1, 2, 3, 3], w [2, 3, 2, 2] with w[c, o, a, b] = c + o + a + b,
// stride 2 -> y [1, 3, 6, 6].
module {
  func.func @main(%x: tensor<1x2x3x3xf32> {graph.name = "x"}) -> (tensor<1x3x6x6xf32> {graph.name = "y"}) {
    %w = graph.constant dense<[[[[0.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [2.0, 3.0]], [[2.0, 3.0], [3.0, 4.0]]],
                               [[[1.0, 2.0], [2.0, 3.0]], [[2.0, 3.0], [3.0, 4.0]], [[3.0, 4.0], [4.0, 5.0]]]]> : tensor<2x3x2x2xf32>
    %y = graph.onnx "ConvTranspose"(%x, %w) {strides = array<i64: 2, 2>, group = 1 : i64} : (tensor<1x2x3x3xf32>, tensor<2x3x2x2xf32>) -> (tensor<1x3x6x6xf32>)
    return %y : tensor<1x3x6x6xf32>
  }
}
