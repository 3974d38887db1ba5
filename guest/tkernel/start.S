/*
 * start.S - the test kernel's assembly: the entry point (CPU 0 boots, the
 * others park), the trap entry that saves a full frame into *tk_cur_frame and
 * calls tk_trap(), the return path that restores *tk_cur_frame (possibly
 * another process's) and ERETs, the TLB refill handler copied to the refill
 * vectors, and the monitor call used to tell bare hardware from a VM.
 */
#include "tk_asm.h"

    .set noreorder
    .set noat

    .section .text.start, "ax"
    .globl _start
_start:
    /* Every CPU starts here with a0 = its number (disco-coord --bare, a VM's vCPUs). */
    bnez    a0, park
    nop
    /* Still BEV and ERL (kernel mode, interrupts off): tk_main leaves them once its vectors are in. */
    /* Clear .bss: the loader zero-fills it, but a kernel does not rely on that. */
    lui     a0, %hi(tk_bss_start)
    addiu   a0, a0, %lo(tk_bss_start)
    lui     a1, %hi(tk_bss_end)
    addiu   a1, a1, %lo(tk_bss_end)
    beq     a0, a1, 2f
    nop
1:  sd      zero, 0(a0)
    daddiu  a0, a0, 8
    bne     a0, a1, 1b
    nop
2:  lui     sp, %hi(tk_boot_stack_top)
    addiu   sp, sp, %lo(tk_boot_stack_top)
    jal     tk_main
    nop
1:  b       1b
    nop

/* Secondary CPUs: interrupts off, sleep forever. Only CPU 0 runs the kernel. */
park:
    mtc0    zero, $12
    EHB
1:  wait
    b       1b
    nop

    .text
/*
 * The general exception vector jumps here with EXL set. Traps never nest:
 * the kernel runs with EXL set and never touches mapped memory, so a trap
 * taken while tk_in_trap is set is a kernel bug and ends the run.
 */
    .globl tk_trap_entry
tk_trap_entry:
    lui     k0, %hi(tk_in_trap)
    lw      k1, %lo(tk_in_trap)(k0)
    bnez    k1, nested_trap
    li      k1, 1
    sw      k1, %lo(tk_in_trap)(k0)
    lui     k0, %hi(tk_cur_frame)
    ld      k0, %lo(tk_cur_frame)(k0)
    .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 29, 30, 31
    sd      $\r, FRAME_GPR(\r)(k0)
    .endr
    mfhi    k1
    sd      k1, FRAME_HI(k0)
    mflo    k1
    sd      k1, FRAME_LO(k0)
    dmfc0   k1, $14
    sd      k1, FRAME_EPC(k0)
    mfc0    k1, $12
    sd      k1, FRAME_STATUS(k0)
    mfc0    k1, $13
    sd      k1, FRAME_CAUSE(k0)
    dmfc0   k1, $8
    sd      k1, FRAME_BADVADDR(k0)
    lui     sp, %hi(tk_kstack_top)
    addiu   sp, sp, %lo(tk_kstack_top)
    jal     tk_trap
    move    a0, k0
    /* fall through */

/* Resumes whatever *tk_cur_frame holds; also how the first process starts. */
    .globl tk_trap_return
tk_trap_return:
    lui     k0, %hi(tk_cur_frame)
    ld      k0, %lo(tk_cur_frame)(k0)
    ld      k1, FRAME_EPC(k0)
    dmtc0   k1, $14
    ld      k1, FRAME_HI(k0)
    mthi    k1
    ld      k1, FRAME_LO(k0)
    mtlo    k1
    .irp r, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 29, 30, 31
    ld      $\r, FRAME_GPR(\r)(k0)
    .endr
    /* The saved Status has EXL set: we stay in kernel mode with interrupts off until the ERET. */
    ld      k1, FRAME_STATUS(k0)
    mtc0    k1, $12
    lui     k1, %hi(tk_in_trap)
    sw      zero, %lo(tk_in_trap)(k1)
    EHB
    eret
    nop

nested_trap:
    lui     sp, %hi(tk_panic_stack_top)
    addiu   sp, sp, %lo(tk_panic_stack_top)
    mfc0    a0, $13
    dmfc0   a1, $14
    jal     tk_nested_trap
    dmfc0   a2, $8
1:  b       1b
    nop

/*
 * The stub copied to the general exception vector (base + 0x180): far jump
 * to tk_trap_entry. Absolute addresses only, so it runs from its copy.
 */
    .globl tk_general_stub, tk_general_stub_end
tk_general_stub:
    lui     k0, %hi(tk_trap_entry)
    addiu   k0, k0, %lo(tk_trap_entry)
    jr      k0
    nop
tk_general_stub_end:

/*
 * The TLB refill handler, copied to base + 0x000 (and 0x080): 32 words at
 * most. User addresses are below 2 GB: the directory (tk_cur_pgdir, 1024
 * 32-bit KSEG0 pointers) is indexed by va[30:21], the leaf (256 EntryLo
 * pairs of 8 bytes each) by va[20:13]. A directory slot without a leaf
 * points to a shared all-zero leaf, so the path has no branch: a page that
 * is not present is written as invalid and the retried access raises TLBL/
 * TLBS through the general vector, where vm.c allocates it (demand zero).
 */
    .globl tk_refill_handler, tk_refill_handler_end
tk_refill_handler:
    lui     k1, %hi(tk_refill_count)
    ld      k0, %lo(tk_refill_count)(k1)
    daddiu  k0, k0, 1
    sd      k0, %lo(tk_refill_count)(k1)
    dmfc0   k0, $8
    lui     k1, %hi(tk_cur_pgdir)
    ld      k1, %lo(tk_cur_pgdir)(k1)
    dsrl    k0, k0, 19
    andi    k0, k0, 0xffc
    daddu   k1, k1, k0
    lw      k1, 0(k1)               /* sign-extends the 32-bit KSEG0 pointer */
    dmfc0   k0, $8
    dsrl    k0, k0, 9
    andi    k0, k0, 0xff0
    daddu   k1, k1, k0
    ld      k0, 0(k1)
    ld      k1, 8(k1)
    dmtc0   k0, $2
    dmtc0   k1, $3
    EHB
    tlbwr
    eret
    nop
tk_refill_handler_end:
    .if (tk_refill_handler_end - tk_refill_handler) > 0x80
    .error "the refill handler does not fit between the refill and XTLB refill vectors"
    .endif

/*
 * uint64_t tk_mcall(uint64_t number, int64_t *status): the monitor call
 * (docs/monitor-calls.md). Returns $v1 and stores $v0. On bare hardware the
 * word is a Reserved Instruction; trap.c recognizes tk_mcall_insn, skips it
 * and makes $v0 = -1.
 */
    .globl tk_mcall, tk_mcall_insn
tk_mcall:
    move    v0, a0
    li      v1, 0
tk_mcall_insn:
    .word   MCALL_WORD
    sd      v0, 0(a1)
    jr      ra
    move    v0, v1

/*
 * void tk_fpu_save(struct fpu_state *), tk_fpu_restore(const struct fpu_state *):
 * the FPU registers of a process with FR = 0, where SDC1/LDC1 of an even
 * register move the even/odd pair; then FCSR. The caller has set CU1.
 */
    .set push
    .set hardfloat
    .globl tk_fpu_save, tk_fpu_restore
tk_fpu_save:
    .irp r, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
    sdc1    $f\r, \r * 4(a0)
    .endr
    cfc1    v0, $31
    jr      ra
    sd      v0, 128(a0)

tk_fpu_restore:
    .irp r, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
    ldc1    $f\r, \r * 4(a0)
    .endr
    ld      v0, 128(a0)
    jr      ra
    ctc1    v0, $31
    .set pop
