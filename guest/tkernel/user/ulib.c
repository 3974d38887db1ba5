/*
 * ulib.c - system-call wrappers of the user programs (one trap each through
 * u_syscall in ustart.S).
 */
#include "ulib.h"

long u_write(const void *buf, unsigned long len)
{
    return u_syscall(SYS_WRITE, (long)(uintptr_t)buf, (long)len, 0);
}

long u_getpid(void)
{
    return u_syscall(SYS_GETPID, 0, 0, 0);
}

void u_yield(void)
{
    u_syscall(SYS_YIELD, 0, 0, 0);
}

void *u_sbrk(long increment)
{
    return (void *)(uintptr_t)u_syscall(SYS_SBRK, increment, 0, 0);
}

void u_write_line(struct line *l)
{
    line_char(l, '\n');
    u_write(l->text, l->len);
}
