/* Single-thread read bandwidth, STREAM-like: the best of several passes
 * summing an array much larger than the caches. bench/llm.py divides a
 * decode step's weight bytes by it: the time one token cannot beat when
 * every weight is read once from memory.
 *   cc -O3 -march=native bench/stream_read.c -o stream_read && ./stream_read [MiB]
 * Prints "read_gbps X bytes N". */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1024;
  size_t n = mib * (1u << 20) / sizeof(float);
  float *a = malloc(n * sizeof(float));
  if (!a)
    return 1;
  for (size_t i = 0; i < n; ++i)
    a[i] = (float)(i & 1023);
  double best = 1e30, sink = 0;
  for (int pass = 0; pass < 6; ++pass) {
    /* 64 independent sums (four AVX-512 vectors, sixteen NEON ones): with
     * fewer, the adds' latency, not memory, limits the loop (8 sums read
     * 20 GB/s here, 64 sums 33-35). */
    float s[64] = {0};
    double t0 = seconds();
    for (size_t i = 0; i + 64 <= n; i += 64)
      for (int k = 0; k < 64; ++k)
        s[k] += a[i + k];
    double t = seconds() - t0;
    for (int k = 0; k < 64; ++k)
      sink += s[k];
    if (pass > 0 && t < best) /* the first pass warms the pages */
      best = t;
  }
  printf("read_gbps %.2f bytes %zu sink %g\n", (double)(n * sizeof(float)) / best / 1e9, n * sizeof(float), sink);
  free(a);
  return 0;
}
