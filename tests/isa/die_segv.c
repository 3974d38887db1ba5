/* die_segv.c - a store to an unmapped page with no handler: the process dies of SIGSEGV. */
#include <stdio.h>

int main(void)
{
    printf("before\n");
    fflush(stdout);
    volatile long *volatile bad = (volatile long *)0x1000;
    *bad = 1;
    printf("not reached\n");
    return 0;
}
