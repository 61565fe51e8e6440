/* memcpy, memset and memmove for targets without a C library: the code
 * LLVM generates may call them (struct copies, zeroing loops). Word at a
 * time where both pointers are word aligned, which the arena plan makes
 * the common case. Compiled -ffreestanding, so these loops are not turned
 * back into calls to themselves. */
#include <stddef.h>
#include <stdint.h>

#if __STDC_HOSTED__
/* Hosted compilers may turn these loops into calls to memcpy/memset. */
#error "compile the runtime stub with -ffreestanding"
#endif

typedef uint32_t __attribute__((may_alias)) word_t;

static int word_aligned(const void *a, const void *b) {
  return (((uintptr_t)a | (uintptr_t)b) & 3u) == 0;
}

void *memcpy(void *restrict dest, const void *restrict src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  if (word_aligned(d, s))
    for (; n >= 4; n -= 4, d += 4, s += 4)
      *(word_t *)d = *(const word_t *)s;
  while (n--)
    *d++ = *s++;
  return dest;
}

void *memset(void *dest, int c, size_t n) {
  unsigned char *d = dest;
  if (word_aligned(d, d)) {
    word_t w = (unsigned char)c * 0x01010101u;
    for (; n >= 4; n -= 4, d += 4)
      *(word_t *)d = w;
  }
  while (n--)
    *d++ = (unsigned char)c;
  return dest;
}

void *memmove(void *dest, const void *src, size_t n) {
  unsigned char *d = dest;
  const unsigned char *s = src;
  if (d == s || n == 0)
    return dest;
  if ((uintptr_t)d < (uintptr_t)s) {
    while (n--) /* forward: a destination below the source is safe */
      *d++ = *s++;
  } else {
    while (n--)
      d[n] = s[n];
  }
  return dest;
}
