// RUN: edgec-opt --edgec-approximate-math %s | FileCheck %s
// RUN: edgec-opt --edgec-approximate-math='expand-rounding=1 expand-sqrt=1 expand-min-max=1 expand-wide-min-max=1' %s \
// RUN:   | FileCheck %s --check-prefix=EXPAND --implicit-check-not=math.floor \
// RUN:     --implicit-check-not=math.ceil --implicit-check-not=math.trunc \
// RUN:     --implicit-check-not=math.round --implicit-check-not=math.sqrt \
// RUN:     --implicit-check-not=arith.maximumf --implicit-check-not=arith.minimumf

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

// f64 transcendentals run at f32 precision (no f64 polynomials, no libm);
// the inverse and hyperbolic functions become polynomials too.
// CHECK-LABEL: func.func @wide_and_inverse
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK-NOT: math.{{exp|log|asin|acos|atan|tan|acosh|atanh}}
// CHECK: return
func.func @wide_and_inverse(%x: f64, %y: f32) -> (f64, f32, f32, f32, f32, f32, f32) {
  %0 = math.exp %x : f64
  %1 = math.asin %y : f32
  %2 = math.acos %y : f32
  %3 = math.atan %y : f32
  %4 = math.tan %y : f32
  %5 = math.acosh %y : f32
  %6 = math.atanh %y : f32
  return %0, %1, %2, %3, %4, %5, %6 : f64, f32, f32, f32, f32, f32, f32
}

// CHECK-LABEL: func.func @square
// CHECK-NEXT: %[[S:.*]] = arith.mulf %arg0, %arg0 : f32
// CHECK-NEXT: return %[[S]]
func.func @square(%x: f32) -> f32 {
  %c2 = arith.constant 2.0 : f32
  %0 = math.powf %x, %c2 : f32
  return %0 : f32
}

// Targets whose FPU rounds, takes square roots and max/min keep the ops
// (LLVM emits instructions); the others get arithmetic instead of libm calls.
// CHECK-LABEL: func.func @no_libm_on_small_fpus
// CHECK: math.floor
// CHECK: math.sqrt
// CHECK: arith.maximumf
// EXPAND-LABEL: func.func @no_libm_on_small_fpus
// Rounding goes through i32 and keeps the sign (floor(-0.0) = -0.0):
// EXPAND: arith.fptosi %arg0 : f32 to i32
// EXPAND: math.copysign
// The square root starts from the 0x5f3759df estimate:
// EXPAND: arith.constant 1597463007 : i32
// EXPAND: return
func.func @no_libm_on_small_fpus(%x: f32, %y: f32) -> (f32, f32, f32, f32, f32, f32, f32, f32) {
  %0 = math.floor %x : f32
  %1 = math.ceil %x : f32
  %2 = math.trunc %x : f32
  %3 = math.round %x : f32
  %4 = math.roundeven %x : f32
  %5 = math.sqrt %x : f32
  %6 = arith.maximumf %x, %y : f32
  %7 = arith.minimumf %x, %y : f32
  return %0, %1, %2, %3, %4, %5, %6, %7 : f32, f32, f32, f32, f32, f32, f32, f32
}

// f64 and f16 rounding too (ONNX Mod of float64/float16 truncates): f64
// through i64 with the 2^52 bound, f16 through f32 and back; otherwise LLVM
// calls libm's trunc/truncf, which the targets do not have.
// CHECK-LABEL: func.func @wide_and_half_rounding
// CHECK: math.trunc %arg0 : f64
// EXPAND-LABEL: func.func @wide_and_half_rounding
// EXPAND: arith.fptosi %arg0 : f64 to i64
// EXPAND: arith.constant 0x4330000000000000 : f64
// EXPAND: arith.extf %arg1 : f16 to f32
// EXPAND: arith.fptosi %{{.*}} : f32 to i32
// EXPAND: arith.truncf %{{.*}} : f32 to f16
// EXPAND: return
func.func @wide_and_half_rounding(%x: f64, %h: f16) -> (f64, f16) {
  %0 = math.trunc %x : f64
  %1 = math.floor %h : f16
  return %0, %1 : f64, f16
}
