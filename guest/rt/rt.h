/*
 * rt.h - the tiny runtime of freestanding MIPS IV test programs (big-endian,
 * n64, no libc): raw Linux syscalls, a minimal printf, and the memory and
 * string functions gcc may call. crt0.S calls main(argc, argv) and exits with
 * its result. Used by tests/isa/mips4/ under flash-run --cpu r10000 and qemu.
 */
#ifndef DISCO_GUEST_RT_H
#define DISCO_GUEST_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

long rt_syscall3(long number, long a0, long a1, long a2);
long rt_write(int fd, const void *buf, size_t len);
void rt_exit(int status) __attribute__((noreturn));

int puts(const char *s);
int putchar(int c);
/* Supports %d %i %u %x %X %o %c %s %p %% with l/ll/z, width, '-', '0'. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
