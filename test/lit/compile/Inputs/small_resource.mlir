module {
  func.func @main(%arg0: tensor<2x2xf32> {graph.name = "x"}, %m: tensor<2x2xi1> {graph.name = "m"}) -> (tensor<2x2xf32> {graph.name = "y"}) {
    %c = graph.constant dense_resource<scalar> : tensor<f32>
    %w = graph.where %m, %c, %arg0 : (tensor<2x2xi1>, tensor<f32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    return %w : tensor<2x2xf32>
  }
}
{-#
  dialect_resources: {
    builtin: {
      scalar: "0x04000000000080FF"
    }
  }
#-}
