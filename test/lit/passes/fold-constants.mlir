// RUN: edgec-opt --edgec-fold-constants --split-input-file %s | FileCheck %s

// ONNX shape arithmetic: Gather(shape, 1) -> Unsqueeze -> Concat with a constant.
// shape = [1, 16, 96]; shape[1] = 16; concat([16], [-1]) = [16, -1]
// CHECK-LABEL: func.func @shape_arith
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<[16, -1]> : tensor<2xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_arith() -> tensor<2xi64> {
  %shape = graph.constant dense<[1, 16, 96]> : tensor<3xi64>
  %idx = graph.constant dense<1> : tensor<i64>
  %d = graph.gather %shape, %idx {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %u = graph.unsqueeze %d {axes = array<i64: 0>} : (tensor<i64>) -> tensor<1xi64>
  %m = graph.constant dense<-1> : tensor<1xi64>
  %c = graph.concat %u, %m {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  return %c : tensor<2xi64>
}

// -----

// Broadcasting arithmetic on f32: [[1, 2], [3, 4]] * [10, 100] + 1 = [[11, 201], [31, 401]]
// CHECK-LABEL: func.func @broadcast_arith
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<{{\[}}[1.100000e+01, 2.010000e+02], [3.100000e+01, 4.010000e+02]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @broadcast_arith() -> tensor<2x2xf32> {
  %a = graph.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = graph.constant dense<[10.0, 100.0]> : tensor<2xf32>
  %one = graph.constant dense<1.0> : tensor<f32>
  %m = graph.mul %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %s = graph.add %m, %one : (tensor<2x2xf32>, tensor<f32>) -> tensor<2x2xf32>
  return %s : tensor<2x2xf32>
}

// -----

// Transpose of a constant weight is done at compile time:
// [[1, 2, 3], [4, 5, 6]]^T = [[1, 4], [2, 5], [3, 6]]
// CHECK-LABEL: func.func @transpose_weight
// CHECK: graph.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: graph.transpose
func.func @transpose_weight(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %w = graph.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %t = graph.transpose %w {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %y = graph.matmul %x, %t : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Identities disappear: identity transpose, same-type reshape and cast.
// CHECK-LABEL: func.func @identities
// CHECK-NEXT: return %arg0
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %t = graph.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = graph.reshape %t {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = graph.cast %r {to = f32} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %c : tensor<2x3xf32>
}

// -----

// Slice [1:3] with step 1 and equal on constants; cast i64 -> f32.
// [5, 6, 7, 8][1:3] = [6, 7]; [6, 7] == [6, 0] = [true, false]
// CHECK-LABEL: func.func @slice_equal_cast
// CHECK-DAG: graph.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: graph.constant dense<[6.000000e+00, 7.000000e+00]> : tensor<2xf32>
func.func @slice_equal_cast() -> (tensor<2xi1>, tensor<2xf32>) {
  %a = graph.constant dense<[5, 6, 7, 8]> : tensor<4xi64>
  %s = graph.slice %a {starts = array<i64: 1>, ends = array<i64: 3>, steps = array<i64: 1>} : (tensor<4xi64>) -> tensor<2xi64>
  %b = graph.constant dense<[6, 0]> : tensor<2xi64>
  %e = graph.equal %s, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi1>
  %f = graph.cast %s {to = f32} : tensor<2xi64> -> tensor<2xf32>
  return %e, %f : tensor<2xi1>, tensor<2xf32>
}

// -----

// Integer division by zero is left for run time, not invented.
// CHECK-LABEL: func.func @div_by_zero
// CHECK: graph.div
func.func @div_by_zero() -> tensor<1xi64> {
  %a = graph.constant dense<4> : tensor<1xi64>
  %z = graph.constant dense<0> : tensor<1xi64>
  %d = graph.div %a, %z : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %d : tensor<1xi64>
}

// -----

// x - 0, x * 1, x / 1 and x ^ 1 are x; x + 0 is kept (-0 + 0 is +0), and so
// is x * 1 when broadcasting makes the result larger than x.
// CHECK-LABEL: func.func @right_identities
// CHECK: %[[A:.*]] = graph.add %arg0, %{{.*}} : (tensor<4xf32>, tensor<f32>)
// CHECK: %[[M:.*]] = graph.mul %arg1, %{{.*}} : (tensor<4xf32>, tensor<2x4xf32>)
// CHECK-NOT: graph.sub
// CHECK-NOT: graph.div
// CHECK-NOT: graph.pow
// CHECK: return %[[A]], %[[M]]
func.func @right_identities(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<2x4xf32>) {
  %zero = graph.constant dense<0.0> : tensor<f32>
  %one = graph.constant dense<1.0> : tensor<f32>
  %ones = graph.constant dense<1.0> : tensor<2x4xf32>
  %0 = graph.sub %x, %zero : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = graph.mul %0, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %2 = graph.div %1, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %3 = graph.pow %2, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %4 = graph.add %3, %zero : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %5 = graph.mul %y, %ones : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %4, %5 : tensor<4xf32>, tensor<2x4xf32>
}

// -----

// A reversing slice keeps its shape but is not the identity:
// [1, 2, 3, 4][3:-1:-1] = [4, 3, 2, 1]. max(NaN, 1) is NaN, as at run time.
// CHECK-LABEL: func.func @reverse_and_nan
// CHECK-DAG: graph.constant dense<[4.000000e+00, 3.000000e+00, 2.000000e+00, 1.000000e+00]>
// CHECK-DAG: graph.constant dense<0x7FC00000> : tensor<1xf32>
func.func @reverse_and_nan() -> (tensor<4xf32>, tensor<1xf32>) {
  %a = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = graph.slice %a {starts = array<i64: 3>, ends = array<i64: -1>, steps = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  %nan = graph.constant dense<0x7FC00000> : tensor<1xf32>
  %one = graph.constant dense<1.0> : tensor<1xf32>
  %m = graph.max %nan, %one : (tensor<1xf32>, tensor<1xf32>) -> tensor<1xf32>
  return %r, %m : tensor<4xf32>, tensor<1xf32>
}

// -----

// Exporters' shape arithmetic: a negated axis, and -1 in a shape replaced
// by the input's dim through Where(Equal(shape, -1), dims, shape).
// neg([-1]) = [1]; where([F, T, F], [2, 3, 4], [2, -1, 4]) = [2, 3, 4]
// CHECK-LABEL: func.func @neg_where
// CHECK-NEXT: %[[N:.*]] = graph.constant dense<1> : tensor<1xi64>
// CHECK-NEXT: %[[W:.*]] = graph.constant dense<[2, 3, 4]> : tensor<3xi64>
// CHECK-NEXT: return %[[N]], %[[W]]
func.func @neg_where() -> (tensor<1xi64>, tensor<3xi64>) {
  %axis = graph.constant dense<-1> : tensor<1xi64>
  %n = graph.neg %axis : tensor<1xi64>
  %shape = graph.constant dense<[2, -1, 4]> : tensor<3xi64>
  %dims = graph.constant dense<[2, 3, 4]> : tensor<3xi64>
  %m = graph.constant dense<-1> : tensor<i64>
  %eq = graph.equal %shape, %m : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %w = graph.where %eq, %dims, %shape : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %n, %w : tensor<1xi64>, tensor<3xi64>
}

// -----

// Range's trip count as ONNX's expanded Range computes it:
// relu(ceil((limit - start) / delta)) with start 1, limit 5, delta -2 is
// relu(ceil(-2)) = 0; abs and floor of [-2.5, 3.5] are [2.5, 3.5] and
// [-3, 3].
// CHECK-LABEL: func.func @trip_count
// CHECK-DAG: graph.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: graph.constant dense<[2.500000e+00, 3.500000e+00]> : tensor<2xf32>
// CHECK-DAG: graph.constant dense<[-3.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-NOT: graph.relu
// CHECK-NOT: graph.ceil
// CHECK-NOT: graph.abs
// CHECK-NOT: graph.floor
func.func @trip_count() -> (tensor<f32>, tensor<2xf32>, tensor<2xf32>) {
  %start = graph.constant dense<1.0> : tensor<f32>
  %limit = graph.constant dense<5.0> : tensor<f32>
  %delta = graph.constant dense<-2.0> : tensor<f32>
  %d = graph.sub %limit, %start : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %q = graph.div %d, %delta : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %c = graph.ceil %q : tensor<f32>
  %r = graph.relu %c : tensor<f32>
  %v = graph.constant dense<[-2.5, 3.5]> : tensor<2xf32>
  %a = graph.abs %v : tensor<2xf32>
  %f = graph.floor %v : tensor<2xf32>
  return %r, %a, %f : tensor<f32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// A loop condition `counter < n && data` once the counter passed n: false
// whatever the data; `x || false` is x.
// CHECK-LABEL: func.func @absorbing
// CHECK: %[[F:.*]] = graph.constant dense<false> : tensor<i1>
// CHECK: return %[[F]], %arg0
func.func @absorbing(%x: tensor<i1>) -> (tensor<i1>, tensor<i1>) {
  %i = graph.constant dense<6> : tensor<i64>
  %n = graph.constant dense<6> : tensor<i64>
  %lt = graph.less %i, %n : (tensor<i64>, tensor<i64>) -> tensor<i1>
  %and = graph.and %lt, %x : (tensor<i1>, tensor<i1>) -> tensor<i1>
  %f = graph.constant dense<false> : tensor<i1>
  %or = graph.or %x, %f : (tensor<i1>, tensor<i1>) -> tensor<i1>
  return %and, %or : tensor<i1>, tensor<i1>
}

// -----

// PyTorch's index_copy export: the updates' shape is Shape(cache) with the
// indexed dim replaced (ScatterElements on the shape, then Expand).
// numpy: s = [1, 2, 128, 32]; s[[2]] = [1] -> [1, 2, 1, 32]
// CHECK-LABEL: func.func @scatter_shape
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<[1, 2, 1, 32]> : tensor<4xi64>
// CHECK-NEXT: return %[[C]]
func.func @scatter_shape() -> tensor<4xi64> {
  %s = graph.constant dense<[1, 2, 128, 32]> : tensor<4xi64>
  %i = graph.constant dense<2> : tensor<1xi64>
  %u = graph.constant dense<1> : tensor<1xi64>
  %r = graph.scatter_elements %s, %i, %u {axis = 0 : i64, reduction = "none"} : (tensor<4xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  return %r : tensor<4xi64>
}

// -----

// ScatterElements along axis 0 with a negative index and reduction add:
// numpy: o = d.copy(); o[idx[0, j] % 2, j] += u[0, j] -> [[1, 22, 3], [14, 5, 36]]
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK-NEXT: %[[C:.*]] = graph.constant dense<{{\[}}[1, 22, 3], [14, 5, 36]]> : tensor<2x3xi64>
// CHECK-NEXT: return %[[C]]
func.func @scatter_elements_add() -> tensor<2x3xi64> {
  %d = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %i = graph.constant dense<[[-1, 0, 1]]> : tensor<1x3xi64>
  %u = graph.constant dense<[[10, 20, 30]]> : tensor<1x3xi64>
  %r = graph.scatter_elements %d, %i, %u {axis = 0 : i64, reduction = "add"} : (tensor<2x3xi64>, tensor<1x3xi64>, tensor<1x3xi64>) -> tensor<2x3xi64>
  return %r : tensor<2x3xi64>
}

// -----

// ScatterND writes rows: numpy o[[2, 0]] = [[9, 9], [0, -1]] -> [[0, -1], [3, 4], [9, 9], [7, 8]];
// an index out of range is left to run time.
// CHECK-LABEL: func.func @scatter_nd_rows
// CHECK: %[[C:.*]] = graph.constant dense<{{\[}}[0.000000e+00, -1.000000e+00], [3.000000e+00, 4.000000e+00], [9.000000e+00, 9.000000e+00], [7.000000e+00, 8.000000e+00]]> : tensor<4x2xf32>
// CHECK: graph.scatter_nd
// CHECK: return %[[C]],
func.func @scatter_nd_rows() -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %d = graph.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %i = graph.constant dense<[[2], [0]]> : tensor<2x1xi64>
  %u = graph.constant dense<[[9.0, 9.0], [0.0, -1.0]]> : tensor<2x2xf32>
  %r = graph.scatter_nd %d, %i, %u {reduction = "none"} : (tensor<4x2xf32>, tensor<2x1xi64>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %bad = graph.constant dense<[[5], [0]]> : tensor<2x1xi64>
  %k = graph.scatter_nd %d, %bad, %u {reduction = "none"} : (tensor<4x2xf32>, tensor<2x1xi64>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %r, %k : tensor<4x2xf32>, tensor<4x2xf32>
}
