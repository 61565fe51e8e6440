/* Test harness for host artifacts (used by `edgec run`, test/e2e and
 * test/conformance): harness IN0 ... OUT0 ... reads each input file
 * (raw little-endian tensor bytes) and writes each output file. Built per
 * artifact with
 *   -include NAME.h -DRUN=NAME_run_packed -DARENA_BYTES=... -DNUM_INPUTS=...
 *   -DNUM_OUTPUTS=... -DOUTPUT_BYTES={...}
 * The arena is surrounded by guard bytes that must survive the call; under
 * AddressSanitizer they are poisoned too, so a read of them stops the
 * program, and every input and output is its exact size on the heap.
 * Inputs are const at the C API: each must be as its file after the call
 * (exit status 8 otherwise; the device harness's 6 and 7 are a fault and
 * the stack bound). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define HARNESS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARNESS_ASAN 1
#endif
#endif
#ifdef HARNESS_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define GUARD 64
#define GUARD_BYTE 0xA5

static const long kOutputBytes[NUM_OUTPUTS > 0 ? NUM_OUTPUTS : 1] = OUTPUT_BYTES;

static void *read_file(const char *path, long *size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  *size = ftell(f);
  fseek(f, 0, SEEK_SET);
  void *data = malloc(*size > 0 ? (size_t)*size : 1);
  if (data && fread(data, 1, (size_t)*size, f) != (size_t)*size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  if (argc != 1 + NUM_INPUTS + NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s INPUT... OUTPUT...\n", argv[0]);
    return 2;
  }
  const void *inputs[NUM_INPUTS > 0 ? NUM_INPUTS : 1];
  void *outputs[NUM_OUTPUTS > 0 ? NUM_OUTPUTS : 1];
  for (int i = 0; i < NUM_INPUTS; ++i) {
    long size;
    inputs[i] = read_file(argv[1 + i], &size);
    if (!inputs[i]) {
      fprintf(stderr, "cannot read %s\n", argv[1 + i]);
      return 2;
    }
  }
  for (int i = 0; i < NUM_OUTPUTS; ++i)
    outputs[i] = calloc(kOutputBytes[i] > 0 ? (size_t)kOutputBytes[i] : 1, 1);
  /* 16-byte aligned arena with guards on both sides. */
  unsigned char *block = aligned_alloc(16, (size_t)ARENA_BYTES + 2 * GUARD);
  memset(block, GUARD_BYTE, (size_t)ARENA_BYTES + 2 * GUARD);
  POISON(block, GUARD);
  POISON(block + GUARD + ARENA_BYTES, GUARD);
  int status = RUN(inputs, outputs, block + GUARD);
  UNPOISON(block, GUARD);
  UNPOISON(block + GUARD + ARENA_BYTES, GUARD);
  for (int i = 0; i < GUARD; ++i)
    if (block[i] != GUARD_BYTE || block[GUARD + ARENA_BYTES + i] != GUARD_BYTE) {
      fprintf(stderr, "arena guard bytes overwritten\n");
      return 3;
    }
  if (status != 0) {
    fprintf(stderr, "run returned %d\n", status);
    return 4;
  }
  for (int i = 0; i < NUM_INPUTS; ++i) {
    long size;
    void *again = read_file(argv[1 + i], &size);
    if (again && memcmp(again, inputs[i], (size_t)size) != 0) {
      fprintf(stderr, "input %d was written by the model (inputs are const)\n", i);
      return 8;
    }
    free(again);
  }
  for (int i = 0; i < NUM_OUTPUTS; ++i) {
    FILE *f = fopen(argv[1 + NUM_INPUTS + i], "wb");
    if (!f || fwrite(outputs[i], 1, (size_t)kOutputBytes[i], f) != (size_t)kOutputBytes[i]) {
      fprintf(stderr, "cannot write %s\n", argv[1 + NUM_INPUTS + i]);
      return 2;
    }
    fclose(f);
  }
  for (int i = 0; i < NUM_INPUTS; ++i)
    free((void *)inputs[i]);
  for (int i = 0; i < NUM_OUTPUTS; ++i)
    free(outputs[i]);
  free(block);
  return 0;
}
