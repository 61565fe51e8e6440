// RUN: edgec-opt --edgec-export-entry="name=kws" %s | FileCheck %s

// @main becomes the C entry point kws_run returning status 0; the ONNX names
// on the arguments are dropped (they went into the C header).
// CHECK-LABEL: func.func @kws_run(%arg0: memref<4xf32>, %arg1: memref<4xf32>, %arg2: memref<16xi8>) -> i32
// CHECK: %[[OK:.*]] = arith.constant 0 : i32
// CHECK: return %[[OK]] : i32
// CHECK: func.func private @helper
func.func @main(%in: memref<4xf32> {graph.name = "x"}, %out: memref<4xf32> {graph.name = "y"}, %arena: memref<16xi8>) {
  linalg.copy ins(%in : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}
func.func @helper() {
  return
}
