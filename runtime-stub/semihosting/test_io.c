/* edgec_test_io.h over Arm/RISC-V semihosting: the debugger (here qemu's
 * -semihosting) opens host files in its working directory and prints to
 * its console. Arm traps with BKPT 0xAB, RISC-V with the
 * slli/ebreak/srai sequence; both take the operation in r0/a0 and a
 * pointer to its arguments in r1/a1. Test harnesses only. */
#include "edgec_test_io.h"

enum {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITE0 = 0x04,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_EXIT_EXTENDED = 0x20,
  MODE_READ_BINARY = 1,
  MODE_WRITE_BINARY = 5,
  ADP_STOPPED_APPLICATION_EXIT = 0x20026,
};

static long semihost(long op, const void *args) {
#if defined(__arm__)
  register long r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = args;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
#elif defined(__riscv)
  register long a0 __asm__("a0") = op;
  register const void *a1 __asm__("a1") = args;
  /* The three instructions must be uncompressed and in one page; align
   * first, while compressed nops may still pad. */
  __asm__ volatile(".balign 16\n .option push\n .option norvc\n"
                   " slli x0, x0, 0x1f\n ebreak\n srai x0, x0, 7\n .option pop"
                   : "+r"(a0)
                   : "r"(a1)
                   : "memory");
  return a0;
#else
#error "semihosting: Arm or RISC-V only"
#endif
}

static long length(const char *s) {
  long n = 0;
  while (s[n])
    ++n;
  return n;
}

static long open_file(const char *path, long mode) {
  long args[3] = {(long)path, mode, length(path)};
  return semihost(SYS_OPEN, args);
}

long edgec_test_read(const char *path, void *buffer, long capacity) {
  long handle = open_file(path, MODE_READ_BINARY);
  if (handle < 0)
    return -1;
  long args[3] = {handle, (long)buffer, capacity};
  long notRead = semihost(SYS_READ, args); /* the count NOT read */
  semihost(SYS_CLOSE, &handle);
  return notRead < 0 ? -1 : capacity - notRead;
}

int edgec_test_write(const char *path, const void *data, long size) {
  long handle = open_file(path, MODE_WRITE_BINARY);
  if (handle < 0)
    return -1;
  long args[3] = {handle, (long)data, size};
  long notWritten = semihost(SYS_WRITE, args);
  semihost(SYS_CLOSE, &handle);
  return notWritten == 0 ? 0 : -1;
}

void edgec_test_print(const char *text) { semihost(SYS_WRITE0, text); }

void edgec_test_exit(int status) {
  long args[2] = {ADP_STOPPED_APPLICATION_EXIT, status};
  semihost(SYS_EXIT_EXTENDED, args);
  for (;;) {
  }
}

/* A fault in a test ends the run with a message instead of hanging. */
#if defined(__arm__)
void HardFault_Handler(void) {
#elif defined(__riscv)
void edgec_riscv_trap(void) {
#endif
  edgec_test_print("harness: the program faulted\n");
  edgec_test_exit(6);
}
