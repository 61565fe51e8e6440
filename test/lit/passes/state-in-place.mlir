// RUN: edgec-opt --edgec-state-in-place --split-input-file --verify-diagnostics %s | FileCheck %s

// The state input was updated in its own buffer and copied into the
// out-param at the end: now the function starts by copying it into the
// out-param when the caller passed two buffers, and updates the out-param.
// CHECK-LABEL: func.func @updated
// CHECK: %[[PI:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK: %[[PO:.*]] = memref.extract_aligned_pointer_as_index %arg2
// CHECK: %[[NE:.*]] = arith.cmpi ne, %[[PI]], %[[PO]]
// CHECK: scf.if %[[NE]] {
// CHECK-NEXT: memref.copy %arg1, %arg2
// CHECK: memref.store %{{.*}}, %arg2[%{{.*}}]
// CHECK-NOT: memref.copy
// CHECK: return
func.func @updated(%v: memref<f32>, %s: memref<4xf32> {graph.state_output = 0 : i64}, %out: memref<4xf32>)
    attributes {graph.num_inputs = 2 : i64} {
  %c1 = arith.constant 1 : index
  %x = memref.load %v[] : memref<f32>
  memref.store %x, %s[%c1] : memref<4xf32>
  memref.copy %s, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// The output is written otherwise (the state was copied, not updated in
// place): an error naming the output.
// expected-error @+1 {{output 'next' is not its state input updated in place}}
func.func @copied(%s: memref<4xf32> {graph.state_output = 0 : i64}, %out: memref<4xf32> {graph.name = "next"})
    attributes {graph.num_inputs = 1 : i64} {
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  memref.copy %s, %out : memref<4xf32> to memref<4xf32>
  memref.store %f, %out[%c1] : memref<4xf32>
  return
}
