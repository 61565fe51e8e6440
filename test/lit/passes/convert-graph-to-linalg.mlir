// RUN: edgec-opt --edgec-convert-graph-to-linalg --split-input-file --verify-diagnostics %s | FileCheck %s

// Broadcasting add: [2, 3] + [3] -> one generic, the [3] operand read
// through (d0, d1) -> (d1).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// CHECK-NOT: graph.
func.func @add(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Conv: pad, bias into the init, then a generic over (n, oc, oh, ow, ic, kh, kw);
// the input is read at (n, (oc floordiv 1) * 1 + ic, oh * 1 + kh, ow * 1 + kw):
// 4 groups of one output channel over one input channel each (depthwise).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-LABEL: func.func @depthwise
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
func.func @depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x6xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4} : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// A constant weight is stored output channel last ([ic, kh, kw, oc]), and
// without groups the input does not depend on the output channel.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d1)>
// CHECK-LABEL: func.func @packed_weight
// CHECK: %[[PACKED:.*]] = arith.constant dense<{{\[}}[{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]]]> : tensor<1x1x2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #{{.*}}], {{.*}} ins(%arg0, %[[PACKED]] :
func.func @packed_weight(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x2xf32> {
  %w = graph.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x3x3xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x3x2xf32>
  return %0 : tensor<1x2x3x2xf32>
}

// -----

// A pointwise conv (1x1, stride 1, no pads) runs over the flattened image:
// [1, 2, 2x3] in, [1, 3, 6] out, weight [ic, 1, oc], then back to 2-d.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d2 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, d4, d1)>
// CHECK-LABEL: func.func @pointwise
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #{{.*}}], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x6xf32>, tensor<2x1x3xf32>) outs(%{{.*}} : tensor<1x3x6xf32>)
// CHECK: tensor.expand_shape {{.*}} : tensor<18xf32> into tensor<1x3x2x3xf32>
func.func @pointwise(%x: tensor<1x2x2x3xf32>) -> tensor<1x3x2x3xf32> {
  %w = graph.constant dense<[[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]], [[[5.0]], [[6.0]]]]> : tensor<3x2x1x1xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x2x2x3xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x2x3xf32>
  return %0 : tensor<1x3x2x3xf32>
}

// -----

// gemm with a constant transposed B: B is stored [K, N] and read untransposed.
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @gemm_packed
// CHECK: %[[PACKED:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[B]], #{{.*}}], {{.*}} ins(%arg0, %[[PACKED]] :
func.func @gemm_packed(%a: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %b = graph.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %0 = graph.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

// Reshape goes through 1-d.
// CHECK-LABEL: func.func @reshape
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
func.func @reshape(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = graph.reshape %x {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Slices with positive steps are extract_slice; a reversal reads by index.
// CHECK-LABEL: func.func @slices
// CHECK: tensor.extract_slice %arg0[0, 1] [2, 2] [1, 2] : tensor<2x5xf32> to tensor<2x2xf32>
// CHECK: linalg.generic
// CHECK: tensor.extract %arg0
func.func @slices(%x: tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x5xf32>) {
  %0 = graph.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 5>, steps = array<i64: 1, 2>} : (tensor<2x5xf32>) -> tensor<2x2xf32>
  %1 = graph.slice %x {starts = array<i64: 0, 4>, ends = array<i64: 2, -1>, steps = array<i64: 1, -1>} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x5xf32>
}

// -----

// An op without a lowering (here: tf_crop_and_resize) is an error at its location
// (the ONNX node).
func.func @resize(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{'graph.resize' cannot be compiled yet}}
  %0 = graph.resize %x {sizes = array<i64: 1, 1, 4, 4>, scales = array<f32: 1.0, 1.0, 2.0, 2.0>, mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", nearest_mode = "floor"} : (tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// uint8 data is computed on as signless i8 with unsigned operations.
// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: (%arg0: tensor<4xi8>, %arg1: tensor<4xi8>) -> tensor<4xi8>
// CHECK: arith.divui
// CHECK: arith.maxui
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = graph.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = graph.max %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %1 : tensor<4xui8>
}

// -----

// Signed integer division: a zero divisor divides by 1 and -1 negates
// (wrapping), so neither traps nor overflows.
// CHECK-LABEL: func.func @signed_div
// CHECK: arith.cmpi eq
// CHECK: arith.ori
// CHECK: arith.select
// CHECK: arith.subi
// CHECK: arith.divsi
// CHECK: arith.select
func.func @signed_div(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = graph.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// An int8 conv: the input padded with its zero point (-128 is real 0),
// int8 x int8 summed in int32 from bias - zero_point * sum(w) (10 + 128 * 3
// = 394 and 20 - 128 * 1 = -108), then requantised in fixed point and
// clamped to the relu's [-128, 127]. No float anywhere. The channels'
// multipliers 0.5 * 0.01 / 0.25 = 0.02 = 0.64 * 2^-5 and 0.04 = 0.64 * 2^-4
// share one shift, 35: round(0.64 * 2^31) = 1374389535 for the second, half
// of it rounded, 687194768, for the first. With a shift of 33 or more the
// high word of the 32x32 product is enough: (hi + 2^(35-33)) >> (35-32),
// all in int32.
// CHECK-LABEL: func.func @qconv
// CHECK-DAG: arith.constant dense<[394, -108]> : tensor<2xi32>
// CHECK-DAG: %[[ZP:.*]] = arith.constant -128 : i8
// CHECK: tensor.pad {{.*}}low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[ZP]] : i8
// CHECK: linalg.generic
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.extsi {{.*}} : i8 to i32
// CHECK: arith.muli {{.*}} : i32
// CHECK: arith.addi {{.*}} : i32
// CHECK: arith.constant dense<{{\[\[\[}}687194768{{\]\]}}, {{\[\[}}1374389535{{\]\]\]}}> : tensor<2x1x1xi32>
// CHECK: linalg.generic
// CHECK-NOT: i64
// CHECK: %{{.*}}, %[[HI:.*]] = arith.mulsi_extended {{.*}} : i32
// CHECK: %[[HALF:.*]] = arith.constant 4 : i32
// CHECK: %[[R:.*]] = arith.addi %[[HI]], %[[HALF]] : i32
// CHECK: %[[SHIFT:.*]] = arith.constant 3 : i32
// CHECK: arith.shrsi %[[R]], %[[SHIFT]] : i32
// CHECK: arith.maxsi {{.*}} : i32
// CHECK: arith.minsi {{.*}} : i32
// CHECK: arith.trunci {{.*}} : i32 to i8
// CHECK-NOT: f32
// CHECK: return {{.*}} : tensor<1x2x2x2xi8>
func.func @qconv(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-128>>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:-128>> {
  %w8 = graph.constant dense<[[[[1, 1, 0], [0, 1, 0], [0, 0, 0]]], [[[0, 0, 0], [0, -1, 0], [0, 0, 0]]]]> : tensor<2x1x3x3xi8>
  %w = quant.scast %w8 : tensor<2x1x3x3xi8> to tensor<2x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>
  %b = graph.constant dense<[10, 20]> : tensor<2xi32>
  %y = graph.qconv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-128>>, tensor<2x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>, tensor<2xi32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:-128>>
  return %y : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:-128>>
}

// -----

// A multiplier of 2^-2 or more (here 0.5 * 0.5 / 0.5 = 0.5 = 2^30 * 2^-31)
// has a shift below 33: the whole 64-bit product, shifted by 31.
// CHECK-LABEL: func.func @qconv_large_multiplier
// CHECK: arith.constant dense<1073741824> : tensor<i32>
// CHECK: linalg.generic
// CHECK: arith.extsi {{.*}} : i32 to i64
// CHECK: arith.extsi {{.*}} : i32 to i64
// CHECK: arith.muli {{.*}} : i64
// CHECK: %[[SHIFT:.*]] = arith.constant 31 : i64
// CHECK: arith.shrsi {{.*}}, %[[SHIFT]] : i64
// CHECK: arith.trunci {{.*}} : i64 to i32
// CHECK: arith.trunci {{.*}} : i32 to i8
func.func @qconv_large_multiplier(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:0>>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:0>> {
  %w8 = graph.constant dense<[[[[1, 2], [3, 4]]]]> : tensor<1x1x2x2xi8>
  %w = quant.scast %w8 : tensor<1x1x2x2xi8> to tensor<1x1x2x2x!quant.uniform<i8<-127:127>:f32:0, {0.5}>>
  %y = graph.qconv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:0>>, tensor<1x1x2x2x!quant.uniform<i8<-127:127>:f32:0, {0.5}>>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:0>>
  return %y : tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:0>>
}

// -----

// Int4 weights: nibble (row * 4 + r) of the packed bytes, low nibble for even
// indices, sign-extended by shifting, times its group's (f16) scale.
// CHECK-DAG: #[[BYTE:.*]] = affine_map<(d0, d1) -> (d0 * 2 + d1 floordiv 2)>
// CHECK-DAG: #[[SCALE:.*]] = affine_map<(d0, d1) -> (d0, d1 floordiv 2)>
// CHECK-LABEL: func.func @int4
// CHECK: linalg.generic {indexing_maps = [#[[BYTE]], #[[SCALE]], {{.*}}]{{.*}} attrs = {edgec.decode_weights, edgec.int4_layout = array<i64: 0, 2>}
// CHECK: arith.remui
// CHECK: arith.shli
// CHECK: arith.shrsi
// CHECK: arith.sitofp {{.*}} : i8 to f32
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: arith.mulf
func.func @int4(%p: tensor<4xi8>, %s: tensor<2x2xf16>) -> tensor<2x4xf32> {
  %w = graph.dequantize_int4 %p, %s {axis = 0 : i64, group_size = 2 : i64} : (tensor<4xi8>, tensor<2x2xf16>) -> tensor<2x4xf32>
  return %w : tensor<2x4xf32>
}

// -----

// LogSoftmax: the maximum and the sum of exp(x - max) reduced along the
// axis, then x - max - log(sum) per element.
// CHECK-LABEL: func.func @log_softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: arith.subf
// CHECK: math.log
// CHECK: arith.subf
// CHECK-NOT: graph.
func.func @log_softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = graph.log_softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CumSum: a loop nest over the elements carrying the output; reversed, the
// axis is walked from its end; exclusive adds the previous input element.
// CHECK-LABEL: func.func @cumsum_reverse_exclusive
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.subi
// CHECK: arith.addi
// CHECK: arith.select
// CHECK: tensor.extract
// CHECK: arith.addf
// CHECK: tensor.insert
// CHECK-NOT: graph.
func.func @cumsum_reverse_exclusive(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = graph.cumsum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// compact_indices: a pass writing the true positions with a running count,
// then one writing the false positions after them.
// CHECK-LABEL: func.func @compact_indices
// CHECK: scf.for
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: arith.addi
// CHECK: scf.for
// CHECK: arith.xori
// CHECK: scf.if
// CHECK: tensor.from_elements
// CHECK-NOT: graph.
func.func @compact_indices(%m: tensor<5xi1>) -> (tensor<5xi64>, tensor<i64>) {
  %o, %n = graph.compact_indices %m : (tensor<5xi1>) -> (tensor<5xi64>, tensor<i64>)
  return %o, %n : tensor<5xi64>, tensor<i64>
}

// -----

// NonMaxSuppression: loops over batches, classes and picking rounds; a
// round scans for the best live box, then clears the boxes it overlaps;
// the count is the rows written.
// CHECK-LABEL: func.func @non_max_suppression
// CHECK: linalg.fill
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.if
// CHECK: arith.cmpf ogt
// CHECK: scf.if
// CHECK: arith.divf
// CHECK: tensor.insert
// CHECK: tensor.from_elements
// CHECK-NOT: graph.
func.func @non_max_suppression(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %k: tensor<1xi64>, %t: tensor<1xf32>)
    -> (tensor<6x3xi64>, tensor<i64>) {
  %y, %n = graph.non_max_suppression %b, %s, %k, %t, %t
      {center_point_box = false, has_score_threshold = true, rows_per_class = 3 : i64}
      : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>, tensor<1xf32>, tensor<1xf32>) -> (tensor<6x3xi64>, tensor<i64>)
  return %y, %n : tensor<6x3xi64>, tensor<i64>
}

// -----

// f64 lowers the same (edgec-approximate-math computes its math.exp and
// math.log at f32 precision).
// CHECK-LABEL: func.func @log_softmax_f64
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.log %{{.*}} : f64
func.func @log_softmax_f64(%x: tensor<2x3xf64>) -> tensor<2x3xf64> {
  %0 = graph.log_softmax %x {axis = 1 : i64} : tensor<2x3xf64>
  return %0 : tensor<2x3xf64>
}

// -----

// ArgMax: one generic reducing the axis into the best value and its index
// (linalg.index along the axis), then the index result reshaped.
// CHECK-LABEL: func.func @arg_max
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: linalg.index 1
// CHECK: arith.select
// CHECK: arith.select
// CHECK-NOT: graph.
func.func @arg_max(%x: tensor<2x3xf32>) -> tensor<2x1xi64> {
  %0 = graph.arg_max %x {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// GatherElements: one generic over the indices; each element extracts the
// input at its own position with the axis coordinate from the (clamped)
// index.
// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: linalg.index 0
// CHECK: arith.index_cast
// CHECK: arith.minsi
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}]
// CHECK-NOT: graph.
func.func @gather_elements(%x: tensor<2x3xf32>, %i: tensor<2x2xi64>) -> tensor<2x2xf32> {
  %0 = graph.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xi64>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Gather of one constant index is a view: layer 2 of a stacked cache
// (scalar index: rank-reducing) and row -1 of a table (index [1]); a
// run-time index is a generic.
// CHECK-LABEL: func.func @gather_one_row
// CHECK: tensor.extract_slice %arg0[2, 0, 0] [1, 3, 5] [1, 1, 1] : tensor<4x3x5xf32> to tensor<3x5xf32>
// CHECK: tensor.extract_slice %arg0[0, 0, 4] [4, 3, 1] [1, 1, 1] : tensor<4x3x5xf32> to tensor<4x3x1xf32>
// CHECK: linalg.generic
// CHECK-NOT: graph.
func.func @gather_one_row(%x: tensor<4x3x5xf32>, %i: tensor<1xi64>) -> (tensor<3x5xf32>, tensor<4x3x1xf32>, tensor<4x3x1xf32>) {
  %two = graph.constant dense<2> : tensor<i64>
  %last = graph.constant dense<-1> : tensor<1xi64>
  %0 = graph.gather %x, %two {axis = 0 : i64} : (tensor<4x3x5xf32>, tensor<i64>) -> tensor<3x5xf32>
  %1 = graph.gather %x, %last {axis = 2 : i64} : (tensor<4x3x5xf32>, tensor<1xi64>) -> tensor<4x3x1xf32>
  %2 = graph.gather %x, %i {axis = 2 : i64} : (tensor<4x3x5xf32>, tensor<1xi64>) -> tensor<4x3x1xf32>
  return %0, %1, %2 : tensor<3x5xf32>, tensor<4x3x1xf32>, tensor<4x3x1xf32>
}

// -----

// ScatterElements: an scf.for nest over the updates carrying the tensor;
// each step reads the index, clamps it, combines with what is there (add)
// and inserts.
// CHECK-LABEL: func.func @scatter_elements
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args
// CHECK: tensor.extract
// CHECK: arith.minsi
// CHECK: arith.addf
// CHECK: tensor.insert
// CHECK-NOT: graph.
func.func @scatter_elements(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = graph.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = "add"} : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// GatherND: one generic over the output reading each index tuple's
// elements from the indices.
// CHECK-LABEL: func.func @gather_nd
// CHECK: linalg.generic
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %c0{{.*}}] : tensor<2x2xi64>
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %c1{{.*}}] : tensor<2x2xi64>
// CHECK: tensor.extract %{{.*}} : tensor<3x4x5xf32>
// CHECK-NOT: graph.
func.func @gather_nd(%x: tensor<3x4x5xf32>, %i: tensor<2x2xi64>) -> tensor<2x5xf32> {
  %0 = graph.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<3x4x5xf32>, tensor<2x2xi64>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// TopK: one reducing generic per selected element; the second one only
// takes elements ranking after the first pick (smaller, or equal at a
// later index), and each pick is inserted at its position.
// CHECK-LABEL: func.func @top_k
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpf ogt
// CHECK: tensor.insert_slice
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.cmpi sgt
// CHECK: arith.cmpf oeq
// CHECK: tensor.insert_slice
// CHECK-NOT: graph.
func.func @top_k(%x: tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x2xi64>) {
  %v, %i = graph.top_k %x {axis = 1 : i64, k = 2 : i64, largest = true} : (tensor<2x5xf32>) -> (tensor<2x2xf32>, tensor<2x2xi64>)
  return %v, %i : tensor<2x2xf32>, tensor<2x2xi64>
}

// -----

// If on a run-time condition: the branches' ops are lowered in place, then
// graph.if becomes scf.if on the condition's element.
// CHECK-LABEL: func.func @run_time_if
// CHECK: %[[C:.*]] = tensor.extract %arg0[] : tensor<i1>
// CHECK: %[[R:.*]] = scf.if %[[C]] -> (tensor<4xf32>) {
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: scf.yield %{{.*}} : tensor<4xf32>
// CHECK: } else {
// CHECK: scf.yield %arg1 : tensor<4xf32>
// CHECK: return %[[R]]
// CHECK-NOT: graph.
func.func @run_time_if(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.if %c : tensor<i1> -> tensor<4xf32> {
    %e = graph.exp %x : tensor<4xf32>
    graph.yield %e : tensor<4xf32>
  } else {
    graph.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// GridSample: one generic over the output; the grid's x and y read per
// element, bilinear: four taps, each 0 outside the input.
// CHECK-LABEL: func.func @grid_sample
// CHECK: linalg.generic
// CHECK-COUNT-2: tensor.extract %arg1
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: linalg.yield
func.func @grid_sample(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32> {
  %y = graph.grid_sample %x, %g {align_corners = true, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x2x4x5xf32>, tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32>
  return %y : tensor<1x2x3x6xf32>
}

// -----

// B transposed in its last two dims (attention's K^T) is read in place by
// the matmul's indexing, not copied by a linalg.transpose first.
// CHECK-LABEL: func.func @matmul_transposed_b
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[KT:.*]], #{{.*}}]{{.*}} ins(%arg0, %arg1 : tensor<2x3x8xf32>, tensor<2x5x8xf32>)
// CHECK-NOT: linalg.transpose
func.func @matmul_transposed_b(%q: tensor<2x3x8xf32>, %k: tensor<2x5x8xf32>) -> tensor<2x3x5xf32> {
  %kt = graph.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<2x5x8xf32>) -> tensor<2x8x5xf32>
  %s = graph.matmul %q, %kt : (tensor<2x3x8xf32>, tensor<2x8x5xf32>) -> tensor<2x3x5xf32>
  return %s : tensor<2x3x5xf32>
}

// -----

// update_slice of a layer's slice updated in place: the reshape adding the
// stacked dim back (a collapse and an expand once lowered) is looked
// through, so the insert_slice is rank-reducing and matches the
// extract_slice the scatter wrote into (bufferised: no copy).
// CHECK-LABEL: func.func @update_slice_of_slice
// CHECK: %[[S:.*]] = tensor.extract_slice %arg0[1, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<3x1x4x8xf32> to tensor<1x4x8xf32>
// CHECK: %[[U:.*]] = scf.for
// CHECK: tensor.insert_slice %[[U]] into %arg0[1, 0, 0, 0] [1, 1, 4, 8] [1, 1, 1, 1] : tensor<1x4x8xf32> into tensor<3x1x4x8xf32>
func.func @update_slice_of_slice(%cache: tensor<3x1x4x8xf32>, %pos: tensor<1x1x8xi64>, %row: tensor<1x1x8xf32>) -> tensor<3x1x4x8xf32> {
  %one = graph.constant dense<1> : tensor<i64>
  %layer = graph.gather %cache, %one {axis = 0 : i64} : (tensor<3x1x4x8xf32>, tensor<i64>) -> tensor<1x4x8xf32>
  %u = graph.scatter_elements %layer, %pos, %row {axis = 1 : i64, reduction = "none"} : (tensor<1x4x8xf32>, tensor<1x1x8xi64>, tensor<1x1x8xf32>) -> tensor<1x4x8xf32>
  %r = graph.reshape %u {shape = array<i64: 1, 1, 4, 8>} : (tensor<1x4x8xf32>) -> tensor<1x1x4x8xf32>
  %y = graph.update_slice %cache, %r {offsets = array<i64: 1, 0, 0, 0>} : (tensor<3x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<3x1x4x8xf32>
  return %y : tensor<3x1x4x8xf32>
}
