/*
 * smp_asm.h - constants of the SMP guest runtime shared by start.S and C:
 * the console/exit device, the per-CPU stack size and the CPU limit.
 * See docs/bare-metal.md (device) and the disco-coord --bare convention
 * ($a0 = global CPU number, $a1 = total CPUs).
 */
#ifndef SMP_ASM_H
#define SMP_ASM_H

#define SMP_CONSOLE     0xffffffffbfe00000 /* physical 0x1fe00000, uncached kseg1 */
#define SMP_CON_TX      0x00
#define SMP_CON_EXIT    0x08
#define SMP_CON_CYCLES  0x18
#define SMP_CON_CPUID   0x20
#define SMP_CON_NCPUS   0x28
#define SMP_MAX_CPUS    64
#define SMP_STACK_BYTES 0x4000 /* 16 KiB per CPU */
#define SMP_LINE_BYTES  128    /* coherence unit of the simulated machine */

#endif
