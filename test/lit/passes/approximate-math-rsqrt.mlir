// RUN: edgec-opt --edgec-approximate-math %s | FileCheck %s

// x^-0.5 (LRN's default beta) simplifies to rsqrt, which becomes 1 / sqrt:
// MLIR's rsqrt approximation is AVX2-only code and crashed on a vector.
// CHECK-LABEL: func.func @inverse_square_root
// CHECK-NOT: math.rsqrt
// CHECK: math.sqrt %{{.*}} : vector<8xf32>
// CHECK: arith.divf
func.func @inverse_square_root(%x: vector<8xf32>) -> vector<8xf32> {
  %c = arith.constant dense<-5.000000e-01> : vector<8xf32>
  %0 = math.powf %x, %c : vector<8xf32>
  return %0 : vector<8xf32>
}
