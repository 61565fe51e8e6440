// RUN: edgec-opt --edgec-vectorize-contractions='vector-bits=128 rows=2 vectors=2' --canonicalize %s | FileCheck %s
// RUN: edgec-opt --edgec-vectorize-contractions='vector-bits=0 rows=2 vectors=2' --canonicalize %s \
// RUN:   | FileCheck %s --check-prefix=SCALAR --implicit-check-not=vector.

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// [5x3] x [3x10], 4 lanes: rows step by 2 (and one leftover row), columns
// are 2 vectors of 4 then one masked vector of 2 lanes; B is the vector
// operand, A is broadcast per row, every accumulator lives across k. B is
// the larger input, so the column blocks are the outer loop (B's columns
// stay in cache while all rows go by).
// CHECK-LABEL: func.func @matmul
// CHECK:       %[[MASK:.*]] = arith.constant dense<[true, true, false, false]> : vector<4xi1>
// CHECK:       scf.for %[[I:.*]] = %c0 to %c4 step %c2
// CHECK:         vector.load %arg2[%[[I]], %c0] : memref<5x10xf32>, vector<4xf32>
// CHECK:         scf.for %[[K:.*]] = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK:           %[[A0:.*]] = memref.load %arg0[%[[I]], %[[K]]]
// CHECK:           %[[BA0:.*]] = vector.broadcast %[[A0]]
// CHECK:           %[[B0:.*]] = vector.load %arg1[%[[K]], %c0] : memref<3x10xf32>, vector<4xf32>
// CHECK:           %[[B1:.*]] = vector.load %arg1[%[[K]], %c4] : memref<3x10xf32>, vector<4xf32>
// CHECK:           arith.mulf %[[BA0]], %[[B0]] fastmath<contract> : vector<4xf32>
// CHECK:           arith.addf {{.*}} fastmath<contract> : vector<4xf32>
// CHECK:           arith.mulf %[[BA0]], %[[B1]] fastmath<contract> : vector<4xf32>
// CHECK:         vector.store {{.*}}, %arg2[%[[I]], %c0]
// The leftover row 4.
// CHECK:       vector.load %arg2[%c4, %c0]
// The two leftover columns: masked, for every row.
// CHECK:       scf.for %[[I2:.*]] = %c0 to %c4 step %c2
// CHECK:         vector.maskedload %arg2[%[[I2]], %c8], %[[MASK]]
// CHECK:         vector.maskedload %arg1[{{.*}}, %c8], %[[MASK]]
// CHECK:         vector.maskedstore %arg2[%[[I2]], %c8], %[[MASK]]
// CHECK:       vector.maskedstore %arg2[%c4, %c8], %[[MASK]]
// CHECK-NOT:   linalg.generic
// SCALAR-LABEL: func.func @matmul
// SCALAR:       scf.for {{.*}} = %c0 to %c10 step %c2
// SCALAR:         scf.for {{.*}} = %c0 to %c4 step %c2
// SCALAR:           scf.for {{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32)
// SCALAR-NOT:   linalg.generic
func.func @matmul(%a: memref<5x3xf32>, %b: memref<3x10xf32>, %c: memref<5x10xf32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<5x3xf32>, memref<3x10xf32>) outs(%c : memref<5x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A stride-2 conv (NCHW, 4 output channels): the output channel is the row
// dim because the input does not depend on it; the input's lanes are two
// elements apart: one masked load of the 7 elements they span, then every
// second lane. The input is the larger operand, so the image row is the
// outer loop and the output channels the inner one.
#x = affine_map<(n, f, h, w, c, kh, kw) -> (n, c, h * 2 + kh, w * 2 + kw)>
#w = affine_map<(n, f, h, w, c, kh, kw) -> (f, c, kh, kw)>
#y = affine_map<(n, f, h, w, c, kh, kw) -> (n, f, h, w)>
// CHECK-LABEL: func.func @conv_stride2
// CHECK:       %[[SPAN:.*]] = arith.constant dense<[true, true, true, true, true, true, true, false]> : vector<8xi1>
// CHECK:       scf.for %[[H:.*]] = %c0 to %c4 step %c1
// CHECK:         scf.for %[[F:.*]] = %c0 to %c4 step %c2
// CHECK:           %[[WIDE:.*]] = vector.maskedload %arg0[%c0, {{.*}}], %[[SPAN]]
// CHECK:           vector.shuffle %[[WIDE]], %[[WIDE]] [0, 2, 4, 6]
// CHECK:           memref.load %arg1[%[[F]],
// CHECK-NOT:   linalg.generic
func.func @conv_stride2(%x: memref<1x3x9x9xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x4x4xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel",
                                    "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x3x9x9xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// B read transposed ([n, k]) is not along its last dim when vectorised
// along n: lane by lane (a gather), which only happens when no dim is
// better.
#nk = affine_map<(m, n, k) -> (n, k)>
// CHECK-LABEL: func.func @gather
// CHECK:       vector.from_elements
func.func @gather(%a: memref<1x3xf32>, %b: memref<8x3xf32>, %c: memref<1x8xf32>) {
  linalg.generic {indexing_maps = [#mk, #nk, #mn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x3xf32>, memref<8x3xf32>) outs(%c : memref<1x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Max pooling folds input 0 into the output with its own body (the window
// operand only gives the loop range): the same blocks, the body on vectors.
// CHECK-LABEL: func.func @max_pool
// CHECK:       %[[Y0:.*]] = vector.load %arg2[%c0] : memref<8xf32>, vector<4xf32>
// CHECK:       scf.for %[[K:.*]] = %c0 to %c3 step %c1 iter_args(%[[ACC:.*]] = %[[Y0]],
// CHECK:         %[[X:.*]] = vector.load %arg0[%[[K]]] : memref<10xf32>, vector<4xf32>
// CHECK:         arith.maximumf %[[ACC]], %[[X]] : vector<4xf32>
// CHECK-NOT:   linalg.generic
// CHECK-NOT:   memref.load %arg1
// SCALAR-LABEL: func.func @max_pool
// SCALAR:       scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// SCALAR:         arith.maximumf {{.*}} : f32
// SCALAR-NOT:   linalg.generic
#pin = affine_map<(i, k) -> (i + k)>
#pwin = affine_map<(i, k) -> (k)>
#pout = affine_map<(i, k) -> (i)>
func.func @max_pool(%x: memref<10xf32>, %win: memref<3xf32>, %y: memref<8xf32>) {
  linalg.generic {indexing_maps = [#pin, #pwin, #pout], iterator_types = ["parallel", "reduction"]}
      ins(%x, %win : memref<10xf32>, memref<3xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.maximumf %acc, %a : f32
    linalg.yield %m : f32
  }
  return
}

// An int8 matmul summed in int32: int8 loads, widened (signed, or unsigned
// for an unsigned input) to the accumulator's lanes; integer multiply-add.
// CHECK-LABEL: func.func @int8_matmul
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[A:.*]] = memref.load {{.*}} : memref<4x16xi8>
// CHECK: %[[AW:.*]] = arith.extui %[[A]] : i8 to i32
// CHECK: vector.broadcast %[[AW]] : i32 to vector<4xi32>
// CHECK: %[[B:.*]] = vector.load {{.*}} : memref<16x8xi8>, vector<4xi8>
// CHECK: arith.extsi %[[B]] : vector<4xi8> to vector<4xi32>
// CHECK: arith.muli {{.*}} : vector<4xi32>
// CHECK: arith.addi {{.*}} : vector<4xi32>
// SCALAR-LABEL: func.func @int8_matmul
// SCALAR: arith.extui {{.*}} : i8 to i32
// SCALAR: arith.extsi {{.*}} : i8 to i32
// SCALAR: arith.muli
func.func @int8_matmul(%a: memref<4x16xi8>, %b: memref<16x8xi8>, %c: memref<4x8xi32>) {
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x16xi8>, memref<16x8xi8>) outs(%c : memref<4x8xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %xw = arith.extui %x : i8 to i32
    %ww = arith.extsi %w : i8 to i32
    %p = arith.muli %xw, %ww : i32
    %s = arith.addi %acc, %p : i32
    linalg.yield %s : i32
  }
  return
}

// The bias broadcast before the contraction and the ReLU after it are
// evaluated on the accumulators: the kernel starts from the bias (a vector
// load, the bias runs along the vectorised dim) and stores max(acc, 0)
// into the ReLU's buffer; the accumulator buffer is dropped.
#bias = affine_map<(m, n) -> (n)>
#id2 = affine_map<(m, n) -> (m, n)>
// CHECK-LABEL: func.func @fused_bias_relu
// CHECK-NOT:   memref.alloc
// CHECK:       scf.for
// CHECK:         %[[B:.*]] = vector.load %arg2[%c0] : memref<8xf32>, vector<4xf32>
// CHECK:         scf.for {{.*}} iter_args(%{{.*}} = %[[B]],
// CHECK:         %[[R:.*]] = arith.maximumf {{.*}} : vector<4xf32>
// CHECK:         vector.store %[[R]], %arg3
// CHECK-NOT:   linalg.generic
// CHECK-NOT:   memref.alloc
// SCALAR-LABEL: func.func @fused_bias_relu
// SCALAR-NOT:   memref.alloc
// SCALAR:       memref.load %arg2
// SCALAR:       arith.maximumf {{.*}} : f32
// SCALAR-NOT:   linalg.generic
func.func @fused_bias_relu(%a: memref<4x3xf32>, %b: memref<3x8xf32>, %bias: memref<8xf32>,
                           %y: memref<4x8xf32>) {
  %acc = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#bias, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<8xf32>) outs(%acc : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x3xf32>, memref<3x8xf32>) outs(%acc : memref<4x8xf32>) {
  ^bb0(%x: f32, %w: f32, %s: f32):
    %p = arith.mulf %x, %w : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  }
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<4x8xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// A zero fill is the start; the accumulator buffer is read again later,
// so the ReLU stays its own loop and the buffer stays.
// CHECK-LABEL: func.func @read_twice
// CHECK-DAG:   memref.alloc
// CHECK-DAG:   %[[Z:.*]] = arith.constant dense<0.000000e+00> : vector<4xf32>
// CHECK:       scf.for {{.*}} iter_args(%{{.*}} = %[[Z]],
// CHECK:       vector.store {{.*}} : memref<4x8xf32>, vector<4xf32>
// CHECK:       linalg.generic
// CHECK:       memref.copy
// SCALAR-LABEL: func.func @read_twice
func.func @read_twice(%a: memref<4x3xf32>, %b: memref<3x8xf32>, %y: memref<4x8xf32>, %z: memref<4x8xf32>) {
  %acc = memref.alloc() : memref<4x8xf32>
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%acc : memref<4x8xf32>)
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x3xf32>, memref<3x8xf32>) outs(%acc : memref<4x8xf32>) {
  ^bb0(%x: f32, %w: f32, %s: f32):
    %p = arith.mulf %x, %w : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<4x8xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  }
  memref.copy %acc, %z : memref<4x8xf32> to memref<4x8xf32>
  return
}

// Not absorbed: an epilogue that divides (lanes past the valid ones could
// divide by zero and trap), one that writes the contraction's own input
// (later blocks still read it), one that also reads the accumulator
// through a view (the kernel no longer writes that buffer).
#d3 = affine_map<(m, n) -> (n)>
// CHECK-LABEL: func.func @epilogue_divides
// CHECK:       scf.for
// CHECK:       linalg.generic
// CHECK:         arith.divsi
// SCALAR-LABEL: func.func @epilogue_divides
func.func @epilogue_divides(%a: memref<2x4xi32>, %b: memref<4x3xi32>, %d: memref<3xi32>, %y: memref<2x3xi32>) {
  %acc = memref.alloc() : memref<2x3xi32>
  %z = arith.constant 0 : i32
  linalg.fill ins(%z : i32) outs(%acc : memref<2x3xi32>)
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x4xi32>, memref<4x3xi32>) outs(%acc : memref<2x3xi32>) {
  ^bb0(%x: i32, %w: i32, %s: i32):
    %p = arith.muli %x, %w : i32
    %r = arith.addi %s, %p : i32
    linalg.yield %r : i32
  }
  linalg.generic {indexing_maps = [#id2, #d3, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %d : memref<2x3xi32>, memref<3xi32>) outs(%y : memref<2x3xi32>) {
  ^bb0(%v: i32, %q: i32, %o: i32):
    %t = arith.divsi %v, %q : i32
    linalg.yield %t : i32
  }
  return
}

// CHECK-LABEL: func.func @epilogue_overwrites_input
// CHECK:       scf.for
// CHECK:       linalg.generic
// CHECK-SAME:    outs(%arg1
// SCALAR-LABEL: func.func @epilogue_overwrites_input
func.func @epilogue_overwrites_input(%a: memref<4x4xf32>, %b: memref<4x4xf32>) {
  %acc = memref.alloc() : memref<4x4xf32>
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%acc : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%acc : memref<4x4xf32>) {
  ^bb0(%x: f32, %w: f32, %s: f32):
    %p = arith.mulf %x, %w : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%acc : memref<4x4xf32>) outs(%b : memref<4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    linalg.yield %v : f32
  }
  return
}

#tr2 = affine_map<(m, n) -> (n, m)>
// CHECK-LABEL: func.func @epilogue_reads_view
// CHECK:       memref.alloc
// CHECK:       scf.for
// CHECK:       linalg.generic
// CHECK:         arith.addf
// SCALAR-LABEL: func.func @epilogue_reads_view
func.func @epilogue_reads_view(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %y: memref<4x4xf32>) {
  %acc = memref.alloc() : memref<4x4xf32>
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%acc : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%acc : memref<4x4xf32>) {
  ^bb0(%x: f32, %w: f32, %s: f32):
    %p = arith.mulf %x, %w : f32
    %r = arith.addf %s, %p : f32
    linalg.yield %r : f32
  }
  %v = memref.subview %acc[0, 0] [4, 4] [1, 1] : memref<4x4xf32> to memref<4x4xf32, strided<[4, 1]>>
  linalg.generic {indexing_maps = [#id2, #tr2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %v : memref<4x4xf32>, memref<4x4xf32, strided<[4, 1]>>) outs(%y : memref<4x4xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  }
  return
}

// B stored in panels of 4 columns ([N/4, K, 4], as edgec-convert-graph-to-
// linalg stores conv weights): with 4 lanes, each vector of columns lies in
// one panel (vectors start at multiples of 4), `n floordiv 4` is constant
// across its lanes and `n mod 4` steps by one: plain vector loads.
#panel4 = affine_map<(m, n, k) -> (n floordiv 4, k, n mod 4)>
// CHECK-LABEL: func.func @panels
// CHECK:         scf.for %[[K:.*]] = %c0 to %c3 step %c1 iter_args
// CHECK:           vector.load %arg1[%c0, %[[K]], %c0] : memref<2x3x4xf32>, vector<4xf32>
// CHECK:           vector.load %arg1[%c1, %[[K]], %c0] : memref<2x3x4xf32>, vector<4xf32>
// CHECK-NOT:   vector.from_elements
func.func @panels(%a: memref<2x3xf32>, %b: memref<2x3x4xf32>, %c: memref<2x8xf32>) {
  linalg.generic {indexing_maps = [#mk, #panel4, #mn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3xf32>, memref<2x3x4xf32>) outs(%c : memref<2x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// Panels of 2 columns are narrower than a vector: a vector of 4 columns
// spans two panels, so B is read lane by lane.
#panel2 = affine_map<(m, n, k) -> (n floordiv 2, k, n mod 2)>
// CHECK-LABEL: func.func @narrow_panels
// CHECK:         memref.load %arg1
// CHECK:         vector.from_elements
func.func @narrow_panels(%a: memref<2x3xf32>, %b: memref<4x3x2xf32>, %c: memref<2x8xf32>) {
  linalg.generic {indexing_maps = [#mk, #panel2, #mn],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3xf32>, memref<4x3x2xf32>) outs(%c : memref<2x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// A boolean epilogue operand (a causal mask): a memref of i1 has a byte per
// element and a vector<N x i1> in memory a bit, so the mask is read lane by
// lane, never with a vector.load of i1.
// CHECK-LABEL: func.func @bool_epilogue
// CHECK-NOT: vector.load {{.*}}xi1>
// CHECK: memref.load {{.*}} : memref<4x4xi1>
// CHECK: arith.select {{.*}} : vector<4xi1>, vector<4xf32>
// CHECK-NOT: vector.load {{.*}}xi1>
// CHECK: return
func.func @bool_epilogue(%x: memref<4x8xf32>, %w: memref<8x4xf32>, %m: memref<4x4xi1>, %y: memref<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %acc = memref.alloc() : memref<4x4xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<4x4xf32>)
  linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x8xf32>, memref<8x4xf32>) outs(%acc : memref<4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%m, %acc : memref<4x4xi1>, memref<4x4xf32>) outs(%y : memref<4x4xf32>) {
  ^bb0(%b: i1, %v: f32, %o: f32):
    %r = arith.select %b, %ninf, %v : f32
    linalg.yield %r : f32
  }
  return
}
