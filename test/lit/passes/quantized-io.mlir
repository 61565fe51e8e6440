// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-quantized-io))' %s | FileCheck %s

!q = !quant.uniform<i8:f32, 0.5:-128>
!p = !quant.uniform<i8:f32, 0.25:3>

// The input's quantize and the output's dequantize go: the caller passes
// and gets the stored integers.
// CHECK-LABEL: func.func @main(%arg0: tensor<4x!quant.uniform<i8:f32, 5.000000e-01:-128>>) -> tensor<4x!quant.uniform<i8:f32, 2.500000e-01:3>>
// CHECK: %[[D:.*]] = graph.dequantize %arg0
// CHECK: %[[R:.*]] = graph.quantize %[[D]]
// CHECK-NEXT: return %[[R]]
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = graph.quantize %x : (tensor<4xf32>) -> tensor<4x!q>
  %d0 = graph.dequantize %q : (tensor<4x!q>) -> tensor<4xf32>
  %r = graph.quantize %d0 : (tensor<4xf32>) -> tensor<4x!p>
  %d = graph.dequantize %r : (tensor<4x!p>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}
