// RUN: edgec-opt --edgec-eliminate-dead-code %s | FileCheck %s

// The dead chain relu -> sigmoid and its constant go; the live conv stays.
// CHECK-LABEL: func.func @dead_chain
// CHECK-NOT: graph.sigmoid
// CHECK-NOT: graph.relu
// CHECK: %[[T:.*]] = graph.tanh %arg0
// CHECK-NEXT: return %[[T]]
func.func @dead_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = graph.constant dense<2.0> : tensor<4xf32>
  %m = graph.relu %c : tensor<4xf32>
  %s = graph.sigmoid %m : tensor<4xf32>
  %t = graph.tanh %x : tensor<4xf32>
  return %t : tensor<4xf32>
}
