// RUN: edgec-opt --edgec-chain-state-updates --edgec-eliminate-dead-code --split-input-file %s | FileCheck %s

// Two layers of a stacked cache, each taken by a Gather, updated by a
// ScatterElements and stacked again: the scatters read their slices from a
// chain of update_slice rooted at the state input, the result is the chain's
// end, and only the state input is writable for bufferisation.
// CHECK-LABEL: func.func @stacked
// CHECK-SAME: %arg0: tensor<1x1x3xf32> {bufferization.writable = false}
// CHECK-SAME: %arg2: tensor<2x4x3xf32> {bufferization.writable = true, graph.state_output = 1 : i64}
// CHECK-SAME: graph.num_inputs = 3
// CHECK: %[[S0:.*]] = graph.gather %arg2, %{{.*}} {axis = 0 : i64}
// CHECK: %[[U0:.*]] = graph.scatter_elements %[[S0]]
// CHECK: %[[E0:.*]] = graph.unsqueeze %[[U0]]
// CHECK: %[[X1:.*]] = graph.update_slice %arg2, %[[E0]] {offsets = array<i64: 0, 0, 0>}
// CHECK: %[[S1:.*]] = graph.gather %[[X1]], %{{.*}} {axis = 0 : i64}
// CHECK: %[[U1:.*]] = graph.scatter_elements %[[S1]]
// CHECK: %[[E1:.*]] = graph.unsqueeze %[[U1]]
// CHECK: %[[X2:.*]] = graph.update_slice %[[X1]], %[[E1]] {offsets = array<i64: 1, 0, 0>}
// CHECK-NOT: graph.concat
// CHECK: return %{{.*}}, %[[X2]]
func.func @stacked(%x: tensor<1x1x3xf32>, %idx: tensor<1x1x3xi64>,
                   %cache: tensor<2x4x3xf32> {graph.state_output = 1 : i64}) -> (tensor<4x3xf32>, tensor<2x4x3xf32>) {
  %l0 = graph.constant dense<0> : tensor<i64>
  %l1 = graph.constant dense<1> : tensor<i64>
  %s0 = graph.gather %cache, %l0 {axis = 0 : i64} : (tensor<2x4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %i2 = graph.reshape %idx {shape = array<i64: 1, 3>} : (tensor<1x1x3xi64>) -> tensor<1x3xi64>
  %x2 = graph.reshape %x {shape = array<i64: 1, 3>} : (tensor<1x1x3xf32>) -> tensor<1x3xf32>
  %u0 = graph.scatter_elements %s0, %i2, %x2 {axis = 0 : i64, reduction = "none"} : (tensor<4x3xf32>, tensor<1x3xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %s1 = graph.gather %cache, %l1 {axis = 0 : i64} : (tensor<2x4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %u1 = graph.scatter_elements %s1, %i2, %x2 {axis = 0 : i64, reduction = "none"} : (tensor<4x3xf32>, tensor<1x3xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %e0 = graph.unsqueeze %u0 {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %e1 = graph.unsqueeze %u1 {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %out = graph.concat %e0, %e1 {axis = 0 : i64} : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<2x4x3xf32>
  return %u0, %out : tensor<4x3xf32>, tensor<2x4x3xf32>
}

// -----

// The layers stacked out of order (layer 1's slice first) are not a chain
// of the input: left as they are.
// CHECK-LABEL: func.func @out_of_order
// CHECK: graph.concat
// CHECK-NOT: graph.update_slice
func.func @out_of_order(%u: tensor<1x3xf32>, %idx: tensor<1x3xi64>,
                        %cache: tensor<2x4x3xf32> {graph.state_output = 0 : i64}) -> tensor<2x4x3xf32> {
  %l0 = graph.constant dense<0> : tensor<i64>
  %l1 = graph.constant dense<1> : tensor<i64>
  %s0 = graph.gather %cache, %l1 {axis = 0 : i64} : (tensor<2x4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %u0 = graph.scatter_elements %s0, %idx, %u {axis = 0 : i64, reduction = "none"} : (tensor<4x3xf32>, tensor<1x3xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %s1 = graph.gather %cache, %l0 {axis = 0 : i64} : (tensor<2x4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %u1 = graph.scatter_elements %s1, %idx, %u {axis = 0 : i64, reduction = "none"} : (tensor<4x3xf32>, tensor<1x3xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %e0 = graph.unsqueeze %u0 {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %e1 = graph.unsqueeze %u1 {axes = array<i64: 0>} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %out = graph.concat %e0, %e1 {axis = 0 : i64} : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<2x4x3xf32>
  return %out : tensor<2x4x3xf32>
}

// -----

// As edgec-torch imports cache[k]: a unit-step slice, then a reshape that
// drops the layer dim; both are taken from the chain.
// CHECK-LABEL: func.func @sliced
// CHECK: %[[T0:.*]] = graph.slice %arg1 {ends = array<i64: 1, 4, 3>, starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>}
// CHECK: %[[R0:.*]] = graph.reshape %[[T0]]
// CHECK: graph.scatter_elements %[[R0]]
// CHECK: %[[X1:.*]] = graph.update_slice %arg1
// CHECK: %[[T1:.*]] = graph.slice %[[X1]] {ends = array<i64: 2, 4, 3>, starts = array<i64: 1, 0, 0>, steps = array<i64: 1, 1, 1>}
// CHECK: %[[R1:.*]] = graph.reshape %[[T1]]
// CHECK: graph.scatter_elements %[[R1]]
// CHECK: %[[X2:.*]] = graph.update_slice %[[X1]]
// CHECK: return %[[X2]]
func.func @sliced(%u: tensor<1x3xf32>, %cache: tensor<2x4x3xf32> {graph.state_output = 0 : i64}) -> tensor<2x4x3xf32> {
  %idx = graph.constant dense<[[3, 2, 1]]> : tensor<1x3xi64>
  %t0 = graph.slice %cache {ends = array<i64: 1, 4, 3>, starts = array<i64: 0, 0, 0>, steps = array<i64: 1, 1, 1>} : (tensor<2x4x3xf32>) -> tensor<1x4x3xf32>
  %r0 = graph.reshape %t0 {shape = array<i64: 4, 3>} : (tensor<1x4x3xf32>) -> tensor<4x3xf32>
  %u0 = graph.scatter_elements %r0, %idx, %u {axis = 0 : i64, reduction = "none"} : (tensor<4x3xf32>, tensor<1x3xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %t1 = graph.slice %cache {ends = array<i64: 2, 4, 3>, starts = array<i64: 1, 0, 0>, steps = array<i64: 1, 1, 1>} : (tensor<2x4x3xf32>) -> tensor<1x4x3xf32>
  %r1 = graph.reshape %t1 {shape = array<i64: 4, 3>} : (tensor<1x4x3xf32>) -> tensor<4x3xf32>
  %u1 = graph.scatter_elements %r1, %idx, %u {axis = 0 : i64, reduction = "none"} : (tensor<4x3xf32>, tensor<1x3xi64>, tensor<1x3xf32>) -> tensor<4x3xf32>
  %e0 = graph.reshape %u0 {shape = array<i64: 1, 4, 3>} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %e1 = graph.reshape %u1 {shape = array<i64: 1, 4, 3>} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %out = graph.concat %e0, %e1 {axis = 0 : i64} : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<2x4x3xf32>
  return %out : tensor<2x4x3xf32>
}
