/*
 * smp_asm_256.h - guest/smp's runtime constants for the scale benchmark,
 * with room for 256 CPUs (guest/smp keeps 64). Force-included before the
 * runtime's own smp_asm.h, whose include guard this header takes, so
 * start.S, smp.c and the programs build unchanged for the larger machine.
 */
#ifndef SMP_ASM_H
#define SMP_ASM_H

#define SMP_CONSOLE     0xffffffffbfe00000 /* physical 0x1fe00000, uncached kseg1 */
#define SMP_CON_TX      0x00
#define SMP_CON_EXIT    0x08
#define SMP_CON_CYCLES  0x18
#define SMP_CON_CPUID   0x20
#define SMP_CON_NCPUS   0x28
#define SMP_MAX_CPUS    256
#define SMP_STACK_BYTES 0x4000 /* 16 KiB per CPU: 4 MiB of stacks in node 0's bank */
#define SMP_LINE_BYTES  128

#endif
