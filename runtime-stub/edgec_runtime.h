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

/* Status codes of <name>_run. */
#define EDGEC_OK 0
#define EDGEC_ERROR_NULL_ARGUMENT 1
#define EDGEC_ERROR_MISALIGNED_ARENA 2

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

#endif /* EDGEC_RUNTIME_H */
