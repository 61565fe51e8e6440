/*===- edgec_runtime.h - ABI between edgec artifacts and their callers -===*
 *
 * The one contract between generated code, the per-SoC runtime stubs and
 * the code that calls a model. Plain C99, freestanding, no libc.
 *
 * A model `kws` compiled by edgec exports
 *   int kws_run(const T *in0, ..., T *out0, ..., void *arena);
 *   int kws_run_packed(const void *const *inputs, void *const *outputs,
 *                      void *arena);
 * and its header gives KWS_ARENA_BYTES (size of the caller-owned arena, which
 * must be aligned to KWS_ARENA_ALIGN) and every input's and output's shape and
 * dtype. The run functions return EDGEC_OK (0) on success.
 *
 * Version 1. A change that breaks callers bumps EDGEC_ABI_VERSION.
 *===----------------------------------------------------------------------===*/
#ifndef EDGEC_RUNTIME_H
#define EDGEC_RUNTIME_H

#define EDGEC_ABI_VERSION 1

/* Status codes of <name>_run. The errors come only from argument checks
 * (below); a model that runs returns EDGEC_OK. */
#define EDGEC_OK 0
#define EDGEC_ERROR_NULL_ARGUMENT 1    /* a pointer to data (an input, output or arena of at least one byte) is null */
#define EDGEC_ERROR_MISALIGNED_ARENA 2 /* arena not aligned to <NAME>_ARENA_ALIGN */
#define EDGEC_ERROR_MISALIGNED_TENSOR 3 /* an input or output not aligned to its element */
#define EDGEC_ERROR_OVERLAP 4          /* an output or the arena overlaps another buffer */

/* Element types of inputs and outputs (<NAME>_INPUTi_DTYPE). */
#define EDGEC_DTYPE_F32 1
#define EDGEC_DTYPE_I8 2
#define EDGEC_DTYPE_U8 3
#define EDGEC_DTYPE_I16 4
#define EDGEC_DTYPE_I32 5
#define EDGEC_DTYPE_I64 6
#define EDGEC_DTYPE_BOOL 7
#define EDGEC_DTYPE_F16 8
#define EDGEC_DTYPE_F64 9
#define EDGEC_DTYPE_U16 10
#define EDGEC_DTYPE_U32 11
#define EDGEC_DTYPE_U64 12
#define EDGEC_DTYPE_STRING 13 /* <NAME>_..._STRING_BYTES bytes per string: UTF-8, NUL-padded */

/* Argument checks. With EDGEC_CHECK_ARGUMENTS non-zero (the default unless
 * NDEBUG is defined), a model's header routes <name>_run and
 * <name>_run_packed through a check of every pointer: not null, aligned,
 * outputs and arena overlapping nothing. A failed check returns its error
 * code and runs nothing. Release builds (-DNDEBUG) call the model directly:
 * the checks are not compiled at all. */
#ifndef EDGEC_CHECK_ARGUMENTS
#ifdef NDEBUG
#define EDGEC_CHECK_ARGUMENTS 0
#else
#define EDGEC_CHECK_ARGUMENTS 1
#endif
#endif

#if EDGEC_CHECK_ARGUMENTS
#include <stdint.h>

/* The pointers of one call and what the model needs of them. */
typedef struct {
  const void *const *inputs;
  const uintptr_t *input_bytes, *input_align;
  unsigned num_inputs;
  void *const *outputs;
  const uintptr_t *output_bytes, *output_align;
  unsigned num_outputs;
  const void *arena;
  uintptr_t arena_bytes, arena_align;
  /* Per output, the input it is the next value of (a state, --state), which
   * may be passed as the very same buffer; -1 for the others. Null: none. */
  const int *output_updates;
} edgec_call;

/* Whether [a, a + a_bytes) and [b, b + b_bytes) share a byte (differences,
 * not ends, so a buffer at the top of the address space does not wrap). */
static inline int edgec_overlap(const void *a, uintptr_t a_bytes, const void *b, uintptr_t b_bytes) {
  uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
  return a_bytes && b_bytes && (x >= y ? x - y < b_bytes : y - x < a_bytes);
}

static inline int edgec_misaligned(const void *p, uintptr_t align) {
  return align > 1 && (uintptr_t)p % align != 0;
}

static inline int edgec_check_call(const edgec_call *c) {
  unsigned i, j;
  if ((c->num_inputs && !c->inputs) || !c->outputs || (c->arena_bytes && !c->arena))
    return EDGEC_ERROR_NULL_ARGUMENT;
  /* A tensor of no elements (a dim of 0) may be NULL, as may an empty arena. */
  for (i = 0; i < c->num_inputs; ++i)
    if (!c->inputs[i] && c->input_bytes[i])
      return EDGEC_ERROR_NULL_ARGUMENT;
  for (i = 0; i < c->num_outputs; ++i)
    if (!c->outputs[i] && c->output_bytes[i])
      return EDGEC_ERROR_NULL_ARGUMENT;
  if (edgec_misaligned(c->arena, c->arena_align))
    return EDGEC_ERROR_MISALIGNED_ARENA;
  for (i = 0; i < c->num_inputs; ++i)
    if (edgec_misaligned(c->inputs[i], c->input_align[i]))
      return EDGEC_ERROR_MISALIGNED_TENSOR;
  for (i = 0; i < c->num_outputs; ++i)
    if (edgec_misaligned(c->outputs[i], c->output_align[i]))
      return EDGEC_ERROR_MISALIGNED_TENSOR;
  /* What the model writes (outputs, arena) must overlap nothing else
   * (a state output may be exactly its input's buffer); inputs are only
   * read and may share memory. */
  for (i = 0; i < c->num_outputs; ++i) {
    if (edgec_overlap(c->outputs[i], c->output_bytes[i], c->arena, c->arena_bytes))
      return EDGEC_ERROR_OVERLAP;
    for (j = 0; j < c->num_inputs; ++j)
      if (edgec_overlap(c->outputs[i], c->output_bytes[i], c->inputs[j], c->input_bytes[j]) &&
          !(c->output_updates && c->output_updates[i] == (int)j && c->outputs[i] == c->inputs[j]))
        return EDGEC_ERROR_OVERLAP;
    for (j = 0; j < i; ++j)
      if (edgec_overlap(c->outputs[i], c->output_bytes[i], c->outputs[j], c->output_bytes[j]))
        return EDGEC_ERROR_OVERLAP;
  }
  for (j = 0; j < c->num_inputs; ++j)
    if (edgec_overlap(c->arena, c->arena_bytes, c->inputs[j], c->input_bytes[j]))
      return EDGEC_ERROR_OVERLAP;
  return EDGEC_OK;
}
#endif /* EDGEC_CHECK_ARGUMENTS */

#endif /* EDGEC_RUNTIME_H */
