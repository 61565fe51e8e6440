/* Included first into runtime-stub/npu/edgec_npu.c for edgec-npu-tests: the
 * fake register block NpuDriverTest.cpp defines. */
#include <stdint.h>
extern uint32_t edgec_test_npu_registers[];
