/*
 * start.S - reset entry of the bare_smoke program: every CPU of the machine
 * starts here with $a0 = its CPU number and $a1 = the number of CPUs
 * (disco-coord --bare). Leaves the reset state (Status = 0: kernel mode,
 * BEV/ERL clear), takes a 16 KB stack by CPU number and calls
 * smoke_main(cpu, ncpus), which never returns.
 */
    .set noreorder
    .section .text.start, "ax"
    .globl _start
_start:
    mtc0    $0, $12
    nop
    nop
    nop
    sltiu   $8, $4, 64            /* at most 64 CPUs have a stack */
    beqz    $8, 2f
    nop
    lui     $29, %hi(smoke_stacks)
    addiu   $29, $29, %lo(smoke_stacks)
    addiu   $9, $4, 1
    dsll    $9, $9, 14
    daddu   $29, $29, $9          /* sp = top of this CPU's stack */
    jal     smoke_main
    nop
1:  b       1b
    nop
2:  lui     $8, 0xbfe0            /* console EXIT: status 3 */
    li      $9, 3
    sw      $9, 8($8)
3:  b       3b
    nop
