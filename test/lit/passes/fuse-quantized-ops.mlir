// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-fuse-quantized-ops))' %s | FileCheck %s

!x = !quant.uniform<i8:f32, 0.5:-128>
!w = !quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>

// Bias 0.5 and 1.0 at scales 0.5 * 0.01 and 0.5 * 0.02: 100 and 100. The
// relu is the clamp's lower end: real 0 is stored -128.
// CHECK-LABEL: func.func @conv_relu
// CHECK-DAG: %[[W:.*]] = quant.scast
// CHECK-DAG: %[[B:.*]] = graph.constant dense<100> : tensor<2xi32>
// CHECK: %[[Y:.*]] = graph.qconv %arg0, %[[W]], %[[B]] {act_max = 127 : i64, act_min = -128 : i64, {{.*}}group = 1 : i64
// CHECK-SAME: -> tensor<1x2x4x4x!quant.uniform<i8:f32, 2.500000e-01:-128>>
// CHECK: return %[[Y]]
func.func @conv_relu(%x: tensor<1x1x4x4x!x>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.25:-128>> {
  %dx = graph.dequantize %x : (tensor<1x1x4x4x!x>) -> tensor<1x1x4x4xf32>
  %w8 = graph.constant dense<[[[[100]]], [[[-50]]]]> : tensor<2x1x1x1xi8>
  %wq = quant.scast %w8 : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!w>
  %dw = graph.dequantize %wq : (tensor<2x1x1x1x!w>) -> tensor<2x1x1x1xf32>
  %b = graph.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %c = graph.conv %dx, %dw, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = graph.relu %c : tensor<1x2x4x4xf32>
  %q = graph.quantize %r : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.25:-128>>
  return %q : tensor<1x2x4x4x!quant.uniform<i8:f32, 0.25:-128>>
}

// Gemm with a transposed [N, K] weight: stored as [K, N], scales along N;
// clip(0, 6) at scale 0.1 from -128 clamps to [-128, -68].
// CHECK-LABEL: func.func @gemm_clip
// CHECK-DAG: %[[W8:.*]] = graph.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6]]> : tensor<3x2xi8>
// CHECK: %[[W:.*]] = quant.scast %[[W8]] : tensor<3x2xi8> to tensor<3x2x!quant.uniform<i8<-127:127>:f32:1, {1.000000e-02,2.000000e-02}>>
// CHECK: graph.qmatmul %arg0, %[[W]] {act_max = -68 : i64, act_min = -128 : i64}
// CHECK-SAME: -> tensor<1x2x!quant.uniform<i8:f32, 1.000000e-01:-128>>
func.func @gemm_clip(%x: tensor<1x3x!x>) -> tensor<1x2x!quant.uniform<i8:f32, 0.1:-128>> {
  %dx = graph.dequantize %x : (tensor<1x3x!x>) -> tensor<1x3xf32>
  %w8 = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi8>
  %wq = quant.scast %w8 : tensor<2x3xi8> to tensor<2x3x!w>
  %dw = graph.dequantize %wq : (tensor<2x3x!w>) -> tensor<2x3xf32>
  %g = graph.gemm %dx, %dw {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  %c = graph.clip %g {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x2xf32>
  %q = graph.quantize %c : (tensor<1x2xf32>) -> tensor<1x2x!quant.uniform<i8:f32, 0.1:-128>>
  return %q : tensor<1x2x!quant.uniform<i8:f32, 0.1:-128>>
}

// Without a quantize after it the conv has no integer result: it stays.
// CHECK-LABEL: func.func @float_output
// CHECK-NOT: graph.qconv
// CHECK: graph.conv
func.func @float_output(%x: tensor<1x1x4x4x!x>) -> tensor<1x2x4x4xf32> {
  %dx = graph.dequantize %x : (tensor<1x1x4x4x!x>) -> tensor<1x1x4x4xf32>
  %w8 = graph.constant dense<[[[[100]]], [[[-50]]]]> : tensor<2x1x1x1xi8>
  %wq = quant.scast %w8 : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!w>
  %dw = graph.dequantize %wq : (tensor<2x1x1x1x!w>) -> tensor<2x1x1x1xf32>
  %c = graph.conv %dx, %dw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}

// A residual sum that is also quantised (for the next conv) reaches the next
// residual add through its quantised form, as in a QDQ model: the adds then
// run between int8 maps (MobileNetV2's chain of residual adds).
// CHECK-LABEL: func.func @residual_chain
// CHECK: %[[S1:.*]] = graph.add %{{.*}}, %{{.*}} : (tensor<1x4xf32>, tensor<1x4xf32>)
// CHECK-NEXT: %[[Q1:.*]] = graph.quantize %[[S1]]
// CHECK-NEXT: %[[D1:.*]] = graph.dequantize %[[Q1]]
// CHECK: graph.add %[[D1]], %{{.*}}
func.func @residual_chain(%a: tensor<1x4x!x>, %b: tensor<1x4x!x>, %c: tensor<1x4x!x>) -> (tensor<1x4x!x>, tensor<1x4xf32>) {
  %fa = graph.dequantize %a : (tensor<1x4x!x>) -> tensor<1x4xf32>
  %fb = graph.dequantize %b : (tensor<1x4x!x>) -> tensor<1x4xf32>
  %fc = graph.dequantize %c : (tensor<1x4x!x>) -> tensor<1x4xf32>
  %s1 = graph.add %fa, %fb : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %s2 = graph.add %s1, %fc : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %q1 = graph.quantize %s1 : (tensor<1x4xf32>) -> tensor<1x4x!x>
  return %q1, %s2 : tensor<1x4x!x>, tensor<1x4xf32>
}
