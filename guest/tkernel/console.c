/*
 * console.c - output through the console/exit device at physical 0x1fe00000
 * (docs/bare-metal.md), reached through KSEG1 the same way on bare hardware
 * and in a VM (docs/monitor-calls.md).
 * Also linked into the hostile guests.
 */
#include "console.h"

#include "fmt.h"

#define CONSOLE_BASE 0xffffffffbfe00000ull
#define CONSOLE_TX   0x00
#define CONSOLE_EXIT 0x08

static void console_write(unsigned reg, uint32_t value)
{
    *(volatile uint32_t *)(uintptr_t)(CONSOLE_BASE + reg) = value;
}

void tk_putc(char c)
{
    console_write(CONSOLE_TX, (unsigned char)c);
}

void tk_puts(const char *s)
{
    while (*s)
        tk_putc(*s++);
}

static void put_line(const struct line *l)
{
    for (unsigned i = 0; i < l->len; i++)
        tk_putc(l->text[i]);
}

void tk_putdec(uint64_t v)
{
    struct line l;
    line_init(&l);
    line_dec(&l, v);
    put_line(&l);
}

void tk_puthex(uint64_t v)
{
    struct line l;
    line_init(&l);
    line_str(&l, "0x");
    line_hex(&l, v, 16);
    put_line(&l);
}

/* " cause C epc E badvaddr B" and the end of the line: the registers of a fatal trap. */
void tk_put_trap_registers(uint64_t cause, uint64_t epc, uint64_t badvaddr)
{
    tk_puts(" cause ");
    tk_puthex(cause);
    tk_puts(" epc ");
    tk_puthex(epc);
    tk_puts(" badvaddr ");
    tk_puthex(badvaddr);
    tk_puts("\n");
}

void tk_exit(unsigned status)
{
    console_write(CONSOLE_EXIT, status & 0xff);
    for (;;)
        ;
}
