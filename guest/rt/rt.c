/*
 * rt.c - the freestanding runtime behind rt.h: Linux n64 syscalls through
 * the SYSCALL instruction (number in v0, arguments in a0-a2, error flag in
 * a3), an unbuffered printf built on vsnprintf, and plain byte-loop memory
 * functions (kept simple: they are correctness tests, not benchmarks).
 */
#include "rt.h"

long rt_syscall3(long number, long a0, long a1, long a2)
{
    register long v0 __asm__("$2") = number;
    register long r4 __asm__("$4") = a0;
    register long r5 __asm__("$5") = a1;
    register long r6 __asm__("$6") = a2;
    register long r7 __asm__("$7");
    __asm__ volatile("syscall"
                     : "+r"(v0), "=r"(r7)
                     : "r"(r4), "r"(r5), "r"(r6)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15", "$24",
                       "$25", "hi", "lo", "memory");
    return r7 ? -v0 : v0;
}

long rt_write(int fd, const void *buf, size_t len)
{
    return rt_syscall3(5001, fd, (long)buf, (long)len);
}

void rt_exit(int status)
{
    rt_syscall3(5205, status, 0, 0);
    for (;;)
        ;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int putchar(int c)
{
    char ch = (char)c;
    rt_write(1, &ch, 1);
    return c;
}

int puts(const char *s)
{
    rt_write(1, s, strlen(s));
    rt_write(1, "\n", 1);
    return 0;
}

struct out {
    char *buf;
    size_t size, len;
};

static void out_char(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void out_number(struct out *o, unsigned long long v, unsigned base, int upper, int negative,
                       int width, int zero, int left)
{
    char digits[24];
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        digits[n++] = set[v % base];
        v /= base;
    } while (v);
    int len = n + (negative ? 1 : 0);
    if (negative && zero)
        out_char(o, '-');
    for (; !left && len < width; width--)
        out_char(o, zero ? '0' : ' ');
    if (negative && !zero)
        out_char(o, '-');
    while (n)
        out_char(o, digits[--n]);
    for (; left && len < width; width--)
        out_char(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_char(&o, *fmt);
            continue;
        }
        int left = 0, zero = 0, width = 0, longs = 0;
        for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
            *fmt == '-' ? (left = 1) : (zero = 1);
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            longs++;
        unsigned long long u;
        long long s;
        switch (*fmt) {
        case 'd':
        case 'i':
            s = longs ? va_arg(ap, long long) : va_arg(ap, int);
            u = s < 0 ? 0ull - (unsigned long long)s : (unsigned long long)s;
            out_number(&o, u, 10, 0, s < 0, width, zero, left);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            u = longs ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            out_number(&o, u,
                       *fmt == 'u'   ? 10
                       : *fmt == 'o' ? 8
                                     : 16,
                       *fmt == 'X', 0, width, zero, left);
            break;
        case 'p':
            out_char(&o, '0');
            out_char(&o, 'x');
            out_number(&o, (unsigned long long)(uintptr_t)va_arg(ap, void *), 16, 0, 0, 0, 0, 0);
            break;
        case 'c': out_char(&o, (char)va_arg(ap, int)); break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            int len = (int)strlen(str ? str : "(null)");
            for (; !left && len < width; width--)
                out_char(&o, ' ');
            for (const char *c = str ? str : "(null)"; *c; c++)
                out_char(&o, *c);
            for (; left && len < width; width--)
                out_char(&o, ' ');
            break;
        }
        case '%': out_char(&o, '%'); break;
        default: return -1;
        }
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int printf(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        rt_write(1, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}
