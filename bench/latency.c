/* Latency driver for host artifacts (bench/host.py):
 *   latency WARMUP REPEAT IN0 ... [OUT0 ...]
 * reads each input file, runs the model WARMUP times, then REPEAT timed
 * runs, prints the median and the minimum in milliseconds, and writes the
 * outputs if output files are given. Built like
 * runtime-stub/host/harness.c:
 *   -include NAME.h -DRUN=NAME_run_packed -DARENA_BYTES=... -DNUM_INPUTS=...
 *   -DNUM_OUTPUTS=... -DOUTPUT_BYTES={...} -D_POSIX_C_SOURCE=200112L */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const long kOutputBytes[NUM_OUTPUTS > 0 ? NUM_OUTPUTS : 1] = OUTPUT_BYTES;

static void *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = malloc(size > 0 ? (size_t)size : 1);
  if (data && fread(data, 1, (size_t)size, f) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 3 + NUM_INPUTS && argc != 3 + NUM_INPUTS + NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s WARMUP REPEAT INPUT... [OUTPUT...]\n", argv[0]);
    return 2;
  }
  int warmup = atoi(argv[1]), repeat = atoi(argv[2]);
  if (repeat < 1)
    repeat = 1;
  const void *inputs[NUM_INPUTS > 0 ? NUM_INPUTS : 1];
  void *outputs[NUM_OUTPUTS > 0 ? NUM_OUTPUTS : 1];
  for (int i = 0; i < NUM_INPUTS; ++i)
    if (!(inputs[i] = read_file(argv[3 + i]))) {
      fprintf(stderr, "cannot read %s\n", argv[3 + i]);
      return 2;
    }
  for (int i = 0; i < NUM_OUTPUTS; ++i)
    outputs[i] = calloc((size_t)kOutputBytes[i] + 1, 1);
  void *arena = aligned_alloc(64, ((size_t)ARENA_BYTES + 63) / 64 * 64 + 64);
  double *ms = malloc(sizeof(double) * (size_t)repeat);
  for (int i = 0; i < warmup; ++i)
    if (RUN(inputs, outputs, arena) != 0)
      return 4;
  for (int i = 0; i < repeat; ++i) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (RUN(inputs, outputs, arena) != 0)
      return 4;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms[i] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) * 1e-6;
  }
  qsort(ms, (size_t)repeat, sizeof(double), compare);
  for (int i = 0; argc > 3 + NUM_INPUTS && i < NUM_OUTPUTS; ++i) {
    FILE *f = fopen(argv[3 + NUM_INPUTS + i], "wb");
    if (!f || fwrite(outputs[i], 1, (size_t)kOutputBytes[i], f) != (size_t)kOutputBytes[i])
      return 5;
    fclose(f);
  }
  printf("median_ms %.6f min_ms %.6f runs %d\n", ms[repeat / 2], ms[0], repeat);
  return 0;
}
