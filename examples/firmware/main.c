/* Example firmware: the Fashion-MNIST CNN, compiled by CMake's
 * edgec_add_model() for a Cortex-M4, on an Arm MPS2 AN386 board. It runs
 * the model on a fixed test pattern and prints the ten logits (in
 * millionths) and the predicted class over semihosting, then exits:
 *   qemu-system-arm -M mps2-an386 -semihosting -nographic -kernel firmware.elf
 * Freestanding C99: no libc, no malloc; the arena is a static buffer. */
#include "fashion.h"

#include <stdint.h>

static float image[FASHION_INPUT0_ELEMENTS];
static float logits[FASHION_OUTPUT0_ELEMENTS];
static uint8_t arena[FASHION_ARENA_BYTES] __attribute__((aligned(FASHION_ARENA_ALIGN)));

/* Arm semihosting: the debugger (qemu) does the I/O. */
static long semihost(long op, const void *args) {
  register long r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = args;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static void print(const char *text) { semihost(0x04 /* SYS_WRITE0 */, text); }

static void print_int(long v) {
  char buf[24], *p = buf + sizeof buf - 1;
  unsigned long u = v < 0 ? 0ul - (unsigned long)v : (unsigned long)v;
  *p = 0;
  do
    *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  print(p);
}

static void exit_with(long code) {
  long args[2] = {0x20026 /* ADP_Stopped_ApplicationExit */, code};
  semihost(0x20 /* SYS_EXIT_EXTENDED */, args);
  for (;;)
    ;
}

int main(void) {
  /* The test pattern: pixel i is ((i * 37) mod 256) / 255. */
  for (int i = 0; i < FASHION_INPUT0_ELEMENTS; ++i)
    image[i] = (float)((i * 37) % 256) / 255.0f;
  int status = fashion_run(image, logits, arena);
  if (status != 0) {
    print("model failed: ");
    print_int(status);
    print("\n");
    exit_with(1);
  }
  int best = 0;
  print("logits (x1e6):");
  for (int k = 0; k < FASHION_OUTPUT0_ELEMENTS; ++k) {
    float scaled = logits[k] * 1e6f;
    print(" ");
    print_int((long)(scaled < 0 ? scaled - 0.5f : scaled + 0.5f));
    if (logits[k] > logits[best])
      best = k;
  }
  print("\nclass ");
  print_int(best);
  print("\n");
  exit_with(0);
  return 0;
}
