/*
 * start.S - reset entry of the SMP guest programs. Every CPU of the machine
 * starts here at once (disco-coord --bare) with $a0 = its global CPU number
 * and $a1 = the number of CPUs ($a1 = 0 under flash-run --system: one CPU).
 * Each CPU leaves the reset state (BEV and ERL set), takes its own stack
 * from smp_stacks by CPU number and calls smp_boot(cpu, ncpus) (smp.c).
 * The exception vectors are part of the image (.vectors at kseg0 0): any
 * exception is a program error, reported by smp_exception().
 */
#include "smp_asm.h"

    .set noreorder
    .set noat

    .section .text.start, "ax"
    .globl _start
_start:
    /*
     * Status = 0: kernel mode, interrupts off, BEV and ERL clear (with ERL
     * set useg would be unmapped and uncached; with BEV set exceptions would
     * go to the boot ROM). The nops cover the CP0 hazard of the R10000/R2.
     */
    mtc0    $0, $12
    nop
    nop
    nop
    /* A CPU number beyond the stacks cannot run: report it (cpu 0's console). */
    sltiu   $8, $4, SMP_MAX_CPUS
    beqz    $8, 2f
    nop
    lui     $29, %hi(smp_stacks)
    addiu   $29, $29, %lo(smp_stacks)
    addiu   $9, $4, 1
    li      $8, SMP_STACK_BYTES
    dmultu  $9, $8
    mflo    $9
    daddu   $29, $29, $9          /* sp = top of this CPU's stack */
    jal     smp_boot
    nop
1:  b       1b
    nop
2:  lui     $8, %hi(SMP_CONSOLE)
    daddiu  $8, $8, %lo(SMP_CONSOLE)
    li      $9, 3
    sw      $9, SMP_CON_EXIT($8)
3:  b       3b
    nop

/*
 * Exception vectors (kseg0 0x000 refill, 0x080 XTLB refill, 0x100 cache
 * error, 0x180 general; the interrupt vector 0x200 is only used with
 * Cause.IV). Each passes its offset to smp_exception_entry.
 */
    .section .vectors, "ax"
    .globl smp_vectors
smp_vectors:
    .org 0x000
    b       smp_exception_entry
    li      $4, 0x000
    .org 0x080
    b       smp_exception_entry
    li      $4, 0x080
    .org 0x100
    b       smp_exception_entry
    li      $4, 0x100
    .org 0x180
    b       smp_exception_entry
    li      $4, 0x180
    .org 0x200
    b       smp_exception_entry
    li      $4, 0x200
smp_exception_entry:
    /*
     * k1 ($27, never used by compiled code, 0 from reset) marks a CPU inside
     * the handler: an exception there (say, an instruction the CPU model
     * lacks in the C handler itself) must not loop, so it exits at once.
     */
    bnez    $27, 5f
    li      $27, 1
    /* Runs on the faulting CPU's stack (sp is valid in these programs). */
    daddiu  $29, $29, -64
    mfc0    $5, $13               /* Cause */
    dmfc0   $6, $14               /* EPC */
    dmfc0   $7, $8                /* BadVAddr */
    jal     smp_exception
    nop
4:  b       4b
    nop
5:  lui     $26, %hi(SMP_CONSOLE)
    daddiu  $26, $26, %lo(SMP_CONSOLE)
    li      $27, 2
    sw      $27, SMP_CON_EXIT($26)
6:  b       6b
    nop
