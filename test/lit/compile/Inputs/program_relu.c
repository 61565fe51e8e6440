/* A program of its own for `edgec run --program` (test/lit/compile/program.test):
 * runs test_relu's model on -2, -1, 0, 1, ... and prints how many outputs
 * are positive. Freestanding on devices (edgec_test_io.h), hosted here. */
#if __STDC_HOSTED__
#include <stdio.h>
#define PRINT(s) fputs(s, stdout)
#else
#include "edgec_test_io.h"
#define PRINT(s) edgec_test_print(s)
#endif

static int relu_check(void);
#if __STDC_HOSTED__
int main(void) { return relu_check(); }
#else
/* A bare-metal startup has nowhere to return to: end through the I/O shim. */
int main(void) { edgec_test_exit(relu_check()); }
#endif

static float x[RELU_INPUT0_ELEMENTS], y[RELU_OUTPUT0_ELEMENTS];
static _Alignas(RELU_ARENA_ALIGN) unsigned char arena[RELU_ARENA_BYTES > 0 ? RELU_ARENA_BYTES : 1];

static int relu_check(void) {
  for (int i = 0; i < RELU_INPUT0_ELEMENTS; ++i)
    x[i] = (float)(i - 2);
  const void *inputs[] = {x};
  void *outputs[] = {y};
  if (relu_run_packed(inputs, outputs, arena) != EDGEC_OK)
    return 1;
  int positive = 0;
  for (int i = 0; i < RELU_OUTPUT0_ELEMENTS; ++i)
    positive += y[i] > 0;
  char line[] = "positive: ..\n";
  line[10] = (char)('0' + positive / 10);
  line[11] = (char)('0' + positive % 10);
  PRINT(line);
#ifndef EXPECT_POSITIVE
#define EXPECT_POSITIVE (RELU_OUTPUT0_ELEMENTS - 3)
#endif
  return positive == EXPECT_POSITIVE ? 0 : 3;
}
