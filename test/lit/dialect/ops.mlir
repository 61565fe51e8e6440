// RUN: edgec-opt %s | FileCheck %s
// RUN: edgec-opt %s | edgec-opt | FileCheck %s
// RUN: edgec-opt --mlir-print-op-generic %s | edgec-opt | FileCheck %s

// Every graph op parses, verifies and prints back.

// CHECK-LABEL: func.func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: graph.relu
  %0 = graph.relu %x : tensor<2x3xf32>
  // CHECK: graph.sigmoid
  %1 = graph.sigmoid %0 : tensor<2x3xf32>
  // CHECK: graph.tanh
  %2 = graph.tanh %1 : tensor<2x3xf32>
  // CHECK: graph.exp
  %3 = graph.exp %2 : tensor<2x3xf32>
  // CHECK: graph.log
  %4 = graph.log %3 : tensor<2x3xf32>
  // CHECK: graph.sqrt
  %5 = graph.sqrt %4 : tensor<2x3xf32>
  // CHECK: graph.neg
  %6 = graph.neg %5 : tensor<2x3xf32>
  // CHECK: graph.abs
  %7 = graph.abs %6 : tensor<2x3xf32>
  // CHECK: graph.erf
  %8 = graph.erf %7 : tensor<2x3xf32>
  // CHECK: graph.hard_swish
  %9 = graph.hard_swish %8 : tensor<2x3xf32>
  // CHECK: graph.leaky_relu %{{.*}} {alpha = 0.00999999977 : f32}
  %10 = graph.leaky_relu %9 {alpha = 0.01 : f32} : tensor<2x3xf32>
  // CHECK: graph.hard_sigmoid
  %11 = graph.hard_sigmoid %10 {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x3xf32>
  // CHECK: graph.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %12 = graph.clip %11 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  // CHECK: graph.clip %{{.*}} {min = 0.000000e+00 : f32}
  %13 = graph.clip %12 {min = 0.0 : f32} : tensor<2x3xf32>
  // CHECK: graph.add {{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %14 = graph.add %13, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.sub
  %15 = graph.sub %14, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.mul
  %16 = graph.mul %15, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.div
  %17 = graph.div %16, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.pow
  %18 = graph.pow %17, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.max
  %19 = graph.max %18, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.min
  %20 = graph.min %19, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.equal {{.*}} -> tensor<2x3xi1>
  %21 = graph.equal %20, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.cast {{.*}} {to = f32} : tensor<2x3xi1> -> tensor<2x3xf32>
  %22 = graph.cast %21 {to = f32} : tensor<2x3xi1> -> tensor<2x3xf32>
  // CHECK: graph.softmax %{{.*}} {axis = 1 : i64}
  %23 = graph.softmax %22 {axis = 1 : i64} : tensor<2x3xf32>
  // CHECK: graph.log_softmax %{{.*}} {axis = 0 : i64}
  %24 = graph.log_softmax %23 {axis = 0 : i64} : tensor<2x3xf32>
  // CHECK: graph.cumsum %{{.*}} {axis = 1 : i64, exclusive = true, reverse = false}
  %25 = graph.cumsum %24 {axis = 1 : i64, exclusive = true, reverse = false} : tensor<2x3xf32>
  return %25 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @detection
func.func @detection(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %k: tensor<i64>, %t: tensor<f32>)
    -> (tensor<6x3xi64>, tensor<i64>) {
  // CHECK: graph.non_max_suppression {{.*}} -> (tensor<6x3xi64>, tensor<i64>)
  %s, %n = graph.non_max_suppression %boxes, %scores, %k, %t, %t
      {center_point_box = false, has_score_threshold = true, rows_per_class = 3 : i64}
      : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<6x3xi64>, tensor<i64>)
  return %s, %n : tensor<6x3xi64>, tensor<i64>
}

// CHECK-LABEL: func.func @selection
func.func @selection(%m: tensor<5xi1>) -> (tensor<5xi64>, tensor<i64>) {
  // CHECK: graph.compact_indices {{.*}} -> (tensor<5xi64>, tensor<i64>)
  %o, %n = graph.compact_indices %m : (tensor<5xi1>) -> (tensor<5xi64>, tensor<i64>)
  return %o, %n : tensor<5xi64>, tensor<i64>
}

// CHECK-LABEL: func.func @linear
func.func @linear(%x: tensor<1x3x8x8xf32>, %a: tensor<4x5xf32>, %v: tensor<5xf32>) -> (tensor<1x8x4x4xf32>, tensor<4x6xf32>, tensor<2x4xf32>) {
  %w = graph.constant dense<0.5> : tensor<8x3x3x3xf32>
  // CHECK: graph.conv {{.*}} -> tensor<1x8x4x4xf32>
  %c = graph.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x4x4xf32>
  %p = graph.constant dense<1.0> : tensor<8xf32>
  // CHECK: graph.batch_norm
  %bn = graph.batch_norm %c, %p, %p, %p, %p {epsilon = 1.0e-5 : f32} : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  %b = graph.constant dense<0.5> : tensor<6x5xf32>
  // CHECK: graph.gemm {{.*}} -> tensor<4x6xf32>
  %g = graph.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<4x5xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
  %m = graph.constant dense<0.5> : tensor<2x5x4xf32>
  // CHECK: graph.matmul {{.*}} : (tensor<5xf32>, tensor<2x5x4xf32>) -> tensor<2x4xf32>
  %mm = graph.matmul %v, %m : (tensor<5xf32>, tensor<2x5x4xf32>) -> tensor<2x4xf32>
  return %bn, %g, %mm : tensor<1x8x4x4xf32>, tensor<4x6xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @pool_reduce
func.func @pool_reduce(%x: tensor<1x4x9x9xf32>) -> (tensor<1x4x5x5xf32>, tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>, tensor<1x9xf32>, tensor<4x9x9xf32>, tensor<1x4x9x1xf32>) {
  // CHECK: graph.max_pool {{.*}} -> tensor<1x4x5x5xf32>
  %0 = graph.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false} : (tensor<1x4x9x9xf32>) -> tensor<1x4x5x5xf32>
  // CHECK: graph.average_pool {{.*}} -> tensor<1x4x4x4xf32>
  %1 = graph.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = false, count_include_pad = false} : (tensor<1x4x9x9xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: graph.global_average_pool
  %2 = graph.global_average_pool %x : (tensor<1x4x9x9xf32>) -> tensor<1x4x1x1xf32>
  // CHECK: graph.reduce_mean {{.*}} -> tensor<1x9xf32>
  %3 = graph.reduce_mean %x {axes = array<i64: 1, 3>, keepdims = false} : (tensor<1x4x9x9xf32>) -> tensor<1x9xf32>
  // CHECK: graph.reduce_max {{.*}} -> tensor<4x9x9xf32>
  %4 = graph.reduce_max %x {axes = array<i64: 0>, keepdims = false} : (tensor<1x4x9x9xf32>) -> tensor<4x9x9xf32>
  // CHECK: graph.reduce_sum {{.*}} -> tensor<1x4x9x1xf32>
  %5 = graph.reduce_sum %x {axes = array<i64: 3>, keepdims = true} : (tensor<1x4x9x9xf32>) -> tensor<1x4x9x1xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<1x4x5x5xf32>, tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>, tensor<1x9xf32>, tensor<4x9x9xf32>, tensor<1x4x9x1xf32>
}

// CHECK-LABEL: func.func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %i: tensor<5xi64>, %ie: tensor<2x3x5xi64>, %in: tensor<2x5x2xi64>, %isn: tensor<2x1xi64>, %is: tensor<2x3x4xi64>) -> (tensor<6x4xf32>, tensor<24xf32>, tensor<3x4xf32>, tensor<2x1x3x4xf32>, tensor<4x2x3xf32>, tensor<3x3x4xf32>, tensor<2x3x2xf32>, tensor<2x5x4xf32>, tensor<2x5x6xf32>, tensor<2x6x8xf32>) {
  // CHECK: graph.reshape
  %0 = graph.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: graph.flatten
  %1 = graph.flatten %x {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  %f1 = graph.squeeze %1 {axes = array<i64: 0>} : (tensor<1x24xf32>) -> tensor<24xf32>
  // CHECK: graph.unsqueeze
  %u = graph.unsqueeze %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x3x4xf32>
  %s1 = graph.slice %x {starts = array<i64: 1, 0, 0>, ends = array<i64: 2, 3, 4>, steps = array<i64: 1, 1, 1>} : (tensor<2x3x4xf32>) -> tensor<1x3x4xf32>
  // CHECK: graph.squeeze
  %sq = graph.squeeze %s1 {axes = array<i64: 0>} : (tensor<1x3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.transpose
  %t = graph.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: graph.concat
  %c = graph.concat %x, %s1 {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<1x3x4xf32>) -> tensor<3x3x4xf32>
  // CHECK: graph.update_slice {{.*}} -> tensor<2x3x4xf32>
  %us = graph.update_slice %x, %s1 {offsets = array<i64: 1, 0, 0>} : (tensor<2x3x4xf32>, tensor<1x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.slice {{.*}} -> tensor<2x3x2xf32>
  %sl = graph.slice %x {starts = array<i64: 0, 0, 3>, ends = array<i64: 2, 3, -1>, steps = array<i64: 1, 1, -2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  // CHECK: graph.gather {{.*}} -> tensor<2x5x4xf32>
  %g = graph.gather %x, %i {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xi64>) -> tensor<2x5x4xf32>
  // CHECK: graph.top_k {{.*}} -> (tensor<2x3x2xf32>, tensor<2x3x2xi64>)
  %tv, %ti = graph.top_k %x {axis = 2 : i64, k = 2 : i64, largest = true} : (tensor<2x3x4xf32>) -> (tensor<2x3x2xf32>, tensor<2x3x2xi64>)
  // CHECK: graph.gather_nd {{.*}} -> tensor<2x5x4xf32>
  %gn = graph.gather_nd %x, %in {batch_dims = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x5x2xi64>) -> tensor<2x5x4xf32>
  // CHECK: graph.scatter_elements {{.*}} {axis = 2 : i64, reduction = "add"}
  %se = graph.scatter_elements %x, %is, %x {axis = 2 : i64, reduction = "add"} : (tensor<2x3x4xf32>, tensor<2x3x4xi64>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.scatter_nd {{.*}} {reduction = "none"}
  %sn = graph.scatter_nd %x, %isn, %x {reduction = "none"} : (tensor<2x3x4xf32>, tensor<2x1xi64>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: graph.gather_elements {{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x5xi64>) -> tensor<2x3x5xf32>
  %ge = graph.gather_elements %x, %ie {axis = 2 : i64} : (tensor<2x3x4xf32>, tensor<2x3x5xi64>) -> tensor<2x3x5xf32>
  // CHECK: graph.pad {{.*}} -> tensor<2x5x6xf32>
  %p = graph.pad %x {pads = array<i64: 0, 1, 1, 0, 1, 1>, mode = "constant", value = 0.0 : f32} : (tensor<2x3x4xf32>) -> tensor<2x5x6xf32>
  // CHECK: graph.resize {{.*}} -> tensor<2x6x8xf32>
  %r = graph.resize %x {sizes = array<i64: 2, 6, 8>, scales = array<f32: 1.0, 2.0, 2.0>, mode = "nearest", coordinate_transformation_mode = "asymmetric", nearest_mode = "floor"} : (tensor<2x3x4xf32>) -> tensor<2x6x8xf32>
  return %0, %f1, %sq, %u, %t, %c, %sl, %g, %p, %r : tensor<6x4xf32>, tensor<24xf32>, tensor<3x4xf32>, tensor<2x1x3x4xf32>, tensor<4x2x3xf32>, tensor<3x3x4xf32>, tensor<2x3x2xf32>, tensor<2x5x4xf32>, tensor<2x5x6xf32>, tensor<2x6x8xf32>
}

// CHECK-LABEL: func.func @lstm
func.func @lstm(%x: tensor<5x1x8xf32>, %h: tensor<1x1x16xf32>) -> tensor<5x1x1x16xf32> {
  %w = graph.constant dense<0.1> : tensor<1x64x8xf32>
  %r = graph.constant dense<0.1> : tensor<1x64x16xf32>
  %b = graph.constant dense<0.0> : tensor<1x128xf32>
  // CHECK: graph.lstm {{.*}} bias {{.*}} initial_h {{.*}} initial_c
  %y, %yh, %yc = graph.lstm %x, %w, %r bias %b initial_h %h initial_c %h {hidden_size = 16 : i64, direction = "forward"} : (tensor<5x1x8xf32>, tensor<1x64x8xf32>, tensor<1x64x16xf32>, tensor<1x128xf32>, tensor<1x1x16xf32>, tensor<1x1x16xf32>) -> (tensor<5x1x1x16xf32>, tensor<1x1x16xf32>, tensor<1x1x16xf32>)
  return %y : tensor<5x1x1x16xf32>
}

// CHECK-LABEL: func.func @quant
func.func @quant(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: graph.quantize {{.*}} -> tensor<2x3x!quant.uniform<i8:f32, 1.000000e-01:-3>>
  %q = graph.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32, 0.1:-3>>
  // CHECK: graph.dequantize
  %d = graph.dequantize %q : (tensor<2x3x!quant.uniform<i8:f32, 0.1:-3>>) -> tensor<2x3xf32>
  // CHECK: !quant.uniform<i8:f32:1, {1.000000e-01,2.000000e-01,3.000000e-01}>
  %qa = graph.quantize %d : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>
  %da = graph.dequantize %qa : (tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2, 0.3}>>) -> tensor<2x3xf32>
  return %da : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @grid_sample
func.func @grid_sample(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32> {
  // CHECK: graph.grid_sample %{{.*}}, %{{.*}} {align_corners = false, mode = "bicubic", padding_mode = "border"}
  %y = graph.grid_sample %x, %g {align_corners = false, mode = "bicubic", padding_mode = "border"} : (tensor<1x2x4x5xf32>, tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32>
  return %y : tensor<1x2x3x6xf32>
}

// An ONNX node left to the importer (expanded when a file is read).
// CHECK-LABEL: func.func @onnx_node
func.func @onnx_node(%x: tensor<1x4x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // CHECK: graph.onnx "DepthToSpace"(%{{.*}}) {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x4x2x2xf32>) -> tensor<1x1x4x4xf32>
  %y = graph.onnx "DepthToSpace"(%x) {blocksize = 2 : i64, mode = "CRD"} : (tensor<1x4x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}

// CHECK-LABEL: func.func @dynamic_if
func.func @dynamic_if(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: graph.if %{{.*}} : tensor<i1> -> tensor<4xf32>
  %r = graph.if %c : tensor<i1> -> tensor<4xf32> {
    %a = graph.relu %x : tensor<4xf32>
    graph.yield %a : tensor<4xf32>
  } else {
    // CHECK: } else {
    graph.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @more_elementwise
func.func @more_elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %c: tensor<2x3xi1>) -> (tensor<2x3xf32>, tensor<2x3xi1>, tensor<2xf32>) {
  // CHECK: graph.floor
  %0 = graph.floor %x : tensor<2x3xf32>
  // CHECK: graph.ceil
  %1 = graph.ceil %0 : tensor<2x3xf32>
  // CHECK: graph.round
  %2 = graph.round %1 : tensor<2x3xf32>
  // CHECK: graph.reciprocal
  %3 = graph.reciprocal %2 : tensor<2x3xf32>
  // CHECK: graph.sign
  %4 = graph.sign %3 : tensor<2x3xf32>
  // CHECK: graph.sin
  %5 = graph.sin %4 : tensor<2x3xf32>
  // CHECK: graph.cos
  %6 = graph.cos %5 : tensor<2x3xf32>
  // CHECK: graph.softplus
  %7 = graph.softplus %6 : tensor<2x3xf32>
  // CHECK: graph.softsign
  %8 = graph.softsign %7 : tensor<2x3xf32>
  // CHECK: graph.elu %{{.*}} {alpha = 1.000000e+00 : f32}
  %9 = graph.elu %8 {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: graph.celu
  %10 = graph.celu %9 {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: graph.selu
  %11 = graph.selu %10 {alpha = 1.5 : f32, gamma = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: graph.thresholded_relu
  %12 = graph.thresholded_relu %11 {alpha = 1.0 : f32} : tensor<2x3xf32>
  // CHECK: graph.prelu
  %13 = graph.prelu %12, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.less {{.*}} -> tensor<2x3xi1>
  %14 = graph.less %13, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.greater_or_equal
  %15 = graph.greater_or_equal %13, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.and
  %16 = graph.and %14, %15 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: graph.xor
  %17 = graph.xor %16, %c : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: graph.not
  %18 = graph.not %17 : tensor<2x3xi1>
  // CHECK: graph.where {{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %19 = graph.where %18, %13, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.reduce_log_sum_exp {{.*}} -> tensor<2xf32>
  %20 = graph.reduce_log_sum_exp %19 {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %19, %18, %20 : tensor<2x3xf32>, tensor<2x3xi1>, tensor<2xf32>
}

// Trigonometric and hyperbolic functions, remainders and shifts.
// CHECK-LABEL: func.func @trig_mod_shift
func.func @trig_mod_shift(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %i: tensor<2x3xi32>, %u: tensor<3xui8>) -> (tensor<2x3xf32>, tensor<2x3xi32>, tensor<3xui8>) {
  // CHECK: graph.tan 
  %t0 = graph.tan %x : tensor<2x3xf32>
  // CHECK: graph.asin 
  %t1 = graph.asin %t0 : tensor<2x3xf32>
  // CHECK: graph.acos 
  %t2 = graph.acos %t1 : tensor<2x3xf32>
  // CHECK: graph.atan 
  %t3 = graph.atan %t2 : tensor<2x3xf32>
  // CHECK: graph.sinh 
  %t4 = graph.sinh %t3 : tensor<2x3xf32>
  // CHECK: graph.cosh 
  %t5 = graph.cosh %t4 : tensor<2x3xf32>
  // CHECK: graph.asinh 
  %t6 = graph.asinh %t5 : tensor<2x3xf32>
  // CHECK: graph.acosh 
  %t7 = graph.acosh %t6 : tensor<2x3xf32>
  // CHECK: graph.atanh 
  %t8 = graph.atanh %t7 : tensor<2x3xf32>
  // CHECK: graph.fmod {{.*}} -> tensor<2x3xf32>
  %fm = graph.fmod %t8, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: graph.mod {{.*}} -> tensor<2x3xi32>
  %m = graph.mod %i, %i : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  // CHECK: graph.shift_left {{.*}} -> tensor<3xui8>
  %sl = graph.shift_left %u, %u : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  // CHECK: graph.shift_right {{.*}} -> tensor<3xui8>
  %sr = graph.shift_right %sl, %u : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xui8>
  return %fm, %m, %sr : tensor<2x3xf32>, tensor<2x3xi32>, tensor<3xui8>
}

// CHECK-LABEL: func.func @remaining_reductions_and_compares
func.func @remaining_reductions_and_compares(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x3xi1>) {
  // CHECK: graph.reduce_min {{.*}} -> tensor<2xf32>
  %0 = graph.reduce_min %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: graph.reduce_prod
  %1 = graph.reduce_prod %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: graph.reduce_sum_square
  %2 = graph.reduce_sum_square %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: graph.reduce_l1
  %3 = graph.reduce_l1 %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: graph.reduce_l2
  %4 = graph.reduce_l2 %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: graph.reduce_log_sum
  %5 = graph.reduce_log_sum %x {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  // CHECK: graph.arg_max {{.*}} -> tensor<2x1xi64>
  %am = graph.arg_max %x {axis = 1 : i64, keepdims = true, select_last_index = false} : (tensor<2x3xf32>) -> tensor<2x1xi64>
  // CHECK: graph.arg_min {{.*}} -> tensor<3xi64>
  %an = graph.arg_min %x {axis = 0 : i64, keepdims = false, select_last_index = true} : (tensor<2x3xf32>) -> tensor<3xi64>
  // CHECK: graph.less_or_equal {{.*}} -> tensor<2x3xi1>
  %6 = graph.less_or_equal %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.greater {{.*}} -> tensor<2x3xi1>
  %7 = graph.greater %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: graph.or
  %8 = graph.or %6, %7 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  return %0, %1, %2, %3, %4, %5, %8 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @int8_and_int4
func.func @int8_and_int4(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-128>>, %w: tensor<2x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>, %b: tensor<2xi32>,
                         %a: tensor<1x4x!quant.uniform<i8:f32, 0.5:0>>, %m: tensor<4x2x!quant.uniform<i8<-127:127>:f32, 0.25>>,
                         %p: tensor<4xi8>, %s: tensor<2x2xf16>) -> (tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:-128>>, tensor<1x2x!quant.uniform<i8:f32, 0.5:0>>, tensor<2x4xf32>) {
  // CHECK: graph.qconv {{.*}} -> tensor<1x2x2x2x!quant.uniform<i8:f32, 2.500000e-01:-128>>
  %0 = graph.qconv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:-128>>, tensor<2x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02}>>, tensor<2xi32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:-128>>
  // CHECK: graph.qmatmul {{.*}} -> tensor<1x2x!quant.uniform<i8:f32, 5.000000e-01>>
  %1 = graph.qmatmul %a, %m {act_min = -128 : i64, act_max = 127 : i64} : (tensor<1x4x!quant.uniform<i8:f32, 0.5:0>>, tensor<4x2x!quant.uniform<i8<-127:127>:f32, 0.25>>) -> tensor<1x2x!quant.uniform<i8:f32, 0.5:0>>
  // CHECK: graph.dequantize_int4 {{.*}} -> tensor<2x4xf32>
  %2 = graph.dequantize_int4 %p, %s {axis = 0 : i64, group_size = 2 : i64} : (tensor<4xi8>, tensor<2x2xf16>) -> tensor<2x4xf32>
  return %0, %1, %2 : tensor<1x2x2x2x!quant.uniform<i8:f32, 0.25:-128>>, tensor<1x2x!quant.uniform<i8:f32, 0.5:0>>, tensor<2x4xf32>
}
