/* RISC-V rv32 startup for an edgec firmware: _start (placed first, where
 * the boot ROM jumps) sets the global and stack pointers, points mtvec at
 * edgec_riscv_trap, zeroes .bss, turns the FPU on when there is one
 * (mstatus.FS) and calls main(). edgec_riscv_trap stops the core; it is
 * weak, so firmware (or the test shim) replaces it. Freestanding C99 with
 * the entry in assembly, used with virt.ld. */
extern unsigned char _sbss[], _ebss[];
int main(void);

__asm__(".section .text.start, \"ax\"\n"
        ".global _start\n"
        "_start:\n"
        "  .option push\n"
        "  .option norelax\n"
        "  la gp, __global_pointer$\n"
        "  .option pop\n"
        "  la sp, _estack\n"
        "  la t0, edgec_riscv_trap_entry\n"
        "  csrw mtvec, t0\n"
        "  call edgec_riscv_reset\n"
        "1: wfi\n"
        "  j 1b\n");

__attribute__((weak)) void edgec_riscv_trap(void) {
  for (;;)
    __asm__ volatile("wfi");
}

/* mtvec needs a 4-byte aligned address; a C function may be 2-aligned. */
__asm__(".text\n"
        ".balign 4\n"
        "edgec_riscv_trap_entry:\n"
        "  j edgec_riscv_trap\n");

void edgec_riscv_reset(void) {
  for (unsigned char *p = _sbss; p < _ebss; ++p)
    *p = 0;
#if defined(__riscv_flen)
  __asm__ volatile("li t0, 0x2000\n csrs mstatus, t0" ::: "t0"); /* FS = initial */
#endif
  main();
}
