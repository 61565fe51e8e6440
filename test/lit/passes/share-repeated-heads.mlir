// RUN: edgec-opt --edgec-share-repeated-heads --split-input-file %s | FileCheck %s

// Grouped-query attention as Hugging Face's repeat_kv exports it: 2 K/V
// heads repeated for 4 query heads (groups of 2), then q K^T and p V. Each
// matmul pairs a group's two query heads, stacked as rows, with its K/V
// head; no repeated copy is made.
// CHECK-LABEL: func.func @gqa
// CHECK-NOT: graph.where
// CHECK: %[[K:.*]] = graph.reshape %arg1 {shape = array<i64: 1, 2, 16, 8>} : (tensor<1x2x1x16x8xf32>) -> tensor<1x2x16x8xf32>
// CHECK: %[[KT:.*]] = graph.transpose %[[K]] {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x2x16x8xf32>) -> tensor<1x2x8x16xf32>
// CHECK: %[[Q:.*]] = graph.reshape %arg0 {shape = array<i64: 1, 2, 2, 8>} : (tensor<1x4x1x8xf32>) -> tensor<1x2x2x8xf32>
// CHECK: %[[S:.*]] = graph.matmul %[[Q]], %[[KT]] : (tensor<1x2x2x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x2x16xf32>
// CHECK: %[[SR:.*]] = graph.reshape %[[S]] {shape = array<i64: 1, 4, 1, 16>} : (tensor<1x2x2x16xf32>) -> tensor<1x4x1x16xf32>
// CHECK: %[[P:.*]] = graph.softmax %[[SR]]
// CHECK: %[[V:.*]] = graph.reshape %arg2 {shape = array<i64: 1, 2, 16, 8>}
// CHECK: %[[PG:.*]] = graph.reshape %[[P]] {shape = array<i64: 1, 2, 2, 16>}
// CHECK: %[[O:.*]] = graph.matmul %[[PG]], %[[V]] : (tensor<1x2x2x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x2x8xf32>
// CHECK: graph.reshape %[[O]] {shape = array<i64: 1, 4, 1, 8>}
func.func @gqa(%q: tensor<1x4x1x8xf32>, %k: tensor<1x2x1x16x8xf32>, %v: tensor<1x2x1x16x8xf32>) -> tensor<1x4x1x8xf32> {
  %true = graph.constant dense<true> : tensor<1x2x2x16x8xi1>
  %ke = graph.where %true, %k, %k : (tensor<1x2x2x16x8xi1>, tensor<1x2x1x16x8xf32>, tensor<1x2x1x16x8xf32>) -> tensor<1x2x2x16x8xf32>
  %kr = graph.reshape %ke {shape = array<i64: 1, 4, 16, 8>} : (tensor<1x2x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  %kt = graph.transpose %kr {perm = array<i64: 0, 1, 3, 2>} : (tensor<1x4x16x8xf32>) -> tensor<1x4x8x16xf32>
  %s = graph.matmul %q, %kt : (tensor<1x4x1x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x1x16xf32>
  %p = graph.softmax %s {axis = 3 : i64} : tensor<1x4x1x16xf32>
  %ve = graph.where %true, %v, %v : (tensor<1x2x2x16x8xi1>, tensor<1x2x1x16x8xf32>, tensor<1x2x1x16x8xf32>) -> tensor<1x2x2x16x8xf32>
  %vr = graph.reshape %ve {shape = array<i64: 1, 4, 16, 8>} : (tensor<1x2x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  %o = graph.matmul %p, %vr : (tensor<1x4x1x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

// -----

// A condition that is not all true selects: not a repeat, left alone.
// CHECK-LABEL: func.func @not_a_repeat
// CHECK: graph.where
// CHECK: graph.matmul %arg0, %{{.*}} : (tensor<1x4x1x16xf32>, tensor<1x4x16x8xf32>)
func.func @not_a_repeat(%p: tensor<1x4x1x16xf32>, %v: tensor<1x2x1x16x8xf32>, %c: tensor<1x2x2x16x8xi1>) -> tensor<1x4x1x8xf32> {
  %ve = graph.where %c, %v, %v : (tensor<1x2x2x16x8xi1>, tensor<1x2x1x16x8xf32>, tensor<1x2x1x16x8xf32>) -> tensor<1x2x2x16x8xf32>
  %vr = graph.reshape %ve {shape = array<i64: 1, 4, 16, 8>} : (tensor<1x2x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  %o = graph.matmul %p, %vr : (tensor<1x4x1x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}

// -----

// A left operand broadcast over the heads has no group to stack: left
// alone.
// CHECK-LABEL: func.func @broadcast_lhs
// CHECK: graph.where
// CHECK: graph.matmul %arg0
func.func @broadcast_lhs(%p: tensor<1x1x1x16xf32>, %v: tensor<1x2x1x16x8xf32>) -> tensor<1x4x1x8xf32> {
  %true = graph.constant dense<true> : tensor<1x2x2x16x8xi1>
  %ve = graph.where %true, %v, %v : (tensor<1x2x2x16x8xi1>, tensor<1x2x1x16x8xf32>, tensor<1x2x1x16x8xf32>) -> tensor<1x2x2x16x8xf32>
  %vr = graph.reshape %ve {shape = array<i64: 1, 4, 16, 8>} : (tensor<1x2x2x16x8xf32>) -> tensor<1x4x16x8xf32>
  %o = graph.matmul %p, %vr : (tensor<1x1x1x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x1x8xf32>
  return %o : tensor<1x4x1x8xf32>
}
