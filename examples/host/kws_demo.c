/* Calls the wake-word classifier compiled by edgec (scripts/demo.sh):
 * 16 speech embeddings of 96 values in, one score in [0, 1] out.
 * The embeddings here are a fixed pseudo-random pattern, so the score shows
 * that the artifact runs, not that anyone said "hey mycroft". */
#include <stdint.h>
#include <stdio.h>

#include "kws.h"

static _Alignas(16) unsigned char arena[KWS_ARENA_BYTES > 0 ? KWS_ARENA_BYTES : 1];
static float embeddings[KWS_INPUT0_ELEMENTS];
static float score[KWS_OUTPUT0_ELEMENTS];

int main(void) {
  uint32_t state = 12345u;
  for (int i = 0; i < KWS_INPUT0_ELEMENTS; ++i) {
    state = state * 1664525u + 1013904223u; /* LCG: a fixed input */
    embeddings[i] = (float)(state >> 8) / (float)(1u << 24) * 2.0f - 1.0f;
  }
  int status = kws_run(embeddings, score, arena);
  printf("kws_run returned %d; wake-word score %.6f\n", status, score[0]);
  printf("arena %d bytes (caller-owned, static), input %d floats, output %d float\n",
         KWS_ARENA_BYTES, KWS_INPUT0_ELEMENTS, KWS_OUTPUT0_ELEMENTS);
  return status;
}
