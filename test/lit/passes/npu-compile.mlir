// RUN: edgec-opt --edgec-npu-compile --split-input-file --verify-diagnostics %s | FileCheck %s
// RUN: printf 'sram_bytes = 256 # too small for a 4x4x32 map\n' > %t.cfg
// RUN: not edgec-opt --edgec-npu-compile=config=%t.cfg --split-input-file %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMALL

!in = tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>
!mid = tensor<1x32x4x4x!quant.uniform<i8:f32, 0.25:1>>
!w = tensor<32x2x3x3x!quant.uniform<i8<-127:127>:f32, 0.01>>

// The subgraph becomes a submit of the stream and the constants; the CPU
// moves the map to NHWC before and back after, as stored int8.
// CHECK-LABEL: func.func @conv
// CHECK: %[[S:.*]] = quant.scast %arg0 : tensor<1x2x4x4x!quant{{.*}}> to tensor<1x2x4x4xi8>
// CHECK: %[[T:.*]] = graph.transpose %[[S]] {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x4x4xi8>) -> tensor<1x4x4x2xi8>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4x4x32xi8>
// CHECK: %[[STREAM:.*]] = graph.constant dense_resource<npu_stream> : tensor<{{[0-9]+}}xi32>
// CHECK: %[[CONSTS:.*]] = graph.constant dense_resource<npu_constants> : tensor<{{[0-9]+}}xi8>
// CHECK: %[[R:.*]] = npu.submit %[[STREAM]], %[[CONSTS]] ins(%[[T]] : tensor<1x4x4x2xi8>) outs(%[[E]] : tensor<1x4x4x32xi8>)
// CHECK-SAME: npu.layers = ["conv1"], npu.macs = 9216 : i64
// CHECK: %[[B:.*]] = graph.transpose %[[R]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: %[[Q:.*]] = quant.scast %[[B]] : tensor<1x32x4x4xi8> to tensor<1x32x4x4x!quant
// CHECK: return %[[Q]]
// CHECK-NOT: npu.subgraph
func.func @conv(%x: !in) -> !mid {
  %r = npu.subgraph(%x) : (!in) -> !mid {
  ^bb0(%a: !in):
    %w8 = graph.constant dense<3> : tensor<32x2x3x3xi8>
    %w = quant.scast %w8 : tensor<32x2x3x3xi8> to !w
    %y = graph.qconv %a, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64, act_min = -128 : i64, act_max = 127 : i64} : (!in, !w) -> !mid loc("conv1")
    npu.yield %y : !mid
  }
  return %r : !mid
}

// SMALL: error: edgec-npu-compile: the NPU's maps do not fit its 256 B of SRAM, even through DRAM in row bands
