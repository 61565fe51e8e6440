// A string tensor's last dim is its bytes, i8; this one is f32.
module {
  func.func @main(%x: tensor<2x3xf32> {graph.name = "x", graph.string_bytes = 3 : i64}) -> (tensor<2x3xf32> {graph.name = "y"}) {
    %y = graph.relu %x : tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
}
