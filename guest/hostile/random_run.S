/*
 * random_run.S - how hostile_random executes one random word: the word sits
 * in a slot in the middle of a pad of "j random_return" pairs (so a random
 * branch, +-128 KB, lands back here), every GPR holds a random value, EPC
 * and ErrorEPC point to random_return (a stray ERET comes back), and the
 * timer is armed with interrupts on (a word that jumps into nowhere is
 * fetched back by the interrupt). random_return restores the C context.
 */
#include "tk_asm.h"

#define PAD_WORDS  (2 * 65536)   /* 512 KB in all: the slot is 256 KB from either end */
#define RESCUE_COUNTS 200         /* about 400 cycles before the timer fetches us back */
#define RUN_STATUS (ST_IE | ST_IM7)

    .set noreorder
    .set noat

    .bss
    .balign 8
saved: .space 12 * 8

    .balign 4096
    .globl random_pad, random_slot, random_pad_end
random_pad:
    .space PAD_WORDS * 2
random_slot:
    .space PAD_WORDS * 2
random_pad_end:

/* The C caller's context in saved: s0-s7, gp, sp, s8, ra. */
    .macro context op
    .set offset, 0
    .irp r, 16, 17, 18, 19, 20, 21, 22, 23, 28, 29, 30, 31
    \op      $\r, offset($8)
    .set offset, offset + 8
    .endr
    .endm

    .text
/* void random_run(const uint64_t *gprs): gprs[1..31] are loaded into $1-$31. */
    .globl random_run, random_return
random_run:
    lui     $8, %hi(saved)
    daddiu  $8, $8, %lo(saved)
    context sd
    lui     $9, %hi(random_return)
    daddiu  $9, $9, %lo(random_return)
    dmtc0   $9, $14                 /* EPC */
    dmtc0   $9, $30                 /* ErrorEPC */
    mfc0    $9, $9                  /* Count */
    addiu   $9, $9, RESCUE_COUNTS
    mtc0    $9, $11                 /* Compare */
    li      $9, RUN_STATUS
    mtc0    $9, $12
    sll     $0, $0, 3
    .irp r, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    ld      $\r, \r * 8($4)
    .endr
    ld      $4, 32($4)
    j       random_slot
    nop

/* Reached from the slot, the pad, an ERET, or the trap handler; possibly in user mode. */
random_return:
    mtc0    $0, $12                 /* kernel mode, interrupts off (traps back here if in user mode) */
    sll     $0, $0, 3
    lui     $8, %hi(saved)
    daddiu  $8, $8, %lo(saved)
    context ld
    jr      $31
    nop
