/* RISC-V rv32 startup for an edgec firmware: _start (placed first, where
 * the boot ROM jumps) sets the global and stack pointers, zeroes .bss,
 * turns the FPU on when there is one (mstatus.FS) and calls main().
 * Freestanding C99 with the entry in assembly, used with virt.ld. */
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
        "  call edgec_riscv_reset\n"
        "1: wfi\n"
        "  j 1b\n");

void edgec_riscv_reset(void) {
  for (unsigned char *p = _sbss; p < _ebss; ++p)
    *p = 0;
#if defined(__riscv_flen)
  __asm__ volatile("li t0, 0x2000\n csrs mstatus, t0" ::: "t0"); /* FS = initial */
#endif
  main();
}
