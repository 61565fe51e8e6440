/* Compiler helpers a Hexagon program needs without a toolchain library:
 * LLVM calls these for integer division (Hexagon has no divide
 * instruction) and for some copies. Written with shifts and subtractions
 * only: a `/` here would call the helper itself. */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dest, const void *restrict src, size_t n);

/* Called for copies LLVM knows are 8-byte aligned multiples of 8, >= 32. */
void *__hexagon_memcpy_likely_aligned_min32bytes_mult8bytes(void *dest, const void *src,
                                                           size_t n) {
  return memcpy(dest, src, n);
}

static uint64_t udivmod64(uint64_t n, uint64_t d, uint64_t *remainder) {
  uint64_t q = 0, r = 0;
  if (d == 0) { /* undefined in C; return all ones rather than trap */
    *remainder = n;
    return ~(uint64_t)0;
  }
  for (int i = 63; i >= 0; --i) {
    r = (r << 1) | ((n >> i) & 1);
    if (r >= d) {
      r -= d;
      q |= (uint64_t)1 << i;
    }
  }
  *remainder = r;
  return q;
}

static uint64_t magnitude(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

uint64_t __hexagon_udivdi3(uint64_t n, uint64_t d) {
  uint64_t r;
  return udivmod64(n, d, &r);
}
uint64_t __hexagon_umoddi3(uint64_t n, uint64_t d) {
  uint64_t r;
  udivmod64(n, d, &r);
  return r;
}
int64_t __hexagon_divdi3(int64_t n, int64_t d) {
  uint64_t r, q = udivmod64(magnitude(n), magnitude(d), &r);
  return (int64_t)((n < 0) != (d < 0) ? (uint64_t)0 - q : q);
}
int64_t __hexagon_moddi3(int64_t n, int64_t d) {
  uint64_t r;
  udivmod64(magnitude(n), magnitude(d), &r);
  return (int64_t)(n < 0 ? (uint64_t)0 - r : r);
}
uint32_t __hexagon_udivsi3(uint32_t n, uint32_t d) { return (uint32_t)__hexagon_udivdi3(n, d); }
uint32_t __hexagon_umodsi3(uint32_t n, uint32_t d) { return (uint32_t)__hexagon_umoddi3(n, d); }
int32_t __hexagon_divsi3(int32_t n, int32_t d) { return (int32_t)__hexagon_divdi3(n, d); }
int32_t __hexagon_modsi3(int32_t n, int32_t d) { return (int32_t)__hexagon_moddi3(n, d); }
