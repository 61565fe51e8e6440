/* Calls a model compiled with --sanitize-address (ONNX's test_relu: one
 * float input of 3x4x5) with an input buffer one float short: ASan must
 * stop the generated code's read past its end. Without the instrumentation
 * the read would go unnoticed. */
#include "m.h"

#include <stdio.h>
#include <stdlib.h>

int main(void) {
  float *in = malloc(3 * 4 * 5 * sizeof(float) - sizeof(float));
  float *out = malloc(3 * 4 * 5 * sizeof(float));
  void *arena = aligned_alloc(16, M_ARENA_BYTES ? (M_ARENA_BYTES + 15) / 16 * 16 : 16);
  for (int i = 0; i < 3 * 4 * 5 - 1; ++i)
    in[i] = (float)i - 30.0f;
  int status = m_run(in, out, arena);
  printf("status %d, out[0] %g\n", status, out[0]);
  free(in);
  free(out);
  free(arena);
  return 0;
}
