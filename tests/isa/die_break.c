/* die_break.c - BREAK with code 0: Linux sends SIGTRAP (status 133). */
#include <stdio.h>

int main(void)
{
    printf("before break\n");
    fflush(stdout);
    __asm__ volatile("break 0");
    printf("not reached\n");
    return 0;
}
