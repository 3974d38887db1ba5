/*
 * die_trap.c - trap instructions: a TEQ that does not trap, then by argc a
 * TEQ with code 7 (Linux: SIGFPE, integer divide), a BREAK (SIGTRAP) or an
 * ADD overflow (SIGFPE). The corpus runs it with 3 arguments: the ADD case.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    long one = 1, big = 0x7fffffff;
    __asm__ volatile("teq %0, $0, 7" : : "r"(one));
    __asm__ volatile("tne %0, %0" : : "r"(one));
    __asm__ volatile("tgei %0, 2" : : "r"(one));
    printf("no trap yet\n");
    fflush(stdout);
    if (argc == 1)
        __asm__ volatile("teq $0, $0, 7");
    if (argc == 2)
        __asm__ volatile("break 0");
    int r;
    __asm__ volatile("add %0, %1, %1" : "=r"(r) : "r"(big));
    printf("not reached %d\n", r);
    return 0;
}
