// RUN: edgec-opt --edgec-lower-copies %s | FileCheck %s

// A strided copy (a pad's interior) would call MLIR's runtime memrefCopy;
// as linalg.copy it becomes loops.
// CHECK-LABEL: func.func @strided
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%arg0 : memref<4xf32>) outs(%{{.*}} : memref<4xf32, strided<[1], offset: 1>>)
func.func @strided(%src: memref<4xf32>, %dst: memref<6xf32>) {
  %sub = memref.subview %dst[1] [4] [1] : memref<6xf32> to memref<4xf32, strided<[1], offset: 1>>
  memref.copy %src, %sub : memref<4xf32> to memref<4xf32, strided<[1], offset: 1>>
  return
}
