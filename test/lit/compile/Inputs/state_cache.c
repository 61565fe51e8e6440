/* Calls state_cache.mlir compiled with --state cache=cache_out: with the
 * cache as one buffer (updated in place) and as two (the input unchanged),
 * each against the same loops in C; then the argument checks: the state
 * output may be exactly its input's buffer, nothing else may overlap. */
#include "sc.h"

#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N SC_INPUT2_ELEMENTS /* 2 x 1 x 4 x 3 */

static _Alignas(16) unsigned char arena[SC_ARENA_BYTES > 0 ? SC_ARENA_BYTES : 1];

/* The model in plain loops: row pos of layer k becomes x * (k + 1). */
static float reference(const float *x, int64_t pos, const float *cache, float *next) {
  float sum = 0;
  memcpy(next, cache, sizeof(float) * N);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 3; ++j)
      next[k * 12 + pos * 3 + j] = x[j] * (float)(k + 1);
  for (int i = 0; i < N; ++i)
    sum += next[i];
  return sum;
}

static int same(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-6f)
      return 0;
  return 1;
}

int main(void) {
  float x[3] = {1.5f, -2.0f, 0.25f}, cache[N], copy[N], want[N], out[N], sum = 0;
  for (int i = 0; i < N; ++i)
    cache[i] = (float)i * 0.5f - 3.0f;
  int64_t pos = 2;
  float want_sum = reference(x, pos, cache, want);

  /* Two buffers: the input is only read. */
  memcpy(copy, cache, sizeof cache);
  int status = sc_run(x, &pos, cache, &sum, out, arena);
  printf("two buffers: status %d, output %s, sum %s, input %s\n", status, same(out, want, N) ? "ok" : "WRONG",
         fabsf(sum - want_sum) < 1e-4f ? "ok" : "WRONG", same(cache, copy, N) ? "unchanged" : "CHANGED");

  /* One buffer: updated in place, twice (pos 2, then pos 0). */
  status = sc_run(x, &pos, cache, &sum, cache, arena);
  printf("one buffer: status %d, cache %s, sum %s\n", status, same(cache, want, N) ? "ok" : "WRONG",
         fabsf(sum - want_sum) < 1e-4f ? "ok" : "WRONG");
  pos = 0;
  memcpy(copy, cache, sizeof cache);
  want_sum = reference(x, pos, copy, want);
  status = sc_run(x, &pos, cache, &sum, cache, arena);
  printf("one buffer again: status %d, cache %s, sum %s\n", status, same(cache, want, N) ? "ok" : "WRONG",
         fabsf(sum - want_sum) < 1e-4f ? "ok" : "WRONG");

  /* A position past the cache (or negative past its start) writes inside
   * it: indices are clamped to the data (under ASan: no access outside). */
  int64_t bad[] = {7, -9, INT64_MAX, INT64_MIN};
  for (int b = 0; b < 4; ++b) {
    pos = bad[b];
    int64_t row = pos < -4 ? 0 : pos < 0 ? pos + 4 : pos > 3 ? 3 : pos;
    memcpy(copy, cache, sizeof cache);
    want_sum = reference(x, row, copy, want);
    status = sc_run(x, &pos, cache, &sum, cache, arena);
    printf("pos %lld: status %d, row %lld written, cache %s\n", (long long)pos, status, (long long)row,
           same(cache, want, N) ? "ok" : "WRONG");
  }

  /* The checks: a state output shifted by one element, or the state input
   * passed as another output, overlaps. */
  printf("shifted: %d\n", sc_run(x, &pos, cache, &sum, cache + 1, arena));
  printf("other output: %d\n", sc_run(x, &pos, cache, cache, out, arena));
  return 0;
}
