/*
 * console.h - console output and exit through the console device
 * (console.c), shared by the test kernel and the hostile guests.
 */
#ifndef TK_CONSOLE_H
#define TK_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

void tk_putc(char c);
void tk_puts(const char *s);
void tk_putdec(uint64_t v);
void tk_puthex(uint64_t v);
void tk_put_trap_registers(uint64_t cause, uint64_t epc, uint64_t badvaddr);
__attribute__((noreturn)) void tk_exit(unsigned status);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
