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
 * On a device (a freestanding build, no libc) it runs under `edgec run
 * --program`, which links it against the artifact and the target's
 * platform I/O (runtime-stub/edgec_test_io.h); the prompt and count are
 * compiled in, and there is no clock:
 *
 *   edgec run llm.onnx --target cortex-m7 --name llm --program examples/llm/decode.c \
 *       --harness-define N_TOKENS=8 --harness-define 'PROMPT={1,2,3}'
 *
 * (hosted builds take the same macros when run without arguments).
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
#include "llm.h"

#if __STDC_HOSTED__
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#else
#include "edgec_test_io.h"
#endif

#if LLM_NUM_INPUTS != 4 || LLM_NUM_OUTPUTS != 3 || LLM_INPUT0_DTYPE != EDGEC_DTYPE_I64
#error "decode.c wants a decode step: (token, pos, k_cache, v_cache) -> (logits, k_cache, v_cache)"
#endif
#if LLM_INPUT2_BYTES != LLM_OUTPUT1_BYTES || LLM_INPUT3_BYTES != LLM_OUTPUT2_BYTES
#error "the caches out must have the caches' sizes"
#endif
#if !__STDC_HOSTED__ && (!defined(N_TOKENS) || !defined(PROMPT))
#error "a freestanding build takes the prompt and count as -DPROMPT={ids} -DN_TOKENS=n"
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

/* What the platform gives: a console, a clock (seconds; 0 without one), and
 * where the logits go (LOGITS_FILE). */
#if __STDC_HOSTED__
static void say(const char *text) { fputs(text, stdout); }
static void complain(const char *text) { fputs(text, stderr); }
static double seconds(void) {
  struct timespec t;
  timespec_get(&t, TIME_UTC); /* C11: no POSIX feature macros needed */
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
#ifdef LOGITS_FILE
static FILE *logits_file;
static int open_logits(long n) { (void)n; return (logits_file = fopen(LOGITS_FILE, "wb")) != NULL; }
static int save_logits(long i) { (void)i; return fwrite(logits, sizeof logits, 1, logits_file) == 1; }
static int close_logits(void) { return fclose(logits_file) == 0; }
#endif
#else
static void say(const char *text) { edgec_test_print(text); }
static void complain(const char *text) { edgec_test_print(text); }
static double seconds(void) { return 0; }
#ifdef LOGITS_FILE
/* No streams: the rows are kept and written in one go. */
static float saved_logits[N_TOKENS][VOCAB];
static int open_logits(long n) { return n <= N_TOKENS; }
static int save_logits(long i) {
  for (int64_t v = 0; v < VOCAB; ++v)
    saved_logits[i][v] = logits[v];
  return 1;
}
static int close_logits(void) { return edgec_test_write(LOGITS_FILE, saved_logits, sizeof saved_logits) == 0; }
#endif
#endif

/* `v` in decimal after `prefix`, into `out` (24 bytes are enough). */
static const char *decimal(char *out, const char *prefix, int64_t v) {
  char digits[21];
  int n = 0;
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do
    digits[n++] = (char)('0' + u % 10);
  while ((u /= 10) != 0);
  char *p = out;
  while (*prefix)
    *p++ = *prefix++;
  if (v < 0)
    *p++ = '-';
  while (n)
    *p++ = digits[--n];
  *p = '\0';
  return out;
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

/* Prefills `prompt` ids one step each, then generates n tokens greedily,
 * printing them comma-separated. 0 on success, 1 when a step fails, 2 for
 * bad arguments. */
static int generate(const int64_t *ids, int prompt, long n) {
  const int64_t max_len = cache_shape[3];
  char text[64];
  if (prompt < 1 || n < 1 || prompt + n - 1 > max_len) {
    complain("decode: the prompt (at least one token) and the tokens generated must fit the cache's positions\n");
    return 2;
  }
  int from = 0;
  int64_t pos = 0, token = 0;
#ifdef LOGITS_FILE
  if (!open_logits(n))
    return 1;
#endif
  double start = seconds();
  for (int i = 0; i < prompt; ++i, ++pos) {
    token = ids[i];
    if (token < 0 || token >= VOCAB) {
      complain(decimal(text, "decode: a token id outside the vocabulary: ", token));
      complain("\n");
      return 2;
    }
    if (step(token, pos, from) != EDGEC_OK)
      return 1;
    from = (from + 1) % PAIRS;
  }
  double prefilled = seconds();
  for (long i = 0; i < n; ++i) {
#ifdef LOGITS_FILE
    if (!save_logits(i))
      return 1;
#endif
    token = argmax();
    say(decimal(text, i ? "," : "", token));
    if (i + 1 == n)
      break;
    if (step(token, pos++, from) != EDGEC_OK)
      return 1;
    from = (from + 1) % PAIRS;
  }
  double done = seconds();
  say("\n");
#ifdef LOGITS_FILE
  if (!close_logits())
    return 1;
#endif
#if __STDC_HOSTED__
  fprintf(stderr, "prefill: %d tokens in %.3f ms (%.1f tokens/s); decode: %ld tokens in %.3f ms (%.1f tokens/s)\n",
          prompt, 1e3 * (prefilled - start), prompt / (prefilled - start), n - 1, 1e3 * (done - prefilled),
          n > 1 ? (double)(n - 1) / (done - prefilled) : 0.0);
#else
  (void)start, (void)prefilled, (void)done;
#endif
  return 0;
}

#if __STDC_HOSTED__
int main(int argc, char **argv) {
  if (argc < 3) {
#if defined(N_TOKENS) && defined(PROMPT)
    if (argc == 1) {
      static const int64_t built_in[] = PROMPT;
      return generate(built_in, (int)(sizeof built_in / sizeof built_in[0]), N_TOKENS);
    }
#endif
    fprintf(stderr, "usage: %s N_TOKENS PROMPT_ID...\n", argv[0]);
    return 2;
  }
  static int64_t ids[4096];
  int prompt = argc - 2;
  if (prompt > 4096) {
    fprintf(stderr, "decode: at most 4096 prompt tokens\n");
    return 2;
  }
  for (int i = 0; i < prompt; ++i)
    ids[i] = strtoll(argv[2 + i], NULL, 10);
  return generate(ids, prompt, strtol(argv[1], NULL, 10));
}
#else
int main(void) {
  static const int64_t ids[] = PROMPT;
  edgec_test_exit(generate(ids, (int)(sizeof ids / sizeof ids[0]), N_TOKENS));
}
#endif
