/*===- edgec_npu.c - the NPU driver: hands a command stream to the device -===*
 *
 * Freestanding C99 for the SoC that carries edgec's NPU (docs/design/npu.md,
 * "Driver"): writes the stream's and the binding table's addresses into the
 * device's registers, starts it, and polls until it is done. Build it with
 * the firmware:
 *   -DEDGEC_NPU_BASE=0x...        the register block's address (required)
 *   -DEDGEC_NPU_SPIN_LIMIT=N      polls before EDGEC_NPU_ERROR_TIMEOUT
 *   -DEDGEC_NPU_POLL=f            void f(void), called at each poll (a WFE,
 *                                 a watchdog kick)
 *   -DEDGEC_NPU_BEFORE_SUBMIT=f, -DEDGEC_NPU_AFTER_SUBMIT=f
 *                                 void f(void) around the job: on a SoC whose
 *                                 NPU does not snoop the CPU's data cache,
 *                                 clean the inputs and constants before and
 *                                 invalidate the outputs after.
 *
 * Registers (32-bit, offsets from EDGEC_NPU_BASE):
 *   0x00 ID        RO  EDGEC_NPU_MAGIC
 *   0x04 VERSION   RO  the command stream format it executes
 *   0x08 CONTROL   WO  EDGEC_NPU_CONTROL_START, EDGEC_NPU_CONTROL_ACK
 *   0x0C STATUS    RO  EDGEC_NPU_STATUS_BUSY | EDGEC_NPU_STATUS_DONE
 *   0x10 RESULT    RO  the finished job's status (EDGEC_NPU_OK or an error)
 *   0x14 STREAM_LO, 0x18 STREAM_HI   the stream's address
 *   0x1C STREAM_WORDS
 *   0x20 TABLE_LO, 0x24 TABLE_HI     the binding table's address: per
 *        binding four words, address low, address high, bytes, 0
 *   0x28 TABLE_COUNT
 *===----------------------------------------------------------------------===*/
#include "edgec_npu.h"

#ifndef EDGEC_NPU_BASE
#error "define EDGEC_NPU_BASE, the address of the NPU's registers"
#endif
#ifndef EDGEC_NPU_SPIN_LIMIT
#define EDGEC_NPU_SPIN_LIMIT 0x40000000u
#endif
#ifdef EDGEC_NPU_POLL
void EDGEC_NPU_POLL(void);
#define POLL() EDGEC_NPU_POLL()
#else
#define POLL() ((void)0)
#endif
#ifdef EDGEC_NPU_BEFORE_SUBMIT
void EDGEC_NPU_BEFORE_SUBMIT(void);
#define BEFORE_SUBMIT() EDGEC_NPU_BEFORE_SUBMIT()
#else
#define BEFORE_SUBMIT() ((void)0)
#endif
#ifdef EDGEC_NPU_AFTER_SUBMIT
void EDGEC_NPU_AFTER_SUBMIT(void);
#define AFTER_SUBMIT() EDGEC_NPU_AFTER_SUBMIT()
#else
#define AFTER_SUBMIT() ((void)0)
#endif

#define REG(offset) (*(volatile uint32_t *)((uintptr_t)(EDGEC_NPU_BASE) + (offset)))

int edgec_npu_submit(const uint32_t *stream, uint32_t stream_words, void *const *bindings,
                     const uint32_t *binding_bytes, uint32_t binding_count) {
  uint32_t table[EDGEC_NPU_MAX_BINDINGS * 4];
  uint32_t i, spins;
  uint64_t at;
  if (!stream || (binding_count && (!bindings || !binding_bytes)))
    return EDGEC_NPU_ERROR_BAD_STREAM;
  if (binding_count > EDGEC_NPU_MAX_BINDINGS)
    return EDGEC_NPU_ERROR_BAD_STREAM;
  if (REG(EDGEC_NPU_REG_ID) != EDGEC_NPU_MAGIC || REG(EDGEC_NPU_REG_VERSION) != EDGEC_NPU_FORMAT_VERSION)
    return EDGEC_NPU_ERROR_NO_DEVICE;
  for (i = 0; i < binding_count; ++i) {
    at = (uint64_t)(uintptr_t)bindings[i];
    table[4 * i] = (uint32_t)at;
    table[4 * i + 1] = (uint32_t)(at >> 32);
    table[4 * i + 2] = binding_bytes[i];
    table[4 * i + 3] = 0;
  }
  BEFORE_SUBMIT();
  at = (uint64_t)(uintptr_t)stream;
  REG(EDGEC_NPU_REG_STREAM_LO) = (uint32_t)at;
  REG(EDGEC_NPU_REG_STREAM_HI) = (uint32_t)(at >> 32);
  REG(EDGEC_NPU_REG_STREAM_WORDS) = stream_words;
  at = (uint64_t)(uintptr_t)table;
  REG(EDGEC_NPU_REG_TABLE_LO) = (uint32_t)at;
  REG(EDGEC_NPU_REG_TABLE_HI) = (uint32_t)(at >> 32);
  REG(EDGEC_NPU_REG_TABLE_COUNT) = binding_count;
  /* The table and the caller's buffers are written before the device reads them. */
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  REG(EDGEC_NPU_REG_CONTROL) = EDGEC_NPU_CONTROL_START;
  for (spins = 0; !(REG(EDGEC_NPU_REG_STATUS) & EDGEC_NPU_STATUS_DONE); ++spins) {
    if (spins == EDGEC_NPU_SPIN_LIMIT)
      return EDGEC_NPU_ERROR_TIMEOUT;
    POLL();
  }
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  i = REG(EDGEC_NPU_REG_RESULT);
  REG(EDGEC_NPU_REG_CONTROL) = EDGEC_NPU_CONTROL_ACK;
  AFTER_SUBMIT();
  return (int)i;
}
