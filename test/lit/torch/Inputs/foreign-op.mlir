module {
  func.func @main(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
    %v1 = tensor.empty() : tensor<1x4xf32>
    return %v1 : tensor<1x4xf32>
  }
}
