/*
 * cp0_table.S - the garbage writes of hostile_cp0: MTC0 and DMTC0 of one
 * pattern to every CP0 register 0-31, select 0-7 (the instruction words are
 * built here because the register and select are fields of the encoding),
 * each followed by a repair of what keeps the guest running (Status, EBase,
 * Watch, Cause), so that one write's fault does not spoil the next ones.
 * Then the TLB instructions with garbage in Index, EntryHi, EntryLo, PageMask
 * and Wired.
 */
#include "tk_asm.h"

#define OP_MTC0  0x40800000
#define OP_DMTC0 0x40a00000
#define REG_PATTERN 8 /* $8-$10: argument/temporary registers of n64 */
#define REG_SAFE    9
#define REG_EBASE   10

    .set noreorder
    .set noat

/* One write of $8 to CP0 register reg, select sel, then the repair. */
    .macro garbage_write op, reg, sel
    .word   \op | (REG_PATTERN << 16) | (\reg << 11) | \sel
    mtc0    $9, $12                 /* Status: kernel mode, interrupts off */
    .word   OP_MTC0 | (REG_EBASE << 16) | (15 << 11) | 1 /* EBase back to 0x80000000 (R2) */
    mtc0    $0, $18                 /* WatchLo, WatchHi: no watchpoint */
    mtc0    $0, $19
    mtc0    $0, $13                 /* Cause: no software interrupt, no IV */
    sll     $0, $0, 3
    .endm

    .macro garbage_register op, reg
    .irp sel, 0, 1, 2, 3, 4, 5, 6, 7
    garbage_write \op, \reg, \sel
    .endr
    .endm

/* void hostile_cp0_write_all(uint64_t pattern, uint64_t safe_status) */
    .text
    .globl hostile_cp0_write_all
hostile_cp0_write_all:
    move    $8, $4
    move    $9, $5
    lui     $10, 0x8000
    .irp reg, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    garbage_register OP_MTC0, \reg
    .endr
    .irp reg, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    garbage_register OP_DMTC0, \reg
    .endr
    jr      $31
    nop

/* void hostile_tlb_garbage(uint64_t pattern): every TLB instruction with pattern in its inputs. */
    .globl hostile_tlb_garbage
hostile_tlb_garbage:
    mtc0    $4, $0                  /* Index */
    dmtc0   $4, $10                 /* EntryHi */
    dmtc0   $4, $2                  /* EntryLo0 */
    dmtc0   $4, $3                  /* EntryLo1 */
    mtc0    $4, $5                  /* PageMask */
    mtc0    $4, $6                  /* Wired */
    sll     $0, $0, 3
    tlbwi
    sll     $0, $0, 3
    tlbwr
    sll     $0, $0, 3
    tlbp
    sll     $0, $0, 3
    tlbr
    sll     $0, $0, 3
    dmtc0   $4, $10
    sll     $0, $0, 3
    tlbp
    sll     $0, $0, 3
    tlbwr
    sll     $0, $0, 3
    mtc0    $0, $5                  /* PageMask and Wired back to 0 */
    mtc0    $0, $6
    jr      $31
    nop
