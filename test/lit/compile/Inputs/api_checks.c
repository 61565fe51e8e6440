/* Calls a compiled model (bench/fashion_mnist's CNN: one 1x1x28x28 float
 * input, 10 float outputs) with the arguments users get wrong, and prints
 * each status. With -DNDEBUG only the valid call is made: the checks are
 * gone, and a bad pointer would be undefined behaviour. */
#include "fashion.h"

#include <stdint.h>
#include <stdio.h>

/* One block holds everything, so overlaps can be made on purpose. */
static union {
  unsigned char bytes[FASHION_ARENA_BYTES + 4096 + 64 + 16];
  long double align;
} block;

int main(void) {
  unsigned char *base = (unsigned char *)(((uintptr_t)block.bytes + 15) & ~(uintptr_t)15);
  float *in = (float *)base;                       /* 3136 bytes */
  float *out = (float *)(base + 4096);             /* 40 bytes */
  unsigned char *arena = base + 4096 + 64;         /* 16-aligned */
  int i;
  for (i = 0; i < FASHION_INPUT0_ELEMENTS; ++i)
    in[i] = (float)(i % 7) / 7.0f;
#ifdef fashion_run
  printf("checks: on\n");
#else
  printf("checks: off\n");
#endif
  printf("valid: %d\n", fashion_run(in, out, arena));
#ifdef fashion_run
  printf("null input: %d\n", fashion_run(NULL, out, arena));
  printf("null output: %d\n", fashion_run(in, NULL, arena));
  printf("null arena: %d\n", fashion_run(in, out, NULL));
  printf("misaligned arena: %d\n", fashion_run(in, out, arena + 4));
  printf("misaligned input: %d\n", fashion_run((const float *)(base + 2), out, arena));
  printf("misaligned output: %d\n", fashion_run(in, (float *)(base + 4096 + 1), arena));
  printf("output in input: %d\n", fashion_run(in, in + 100, arena));
  printf("output in arena: %d\n", fashion_run(in, (float *)(arena + 16), arena));
  printf("input in arena: %d\n", fashion_run((const float *)(arena + 32), out, arena));
  printf("output just after input: %d\n", fashion_run(in, in + FASHION_INPUT0_ELEMENTS, arena));
  {
    const void *inputs[1];
    void *outputs[1];
    inputs[0] = in;
    outputs[0] = out;
    printf("packed: %d\n", fashion_run_packed(inputs, outputs, arena));
    printf("packed null inputs: %d\n", fashion_run_packed(NULL, outputs, arena));
    outputs[0] = NULL;
    printf("packed null output: %d\n", fashion_run_packed(inputs, outputs, arena));
  }
#endif
  return 0;
}
