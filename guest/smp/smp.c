/*
 * smp.c - the SMP guest runtime: smp_boot() (called by start.S on every CPU),
 * the console print serialized by an LL/SC spinlock, the sense-reversing
 * barrier, and the verdict: every CPU counts itself finished; CPU 0 waits for
 * all of them, prints "SMP RESULT: PASS|FAIL <name> cpus=N" and exits 0 or 1.
 * Other CPUs spin on a cached line once finished: the first EXIT ends the run.
 */
#include "smp.h"

#include <stdarg.h>
#include <stddef.h>

void smp_boot(uint64_t cpu, uint64_t ncpus);
void smp_exception(uint64_t vector, uint64_t cause, uint64_t epc, uint64_t badvaddr);
extern char smp_stacks[];

/* Per-CPU runtime state, one coherence line each. */
struct smp_percpu {
    uint64_t sense;  /* barrier sense this CPU waits for next */
    uint64_t rounds; /* barrier episodes completed */
} SMP_ALIGNED;
static struct smp_percpu percpu[SMP_MAX_CPUS];

static SMP_ALIGNED volatile uint64_t machine_cpus; /* written identically by every CPU */
static SMP_ALIGNED volatile uint64_t finished;
static SMP_ALIGNED volatile uint64_t failures;
static SMP_ALIGNED volatile uint64_t barrier_count;
static SMP_ALIGNED volatile uint64_t barrier_sense;
static SMP_ALIGNED smp_lock_t console_lock;

/* gcc may emit calls to these even in freestanding code. */
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

static void console_write(unsigned reg, uint64_t value)
{
    *(volatile uint64_t *)(uintptr_t)(SMP_CONSOLE + reg) = value;
}

static uint64_t console_read(unsigned reg)
{
    return *(volatile uint64_t *)(uintptr_t)(SMP_CONSOLE + reg);
}

/* The running CPU, from its stack pointer: each CPU's stack is its own slot of smp_stacks. */
static unsigned smp_cpu(void)
{
    char *sp = __builtin_frame_address(0);
    return (unsigned)((uint64_t)(sp - smp_stacks) / SMP_STACK_BYTES);
}

uint64_t smp_cycles(void)
{
    return console_read(SMP_CON_CYCLES);
}

void smp_exit(int status)
{
    console_write(SMP_CON_EXIT, (unsigned)status & 0xff);
    for (;;)
        ;
}

void smp_lock(smp_lock_t *lock)
{
    for (;;) {
        while (lock->word != 0)
            ; /* spin on the cached copy until the holder's release invalidates it */
        if (smp_cas(&lock->word, 0, 1) == 0)
            break;
    }
    smp_sync(); /* acquire: no access of the critical section moves above the lock */
}

void smp_unlock(smp_lock_t *lock)
{
    smp_sync(); /* release: the critical section's stores are performed before the lock is free */
    lock->word = 0;
}

void smp_barrier(void)
{
    struct smp_percpu *me = &percpu[smp_cpu()];
    uint64_t sense = !me->sense;
    me->sense = sense;
    smp_sync();
    if (smp_fetch_add(&barrier_count, 1) == machine_cpus - 1) {
        barrier_count = 0;
        smp_sync(); /* the reset is performed before anyone can leave and arrive again */
        barrier_sense = sense;
    } else {
        while (barrier_sense != sense)
            ;
    }
    smp_sync();
    me->rounds++;
}

uint64_t smp_barrier_rounds(void)
{
    return percpu[smp_cpu()].rounds;
}

/* Formatting into a caller's buffer: the few conversions the programs use. */
struct out {
    char *buf;
    size_t len, cap;
};

static void out_putc(struct out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
}

static void out_number(struct out *o, uint64_t v, unsigned base, int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (width-- > n)
        out_putc(o, pad);
    while (n > 0)
        out_putc(o, digits[--n]);
}

static void out_format(struct out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            out_putc(o, *fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, longs = 0;
        if (*fmt == '0')
            pad = '0';
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        switch (*fmt) {
        case 'd': {
            int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                out_putc(o, '-');
                v = -v;
            }
            out_number(o, (uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
            out_number(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            out_number(o, longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 's':
            for (const char *s = va_arg(ap, const char *); *s; s++)
                out_putc(o, *s);
            break;
        case 'c': out_putc(o, (char)va_arg(ap, int)); break;
        case '%': out_putc(o, '%'); break;
        default: return;
        }
    }
}

static void console_emit(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        console_write(SMP_CON_TX, (unsigned char)s[i]);
}

void smp_printf(const char *fmt, ...)
{
    char buf[192];
    struct out o = {buf, 0, sizeof(buf)};
    va_list ap;
    va_start(ap, fmt);
    out_format(&o, fmt, ap);
    va_end(ap);
    /* One lock holder at a time writes, so lines from different CPUs do not mix. */
    smp_lock(&console_lock);
    console_emit(buf, o.len);
    smp_unlock(&console_lock);
}

bool smp_fail(const char *what, uint64_t got, uint64_t want)
{
    smp_fetch_add(&failures, 1);
    smp_printf("FAIL: cpu%u: %s: got 0x%llx want 0x%llx\n", smp_cpu(), what,
               (unsigned long long)got, (unsigned long long)want);
    return false;
}

/* Any exception is a bug in the program or the simulator: report it and end the run. */
void smp_exception(uint64_t vector, uint64_t cause, uint64_t epc, uint64_t badvaddr)
{
    char buf[160];
    struct out o = {buf, 0, sizeof(buf)};
    const char *head = "FAIL: exception vector 0x";
    while (*head)
        out_putc(&o, *head++);
    out_number(&o, vector, 16, 3, '0');
    const char *fields[] = {" cause 0x", " epc 0x", " badvaddr 0x"};
    uint64_t values[] = {cause, epc, badvaddr};
    for (int i = 0; i < 3; i++) {
        for (const char *s = fields[i]; *s; s++)
            out_putc(&o, *s);
        out_number(&o, values[i], 16, 1, '0');
    }
    out_putc(&o, '\n');
    console_emit(buf, o.len); /* unlocked: the exception may have hit inside the lock */
    smp_exit(2);
}

void smp_boot(uint64_t cpu, uint64_t ncpus)
{
    bool ok = true;
    if (ncpus == 0)
        ncpus = 1; /* flash-run --system: one CPU, $a1 left 0 */
    else if (console_read(SMP_CON_CPUID) != cpu || console_read(SMP_CON_NCPUS) != ncpus)
        ok = smp_fail("console CPUID/NCPUS disagree with $a0/$a1",
                      console_read(SMP_CON_CPUID) << 32 | console_read(SMP_CON_NCPUS),
                      cpu << 32 | ncpus);
    if (ncpus > SMP_MAX_CPUS) {
        if (cpu == 0)
            smp_fail("more CPUs than the runtime has stacks", ncpus, SMP_MAX_CPUS);
        smp_exit(1);
    }
    machine_cpus = ncpus;
    if (cpu == 0)
        smp_printf("SMP START %s cpus=%u\n", smp_program_name, (unsigned)ncpus);
    if (ok && !smp_main((unsigned)cpu, (unsigned)ncpus))
        ok = false;
    if (!ok)
        smp_fetch_add(&failures, 1);
    smp_sync();
    smp_fetch_add(&finished, 1);
    if (cpu != 0)
        for (;;)
            ; /* done: the run ends at CPU 0's EXIT */
    while (finished != ncpus)
        ;
    smp_sync();
    bool pass = failures == 0;
    smp_printf("SMP RESULT: %s %s cpus=%u cycles=%llu\n", pass ? "PASS" : "FAIL", smp_program_name,
               (unsigned)ncpus, (unsigned long long)smp_cycles());
    smp_exit(pass ? 0 : 1);
}
