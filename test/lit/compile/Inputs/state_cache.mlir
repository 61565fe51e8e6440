// A two-layer "decode step" in the form PyTorch exports a static KV cache:
// per layer, the layer's slice of cache [2, 1, 4, 3] (Gather), x * (k + 1)
// written at row pos (ScatterElements), the updated slice summed (what
// attention would read), and the layers stacked again (Unsqueeze, Concat).
// state_cache.c checks it against its own loops, with the cache as one
// buffer (--state) and as two.
module {
  func.func @main(%x: tensor<1x1x3xf32> {graph.name = "x"}, %pos: tensor<1xi64> {graph.name = "pos"},
                  %cache: tensor<2x1x4x3xf32> {graph.name = "cache"})
      -> (tensor<f32> {graph.name = "sum"}, tensor<2x1x4x3xf32> {graph.name = "cache_out"}) {
    %l0 = graph.constant dense<0> : tensor<i64>
    %l1 = graph.constant dense<1> : tensor<i64>
    %two = graph.constant dense<2.0> : tensor<f32>
    %true = graph.constant dense<true> : tensor<1x1x3xi1>
    %p = graph.reshape %pos {shape = array<i64: 1, 1, 1>} : (tensor<1xi64>) -> tensor<1x1x1xi64>
    %idx = graph.where %true, %p, %p : (tensor<1x1x3xi1>, tensor<1x1x1xi64>, tensor<1x1x1xi64>) -> tensor<1x1x3xi64>
    %s0 = graph.gather %cache, %l0 {axis = 0 : i64} : (tensor<2x1x4x3xf32>, tensor<i64>) -> tensor<1x4x3xf32>
    %u0 = graph.scatter_elements %s0, %idx, %x {axis = 1 : i64, reduction = "none"} : (tensor<1x4x3xf32>, tensor<1x1x3xi64>, tensor<1x1x3xf32>) -> tensor<1x4x3xf32>
    %r0 = graph.reduce_sum %u0 {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<1x4x3xf32>) -> tensor<f32>
    %x1 = graph.mul %x, %two : (tensor<1x1x3xf32>, tensor<f32>) -> tensor<1x1x3xf32>
    %s1 = graph.gather %cache, %l1 {axis = 0 : i64} : (tensor<2x1x4x3xf32>, tensor<i64>) -> tensor<1x4x3xf32>
    %u1 = graph.scatter_elements %s1, %idx, %x1 {axis = 1 : i64, reduction = "none"} : (tensor<1x4x3xf32>, tensor<1x1x3xi64>, tensor<1x1x3xf32>) -> tensor<1x4x3xf32>
    %r1 = graph.reduce_sum %u1 {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<1x4x3xf32>) -> tensor<f32>
    %sum = graph.add %r0, %r1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %e0 = graph.unsqueeze %u0 {axes = array<i64: 0>} : (tensor<1x4x3xf32>) -> tensor<1x1x4x3xf32>
    %e1 = graph.unsqueeze %u1 {axes = array<i64: 0>} : (tensor<1x4x3xf32>) -> tensor<1x1x4x3xf32>
    %out = graph.concat %e0, %e1 {axis = 0 : i64} : (tensor<1x1x4x3xf32>, tensor<1x1x4x3xf32>) -> tensor<2x1x4x3xf32>
    return %sum, %out : tensor<f32>, tensor<2x1x4x3xf32>
  }
}
