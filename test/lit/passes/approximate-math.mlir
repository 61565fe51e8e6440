// RUN: edgec-opt --edgec-approximate-math %s | FileCheck %s

// No libm: exp, log, tanh and erf become polynomials (arith only), x^2
// becomes x * x, and a general power exp(y * log(x)) in polynomials too.
// CHECK-LABEL: func.func @transcendentals
// CHECK-NOT: math.exp
// CHECK-NOT: math.log
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.powf
// CHECK-NOT: math.fma
// CHECK: arith.mulf {{.*}} fastmath<contract>
func.func @transcendentals(%x: f32, %y: f32) -> (f32, f32, f32, f32, f32, f32) {
  %0 = math.exp %x : f32
  %1 = math.log %x : f32
  %2 = math.tanh %x : f32
  %3 = math.erf %x : f32
  %c2 = arith.constant 2.0 : f32
  %4 = math.powf %x, %c2 : f32
  %5 = math.powf %x, %y : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f32, f32
}

// CHECK-LABEL: func.func @square
// CHECK-NEXT: %[[S:.*]] = arith.mulf %arg0, %arg0 : f32
// CHECK-NEXT: return %[[S]]
func.func @square(%x: f32) -> f32 {
  %c2 = arith.constant 2.0 : f32
  %0 = math.powf %x, %c2 : f32
  return %0 : f32
}
