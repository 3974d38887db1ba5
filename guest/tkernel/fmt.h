/*
 * fmt.h - building one line of text without a C library, shared by the kernel
 * (its report and the expected results it computes) and the user programs
 * (their result lines), so both format numbers the same way. Header-only:
 * the user programs are o32 and the kernel n64, so each compiles its own copy.
 */
#ifndef TK_FMT_H
#define TK_FMT_H

#include "tk_params.h"

struct line {
    unsigned len;
    char text[TK_LINE_MAX];
};

static inline void line_init(struct line *l)
{
    l->len = 0;
}

static inline void line_char(struct line *l, char c)
{
    if (l->len < TK_LINE_MAX)
        l->text[l->len++] = c;
}

static inline void line_str(struct line *l, const char *s)
{
    while (*s)
        line_char(l, *s++);
}

/* Decimal; unsigned long is 32 bits in o32 and 64 in n64, so results are kept below 2^32. */
static inline void line_dec(struct line *l, unsigned long v)
{
    char digits[20];
    unsigned n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        line_char(l, digits[--n]);
}

static inline void line_hex(struct line *l, unsigned long v, unsigned digits)
{
    while (digits--)
        line_char(l, "0123456789abcdef"[(v >> (4 * digits)) & 15]);
}

#endif
