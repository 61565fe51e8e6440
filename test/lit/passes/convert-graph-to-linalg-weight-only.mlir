// RUN: edgec-opt --edgec-convert-graph-to-linalg="panel-lanes=4 panel-width=8" --split-input-file %s | FileCheck %s

// One row times int4 weights [K = 16, N = 3] in groups of 8 (axis 1: the
// output channel's 16 nibbles are contiguous): x split into even and odd
// elements once, then per output row, per group, 4 bytes (8 nibbles) at a
// time: widened to i32, the low and high nibbles sign-extended by shifts,
// converted and multiplied into 4-lane sums, the group's scale applied,
// the lanes summed. N = 3 is one row per pass.
// CHECK-LABEL: func.func @matvec
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK: vector.transfer_read %{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<24xi8>, vector<4xi8>
// CHECK: arith.extsi %{{.*}} : vector<4xi8> to vector<4xi32>
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.sitofp %{{.*}} : vector<4xi32> to vector<4xf32>
// CHECK: vector.fma
// CHECK: vector.fma
// CHECK-NOT: vector.transfer_read
// CHECK: scf.yield
// CHECK: tensor.extract %{{.*}} : tensor<3x2xf16>
// CHECK: arith.extf
// CHECK: vector.broadcast
// CHECK: vector.fma
// CHECK: vector.reduction <add>
// CHECK: tensor.insert
// CHECK-NOT: linalg.matmul
func.func @matvec(%x: tensor<1x16xf32>) -> tensor<1x3xf32> {
  %p = graph.constant dense<17> : tensor<24xi8>
  %s = graph.constant dense<0.5> : tensor<3x2xf16>
  %w = graph.dequantize_int4 %p, %s {axis = 1 : i64, group_size = 8 : i64} : (tensor<24xi8>, tensor<3x2xf16>) -> tensor<16x3xf32>
  %y = graph.matmul %x, %w : (tensor<1x16xf32>, tensor<16x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// N = 4: four rows per pass, each load of x shared by the four rows' bytes.
// CHECK-LABEL: func.func @four_rows
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK-COUNT-2: vector.transfer_read %{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK-COUNT-4: vector.transfer_read %{{.*}} : tensor<32xi8>, vector<4xi8>
// CHECK-NOT: vector.transfer_read
// CHECK-COUNT-4: vector.reduction <add>
func.func @four_rows(%x: tensor<1x16xf32>) -> tensor<1x4xf32> {
  %p = graph.constant dense<17> : tensor<32xi8>
  %s = graph.constant dense<0.5> : tensor<4x2xf16>
  %w = graph.dequantize_int4 %p, %s {axis = 1 : i64, group_size = 8 : i64} : (tensor<32xi8>, tensor<4x2xf16>) -> tensor<16x4xf32>
  %y = graph.matmul %x, %w : (tensor<1x16xf32>, tensor<16x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Two rows: not a matrix-vector product; the decoding generic stays.
// CHECK-LABEL: func.func @two_rows
// CHECK-NOT: vector.
// CHECK: return
func.func @two_rows(%x: tensor<2x16xf32>) -> tensor<2x3xf32> {
  %p = graph.constant dense<17> : tensor<24xi8>
  %s = graph.constant dense<0.5> : tensor<3x2xf16>
  %w = graph.dequantize_int4 %p, %s {axis = 1 : i64, group_size = 8 : i64} : (tensor<24xi8>, tensor<3x2xf16>) -> tensor<16x3xf32>
  %y = graph.matmul %x, %w : (tensor<2x16xf32>, tensor<16x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// Weight-only int8 (edgec-quantize-weights-int8): [N = 4, K = 8] bytes with
// one scale per row, read transposed by one row of x: per step 4 bytes of
// each of the four rows widened and converted, x read once for them; each
// row's sum scaled at the end.
// CHECK-LABEL: func.func @int8_matvec
// CHECK: arith.constant dense<[0.00999999977, 2.000000e-02, 3.000000e-02, 4.000000e-02]> : tensor<4xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4
// CHECK: scf.for
// CHECK-COUNT-1: vector.transfer_read %{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK-COUNT-4: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<4x8xi8>, vector<4xi8>
// CHECK-NOT: vector.transfer_read
// CHECK: vector.reduction <add>
// CHECK: tensor.extract %{{.*}} : tensor<4xf32>
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @int8_matvec(%x: tensor<1x8xf32>) -> tensor<1x4xf32> {
  %q = graph.constant dense<3> : tensor<4x8xi8>
  %v = quant.scast %q : tensor<4x8xi8> to tensor<4x8x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.03, 0.04}>>
  %d = graph.dequantize %v {edgec.decode_weights} : (tensor<4x8x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.03, 0.04}>>) -> tensor<4x8xf32>
  %w = graph.transpose %d {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %y = graph.matmul %x, %w : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// One row times a constant f32 weight [K = 8, N = 2] (a decode step's
// projection): the weight stored transposed, [N, K], each output's weights
// one contiguous stream, read 4 at a time for both rows of the pass.
// CHECK-LABEL: func.func @f32_matvec
// CHECK: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<2x8xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c2
// CHECK: scf.for
// CHECK: vector.transfer_read %{{.*}} : tensor<8xf32>, vector<4xf32>
// CHECK-COUNT-2: vector.transfer_read %[[W]]{{.*}} : tensor<2x8xf32>, vector<4xf32>
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @f32_matvec(%x: tensor<1x8xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0], [8.0, 9.0], [10.0, 11.0], [12.0, 13.0], [14.0, 15.0]]> : tensor<8x2xf32>
  %y = graph.matmul %x, %w : (tensor<1x8xf32>, tensor<8x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
