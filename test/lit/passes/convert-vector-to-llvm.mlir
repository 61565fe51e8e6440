// RUN: edgec-opt --edgec-convert-vector-to-llvm=index-bitwidth=32 %s | FileCheck %s
// RUN: edgec-opt --edgec-convert-vector-to-llvm %s | FileCheck %s --check-prefix=WIDE

// 32-bit targets address vector loads with 32-bit offsets, like every
// other access (MLIR's convert-vector-to-llvm would use i64).
// CHECK-LABEL: func.func @load
// CHECK: llvm.getelementptr {{.*}} : (!llvm.ptr, i32) -> !llvm.ptr, f32
// CHECK: llvm.intr.masked.load
// CHECK-NOT: vector.
// WIDE: llvm.getelementptr {{.*}} : (!llvm.ptr, i64) -> !llvm.ptr, f32
func.func @load(%m: memref<16xf32>, %i: index) -> vector<4xf32> {
  %mask = arith.constant dense<[true, true, true, false]> : vector<4xi1>
  %z = arith.constant dense<0.0> : vector<4xf32>
  %v = vector.maskedload %m[%i], %mask, %z : memref<16xf32>, vector<4xi1>, vector<4xf32> into vector<4xf32>
  %s = arith.constant 2.0 : f32
  %b = vector.broadcast %s : f32 to vector<4xf32>
  %r = arith.mulf %v, %b : vector<4xf32>
  return %r : vector<4xf32>
}
