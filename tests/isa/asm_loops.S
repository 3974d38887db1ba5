/*
 * asm_loops.S - a glibc program whose main is hand-written n64 assembly:
 * loops closed by branch-likely with useful work in their delay slots, a
 * jump table through JR, DSLLV/DSRAV chains, and results printed with printf
 * (called through $25 as the PIC ABI requires).
 */
        .abicalls
        .text
        .align  3
fmt:    .asciz  "%s = %lld\n"
n_sum:  .asciz  "sum 1..1000 (bnel loop)"
n_cnt:  .asciz  "bits set (beql skip)"
n_tab:  .asciz  "jump table total"
n_shf:  .asciz  "shift chain"
        .align  3
table:  .dword  case0, case1, case2, case3

        .globl  main
        .ent    main
        .type   main, @function
main:
        .set    noreorder
        daddiu  $sp, $sp, -64
        sd      $ra, 56($sp)
        sd      $gp, 48($sp)
        sd      $s0, 40($sp)
        sd      $s1, 32($sp)
        lui     $gp, %hi(%neg(%gp_rel(main)))
        daddu   $gp, $gp, $25
        daddiu  $gp, $gp, %lo(%neg(%gp_rel(main)))

        /* sum 1..1000: the add sits in the delay slot of a branch-likely */
        li      $s0, 0
        li      $t0, 1000
1:      daddiu  $t0, $t0, -1
        bnel    $t0, $zero, 1b
        daddu   $s0, $s0, $t0
        daddiu  $s0, $s0, 1000
        dla     $a1, n_sum
        jal     show
        move    $a2, $s0

        /* count set bits of a constant; beql nullifies the increment when taken */
        dli     $t0, 0xf0f0f0f00ff00ff1
        li      $s0, 0
2:      andi    $t1, $t0, 1
        beql    $t1, $zero, 3f
        dsrl    $t0, $t0, 1
        daddiu  $s0, $s0, 1
        dsrl    $t0, $t0, 1
3:      bne     $t0, $zero, 2b
        nop
        dla     $a1, n_cnt
        jal     show
        move    $a2, $s0

        /* jump table: for i = 0..9 add case (i & 3) */
        li      $s0, 0
        li      $s1, 0
4:      andi    $t0, $s1, 3
        dsll    $t0, $t0, 3
        dla     $t1, table
        daddu   $t1, $t1, $t0
        ld      $t1, 0($t1)
        jr      $t1
        nop
case0:  b       5f
        daddiu  $s0, $s0, 1
case1:  b       5f
        daddiu  $s0, $s0, 10
case2:  b       5f
        daddiu  $s0, $s0, 100
case3:  daddiu  $s0, $s0, 1000
5:      daddiu  $s1, $s1, 1
        slti    $t0, $s1, 10
        bnez    $t0, 4b
        nop
        dla     $a1, n_tab
        jal     show
        move    $a2, $s0

        /* shift chain */
        dli     $s0, 0x8000000000000001
        li      $t0, 63
6:      dsrav   $t1, $s0, $t0
        dsllv   $t2, $s0, $t0
        xor     $s0, $s0, $t1
        daddu   $s0, $s0, $t2
        daddiu  $t0, $t0, -7
        bgtz    $t0, 6b
        nop
        dla     $a1, n_shf
        jal     show
        move    $a2, $s0

        ld      $s1, 32($sp)
        ld      $s0, 40($sp)
        ld      $gp, 48($sp)
        ld      $ra, 56($sp)
        move    $v0, $zero
        jr      $ra
        daddiu  $sp, $sp, 64
        .end    main

/* show(name in a1, value in a2): printf(fmt, name, value). Keeps $gp. */
        .ent    show
show:
        daddiu  $sp, $sp, -16
        sd      $ra, 8($sp)
        sd      $gp, 0($sp)
        dla     $a0, fmt
        ld      $25, %call16(printf)($gp)
        jalr    $25
        nop
        ld      $gp, 0($sp)
        ld      $ra, 8($sp)
        jr      $ra
        daddiu  $sp, $sp, 16
        .end    show
