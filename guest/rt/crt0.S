/*
 * crt0.S - entry point of freestanding n64 programs: the kernel (or
 * flash-run) leaves argc at 0(sp) and argv at 8(sp); call main(argc, argv)
 * and pass its result to exit_group. Non-PIC (-mno-abicalls).
 */
        .text
        .globl  __start
        .globl  _start
        .type   __start, @function
__start:
_start:
        ld      $4, 0($29)          /* a0 = argc */
        daddiu  $5, $29, 8          /* a1 = argv */
        daddiu  $29, $29, -16       /* keep the 16-byte alignment of the ABI */
        jal     main
        nop
        move    $4, $2
        li      $2, 5205            /* exit_group */
        syscall
1:      b       1b
        nop
        .size   __start, . - __start
