// RUN: edgec-opt --edgec-lower-npu-submit --split-input-file --verify-diagnostics %s | FileCheck %s

// A submit on buffers becomes a driver call with the buffers' addresses and
// sizes in stack arrays (constants first, then inputs, then outputs); the
// entry returns the first failure's status.
// CHECK-LABEL: func.func @model_run
// CHECK: %[[STATUS:.*]] = memref.alloca() : memref<i32>
// CHECK: memref.store %{{.*}}, %[[STATUS]][] : memref<i32>
// CHECK: %[[PTRS:.*]] = memref.alloca() : memref<3xindex>
// CHECK: %[[SIZES:.*]] = memref.alloca() : memref<3xi32>
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: %[[C960:.*]] = arith.constant 960 : i32
// CHECK: memref.store %[[C960]], %[[SIZES]]
// CHECK: %[[C32:.*]] = arith.constant 32 : i32
// CHECK: memref.store %[[C32]], %[[SIZES]]
// CHECK: %[[C512:.*]] = arith.constant 512 : i32
// CHECK: memref.store %[[C512]], %[[SIZES]]
// CHECK: %[[RC:.*]] = call @edgec_npu_submit(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<1xi32>, i32, memref<1xindex>, memref<1xi32>, i32) -> i32
// CHECK: %[[OLD:.*]] = memref.load %[[STATUS]][]
// CHECK: %[[OK:.*]] = arith.cmpi eq, %[[OLD]]
// CHECK: %[[NEW:.*]] = arith.select %[[OK]], %[[RC]], %[[OLD]]
// CHECK: memref.store %[[NEW]], %[[STATUS]][]
// CHECK: %[[RET:.*]] = memref.load %[[STATUS]][]
// CHECK: return %[[RET]] : i32
// CHECK: func.func private @edgec_npu_submit(memref<1xi32>, i32, memref<1xindex>, memref<1xi32>, i32) -> i32
memref.global "private" constant @stream : memref<8xi32> = dense<0>
memref.global "private" constant @consts : memref<960xi8> = dense<0>
func.func @model_run(%in: memref<1x4x4x2xi8>, %out: memref<1x4x4x32xi8>) -> i32 {
  %s = memref.get_global @stream : memref<8xi32>
  %c = memref.get_global @consts : memref<960xi8>
  npu.submit %s, %c ins(%in : memref<1x4x4x2xi8>) outs(%out : memref<1x4x4x32xi8>) : memref<8xi32>, memref<960xi8>
  %ok = arith.constant 0 : i32
  return %ok : i32
}

// -----

// Before edgec-export-entry there is no status to return.
func.func @main(%in: memref<4xi8>, %out: memref<4xi8>) {
  %s = memref.alloc() : memref<8xi32>
  %c = memref.alloc() : memref<4xi8>
  // expected-error @+1 {{npu.submit outside an entry function returning a status}}
  npu.submit %s, %c ins(%in : memref<4xi8>) outs(%out : memref<4xi8>) : memref<8xi32>, memref<4xi8>
  return
}
