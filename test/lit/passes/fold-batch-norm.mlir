// RUN: edgec-opt --edgec-fold-batch-norm --split-input-file %s | FileCheck %s

// Per channel c: s = scale / sqrt(var + eps), W' = W * s, b' = (b - mean) * s + bias.
// Channel 0: s = 2 / sqrt(3 + 1) = 1;  b' = (1 - 1) * 1 + 0.5 = 0.5
// Channel 1: s = 6 / sqrt(8 + 1) = 2;  b' = (1 - 3) * 2 + 1.0 = -3
// CHECK-LABEL: func.func @conv_bn
// CHECK-DAG: %[[W:.*]] = graph.constant dense<{{\[}}[{{\[}}[1.000000e+00]]], [{{\[}}[2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = graph.constant dense<[5.000000e-01, -3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = graph.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: graph.batch_norm
// CHECK: return %[[Y]]
func.func @conv_bn(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<2x1x1x1xf32>
  %b = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %scale = graph.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %bias = graph.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = graph.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %var = graph.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %z = graph.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// Gemm with transB: B is [N, K], so row n of B scales by s_n.
// s = [1, 2] as above; C' = beta * C * s + (bias - mean * s)
// Column 0: 2 * 1 * 1 + (0.5 - 1 * 1) = 1.5;  column 1: 2 * 1 * 2 + (1 - 3 * 2) = -1
// CHECK-LABEL: func.func @gemm_bn
// CHECK-DAG: %[[B:.*]] = graph.constant dense<{{\[}}[1.000000e+00, 1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00, 2.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[C:.*]] = graph.constant dense<[1.500000e+00, -1.000000e+00]> : tensor<2xf32>
// CHECK: graph.gemm %arg0, %[[B]], %[[C]] {alpha = 1.000000e+00 : f32, beta = 1.000000e+00 : f32, trans_a = false, trans_b = true}
// CHECK-NOT: graph.batch_norm
func.func @gemm_bn(%a: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %b = graph.constant dense<1.0> : tensor<2x3xf32>
  %c = graph.constant dense<1.0> : tensor<2xf32>
  %y = graph.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 2.0 : f32, trans_a = false, trans_b = true} : (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %scale = graph.constant dense<[2.0, 6.0]> : tensor<2xf32>
  %bias = graph.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = graph.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %var = graph.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %z = graph.batch_norm %y, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %z : tensor<4x2xf32>
}

// -----

// A conv with a second user cannot absorb the batch_norm.
// CHECK-LABEL: func.func @conv_two_users
// CHECK: graph.batch_norm
func.func @conv_two_users(%x: tensor<1x1x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = graph.constant dense<1.0> : tensor<2x1x1x1xf32>
  %y = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %z = graph.batch_norm %y, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %y, %z : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Non-constant parameters stay as they are.
// CHECK-LABEL: func.func @dynamic_scale
// CHECK: graph.batch_norm
func.func @dynamic_scale(%x: tensor<1x1x4x4xf32>, %scale: tensor<2xf32>) -> tensor<1x2x4x4xf32> {
  %w = graph.constant dense<1.0> : tensor<2x1x1x1xf32>
  %y = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %z = graph.batch_norm %y, %scale, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %z : tensor<1x2x4x4xf32>
}

// -----

// C of shape [2, 1] adds per row, not per column: no fold even though it has
// as many elements as there are columns.
// CHECK-LABEL: func.func @gemm_row_bias
// CHECK: graph.batch_norm
func.func @gemm_row_bias(%a: tensor<2x3xf32>) -> tensor<2x2xf32> {
  %b = graph.constant dense<1.0> : tensor<3x2xf32>
  %c = graph.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
  %y = graph.gemm %a, %b, %c {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  %p = graph.constant dense<1.0> : tensor<2xf32>
  %z = graph.constant dense<0.0> : tensor<2xf32>
  %n = graph.batch_norm %y, %p, %z, %z, %p {epsilon = 0.0 : f32} : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %n : tensor<2x2xf32>
}
