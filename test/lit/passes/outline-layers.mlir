// RUN: edgec-opt --edgec-outline-layers --split-input-file %s | FileCheck %s

// Each node's loops become a function named after the node, internal and
// never inlined; its arguments are the contiguous buffers the loops read
// and write. conv2 has conv1's shapes with another weight and other arena
// bytes, so it calls conv1's function.
// CHECK-LABEL: func.func private @m_run_conv1(%arg0: memref<8xf32>, %arg1: memref<8xf32>, %arg2: memref<8xf32>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK: scf.for
// CHECK: memref.load %arg0
// CHECK: memref.load %arg1
// CHECK: memref.store %{{.*}}, %arg2
// CHECK-NOT: func.func private @m_run_conv2
//
// The two loops of "tail" go into one function; the strided view is
// recomputed inside from the contiguous buffer.
// CHECK-LABEL: func.func private @m_run_tail(%arg0: memref<8xf32>, %arg1: memref<8xf32>)
// CHECK: memref.subview %arg0[4] [4] [1]
// CHECK-COUNT-2: scf.for
// CHECK: return
//
// A reduction's result comes back from the call.
// CHECK-LABEL: func.func private @m_run_sum(%arg0: memref<8xf32>) -> f32
// CHECK: %[[S:.*]] = scf.for
// CHECK: return %[[S]] : f32
//
// CHECK-LABEL: func.func @m_run(
// CHECK-SAME: %[[IN:[^:]*]]: memref<8xf32>, %[[OUT:[^:]*]]: memref<8xf32>, %[[ARENA:[^:]*]]: memref<64xi8>)
// CHECK-DAG: %[[W0:.*]] = memref.get_global @w0
// CHECK-DAG: %[[W1:.*]] = memref.get_global @w1
// CHECK: %[[A:.*]] = memref.view %[[ARENA]]
// CHECK: call @m_run_conv1(%[[IN]], %[[W0]], %[[A]])
// CHECK: %[[B:.*]] = memref.view %[[ARENA]]
// CHECK: call @m_run_conv1(%[[A]], %[[W1]], %[[B]])
// CHECK-NOT: memref.subview
// CHECK: call @m_run_tail(%[[B]], %[[OUT]])
// CHECK: %[[SUM:.*]] = call @m_run_sum(%[[B]])
// CHECK: memref.store %[[SUM]], %[[OUT]]
// CHECK: return
func.func @m_run(%in: memref<8xf32>, %out: memref<8xf32>, %arena: memref<64xi8>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  %w0 = memref.get_global @w0 : memref<8xf32>
  %w1 = memref.get_global @w1 : memref<8xf32>
  %a = memref.view %arena[%c0][] : memref<64xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %in[%i] : memref<8xf32>
    %w = memref.load %w0[%i] : memref<8xf32>
    %y = arith.mulf %x, %w : f32
    memref.store %y, %a[%i] : memref<8xf32>
  } loc("conv1")
  %b = memref.view %arena[%c32][] : memref<64xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %a[%i] : memref<8xf32>
    %w = memref.load %w1[%i] : memref<8xf32>
    %y = arith.mulf %x, %w : f32
    memref.store %y, %b[%i] : memref<8xf32>
  } loc("conv2")
  %sub = memref.subview %b[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %sub[%i] : memref<4xf32, strided<[1], offset: 4>>
    memref.store %x, %out[%i] : memref<8xf32>
  } loc("tail")
  scf.for %i = %c4 to %c8 step %c1 {
    %x = memref.load %b[%i] : memref<8xf32>
    memref.store %x, %out[%i] : memref<8xf32>
  } loc("tail")
  %sum = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %b[%i] : memref<8xf32>
    %s = arith.addf %acc, %x : f32
    scf.yield %s : f32
  } loc("sum")
  memref.store %sum, %out[%c0] : memref<8xf32>
  %ok = arith.constant 0 : i32
  return %ok : i32
}
memref.global "private" constant @w0 : memref<8xf32> = dense<1.0>
memref.global "private" constant @w1 : memref<8xf32> = dense<2.0>

// -----

// Loops of one node that a store separates stay apart (the store must
// happen between them); a second function of the node's name is renamed.
// Loops without node names (here: locations in this file) are one layer
// each, numbered.
// CHECK-LABEL: func.func private @n_run_relu(
// CHECK-COUNT-1: scf.for
// CHECK-NOT: scf.for
// CHECK: return
// CHECK-LABEL: func.func private @n_run_relu_0(
// CHECK-LABEL: func.func private @n_run_layer2(
// CHECK-LABEL: func.func @n_run(
// CHECK: call @n_run_relu(
// CHECK: memref.store
// CHECK: call @n_run_relu_0(
// CHECK: call @n_run_layer2(
func.func @n_run(%io: memref<4xf32>, %arena: memref<16xi8>) -> i32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %one = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %io[%i] : memref<4xf32>
    %y = arith.maximumf %x, %one : f32
    memref.store %y, %io[%i] : memref<4xf32>
  } loc("relu")
  memref.store %one, %io[%c0] : memref<4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %io[%i] : memref<4xf32>
    %y = arith.addf %x, %one : f32
    memref.store %y, %io[%i] : memref<4xf32>
  } loc("relu")
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %io[%i] : memref<4xf32>
    %y = arith.mulf %x, %one : f32
    memref.store %y, %io[%i] : memref<4xf32>
  }
  %ok = arith.constant 0 : i32
  return %ok : i32
}

// -----

// An scf.if that yields a buffer stays in the entry: a memref result of a
// bare-pointer call would come back as the arena's base pointer, not the
// view at offset 32. The loop after it is outlined as usual.
// CHECK-LABEL: func.func private @m_run_after(%arg0: memref<8xf32>, %arg1: memref<8xf32>)
// CHECK-NOT: func.func private @m_run_branch
// CHECK-LABEL: func.func @m_run(
// CHECK: %[[R:.*]] = scf.if %{{.*}} -> (memref<8xf32>) {
// CHECK: memref.view %{{.*}}[%c32]
// CHECK: scf.for
// CHECK: call @m_run_after(%[[R]], %{{.*}})
#branch = loc("branch")
#after = loc("after")
func.func @m_run(%c: i1, %in: memref<8xf32>, %out: memref<8xf32>, %arena: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %r = scf.if %c -> memref<8xf32> {
    scf.yield %in : memref<8xf32>
  } else {
    %v = memref.view %arena[%c32][] : memref<64xi8> to memref<8xf32>
    scf.for %i = %c0 to %c8 step %c1 {
      %x = memref.load %in[%i] : memref<8xf32>
      %y = arith.negf %x : f32
      memref.store %y, %v[%i] : memref<8xf32>
    }
    scf.yield %v : memref<8xf32>
  } loc(#branch)
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %r[%i] : memref<8xf32>
    memref.store %x, %out[%i] : memref<8xf32>
  } loc(#after)
  return
}
