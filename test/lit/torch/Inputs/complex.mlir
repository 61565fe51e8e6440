module {
  func.func @main(%arg0: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
    %v1 = graph.relu %arg0 : tensor<4xcomplex<f32>>
    return %v1 : tensor<4xcomplex<f32>>
  }
}
