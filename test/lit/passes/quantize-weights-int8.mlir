// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-quantize-weights-int8))' %s | FileCheck %s

// A matmul's [K, N] weight: one scale per output channel (column), max |w|
// / 127: 1.27 / 127 = 0.01 and 0.254 / 127 = 0.002; stored transposed as
// [N, K] (each output's weights contiguous), transposed back in the graph.
// Row 0: 1.27, -0.635, 0.005 (rounds to even: 0), 0.02 -> 127, -64, 0, 2.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[Q:.*]] = graph.constant dense<{{\[\[}}127, -64, 0, 2], [127, -127, 50, 0]]> : tensor<2x4xi8>
// CHECK: %[[V:.*]] = quant.scast %[[Q]] : tensor<2x4xi8> to tensor<2x4x!quant.uniform<i8<-127:127>:f32:0, {0.0099999998{{[0-9]*}},0.0020000000{{[0-9]*}}}>>
// CHECK: %[[D:.*]] = graph.dequantize %[[V]] {edgec.decode_weights} : {{.*}} -> tensor<2x4xf32>
// CHECK: %[[W:.*]] = graph.transpose %[[D]] {perm = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
// CHECK: graph.matmul %arg0, %[[W]]
func.func @matmul(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[1.27, 0.254], [-0.635, -0.254], [0.005, 0.1], [0.02, 0.0]]> : tensor<4x2xf32>
  %y = graph.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// A gemm with transB holds [N, K] already: no transpose.
// CHECK-LABEL: func.func @gemm
// CHECK-NOT: graph.transpose
// CHECK: graph.dequantize %{{.*}} {edgec.decode_weights} : (tensor<2x4x!quant.uniform<i8<-127:127>:f32:0, {{.*}}>>) -> tensor<2x4xf32>
// CHECK: graph.gemm
func.func @gemm(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[0.7, -0.3, 0.2, 0.0], [1.4, 0.6, -0.7, 0.3]]> : tensor<2x4xf32>
  %y = graph.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// A batched matmul's weight has no single output-channel dim: left float.
// CHECK-LABEL: func.func @batched
// CHECK-NOT: graph.dequantize
func.func @batched(%x: tensor<2x1x4xf32>) -> tensor<2x1x2xf32> {
  %w = graph.constant dense<1.0> : tensor<2x4x2xf32>
  %y = graph.matmul %x, %w : (tensor<2x1x4xf32>, tensor<2x4x2xf32>) -> tensor<2x1x2xf32>
  return %y : tensor<2x1x2xf32>
}
