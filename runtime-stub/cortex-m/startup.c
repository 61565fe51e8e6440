/* Cortex-M startup for an edgec firmware: the vector table, and a reset
 * handler that turns the FPU (and Helium) on (CP10/CP11 full access),
 * copies .data from flash, zeroes .bss and calls main(). Every other exception goes to
 * Default_Handler, which stops the core; each name is weak, so firmware
 * overrides the handlers it needs. Freestanding C99, used with mps2.ld
 * (or the part's own linker script defining the same symbols). */
#include <stdint.h>

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
int main(void);

void Default_Handler(void) {
  for (;;)
    __asm__ volatile("wfi");
}

void Reset_Handler(void);
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

__attribute__((section(".isr_vector"), used)) void (*const edgec_vectors[16])(void) = {
    (void (*)(void))_estack, Reset_Handler,    NMI_Handler,      HardFault_Handler,
    MemManage_Handler,       BusFault_Handler, UsageFault_Handler, 0,
    0,                       0,                0,                SVC_Handler,
    0,                       0,                PendSV_Handler,   SysTick_Handler,
};

void Reset_Handler(void) {
  /* FPU (and Helium) on first: the compiler may vectorise the copy loops
   * below with FP/MVE registers. */
#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
  volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
  *cpacr |= 0xFu << 20;
  __asm__ volatile("dsb\n isb" ::: "memory");
#endif
  for (uint32_t *s = _sidata, *d = _sdata; d < _edata;)
    *d++ = *s++;
  for (uint32_t *d = _sbss; d < _ebss;)
    *d++ = 0;
  main();
  Default_Handler();
}
