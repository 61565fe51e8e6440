// tanh(relu(x) * 0.5), as compiler/torch writes a model.
module {
  func.func @main(%arg0: tensor<1x4xf32> {graph.name = "x"}) -> (tensor<1x4xf32> {graph.name = "y"}) {
    %v1 = graph.relu %arg0 : tensor<1x4xf32>
    %v2 = graph.constant dense<5.000000000e-01> : tensor<f32>
    %v3 = graph.mul %v1, %v2 : (tensor<1x4xf32>, tensor<f32>) -> tensor<1x4xf32>
    %v4 = graph.tanh %v3 : tensor<1x4xf32>
    return %v4 : tensor<1x4xf32>
  }
}
