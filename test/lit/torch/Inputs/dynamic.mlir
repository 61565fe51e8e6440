module {
  func.func @main(%arg0: tensor<?x4xf32>) -> tensor<?x4xf32> {
    %v1 = graph.relu %arg0 : tensor<?x4xf32>
    return %v1 : tensor<?x4xf32>
  }
}
