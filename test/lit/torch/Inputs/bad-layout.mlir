// What the header would say of an output must hold of its type: a
// run-time size along dim 7 of a [2, 3] output, counted by output 5.
module {
  func.func @main(%x: tensor<2x3xf32> {graph.name = "x"}) -> (tensor<2x3xf32> {graph.name = "y", graph.bounded_dim = 7 : i64, graph.count_output = 5 : i64}) {
    %y = graph.relu %x : tensor<2x3xf32>
    return %y : tensor<2x3xf32>
  }
}
