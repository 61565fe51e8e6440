/* Calls a StringNormalizer model: strings in and out as STRING_BYTES-byte
 * slots (UTF-8, NUL-padded); the count output says how many came out. */
#include "sn.h"

#include <stdio.h>

int main(void) {
  static unsigned char arena[SN_ARENA_BYTES + 1] __attribute__((aligned(16)));
  char in[4][SN_INPUT0_STRING_BYTES] = {"Monday", "tuesday", "MONDAY", "Friday 13th"};
  char out[4][SN_OUTPUT0_STRING_BYTES];
  int64_t count = -1;
  int i, status = sn_run(&in[0][0], &out[0][0], &count, arena);
  printf("status: %d\ncount: %lld\n", status, (long long)count);
  for (i = 0; i < count; ++i)
    printf("out[%d] = \"%.*s\"\n", i, SN_OUTPUT0_STRING_BYTES, out[i]);
  return 0;
}
