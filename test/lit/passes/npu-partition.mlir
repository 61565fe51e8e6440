// RUN: edgec-opt --edgec-npu-partition="min-macs=0" --split-input-file %s | FileCheck %s
// RUN: edgec-opt --edgec-npu-partition --split-input-file %s | FileCheck %s --check-prefix=SMALL

!in = tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>
!mid = tensor<1x4x4x4x!quant.uniform<i8:f32, 0.25:1>>
!w = tensor<4x2x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.03, 0.04}>>
!dw = tensor<4x1x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.03, 0.04}>>

// A conv, a depthwise conv and the residual add of both
// (dequantize-add-relu-quantize) are one subgraph: the constants are cloned
// in, the add unit's float ops go with it. The dequantize the CPU also reads
// (the returned float) stays outside and reads the subgraph's result.
// CHECK-LABEL: func.func @residual
// CHECK: %[[R:.*]]:2 = npu.subgraph(%arg0)
// CHECK: ^bb0(%[[X:.*]]: tensor<1x2x4x4x
// CHECK: graph.qconv %[[X]]
// CHECK: graph.qconv {{.*}}group = 4
// CHECK: graph.dequantize
// CHECK: graph.dequantize
// CHECK: graph.add
// CHECK: graph.relu
// CHECK: graph.quantize
// CHECK: npu.yield
// CHECK: graph.dequantize %[[R]]#0
// CHECK-NOT: graph.qconv
// CHECK: return
// SMALL-LABEL: func.func @residual
// SMALL-NOT: npu.subgraph
func.func @residual(%x: !in) -> (!mid, tensor<1x4x4x4xf32>) {
  %w8 = graph.constant dense<1> : tensor<4x2x3x3xi8>
  %w = quant.scast %w8 : tensor<4x2x3x3xi8> to !w
  %a = graph.qconv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (!in, !w) -> !mid
  %dw8 = graph.constant dense<2> : tensor<4x1x3x3xi8>
  %dw = quant.scast %dw8 : tensor<4x1x3x3xi8> to !dw
  %b = graph.qconv %a, %dw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 4 : i64, act_min = -128 : i64, act_max = 127 : i64} : (!mid, !dw) -> !mid
  %fa = graph.dequantize %a : (!mid) -> tensor<1x4x4x4xf32>
  %fb = graph.dequantize %b : (!mid) -> tensor<1x4x4x4xf32>
  %s = graph.add %fa, %fb : (tensor<1x4x4x4xf32>, tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %r = graph.relu %s : tensor<1x4x4x4xf32>
  %q = graph.quantize %r : (tensor<1x4x4x4xf32>) -> !mid
  return %q, %fa : !mid, tensor<1x4x4x4xf32>
}

// -----

!in = tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>
!mid = tensor<1x4x4x4x!quant.uniform<i8:f32, 0.25:1>>
!w = tensor<4x2x3x3x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.03, 0.04}>>
!w2 = tensor<4x4x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.01, 0.02, 0.03, 0.04}>>

// A float op the NPU does not run (sigmoid) splits the work in two
// subgraphs, with the CPU between them.
// CHECK-LABEL: func.func @split
// CHECK: npu.subgraph
// CHECK: graph.sigmoid
// CHECK: npu.subgraph
func.func @split(%x: !in) -> !mid {
  %w8 = graph.constant dense<1> : tensor<4x2x3x3xi8>
  %w = quant.scast %w8 : tensor<4x2x3x3xi8> to !w
  %a = graph.qconv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (!in, !w) -> !mid
  %f = graph.dequantize %a : (!mid) -> tensor<1x4x4x4xf32>
  %s = graph.sigmoid %f : tensor<1x4x4x4xf32>
  %q = graph.quantize %s : (tensor<1x4x4x4xf32>) -> !mid
  %v8 = graph.constant dense<1> : tensor<4x4x1x1xi8>
  %v = quant.scast %v8 : tensor<4x4x1x1xi8> to !w2
  %b = graph.qconv %q, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (!mid, !w2) -> !mid
  return %b : !mid
}

// -----

// Float convs stay on the CPU: the NPU runs int8 only.
// CHECK-LABEL: func.func @float
// CHECK-NOT: npu.subgraph
func.func @float(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x3x3xf32>) -> tensor<1x2x4x4xf32> {
  %y = graph.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1} : (tensor<1x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
