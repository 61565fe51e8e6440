// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-quantize-weights-int4{group-size=2}))' %s | FileCheck %s

// Rows are output channels (gemm transB: dim 0), groups of two along each.
// Scales: 0.7/7, 0.2/7; 1.4/7, 0.7/7 (as f16). Nibbles in row order:
// 7 -3 7 0 | 7 3 -7 3, two per byte, low first: 0xD7 0x07 0x37 0x39.
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[P:.*]] = graph.constant dense<[-41, 7, 55, 57]> : tensor<4xi8>
// CHECK-DAG: %[[S:.*]] = graph.constant dense<{{\[\[}}9.997550e-02, 2.856450e-02], [1.999510e-01, 9.997550e-02]]> : tensor<2x2xf16>
// CHECK: %[[W:.*]] = graph.dequantize_int4 %[[P]], %[[S]] {axis = 0 : i64, group_size = 2 : i64} : (tensor<4xi8>, tensor<2x2xf16>) -> tensor<2x4xf32>
// CHECK: graph.gemm %arg0, %[[W]]
func.func @gemm(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[0.7, -0.3, 0.2, 0.0], [1.4, 0.6, -0.7, 0.3]]> : tensor<2x4xf32>
  %y = graph.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// A matmul's [K, N] weight: the channel is dim 1.
// CHECK-LABEL: func.func @matmul
// CHECK: graph.dequantize_int4 {{.*}} {axis = 1 : i64, group_size = 2 : i64} : (tensor<4xi8>, tensor<2x2xf16>) -> tensor<4x2xf32>
func.func @matmul(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[0.7, 1.4], [-0.3, 0.6], [0.2, -0.7], [0.0, 0.3]]> : tensor<4x2xf32>
  %y = graph.matmul %x, %w : (tensor<1x4xf32>, tensor<4x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
