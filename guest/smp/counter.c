/*
 * counter.c - LL/SC atomic counter: every CPU adds 1 to one shared 64-bit
 * counter and one shared 32-bit counter COUNTER_ADDS times (LLD/SCD and
 * LL/SC retry loops); after a barrier CPU 0 checks the exact totals. A lost
 * update (an SC that succeeded although another CPU wrote the line after
 * the LL) shows as a smaller total.
 */
#include "smp.h"

#ifndef COUNTER_ADDS
#define COUNTER_ADDS 500
#endif

const char smp_program_name[] = "counter";

static SMP_ALIGNED volatile uint64_t counter64;
static SMP_ALIGNED volatile uint32_t counter32;

bool smp_main(unsigned cpu, unsigned ncpus)
{
    uint64_t last = 0;
    bool ok = true;
    for (unsigned i = 0; i < COUNTER_ADDS; i++) {
        uint64_t old = smp_fetch_add(&counter64, 1);
        /* Each CPU's own increments are ordered: the value it sees only grows. */
        if (i > 0 && old < last)
            ok = smp_fail("counter went backwards", old, last);
        last = old;
        smp_fetch_add32(&counter32, 1);
    }
    smp_barrier();
    if (cpu == 0) {
        uint64_t want = (uint64_t)COUNTER_ADDS * ncpus;
        if (counter64 != want)
            ok = smp_fail("64-bit counter total", counter64, want);
        if (counter32 != (uint32_t)want)
            ok = smp_fail("32-bit counter total", counter32, want);
        if (ok)
            smp_printf("PASS: counter total %llu = %u CPUs x %u adds\n",
                       (unsigned long long)counter64, ncpus, COUNTER_ADDS);
    }
    return ok;
}
