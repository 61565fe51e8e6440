module {
  func.func @main(%arg0: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "x"}) {
    %v1 = graph.relu %arg0 : tensor<4xf32>
    return %v1 : tensor<4xf32>
  }
}
