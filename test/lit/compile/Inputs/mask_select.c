/* Calls a model whose output has a run-time size (y = x[x > 0]): y is
 * sized for its bound, its count output says how much of it holds data. */
#include "ms.h"

#include <stdio.h>

int main(void) {
  static unsigned char arena[MS_ARENA_BYTES + 1] __attribute__((aligned(16)));
  float x[6] = {1.5f, -2.0f, 3.0f, 0.0f, -4.0f, 5.0f}, y[MS_OUTPUT0_ELEMENTS];
  int64_t count = -1;
  int i, status = ms_run(x, y, &count, arena);
  printf("status: %d\n", status);
  printf("count: %lld of %d (output %d)\n", (long long)count, MS_OUTPUT0_ELEMENTS, MS_OUTPUT0_COUNT_OUTPUT);
  for (i = 0; i < count; ++i)
    printf("y[%d] = %g\n", i, (double)y[i]);
  return 0;
}
