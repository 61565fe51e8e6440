// RUN: edgec-opt --edgec-convert-graph-to-linalg="panel-lanes=2 panel-width=4" --split-input-file %s | FileCheck %s

// Weights in panels of output channels: w[o][i] = 10 o + i with 6 output
// channels in panels of 2 (the widest multiple of 2 up to 4 that divides
// 6), [C_out/2, C_in, kh, kw, 2]; read at (oc floordiv 2, ..., oc mod 2).
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1 floordiv 2, d4, d5, d6, d1 mod 2)>
// CHECK-LABEL: func.func @panels
// CHECK: %[[PANELS:.*]] = arith.constant dense<{{\[}}{{\[}}{{\[}}{{\[}}[0.000000e+00, 1.000000e+01]]], {{\[}}{{\[}}[1.000000e+00, 1.100000e+01]]]], {{\[}}{{\[}}{{\[}}[2.000000e+01, 3.000000e+01]]], {{\[}}{{\[}}[2.100000e+01, 3.100000e+01]]]], {{\[}}{{\[}}{{\[}}[4.000000e+01, 5.000000e+01]]], {{\[}}{{\[}}[4.100000e+01, 5.100000e+01]]]]]> : tensor<3x2x1x1x2xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[W]], #{{.*}}], {{.*}} ins(%{{.*}}, %[[PANELS]] :
func.func @panels(%x: tensor<1x2x3x3xf32>) -> tensor<1x6x5x5xf32> {
  %w = graph.constant dense<[[[[0.0]], [[1.0]]], [[[10.0]], [[11.0]]], [[[20.0]], [[21.0]]], [[[30.0]], [[31.0]]], [[[40.0]], [[41.0]]], [[[50.0]], [[51.0]]]]> : tensor<6x2x1x1xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x2x3x3xf32>, tensor<6x2x1x1xf32>) -> tensor<1x6x5x5xf32>
  return %0 : tensor<1x6x5x5xf32>
}

// -----

// A pointwise conv over the flattened image: panels [C_out/4, C_in, 1, 4].
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1 floordiv 4, d3, d4, d1 mod 4)>
// CHECK-LABEL: func.func @pointwise_panels
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[W]], #{{.*}}], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x4xf32>, tensor<2x2x1x4xf32>)
func.func @pointwise_panels(%x: tensor<1x2x2x2xf32>) -> tensor<1x8x2x2xf32> {
  %w = graph.constant dense<1.0> : tensor<8x2x1x1xf32>
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x2x2x2xf32>, tensor<8x2x1x1xf32>) -> tensor<1x8x2x2xf32>
  return %0 : tensor<1x8x2x2xf32>
}

// -----

// No panels: output channels no multiple of the lanes (3), as few as one
// block (4), or groups; the weight is [C_in/group, kh, kw, C_out].
// CHECK-LABEL: func.func @no_panels
// CHECK: tensor<1x1x1x3xf32>
// CHECK: tensor<1x1x1x4xf32>
// CHECK: tensor<1x1x1x8xf32>
func.func @no_panels(%x: tensor<1x1x2x2xf32>, %x8: tensor<1x8x2x2xf32>) -> (tensor<1x3x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x8x2x2xf32>) {
  %w3 = graph.constant dense<1.0> : tensor<3x1x1x1xf32>
  %w4 = graph.constant dense<1.0> : tensor<4x1x1x1xf32>
  %w8 = graph.constant dense<1.0> : tensor<8x1x1x1xf32>
  %0 = graph.conv %x, %w3 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x2x2xf32>, tensor<3x1x1x1xf32>) -> tensor<1x3x2x2xf32>
  %1 = graph.conv %x, %w4 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %2 = graph.conv %x8, %w8 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 8} : (tensor<1x8x2x2xf32>, tensor<8x1x1x1xf32>) -> tensor<1x8x2x2xf32>
  return %0, %1, %2 : tensor<1x3x2x2xf32>, tensor<1x4x2x2xf32>, tensor<1x8x2x2xf32>
}
