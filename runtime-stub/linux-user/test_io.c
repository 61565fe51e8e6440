/* edgec_test_io.h and the program entry for a freestanding test program
 * under a Linux kernel, or qemu's user mode: _start calls main() with no
 * C library, and files and the console are reached with raw system calls
 * (the asm-generic numbers that AArch64 and Hexagon share). Test harnesses
 * only; a model's library itself makes no system call. */
#include "edgec_test_io.h"

enum {
  SYS_OPENAT = 56,
  SYS_CLOSE = 57,
  SYS_READ = 63,
  SYS_WRITE = 64,
  SYS_EXIT_GROUP = 94,
  AT_FDCWD = -100,
  O_RDONLY = 0,
  O_WRONLY_CREAT_TRUNC = 01 | 0100 | 01000,
};

static long syscall4(long n, long a, long b, long c, long d) {
#if defined(__aarch64__)
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#elif defined(__hexagon__)
  register long r6 __asm__("r6") = n;
  register long r0 __asm__("r0") = a;
  register long r1 __asm__("r1") = b;
  register long r2 __asm__("r2") = c;
  register long r3 __asm__("r3") = d;
  __asm__ volatile("trap0(#1)" : "+r"(r0) : "r"(r6), "r"(r1), "r"(r2), "r"(r3) : "memory");
  return r0;
#else
#error "linux-user: AArch64 or Hexagon only"
#endif
}

static long syscall3(long n, long a, long b, long c) { return syscall4(n, a, b, c, 0); }

static long length(const char *s) {
  long n = 0;
  while (s[n])
    ++n;
  return n;
}

long edgec_test_read(const char *path, void *buffer, long capacity) {
  long fd = syscall3(SYS_OPENAT, AT_FDCWD, (long)path, O_RDONLY);
  if (fd < 0)
    return -1;
  long total = 0;
  while (total < capacity) {
    long n = syscall3(SYS_READ, fd, (long)((char *)buffer + total), capacity - total);
    if (n <= 0)
      break;
    total += n;
  }
  syscall3(SYS_CLOSE, fd, 0, 0);
  return total;
}

int edgec_test_write(const char *path, const void *data, long size) {
  long fd = syscall4(SYS_OPENAT, AT_FDCWD, (long)path, O_WRONLY_CREAT_TRUNC, 0644);
  if (fd < 0)
    return -1;
  long total = 0;
  while (total < size) {
    long n = syscall3(SYS_WRITE, fd, (long)((const char *)data + total), size - total);
    if (n <= 0)
      break;
    total += n;
  }
  syscall3(SYS_CLOSE, fd, 0, 0);
  return total == size ? 0 : -1;
}

void edgec_test_print(const char *text) { syscall3(SYS_WRITE, 2, (long)text, length(text)); }

void edgec_test_exit(int status) {
  syscall3(SYS_EXIT_GROUP, status, 0, 0);
  for (;;) {
  }
}

int main(void);

/* The kernel enters with the stack pointer set and nothing else we need. */
void edgec_start_c(void) { edgec_test_exit(main()); }

#if defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n  mov x29, #0\n  mov x30, #0\n  mov x9, sp\n  and x9, x9, #-16\n"
        "  mov sp, x9\n"
        "  bl edgec_start_c\n");
#elif defined(__hexagon__)
__asm__(".text\n.global _start\n_start:\n  r29 = and(r29, #-8)\n  call edgec_start_c\n");
#endif
