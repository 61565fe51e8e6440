// RUN: edgec-opt --edgec-fold-reshapes --split-input-file %s | FileCheck %s

// flatten, squeeze and unsqueeze become one reshape.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[R:.*]] = graph.reshape %arg0 {shape = array<i64: 1, 48>} : (tensor<1x16x3xf32>) -> tensor<1x48xf32>
// CHECK-NEXT: return %[[R]]
func.func @chain(%x: tensor<1x16x3xf32>) -> tensor<1x48xf32> {
  %u = graph.unsqueeze %x {axes = array<i64: 0>} : (tensor<1x16x3xf32>) -> tensor<1x1x16x3xf32>
  %s = graph.squeeze %u {axes = array<i64: 0>} : (tensor<1x1x16x3xf32>) -> tensor<1x16x3xf32>
  %f = graph.flatten %s {axis = 1 : i64} : (tensor<1x16x3xf32>) -> tensor<1x48xf32>
  return %f : tensor<1x48xf32>
}

// -----

// transpose(transpose(x, [0, 2, 1]), [0, 2, 1]) is x.
// CHECK-LABEL: func.func @transpose_pair
// CHECK-NEXT: return %arg0
func.func @transpose_pair(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %a = graph.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %b = graph.transpose %a {perm = array<i64: 0, 2, 1>} : (tensor<2x4x3xf32>) -> tensor<2x3x4xf32>
  return %b : tensor<2x3x4xf32>
}

// -----

// Two rotations compose: out[i] = in[p[q[i]]], p = [1, 2, 0], q = [1, 2, 0] -> [2, 0, 1].
// CHECK-LABEL: func.func @transpose_compose
// CHECK-NEXT: graph.transpose %arg0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %a = graph.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %b = graph.transpose %a {perm = array<i64: 1, 2, 0>} : (tensor<3x4x2xf32>) -> tensor<4x2x3xf32>
  return %b : tensor<4x2x3xf32>
}

// -----

// Moving a size-1 dim moves no data.
// CHECK-LABEL: func.func @unit_transpose
// CHECK-NEXT: graph.reshape %arg0 {shape = array<i64: 8, 1, 5>}
func.func @unit_transpose(%x: tensor<1x8x5xf32>) -> tensor<8x1x5xf32> {
  %a = graph.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<1x8x5xf32>) -> tensor<8x1x5xf32>
  return %a : tensor<8x1x5xf32>
}

// -----

// A real transpose stays.
// CHECK-LABEL: func.func @real_transpose
// CHECK-NEXT: graph.transpose
func.func @real_transpose(%x: tensor<2x8x5xf32>) -> tensor<2x5x8xf32> {
  %a = graph.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x8x5xf32>) -> tensor<2x5x8xf32>
  return %a : tensor<2x5x8xf32>
}
