/*
 * div_zero_trap.c - for flash_run_cli.sh: TEQ with code 7, the divide-by-zero
 * check gcc emits after DIV. Linux sends SIGFPE (FPE_INTDIV, status 136);
 * qemu-user 7.2 sends SIGTRAP instead, so this is not a QEMU comparison.
 */
#include <stdio.h>

int main(void)
{
    printf("before teq\n");
    fflush(stdout);
    __asm__ volatile("teq $0, $0, 7");
    printf("not reached\n");
    return 0;
}
