/* IEEE half-precision conversions for targets whose FPU has none: LLVM
 * calls these for float16 tensors (Cast to and from FLOAT16, float16
 * arithmetic done in float). Round to nearest even, subnormals, infinities
 * and NaN as IEEE 754 says; double converts directly (through float it
 * would round twice). Names: compiler-rt's (RISC-V, Hexagon) and the Arm
 * run-time ABI's. */
#include <stdint.h>

#if defined(__riscv)
typedef _Float16 half_t; /* passed like a float in the hard-float ABIs */
#else
typedef uint16_t half_t; /* Hexagon, Arm: the bits in an integer register */
#endif

static uint16_t half_bits(half_t h) {
  uint16_t b;
  __builtin_memcpy(&b, &h, 2);
  return b;
}

static half_t half_of(uint16_t b) {
  half_t h;
  __builtin_memcpy(&h, &b, 2);
  return h;
}

/* The half nearest to sign * mantissa * 2^(exponent - 52), where mantissa
 * carries its leading 1 at bit 52 (or is smaller, for doubles' subnormals). */
static uint16_t round_to_half(uint32_t sign, int exponent, uint64_t mantissa) {
  /* Half's normal range is 2^-14 .. 2^15; below it, subnormal steps of 2^-24. */
  int shift = 52 - 10 + (exponent < -14 ? -14 - exponent : 0);
  if (shift > 63)
    return (uint16_t)(sign << 15); /* far below the smallest subnormal */
  uint64_t kept = mantissa >> shift, rest = mantissa & ((((uint64_t)1) << shift) - 1);
  uint64_t half_way = ((uint64_t)1) << (shift - 1);
  if (rest > half_way || (rest == half_way && (kept & 1)))
    ++kept; /* may carry into the exponent, which the addition below handles */
  /* Normal: exponent field and fraction, a rounding carry (kept == 0x800)
   * stepping into the next exponent. Subnormal: kept is the fraction, and a
   * carry to 0x400 is the smallest normal. */
  uint32_t value = exponent < -14 ? (uint32_t)kept
                                  : ((uint32_t)(exponent + 15) << 10) + ((uint32_t)kept - 0x400);
  if (value >= 0x7c00)
    value = 0x7c00; /* overflow to infinity */
  return (uint16_t)((sign << 15) | value);
}

static uint16_t double_to_half(uint64_t d) {
  uint32_t sign = (uint32_t)(d >> 63);
  int exponent = (int)((d >> 52) & 0x7ff);
  uint64_t fraction = d & ((((uint64_t)1) << 52) - 1);
  if (exponent == 0x7ff) /* infinity, or NaN kept quiet with its top bits */
    return (uint16_t)((sign << 15) | 0x7c00 | (fraction ? 0x200 | (uint32_t)(fraction >> 42) : 0));
  if (exponent == 0)
    return (uint16_t)(sign << 15); /* double subnormals are far below half's */
  if (exponent - 1023 > 15)
    return (uint16_t)((sign << 15) | 0x7c00);
  return round_to_half(sign, exponent - 1023, fraction | ((uint64_t)1) << 52);
}

static uint64_t float_as_double_bits(float f) {
  uint32_t b;
  __builtin_memcpy(&b, &f, 4);
  uint32_t sign = b >> 31, exponent = (b >> 23) & 0xff, fraction = b & 0x7fffff;
  uint64_t out = (uint64_t)sign << 63;
  if (exponent == 0xff)
    return out | ((uint64_t)0x7ff << 52) | ((uint64_t)fraction << 29);
  if (exponent == 0) { /* subnormal float: normalise */
    if (fraction == 0)
      return out;
    int e = -126;
    while (!(fraction & 0x800000)) {
      fraction <<= 1;
      --e;
    }
    return out | ((uint64_t)(e + 1023) << 52) | ((uint64_t)(fraction & 0x7fffff) << 29);
  }
  return out | ((uint64_t)(exponent - 127 + 1023) << 52) | ((uint64_t)fraction << 29);
}

static float half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f)
    bits = sign | 0x7f800000 | (fraction << 13);
  else if (exponent == 0) {
    if (fraction == 0) {
      bits = sign;
    } else { /* subnormal half: a normal float */
      int e = -14;
      while (!(fraction & 0x400)) {
        fraction <<= 1;
        --e;
      }
      bits = sign | ((uint32_t)(e + 127) << 23) | ((fraction & 0x3ff) << 13);
    }
  } else {
    bits = sign | ((exponent - 15 + 127) << 23) | (fraction << 13);
  }
  float f;
  __builtin_memcpy(&f, &bits, 4);
  return f;
}

static uint64_t double_bits(double d) {
  uint64_t b;
  __builtin_memcpy(&b, &d, 8);
  return b;
}

half_t __truncsfhf2(float f) { return half_of(double_to_half(float_as_double_bits(f))); }
half_t __truncdfhf2(double d) { return half_of(double_to_half(double_bits(d))); }
float __extendhfsf2(half_t h) { return half_to_float(half_bits(h)); }

#if defined(__arm__)
uint16_t __aeabi_f2h(float f) { return double_to_half(float_as_double_bits(f)); }
uint16_t __aeabi_d2h(double d) { return double_to_half(double_bits(d)); }
float __aeabi_h2f(uint16_t h) { return half_to_float(h); }
#endif
