// RUN: edgec-opt --edgec-plan-memory --split-input-file %s | FileCheck %s

// Three 256-byte buffers in a chain (op indices in the function body):
//   %a: alloc 0, used at 1 and 3 -> live [1, 3]
//   %b: alloc 2, used at 3 and 5 -> live [3, 5]
//   %c: alloc 4, used at 5 and 6 -> live [5, 6]
// Greedy by size (ties by first use): %a at 0; %b overlaps %a at op 3 -> 256;
// %c overlaps %b at op 5 but not %a -> 0. Peak 512 = lower bound (2 x 256
// alive at ops 3 and 5); naive 3 x 256 = 768. linalg.copy is not an
// elementwise generic, so no in-place reuse.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: %arg2: memref<512xi8> {graph.name = "arena"}
// CHECK-SAME: edgec.arena_bytes = 512 : i64, edgec.arena_lower_bound_bytes = 512 : i64, edgec.arena_naive_bytes = 768 : i64
// CHECK-NOT: memref.alloc
// CHECK: %[[O0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %arg2[%[[O0]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[O1:.*]] = arith.constant 256 : index
// CHECK: %[[B:.*]] = memref.view %arg2[%[[O1]]][] : memref<512xi8> to memref<64xf32>
// CHECK: %[[O2:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %arg2[%[[O2]]][] : memref<512xi8> to memref<64xf32>
func.func @chain(%in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%a : memref<64xf32>)
  %b = memref.alloc() : memref<64xf32>
  linalg.copy ins(%a : memref<64xf32>) outs(%b : memref<64xf32>)
  %c = memref.alloc() : memref<64xf32>
  linalg.copy ins(%b : memref<64xf32>) outs(%c : memref<64xf32>)
  linalg.copy ins(%c : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// In place: %b is written by an elementwise generic in which %a (same size,
// identity map) is read for the last time, so %b takes %a's offset.
//   %a live [1, 2], %b live [2, 3]: both at 0; peak 256, naive 512, and the
//   lower bound counts %a as dead at op 2 -> 256.
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @in_place
// CHECK-SAME: edgec.arena_bytes = 256 : i64, edgec.arena_lower_bound_bytes = 256 : i64, edgec.arena_naive_bytes = 512 : i64
// CHECK: memref.view %arg2[%{{.*}}][] : memref<256xi8> to memref<64xf32>
// CHECK: memref.view %arg2[%{{.*}}][] : memref<256xi8> to memref<64xf32>
func.func @in_place(%in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%a : memref<64xf32>)
  %b = memref.alloc() : memref<64xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%a : memref<64xf32>) outs(%b : memref<64xf32>) {
  ^bb0(%x: f32, %y: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  }
  linalg.copy ins(%b : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// Largest first: the 1024-byte %big (live [3, 7]) goes to 0; %s1 (live
// [2, 5]) and %s2 (live [6, 8]) are alive with %big, not with each other:
// both at 1024. Peak 1024 + 64 = 1088 = lower bound; naive 1024 + 2 x 64.
// CHECK-LABEL: func.func @sizes
// CHECK-SAME: edgec.arena_bytes = 1088 : i64, edgec.arena_lower_bound_bytes = 1088 : i64, edgec.arena_naive_bytes = 1152 : i64
// CHECK: %[[B:.*]] = arith.constant 0 : index
// CHECK: memref.view %arg3[%[[B]]][] : memref<1088xi8> to memref<256xf32>
// CHECK: %[[S1:.*]] = arith.constant 1024 : index
// CHECK: memref.view %arg3[%[[S1]]][] : memref<1088xi8> to memref<16xf32>
// CHECK: %[[S2:.*]] = arith.constant 1024 : index
// CHECK: memref.view %arg3[%[[S2]]][] : memref<1088xi8> to memref<16xf32>
func.func @sizes(%in: memref<256xf32>, %small: memref<16xf32>, %out: memref<256xf32>) {
  %big = memref.alloc() : memref<256xf32>
  %s1 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%small : memref<16xf32>) outs(%s1 : memref<16xf32>)
  linalg.copy ins(%in : memref<256xf32>) outs(%big : memref<256xf32>)
  %s2 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%s1 : memref<16xf32>) outs(%small : memref<16xf32>)
  linalg.copy ins(%small : memref<16xf32>) outs(%s2 : memref<16xf32>)
  linalg.copy ins(%big : memref<256xf32>) outs(%out : memref<256xf32>)
  linalg.copy ins(%s2 : memref<16xf32>) outs(%small : memref<16xf32>)
  return
}

// -----

// Buffers of an if's branches (schedule: 0 %a, 1 copy, 2 if, then 3 %t,
// 4 copy, 5 yield, else 6 %e, 7 copy, 8 yield, then 9 copy, 10 return):
//   %a live [1, 7] (read in both branches), %t live [4, 9] (yielded: lives
//   on as the if's result, copied out at 9), %e live [7, 9]. Only one
//   branch runs, but %t's interval covers the else branch, so all three
//   overlap at op 7: 3 x 256 = 768. What a branch-local buffer may share is
//   the next case.
// CHECK-LABEL: func.func @branches
// CHECK-SAME: edgec.arena_bytes = 768 : i64
// CHECK-NOT: memref.alloc
// CHECK: scf.if
// CHECK: memref.view %arg3
// CHECK: } else {
// CHECK: memref.view %arg3
func.func @branches(%c: i1, %in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%a : memref<64xf32>)
  %r = scf.if %c -> memref<64xf32> {
    %t = memref.alloc() : memref<64xf32>
    linalg.copy ins(%a : memref<64xf32>) outs(%t : memref<64xf32>)
    scf.yield %t : memref<64xf32>
  } else {
    %e = memref.alloc() : memref<64xf32>
    linalg.copy ins(%a : memref<64xf32>) outs(%e : memref<64xf32>)
    scf.yield %e : memref<64xf32>
  }
  linalg.copy ins(%r : memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// Branch-local buffers: %t (then, live [4, 5]) and %e (else, live [7, 8])
// never run together and take the same offset; %a (live [1, 8]) is apart.
// Peak 512, naive 768.
// CHECK-LABEL: func.func @branch_local
// CHECK-SAME: edgec.arena_bytes = 512 : i64, edgec.arena_lower_bound_bytes = 512 : i64, edgec.arena_naive_bytes = 768 : i64
// CHECK: scf.if
// CHECK: %[[OT:.*]] = arith.constant 256 : index
// CHECK: memref.view %arg3[%[[OT]]]
// CHECK: } else {
// CHECK: %[[OE:.*]] = arith.constant 256 : index
// CHECK: memref.view %arg3[%[[OE]]]
func.func @branch_local(%c: i1, %in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%in : memref<64xf32>) outs(%a : memref<64xf32>)
  scf.if %c {
    %t = memref.alloc() : memref<64xf32>
    linalg.copy ins(%a : memref<64xf32>) outs(%t : memref<64xf32>)
    linalg.copy ins(%t : memref<64xf32>) outs(%out : memref<64xf32>)
  } else {
    %e = memref.alloc() : memref<64xf32>
    linalg.copy ins(%a : memref<64xf32>) outs(%e : memref<64xf32>)
    linalg.copy ins(%e : memref<64xf32>) outs(%out : memref<64xf32>)
  }
  return
}
