module {
  func.func @main(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %v1 = graph.transpose %arg0 {perm = array<i64: 1, 0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
    return %v1 : tensor<1x4xf32>
  }
}
