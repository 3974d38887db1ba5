/*
 * ulib.h - the user programs' system-call wrappers and output helper
 * (ulib.c, ustart.S). The call numbers are in tk_params.h.
 */
#ifndef TK_ULIB_H
#define TK_ULIB_H

#include <stddef.h>
#include <stdint.h>

#include "../fmt.h"

long u_syscall(long number, long a, long b, long c);
long u_write(const void *buf, unsigned long len);
long u_getpid(void);
void u_yield(void);
void *u_sbrk(long increment);
void u_write_line(struct line *l); /* appends the newline */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int main(void);

#endif
