/* __hexagon_divdf3 (runtime-stub/hexagon/builtins.c) against the host's own
 * double division, bit for bit (NaN as NaN), on random operands with
 * subnormals, zeros, infinities and NaN mixed in. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
double __hexagon_divdf3(double a, double b);
static uint64_t s = 88172645463325252ull;
static uint64_t next(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static double pick(void) {
  uint64_t r = next();
  switch (r % 8) {
  case 0: { uint64_t b = next() & 0x000FFFFFFFFFFFFFull | (next() & 0x8000000000000000ull); double d; memcpy(&d, &b, 8); return d; } /* subnormal */
  case 1: return (double)(int64_t)(next() % 2000) - 1000;
  case 2: { double v[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e-308, 1.7976931348623157e308, 4.9e-324}; return v[next() % 8]; }
  default: { uint64_t b = next(); double d; memcpy(&d, &b, 8); return d; }
  }
}
int main(void) {
  long bad = 0, n = 1000000;
  for (long i = 0; i < n; ++i) {
    double a = pick(), b = pick();
    double want = a / b, got = __hexagon_divdf3(a, b);
    uint64_t w, g; memcpy(&w, &want, 8); memcpy(&g, &got, 8);
    if (isnan(want) ? !isnan(got) : w != g) {
      if (bad++ < 5) printf("%a / %a: want %a got %a\n", a, b, want, got);
    }
  }
  printf("%ld of %ld differ\n", bad, n);
  return bad != 0;
}
