module {
  func.func @main(%arg0: tensor<4xf32> {graph.name = "x"}) -> (tensor<4xf32> {graph.name = "y"}) {
    %v1 = graph.constant dense_resource<w> : tensor<4xf32>
    %v2 = graph.add %arg0, %v1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    return %v2 : tensor<4xf32>
  }
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F"
    }
  }
#-}
