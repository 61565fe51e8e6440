// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-propagate-quant))' %s | FileCheck %s

!q = !quant.uniform<i8:f32, 0.5:-128>

// Pool and reshape run on the stored int8; the quantize back to the same
// type disappears.
// CHECK-LABEL: func.func @through_layout
// CHECK: %[[P:.*]] = graph.max_pool %arg0 {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 5.000000e-01:-128>>
// CHECK: %[[R:.*]] = graph.reshape %[[P]] {{.*}} -> tensor<1x8x!quant.uniform<i8:f32, 5.000000e-01:-128>>
// CHECK-NOT: graph.quantize
// CHECK-NOT: graph.dequantize
// CHECK: return %[[R]]
func.func @through_layout(%q: tensor<1x2x4x4x!q>) -> tensor<1x8x!q> {
  %d = graph.dequantize %q : (tensor<1x2x4x4x!q>) -> tensor<1x2x4x4xf32>
  %p = graph.max_pool %d {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  %r = graph.reshape %p {shape = array<i64: 1, 8>} : (tensor<1x2x2x2xf32>) -> tensor<1x8xf32>
  %q2 = graph.quantize %r : (tensor<1x8xf32>) -> tensor<1x8x!q>
  return %q2 : tensor<1x8x!q>
}

// To another scale the pair stays: a requantisation.
// CHECK-LABEL: func.func @requantise
// CHECK: %[[T:.*]] = graph.transpose %arg0 {{.*}} -> tensor<4x2x!quant.uniform<i8:f32, 5.000000e-01:-128>>
// CHECK: %[[D:.*]] = graph.dequantize %[[T]]
// CHECK: graph.quantize %[[D]] {{.*}} -> tensor<4x2x!quant.uniform<i8:f32, 2.500000e-01:-128>>
func.func @requantise(%q: tensor<2x4x!q>) -> tensor<4x2x!quant.uniform<i8:f32, 0.25:-128>> {
  %d = graph.dequantize %q : (tensor<2x4x!q>) -> tensor<2x4xf32>
  %t = graph.transpose %d {perm = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<4x2xf32>
  %q2 = graph.quantize %t : (tensor<4x2xf32>) -> tensor<4x2x!quant.uniform<i8:f32, 0.25:-128>>
  return %q2 : tensor<4x2x!quant.uniform<i8:f32, 0.25:-128>>
}

// Per-axis values stay put: a reshape would move their axis.
// CHECK-LABEL: func.func @per_axis
// CHECK: graph.dequantize %arg0
// CHECK: graph.reshape {{.*}} -> tensor<8xf32>
func.func @per_axis(%q: tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) -> tensor<8xf32> {
  %d = graph.dequantize %q : (tensor<2x4x!quant.uniform<i8:f32:0, {0.5, 0.25}>>) -> tensor<2x4xf32>
  %r = graph.reshape %d {shape = array<i64: 8>} : (tensor<2x4xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}
