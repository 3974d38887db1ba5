/*
 * rdhwr.c - for flash_run_cli.sh: on the R10000 (no RDHWR), Linux emulates
 * "rdhwr $3, $29" from the Reserved Instruction trap and returns the thread
 * pointer set by set_thread_area. Freestanding MIPS IV, guest/rt runtime.
 */
#include "rt.h"

int main(void)
{
    rt_syscall3(5242, 0x12345678, 0, 0); /* set_thread_area */
    unsigned long tp;
    __asm__ volatile(".set push\n\t.set mips32r2\n\trdhwr $3, $29\n\t.set pop\n\tmove %0, $3"
                     : "=r"(tp)
                     :
                     : "$3");
    printf("tp %lx\n", tp);
    return 0;
}
