/*===- decode.c - greedy decoding with an edgec-compiled decode step ------===*
 *
 * Runs a decode-step artifact compiled with `--name llm` (examples/llm,
 * docs/guides/llm.md): inputs token [1, 1] int64, pos [1] int64, k_cache
 * and v_cache; outputs logits [1, 1, vocab] and the two caches with this
 * token's keys and values written at pos. The prompt goes in one token per
 * step (prefill), then each step's argmax is the next token (greedy).
 *
 *   cc -O2 -I out examples/llm/decode.c out/libllm.a -o decode
 *   ./decode N_TOKENS PROMPT_ID...      prints the generated ids, then the
 *                                       decode rate on stderr
 *
 * -DLOGITS_FILE='"path"' writes every step's logits there (raw float32, one
 * row per generated token) for test/e2e/llm_decode.py.
 *
 * Compiled with `--state k_cache=k_cache_out --state v_cache=v_cache_out`,
 * the header says each cache output updates its input (LLM_OUTPUTi_
 * UPDATES_INPUT) and one buffer per cache serves as both: updated in place,
 * nothing copied. Otherwise the caches are ping-ponged between two pairs
 * of buffers (each step reads one pair and writes the other). No malloc:
 * everything is sized by the header's macros.
 *===----------------------------------------------------------------------===*/
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include "llm.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if LLM_NUM_INPUTS != 4 || LLM_NUM_OUTPUTS != 3 || LLM_INPUT0_DTYPE != EDGEC_DTYPE_I64
#error "decode.c wants a decode step: (token, pos, k_cache, v_cache) -> (logits, k_cache, v_cache)"
#endif
#if LLM_INPUT2_BYTES != LLM_OUTPUT1_BYTES || LLM_INPUT3_BYTES != LLM_OUTPUT2_BYTES
#error "the caches out must have the caches' sizes"
#endif

#define VOCAB LLM_OUTPUT0_ELEMENTS
/* max_len: dim 3 of [layers, 1, kv_heads, max_len, head_dim] */
static const int64_t cache_shape[] = LLM_INPUT2_SHAPE;

#if defined(LLM_OUTPUT1_UPDATES_INPUT) && defined(LLM_OUTPUT2_UPDATES_INPUT)
#if LLM_OUTPUT1_UPDATES_INPUT != 2 || LLM_OUTPUT2_UPDATES_INPUT != 3
#error "the cache outputs update other inputs than the caches"
#endif
#define PAIRS 1 /* updated in place */
#else
#define PAIRS 2 /* ping-pong */
#endif
static float k_cache[PAIRS][LLM_INPUT2_ELEMENTS], v_cache[PAIRS][LLM_INPUT3_ELEMENTS];
static float logits[VOCAB];
static _Alignas(LLM_ARENA_ALIGN) unsigned char arena[LLM_ARENA_BYTES > 0 ? LLM_ARENA_BYTES : 1];

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One step: token at pos, caches from pair `from` into the other pair (or
 * the same one, in place). */
static int step(int64_t token, int64_t pos, int from) {
  int to = (from + 1) % PAIRS;
  const void *inputs[] = {&token, &pos, k_cache[from], v_cache[from]};
  void *outputs[] = {logits, k_cache[to], v_cache[to]};
  return llm_run_packed(inputs, outputs, arena);
}

static int64_t argmax(void) {
  int64_t best = 0;
  for (int64_t i = 1; i < VOCAB; ++i)
    if (logits[i] > logits[best])
      best = i;
  return best;
}

int main(int argc, char **argv) {
  const int64_t max_len = cache_shape[3];
  if (argc < 3) {
    fprintf(stderr, "usage: %s N_TOKENS PROMPT_ID...\n", argv[0]);
    return 2;
  }
  long n = strtol(argv[1], NULL, 10);
  int prompt = argc - 2;
  if (n < 1 || prompt + n - 1 > max_len) {
    fprintf(stderr, "decode: %d prompt tokens + %ld generated must fit the cache's %lld positions\n", prompt, n,
            (long long)max_len);
    return 2;
  }
  int from = 0;
  int64_t pos = 0, token = 0;
#ifdef LOGITS_FILE
  FILE *logits_file = fopen(LOGITS_FILE, "wb");
  if (!logits_file)
    return 1;
#endif
  double start = seconds();
  for (int i = 0; i < prompt; ++i, ++pos) {
    token = strtoll(argv[2 + i], NULL, 10);
    if (token < 0 || token >= VOCAB) {
      fprintf(stderr, "decode: token id %lld is outside the vocabulary of %d\n", (long long)token, VOCAB);
      return 2;
    }
    if (step(token, pos, from) != EDGEC_OK)
      return 1;
    from = (from + 1) % PAIRS;
  }
  double prefilled = seconds();
  for (long i = 0; i < n; ++i) {
#ifdef LOGITS_FILE
    if (fwrite(logits, sizeof logits, 1, logits_file) != 1)
      return 1;
#endif
    token = argmax();
    printf("%s%lld", i ? "," : "", (long long)token);
    if (i + 1 == n)
      break;
    if (step(token, pos++, from) != EDGEC_OK)
      return 1;
    from = (from + 1) % PAIRS;
  }
  double done = seconds();
  printf("\n");
#ifdef LOGITS_FILE
  if (fclose(logits_file))
    return 1;
#endif
  fprintf(stderr, "prefill: %d tokens in %.3f ms (%.1f tokens/s); decode: %ld tokens in %.3f ms (%.1f tokens/s)\n",
          prompt, 1e3 * (prefilled - start), prompt / (prefilled - start), n - 1, 1e3 * (done - prefilled),
          n > 1 ? (double)(n - 1) / (done - prefilled) : 0.0);
  return 0;
}
