// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-insert-qdq))' %s | FileCheck %s
// RUN: edgec-opt --pass-pipeline='builtin.module(func.func(edgec-insert-qdq{per-channel=false}))' %s | FileCheck %s --check-prefix=TENSOR

// Input range [0, 1]: 255 steps of 1/255 from -128. The relu output [0, 2.55]:
// steps of 0.01. Weights 1.27 and -0.5 per channel: scales 1.27/127 = 0.01
// and 0.5/127; per tensor one scale, 0.01 (-0.5 becomes -50).
// CHECK-LABEL: func.func @conv_relu
// CHECK: %[[Q:.*]] = graph.quantize %arg0 : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.0039215686274509803:-128>>
// CHECK: %[[X:.*]] = graph.dequantize %[[Q]]
// CHECK: %[[W8:.*]] = graph.constant dense<[{{\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK: %[[WQ:.*]] = quant.scast %[[W8]] : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.0099{{[0-9]*}},0.003937007874015748}>>
// CHECK: %[[W:.*]] = graph.dequantize %[[WQ]]
// CHECK: %[[C:.*]] = graph.conv %[[X]], %[[W]], %{{.*}}
// CHECK: %[[R:.*]] = graph.relu %[[C]]
// CHECK: %[[RQ:.*]] = graph.quantize %[[R]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0099{{[0-9]*}}:-128>>
// CHECK: %[[RD:.*]] = graph.dequantize %[[RQ]]
// CHECK: %[[T:.*]] = graph.tanh %[[RD]]
// CHECK: return %[[T]]
// TENSOR-LABEL: func.func @conv_relu
// TENSOR: graph.constant dense<[{{\[\[\[}}127]]], {{\[\[\[}}-50]]]]> : tensor<2x1x1x1xi8>
// TENSOR: quant.scast {{.*}} to tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.0099{{[0-9]*}}>>
func.func @conv_relu(%x: tensor<1x1x4x4xf32> {edgec.range = array<f32: 0.0, 1.0>}) -> tensor<1x2x4x4xf32> {
  %w = graph.constant dense<[[[[1.27]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>
  %b = graph.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %c = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64} : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = graph.relu %c {edgec.range = array<f32: 0.0, 2.55>} : tensor<1x2x4x4xf32>
  %t = graph.tanh %r : tensor<1x2x4x4xf32>
  return %t : tensor<1x2x4x4xf32>
}

// A value that only went through a layout op keeps its source's type, so
// the pairs around the op meet; a kernel without a calibrated output
// stays float.
// CHECK-LABEL: func.func @pool_between
// CHECK: graph.gemm
// CHECK: %[[Q1:.*]] = graph.quantize %{{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.0099{{[0-9]*}}:-128>>
// CHECK: %[[D1:.*]] = graph.dequantize %[[Q1]]
// CHECK: %[[P:.*]] = graph.reshape %[[D1]]
// CHECK: %[[Q2:.*]] = graph.quantize %[[P]] {{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 0.0099{{[0-9]*}}:-128>>
// CHECK: graph.dequantize %[[Q2]]
// CHECK: graph.gemm
// CHECK: graph.quantize {{.*}}0.0199{{[0-9]*}}:-128>>
// CHECK-NOT: graph.quantize
// CHECK: graph.matmul
func.func @pool_between(%x: tensor<1x4xf32> {edgec.range = array<f32: -1.0, 1.0>}) -> tensor<1x4xf32> {
  %w = graph.constant dense<0.5> : tensor<4x4xf32>
  %g = graph.gemm %x, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %r = graph.relu %g {edgec.range = array<f32: 0.0, 2.55>} : tensor<1x4xf32>
  %p = graph.reshape %r {shape = array<i64: 1, 4>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %g2 = graph.gemm %p, %w {alpha = 1.0 : f32, beta = 1.0 : f32, trans_a = false, trans_b = true, edgec.range = array<f32: 0.0, 5.1>} : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %m = graph.matmul %g2, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  return %m : tensor<1x4xf32>
}
