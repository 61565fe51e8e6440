// RUN: edgec-opt --edgec-vectorize-contractions='vector-bits=256 rows=2 vectors=1 dot-product=x86-pmaddwd' \
// RUN:   --canonicalize %s | FileCheck %s
// RUN: edgec-opt --edgec-vectorize-contractions='vector-bits=256 rows=2 vectors=1' --canonicalize %s \
// RUN:   | FileCheck %s --check-prefix=PLAIN --implicit-check-not=llvm.call_intrinsic
// RUN: edgec-opt --edgec-vectorize-contractions='vector-bits=128 rows=2 vectors=1 dot-product=arm-sdot' \
// RUN:   --canonicalize %s | FileCheck %s --check-prefix=SDOT

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
#n = affine_map<(m, n) -> (n)>
#id = affine_map<(m, n) -> (m, n)>

// An int8 matmul with pmaddwd: K two steps at a time. A's two values are
// adjacent bytes: one 16-bit load repeated in every lane pair, widened to
// 16 bits. B's two rows are interleaved lane by lane and widened; pmaddwd
// sums each pair of products into an int32 lane. The accumulator starts
// from the bias vector, and the requantisation (here a shift, a clamp and
// a truncation) runs on it in registers before the int8 store: no int32
// buffer is left.
// CHECK-LABEL: func.func @int8_matmul_pairs
// CHECK-NOT:   memref.alloc
// CHECK:       vector.load %arg2[%c0] : memref<8xi32>, vector<8xi32>
// CHECK:       scf.for %[[K:.*]] = %c0 to %c16 step %c2 iter_args
// CHECK:         %[[A:.*]] = vector.load %arg0[%{{.*}}, %[[K]]] : memref<4x16xi8>, vector<2xi8>
// CHECK:         %[[AW:.*]] = vector.bitcast %[[A]] : vector<2xi8> to vector<1xi16>
// CHECK:         %[[AB:.*]] = vector.broadcast %[[AW]] : vector<1xi16> to vector<8xi16>
// CHECK:         %[[AS:.*]] = vector.bitcast %[[AB]] : vector<8xi16> to vector<16xi8>
// CHECK:         %[[AI:.*]] = arith.extui %[[AS]] : vector<16xi8> to vector<16xi16>
// CHECK:         %[[B0:.*]] = vector.load %arg1[%[[K]], %c0] : memref<16x8xi8>, vector<8xi8>
// CHECK:         %[[K1:.*]] = arith.addi %[[K]], %c1
// CHECK:         %[[B1:.*]] = vector.load %arg1[%[[K1]], %c0] : memref<16x8xi8>, vector<8xi8>
// CHECK:         %[[BI:.*]] = vector.interleave %[[B0]], %[[B1]] : vector<8xi8> -> vector<16xi8>
// CHECK:         %[[BW:.*]] = arith.extsi %[[BI]] : vector<16xi8> to vector<16xi16>
// CHECK:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[AI]], %[[BW]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK:       arith.shrsi {{.*}} : vector<8xi32>
// CHECK:       arith.trunci {{.*}} : vector<8xi32> to vector<8xi8>
// CHECK:       vector.store {{.*}}, %arg3[{{.*}}] : memref<4x8xi8>, vector<8xi8>
// CHECK-NOT:   linalg.generic
// PLAIN-LABEL: func.func @int8_matmul_pairs
// PLAIN:       scf.for {{.*}} = %c0 to %c16 step %c1 iter_args
// PLAIN:         arith.muli {{.*}} : vector<8xi32>
func.func @int8_matmul_pairs(%a: memref<4x16xi8>, %b: memref<16x8xi8>, %bias: memref<8xi32>,
                             %y: memref<4x8xi8>) {
  %acc = memref.alloc() : memref<4x8xi32>
  linalg.generic {indexing_maps = [#n, #id], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<8xi32>) outs(%acc : memref<4x8xi32>) {
  ^bb0(%v: i32, %o: i32):
    linalg.yield %v : i32
  }
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x16xi8>, memref<16x8xi8>) outs(%acc : memref<4x8xi32>) {
  ^bb0(%x: i8, %w: i8, %s: i32):
    %xw = arith.extui %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<4x8xi32>) outs(%y : memref<4x8xi8>) {
  ^bb0(%v: i32, %o: i8):
    %c4 = arith.constant 4 : i32
    %lo = arith.constant -128 : i32
    %hi = arith.constant 127 : i32
    %s = arith.shrsi %v, %c4 : i32
    %c = arith.maxsi %s, %lo : i32
    %d = arith.minsi %c, %hi : i32
    %t = arith.trunci %d : i32 to i8
    linalg.yield %t : i8
  }
  return
}

// A read transposed ([k, m]): its two values are a row apart, two byte
// loads made one 16-bit word, broadcast and widened.
#km = affine_map<(m, n, k) -> (k, m)>
// CHECK-LABEL: func.func @int8_pairs_apart
// CHECK:       scf.for %[[K:.*]] = %c0 to %c16 step %c2 iter_args
// CHECK:         %[[A0:.*]] = memref.load %arg0[%[[K]], %{{.*}}] : memref<16x4xi8>
// CHECK:         %[[K1:.*]] = arith.addi %[[K]], %c1
// CHECK:         %[[A1:.*]] = memref.load %arg0[%[[K1]], %{{.*}}] : memref<16x4xi8>
// CHECK:         %[[AP:.*]] = vector.from_elements %[[A0]], %[[A1]] : vector<2xi8>
// CHECK:         %[[AW:.*]] = vector.bitcast %[[AP]] : vector<2xi8> to vector<1xi16>
// CHECK:         %[[AB:.*]] = vector.broadcast %[[AW]] : vector<1xi16> to vector<8xi16>
// CHECK:         %[[AS:.*]] = vector.bitcast %[[AB]] : vector<8xi16> to vector<16xi8>
// CHECK:         %[[AI:.*]] = arith.extsi %[[AS]] : vector<16xi8> to vector<16xi16>
// CHECK:         llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[AI]],
func.func @int8_pairs_apart(%a: memref<16x4xi8>, %b: memref<16x8xi8>, %c: memref<4x8xi32>) {
  linalg.generic {indexing_maps = [#km, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<16x4xi8>, memref<16x8xi8>) outs(%c : memref<4x8xi32>) {
  ^bb0(%x: i8, %w: i8, %s: i32):
    %xw = arith.extsi %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  return
}

// An odd reduction (3 steps): steps 0 and 1 as a pair, step 2 alone with
// a multiply-add per element.
// CHECK-LABEL: func.func @odd_reduction
// CHECK:       llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// CHECK:       memref.load %arg0[{{.*}}, %c2] : memref<4x3xi8>
// CHECK:       vector.load %arg1[%c2, %c0] : memref<3x8xi8>, vector<8xi8>
// CHECK:       arith.muli {{.*}} : vector<8xi32>
func.func @odd_reduction(%a: memref<4x3xi8>, %b: memref<3x8xi8>, %c: memref<4x8xi32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x3xi8>, memref<3x8xi8>) outs(%c : memref<4x8xi32>) {
  ^bb0(%x: i8, %w: i8, %s: i32):
    %xw = arith.extsi %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  return
}

// One reduction step: nothing to pair.
// CHECK-LABEL: func.func @one_step
// CHECK-NOT:   llvm.call_intrinsic
// CHECK:       arith.muli {{.*}} : vector<8xi32>
func.func @one_step(%a: memref<4x1xi8>, %b: memref<1x8xi8>, %c: memref<4x8xi32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x1xi8>, memref<1x8xi8>) outs(%c : memref<4x8xi32>) {
  ^bb0(%x: i8, %w: i8, %s: i32):
    %xw = arith.extsi %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  return
}

// Arm sdot: K four steps at a time, no widening. A's four values are
// adjacent: one 32-bit load repeated in every lane. B's four rows are
// interleaved so that lane l holds its four steps in order (rows 0 and 1
// element by element, rows 2 and 3 likewise, then the two by pairs), the
// order of A's bytes. sdot adds each lane's four products to the
// accumulator; K = 6 leaves steps 4 and 5, done one at a time.
// SDOT-LABEL: func.func @int8_matmul_sdot
// SDOT:       scf.for %[[I:.*]] = %c0 to %c4 step %c2
// SDOT:         %[[A:.*]] = vector.load %arg0[%[[I]], %c0] : memref<4x6xi8>, vector<4xi8>
// SDOT:         %[[AW:.*]] = vector.bitcast %[[A]] : vector<4xi8> to vector<1xi32>
// SDOT:         %[[AB:.*]] = vector.broadcast %[[AW]] : vector<1xi32> to vector<4xi32>
// SDOT:         %[[AS:.*]] = vector.bitcast %[[AB]] : vector<4xi32> to vector<16xi8>
// SDOT:         %[[B0:.*]] = vector.load %arg1[%c0, %c0] : memref<6x4xi8>, vector<4xi8>
// SDOT:         %[[B1:.*]] = vector.load %arg1[%c1, %c0] : memref<6x4xi8>, vector<4xi8>
// SDOT:         %[[B2:.*]] = vector.load %arg1[%c2, %c0] : memref<6x4xi8>, vector<4xi8>
// SDOT:         %[[B3:.*]] = vector.load %arg1[%c3, %c0] : memref<6x4xi8>, vector<4xi8>
// SDOT:         %[[B01:.*]] = vector.interleave %[[B0]], %[[B1]] : vector<4xi8> -> vector<8xi8>
// SDOT:         %[[B23:.*]] = vector.interleave %[[B2]], %[[B3]] : vector<4xi8> -> vector<8xi8>
// SDOT:         %[[BS:.*]] = vector.shuffle %[[B01]], %[[B23]] [0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15]
// SDOT:         %[[D:.*]] = llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"(%{{.*}}, %[[AS]], %[[BS]]) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// SDOT:         memref.load %arg0[%[[I]], %c4]
// SDOT:         arith.muli {{.*}} : vector<4xi32>
// SDOT:         memref.load %arg0[%[[I]], %c5]
// SDOT:         arith.muli {{.*}} : vector<4xi32>
func.func @int8_matmul_sdot(%a: memref<4x6xi8>, %b: memref<6x4xi8>, %c: memref<4x4xi32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x6xi8>, memref<6x4xi8>) outs(%c : memref<4x4xi32>) {
  ^bb0(%x: i8, %w: i8, %s: i32):
    %xw = arith.extsi %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  return
}

// sdot multiplies signed bytes: an unsigned input is widened as before.
// SDOT-LABEL: func.func @uint8_no_sdot
// SDOT-NOT:   llvm.call_intrinsic
// SDOT:       arith.muli {{.*}} : vector<4xi32>
func.func @uint8_no_sdot(%a: memref<4x8xi8>, %b: memref<8x4xi8>, %c: memref<4x4xi32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8xi8>, memref<8x4xi8>) outs(%c : memref<4x4xi32>) {
  ^bb0(%x: i8, %w: i8, %s: i32):
    %xw = arith.extui %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  return
}
