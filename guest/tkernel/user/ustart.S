/*
 * ustart.S - the start of every user program (o32, user mode): the image
 * header the kernel reads (proc.c: entry at offset 0, the first writable
 * page at 8, the initial break at 12), the call of main() and exit(), and
 * the one system-call stub the C wrappers in ulib.c use.
 */
#include "../tk_params.h"

    .set noreorder

    .section .text.head, "ax"
    .globl __start
__start:
    b       1f
    nop
    .word   _tk_data_start
    .word   _end
1:  addiu   $29, $29, -32           /* o32: the callee may spill its four argument registers */
    jal     main
    nop
    move    $4, $2
    li      $2, SYS_EXIT
    syscall
2:  b       2b
    nop

    .text
/* long u_syscall(long number, long a, long b, long c) */
    .globl u_syscall
u_syscall:
    move    $2, $4
    move    $4, $5
    move    $5, $6
    move    $6, $7
    syscall
    jr      $31
    nop
