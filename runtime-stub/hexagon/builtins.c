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

/* double / double, correctly rounded (to nearest, ties to even), for
 * float64 models (Hexagon has no double divide; LLVM calls this). On the
 * bits: NaN, infinities and zeros first, subnormals normalised, then the
 * 53-bit significands divided bit by bit with shifts and subtractions. */
static int leading_zeros64(uint64_t v) {
  int n = 0;
  while (!(v & ((uint64_t)1 << 63))) {
    v <<= 1;
    ++n;
  }
  return n;
}

double __hexagon_divdf3(double a, double b) {
  const uint64_t sign_bit = (uint64_t)1 << 63, implicit = (uint64_t)1 << 52, mantissa = implicit - 1;
  const uint64_t qnan = 0x7FF8000000000000ull, inf = 0x7FF0000000000000ull;
  uint64_t x, y, sign, q = 0, r;
  int ex, ey, e, i;
  double out;
  memcpy(&x, &a, 8);
  memcpy(&y, &b, 8);
  sign = (x ^ y) & sign_bit;
  ex = (int)((x >> 52) & 0x7FF);
  ey = (int)((y >> 52) & 0x7FF);
  x &= ~sign_bit;
  y &= ~sign_bit;
  if (x > inf || y > inf || (x == 0 && y == 0) || (x == inf && y == inf)) {
    x = qnan;
  } else if (x == inf || y == 0) {
    x = sign | inf;
  } else if (x == 0 || y == inf) {
    x = sign;
  } else {
    uint64_t mx = x & mantissa, my = y & mantissa;
    if (ex == 0) { /* subnormal: normalise */
      int s = leading_zeros64(mx) - 11;
      mx <<= s;
      ex = 1 - s;
    }
    if (ey == 0) {
      int s = leading_zeros64(my) - 11;
      my <<= s;
      ey = 1 - s;
    }
    mx |= implicit;
    my |= implicit;
    e = ex - ey + 1023;
    if (mx < my) { /* quotient below 1: one more bit from the dividend */
      mx <<= 1;
      --e;
    }
    /* 55 quotient bits: 1 + 52 + guard + round; the rest is sticky. */
    r = mx;
    for (i = 0; i < 55; ++i) {
      q <<= 1;
      if (r >= my) {
        r -= my;
        q |= 1;
      }
      r <<= 1;
    }
    q = (q << 1) | (r != 0); /* 56 bits: 53 significant, guard, round, sticky */
    if (e <= 0) {            /* subnormal result: shift right, keep sticky */
      int shift = 1 - e;
      q = shift >= 56 ? (q != 0) : (q >> shift) | ((q & (((uint64_t)1 << shift) - 1)) != 0);
      e = 0;
    }
    {
      uint64_t low = q & 7, keep = q >> 3; /* 3 low bits: guard, round, sticky */
      if (low > 4 || (low == 4 && (keep & 1)))
        ++keep;
      if (e == 0) {
        x = sign | keep; /* a carry into bit 52 makes it the smallest normal */
      } else {
        if (keep >> 53) { /* rounded up to 2.0 */
          keep >>= 1;
          ++e;
        }
        x = e >= 0x7FF ? sign | inf : sign | ((uint64_t)e << 52) | (keep & mantissa);
      }
    }
  }
  memcpy(&out, &x, 8);
  return out;
}
