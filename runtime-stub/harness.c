/* Test harness for cross-target artifacts (edgec run --target X, the
 * conformance runner): reads in0.bin, in1.bin, ... (raw little-endian tensor
 * bytes) from the current directory, runs the model, writes out0.bin, ...
 * Freestanding C99: no libc, no malloc; I/O through edgec_test_io.h.
 * FILE_DIR, a string literal ending in '/', may name the directory the
 * files are in (the default is the current directory). Built per artifact
 * with
 *   -include NAME.h -DRUN=NAME_run_packed -DARENA_BYTES=... -DNUM_INPUTS=...
 *   -DNUM_OUTPUTS=... -DINPUT_BYTES={...} -DOUTPUT_BYTES={...}
 * The arena and every output are surrounded by guard bytes that must
 * survive the call. For bench/: -DREPEAT=N runs the model N times (the
 * instructions of one inference are the difference of two counts), and
 * -DMEASURE_STACK=BYTES paints that much stack below the caller before the
 * run and prints the deepest byte the model touched; -DBATCH=N (one input,
 * one output) runs the model on in0.bin ... in<N-1>.bin, writing out0.bin
 * ... out<N-1>.bin, so a device can be checked on a whole test set.
 * -DSTACK_BOUND=BYTES (edgec run passes <NAME>_STACK_BYTES) measures the
 * stack as MEASURE_STACK does and fails if the model went deeper than the
 * compiler's bound. The inputs are const: a checksum of each, taken before
 * the call, must hold after it. Exit status: 0 ok, 2 bad input file, 3 guard
 * bytes overwritten, 4 the model returned an error, 5 cannot write an
 * output, 7 the stack went deeper than STACK_BOUND, 8 the model wrote an
 * input. */
#include "edgec_test_io.h"

#ifndef FILE_DIR
#define FILE_DIR ""
#endif
typedef char file_dir_fits[sizeof(FILE_DIR) < 480 ? 1 : -1];

#define GUARD 64
#define GUARD_BYTE 0xA5
#define ALIGN_UP(n) (((n) + 15) & ~15L)

static const long kInputBytes[NUM_INPUTS > 0 ? NUM_INPUTS : 1] = INPUT_BYTES;
static const long kOutputBytes[NUM_OUTPUTS > 0 ? NUM_OUTPUTS : 1] = OUTPUT_BYTES;

/* Inputs, outputs and the arena in one static block, each 16-byte aligned
 * and followed by a guard. IO_BYTES is the sum of ALIGN_UP(bytes) + GUARD
 * over inputs and outputs. */
static unsigned char block[IO_BYTES + ARENA_BYTES + 2 * GUARD] __attribute__((aligned(16)));

static void file_name(char *out, const char *prefix, int index) {
  char digits[12];
  int n = 0;
  for (const char *dir = FILE_DIR; *dir;)
    *out++ = *dir++;
  do {
    digits[n++] = (char)('0' + index % 10);
    index /= 10;
  } while (index > 0);
  while (*prefix)
    *out++ = *prefix++;
  while (n > 0)
    *out++ = digits[--n];
  const char *suffix = ".bin";
  while (*suffix)
    *out++ = *suffix++;
  *out = '\0';
}

#ifndef REPEAT
#define REPEAT 1
#endif

/* A little past the bound is enough to see the model go past it; more
 * could reach the bss on a board whose RAM the model nearly fills. */
#if defined(STACK_BOUND) && !defined(MEASURE_STACK)
#define MEASURE_STACK (STACK_BOUND + 256L)
#endif

#ifdef MEASURE_STACK
#define STACK_PAINT 0x5Au
/* Below paint_stack's local: room for the rest of its own frame (a few
 * words; the targets this harness runs on have no red zone below sp). */
#define STACK_SLACK 32
#include <stdint.h>
static uintptr_t stack_top;
/* Paints MEASURE_STACK bytes below this (not inlined) function's frame,
 * which lies below main's, so none of main's locals is touched. The model,
 * called from main next, uses the same stack from main's frame down. */
__attribute__((noinline)) static void paint_stack(void) {
  volatile unsigned char local = 0;
  stack_top = (uintptr_t)&local - STACK_SLACK;
  for (long i = 0; i < MEASURE_STACK; ++i)
    *(volatile unsigned char *)(stack_top - (uintptr_t)i) = STACK_PAINT;
}

/* After the run: how far below the painted start the model overwrote a
 * byte (0: none). STACK_SLACK more is the stack from just below main's
 * frame, below the truth by paint_stack's frame above its local (a few
 * words) when the model went past the slack, and an upper bound by at most
 * STACK_SLACK when it did not. */
static long stack_painted_used(void) {
  long deepest = 0;
  for (long i = 0; i < MEASURE_STACK; ++i)
    if (*(volatile unsigned char *)(stack_top - (uintptr_t)i) != STACK_PAINT)
      deepest = i;
  return deepest;
}

#endif

static void print_number(const char *label, long value, const char *end) {
  char text[24];
  int n = 0;
  do {
    text[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  char out[24];
  for (int i = 0; i < n; ++i)
    out[i] = text[n - 1 - i];
  out[n] = '\0';
  edgec_test_print(label);
  edgec_test_print(out);
  edgec_test_print(end);
}

/* FNV-1a over `size` bytes: whether a buffer changed. */
static unsigned long checksum(const void *data, long size) {
  const unsigned char *p = (const unsigned char *)data;
  unsigned long h = 2166136261ul;
  for (long k = 0; k < size; ++k)
    h = ((h ^ p[k]) * 16777619ul) & 0xFFFFFFFFul;
  return h;
}

static int guard_intact(const unsigned char *p) {
  for (int i = 0; i < GUARD; ++i)
    if (p[i] != GUARD_BYTE)
      return 0;
  return 1;
}

int main(void) {
  const void *inputs[NUM_INPUTS > 0 ? NUM_INPUTS : 1];
  void *outputs[NUM_OUTPUTS > 0 ? NUM_OUTPUTS : 1];
  unsigned char *guards[NUM_INPUTS + NUM_OUTPUTS + 2];
  int numGuards = 0;
  char name[512];
  for (long i = 0; i < (long)sizeof(block); ++i)
    block[i] = GUARD_BYTE;
  unsigned char *p = block;
  guards[numGuards++] = p; /* before the arena */
  unsigned char *arena = p + GUARD;
  p = arena + ARENA_BYTES;
  guards[numGuards++] = p;
  p += GUARD;
  for (int i = 0; i < NUM_INPUTS; ++i) {
    file_name(name, "in", i);
    if (edgec_test_read(name, p, kInputBytes[i]) != kInputBytes[i]) {
      edgec_test_print("harness: cannot read ");
      edgec_test_print(name);
      edgec_test_print(" (missing or short)\n");
      edgec_test_exit(2);
    }
    inputs[i] = p;
    p += ALIGN_UP(kInputBytes[i]);
    guards[numGuards++] = p;
    p += GUARD;
  }
  for (int i = 0; i < NUM_OUTPUTS; ++i) {
    for (long k = 0; k < kOutputBytes[i]; ++k)
      p[k] = 0;
    outputs[i] = p;
    p += ALIGN_UP(kOutputBytes[i]);
    guards[numGuards++] = p;
    p += GUARD;
  }
  if (p > block + sizeof(block)) {
    edgec_test_print("harness: IO_BYTES is too small for the inputs and outputs\n");
    edgec_test_exit(2);
  }
#ifdef BATCH
  typedef char batch_has_one_input_and_output[NUM_INPUTS == 1 && NUM_OUTPUTS == 1 ? 1 : -1];
  for (long k = 1; k < BATCH; ++k) {
    if (RUN(inputs, outputs, arena) != 0) {
      edgec_test_print("harness: the model returned an error\n");
      edgec_test_exit(4);
    }
    file_name(name, "out", (int)(k - 1));
    if (edgec_test_write(name, outputs[0], kOutputBytes[0]) != 0) {
      edgec_test_print("harness: cannot write an output\n");
      edgec_test_exit(5);
    }
    file_name(name, "in", (int)k);
    if (edgec_test_read(name, (void *)inputs[0], kInputBytes[0]) != kInputBytes[0]) {
      edgec_test_print("harness: cannot read a batch input\n");
      edgec_test_exit(2);
    }
  }
#endif
  unsigned long before[NUM_INPUTS > 0 ? NUM_INPUTS : 1];
  for (int i = 0; i < NUM_INPUTS; ++i)
    before[i] = checksum(inputs[i], kInputBytes[i]);
#ifdef MEASURE_STACK
  paint_stack();
#endif
  int status = 0;
  for (int r = 0; r < REPEAT && status == 0; ++r)
    status = RUN(inputs, outputs, arena);
#ifdef MEASURE_STACK
  /* Read before anything else runs on the stack (the printing). */
  long painted = stack_painted_used(), used = STACK_SLACK + painted;
#ifdef STACK_BOUND
  print_number("edgec-stack-bytes: ", used, "");
  print_number(" (the compiler's bound: ", STACK_BOUND, ")\n");
  /* Past the slack, `used` is below the truth: a value over the bound
   * means the bound is wrong. */
  if (painted > 0 && used > STACK_BOUND) {
    edgec_test_print("harness: the model used more stack than the compiler's bound\n");
    edgec_test_exit(7);
  }
#else
  print_number("edgec-stack-bytes: ", used, "\n");
#endif
#endif
  for (int g = 0; g < numGuards; ++g)
    if (!guard_intact(guards[g])) {
      edgec_test_print("harness: guard bytes overwritten\n");
      edgec_test_exit(3);
    }
  for (int i = 0; i < NUM_INPUTS; ++i)
    if (checksum(inputs[i], kInputBytes[i]) != before[i]) {
      print_number("harness: the model wrote input ", i, " (inputs are const)\n");
      edgec_test_exit(8);
    }
  if (status != 0) {
    edgec_test_print("harness: the model returned an error\n");
    edgec_test_exit(4);
  }
  for (int i = 0; i < NUM_OUTPUTS; ++i) {
#ifdef BATCH
    file_name(name, "out", BATCH - 1);
#else
    file_name(name, "out", i);
#endif
    if (edgec_test_write(name, outputs[i], kOutputBytes[i]) != 0) {
      edgec_test_print("harness: cannot write ");
      edgec_test_print(name);
      edgec_test_print("\n");
      edgec_test_exit(5);
    }
  }
  edgec_test_exit(0);
}
