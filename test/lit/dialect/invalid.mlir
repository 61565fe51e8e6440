// RUN: edgec-opt %s --split-input-file --verify-diagnostics

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{shapes 2x3 and 4 do not broadcast (dim 1: 3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @wrong_result(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{conv channels do not match: input has 3, weight expects 2 x group 1 (4 filters)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{expected 2 strides, 2 dilations and 4 pads for 2 spatial dims, got 2, 2 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) -> tensor<7xf32> {
  // expected-error @+2 {{cannot reshape 2x3 (6 elements) to 7}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.reshape %x {shape = array<i64: 7>} : (tensor<2x3xf32>) -> tensor<7xf32>
  return %0 : tensor<7xf32>
}

// -----

func.func @squeeze_non_unit(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+2 {{cannot squeeze dim 0 of size 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.squeeze %x {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{perm is not a permutation of 2 dims}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.reduce_mean %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gemm_k(%a: tensor<4x5xf32>, %b: tensor<6x5xf32>) -> tensor<4x6xf32> {
  // expected-error @+2 {{gemm contraction dims differ: 5 vs 6}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gemm %a, %b {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = false} : (tensor<4x5xf32>, tensor<6x5xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

func.func @lstm_w(%x: tensor<5x1x8xf32>, %w: tensor<1x64x9xf32>, %r: tensor<1x64x16xf32>) -> tensor<5x1x1x16xf32> {
  // expected-error @+2 {{LSTM W must be 1x64x8, got 1x64x9}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %h, %c = graph.lstm %x, %w, %r {hidden_size = 16 : i64, direction = "forward"} : (tensor<5x1x8xf32>, tensor<1x64x9xf32>, tensor<1x64x16xf32>) -> (tensor<5x1x1x16xf32>, tensor<1x1x16xf32>, tensor<1x1x16xf32>)
  return %y : tensor<5x1x1x16xf32>
}

// -----

func.func @constant_type() -> tensor<3xf32> {
  // expected-error @+1 {{'graph.constant' op failed to verify that all of {value, output} have same type}}
  %0 = "graph.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @if_branch_types(%c: tensor<i1>, %x: tensor<4xf32>, %y: tensor<5xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.if' op branch yields 'tensor<5xf32>' but the op returns 'tensor<4xf32>'}}
  %r = graph.if %c : tensor<i1> -> tensor<4xf32> {
    graph.yield %x : tensor<4xf32>
  } else {
    graph.yield %y : tensor<5xf32>
  }
  return %r : tensor<4xf32>
}

// -----

func.func @quantize_not_quant(%x: tensor<2xf32>) -> tensor<2xi8> {
  // expected-error @+1 {{'graph.quantize' op result must hold !quant types, got 'tensor<2xi8>'}}
  %q = graph.quantize %x : (tensor<2xf32>) -> tensor<2xi8>
  return %q : tensor<2xi8>
}

// -----

func.func @quantize_axis(%x: tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>> {
  // expected-error @+1 {{'graph.quantize' op per-axis scales (2) do not match dim 1 of 'tensor<2x3xf32>'}}
  %q = graph.quantize %x : (tensor<2x3xf32>) -> tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return %q : tensor<2x3x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'graph.softmax' op axis 2 out of range for rank 2}}
  %0 = graph.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Window arithmetic is overflow-checked: these attributes come from models.
func.func @conv_window_overflow(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  // expected-error @+2 {{spatial dim 0: the window (dilation 4611686018427387904, kernel 3) or the pads (0+0) are too large}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 4611686018427387904, 1>, group = 1} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

func.func @pool_pads_overflow(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  // expected-error @+2 {{spatial dim 0: the window (dilation 1, kernel 3) or the pads (9223372036854775807+1) are too large}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 9223372036854775807, 0, 1, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

func.func @pad_overflow(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{pads of dim 1 (1+9223372036854775807) are too large}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.pad %x {pads = array<i64: 0, 1, 0, 9223372036854775807>, mode = "constant", value = 0.0 : f32} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gather_elements_rank(%x: tensor<2x3xf32>, %i: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+2 {{gather_elements indices have rank 1, the input 2 (they must be equal)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gather_elements_off_axis(%x: tensor<2x3xf32>, %i: tensor<2x4xi64>) -> tensor<2x4xf32> {
  // expected-error @+2 {{gather_elements indices dim 1 (4) exceeds the input's (3)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gather_elements %x, %i {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xi64>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @scatter_nd_updates(%x: tensor<4x5xf32>, %i: tensor<3x1xi64>, %u: tensor<3x4xf32>) -> tensor<4x5xf32> {
  // expected-error @+2 {{scatter_nd updates must be indices.shape[:-1] + input.shape[k:] of the input's type}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.scatter_nd %x, %i, %u {reduction = "none"} : (tensor<4x5xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}

// -----

func.func @scatter_reduction(%x: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{unknown scatter reduction 'sum'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.scatter_elements %x, %i, %u {axis = 0 : i64, reduction = "sum"} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gather_empty_dim(%x: tensor<0x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  // expected-error @+2 {{gather indexes a dim of size 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.gather %x, %i {axis = 0 : i64} : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @grid_sample_grid_shape(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x6x3xf32>) {
  // expected-error @+2 {{grid_sample needs input [N, C, H, W] and grid [N, Ho, Wo, 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = graph.grid_sample %x, %g {align_corners = false, mode = "bilinear", padding_mode = "zeros"} : (tensor<1x2x4x5xf32>, tensor<1x3x6x3xf32>) -> tensor<1x2x3x6xf32>
  return
}

// -----

func.func @grid_sample_mode(%x: tensor<1x2x4x5xf32>, %g: tensor<1x3x6x2xf32>) {
  // expected-error @+2 {{grid_sample padding_mode 'wrap' is not zeros, border or reflection}}
  // expected-error @+1 {{failed to infer returned types}}
  %y = graph.grid_sample %x, %g {align_corners = false, mode = "bilinear", padding_mode = "wrap"} : (tensor<1x2x4x5xf32>, tensor<1x3x6x2xf32>) -> tensor<1x2x3x6xf32>
  return
}

// -----

func.func @nms_boxes(%b: tensor<1x6x3xf32>, %s: tensor<1x2x6xf32>, %k: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+2 {{non_max_suppression needs boxes [B, N, 4] and scores [B, C, N]}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %n = graph.non_max_suppression %b, %s, %k, %t, %t {center_point_box = false, has_score_threshold = false, rows_per_class = 3 : i64} : (tensor<1x6x3xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<6x3xi64>, tensor<i64>)
  return
}

// -----

func.func @nms_rows(%b: tensor<1x6x4xf32>, %s: tensor<1x2x6xf32>, %k: tensor<i64>, %t: tensor<f32>) {
  // expected-error @+2 {{non_max_suppression rows_per_class 7 is not in 0..6}}
  // expected-error @+1 {{failed to infer returned types}}
  %y, %n = graph.non_max_suppression %b, %s, %k, %t, %t {center_point_box = false, has_score_threshold = false, rows_per_class = 7 : i64} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> (tensor<14x3xi64>, tensor<i64>)
  return
}

// -----

func.func @compact_rank(%m: tensor<2x3xi1>) {
  // expected-error @+2 {{compact_indices takes a 1-D mask}}
  // expected-error @+1 {{failed to infer returned types}}
  %o, %n = graph.compact_indices %m : (tensor<2x3xi1>) -> (tensor<6xi64>, tensor<i64>)
  return
}

// -----

func.func @update_slice_outside(%d: tensor<2x3xf32>, %s: tensor<1x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{update_slice: the source does not fit in the dest at offset 2 of dim 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = graph.update_slice %d, %s {offsets = array<i64: 2, 0>} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
