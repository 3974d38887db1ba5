/*
 * smoke.c - the smallest SMP check of the distributed machine
 * (tests/cluster/bare_smp_smoke.sh): every CPU adds 1 to a shared counter
 * SMOKE_ADDS times with LL/SC, then signs in on a second counter; CPU 0 waits
 * for all, prints "smoke: cpus=N total=T" and exits 0 if T is exact, else 1.
 * Each counter sits on its own 128-byte coherence line. Built a second
 * time with -DSMOKE_FOREVER (bare_smoke_forever_be): CPU 0 never exits, for
 * the --max-cycles and lost-server checks.
 */
#include <stdint.h>

#define SMOKE_ADDS 200
#define CONSOLE    ((volatile uint64_t *)0xffffffffbfe00000ull) /* kseg1, uncached */
#define CON_TX     0
#define CON_EXIT   1
#define CON_CPUID  4
#define CON_NCPUS  5

static volatile uint32_t counter __attribute__((aligned(128)));
static volatile uint32_t finished __attribute__((aligned(128)));

static uint32_t atomic_add(volatile uint32_t *p, uint32_t v)
{
    uint32_t old, tmp;
    __asm__ volatile(".set push\n\t.set noreorder\n"
                     "1:\tll\t%0, %2\n\t"
                     "addu\t%1, %0, %3\n\t"
                     "sc\t%1, %2\n\t"
                     "beqz\t%1, 1b\n\t"
                     "nop\n\t"
                     "sync\n\t"
                     ".set pop"
                     : "=&r"(old), "=&r"(tmp), "+m"(*p)
                     : "r"(v)
                     : "memory");
    return old;
}

static void put(const char *s)
{
    while (*s)
        CONSOLE[CON_TX] = (uint8_t)*s++;
}

static void put_dec(uint64_t v)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        CONSOLE[CON_TX] = (uint8_t)buf[--n];
}

void smoke_main(uint64_t cpu, uint64_t ncpus)
{
    /* The device's registers must agree with what the reset left in $a0/$a1. */
    if (CONSOLE[CON_CPUID] != cpu || CONSOLE[CON_NCPUS] != ncpus)
        CONSOLE[CON_EXIT] = 2;
    for (int i = 0; i < SMOKE_ADDS; i++)
        atomic_add(&counter, 1);
    atomic_add(&finished, 1);
#ifdef SMOKE_FOREVER
    cpu = 1; /* nobody reports: the run goes on until stopped */
#endif
    if (cpu != 0)
        for (;;)
            atomic_add(&finished, 0); /* keep the protocol busy */
    while (finished != ncpus)
        ;
    uint32_t total = counter;
    put("smoke: cpus=");
    put_dec(ncpus);
    put(" total=");
    put_dec(total);
    put("\n");
    CONSOLE[CON_EXIT] = total == SMOKE_ADDS * ncpus ? 0 : 1;
    for (;;)
        ;
}
