/*
 * smp.h - the runtime of the bare-metal SMP programs (guest/smp): every CPU
 * runs smp_main(cpu, ncpus) on its own stack; the runtime provides LL/SC
 * atomics, SYNC, a spinlock, a sense-reversing barrier, a line-serialized
 * console print and the final verdict: CPU 0 waits for every CPU to finish,
 * prints "SMP RESULT: PASS <name> cpus=N" (or FAIL) and exits 0 (or 1).
 */
#ifndef SMP_H
#define SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "smp_asm.h"

/* Aligns shared variables to their own coherence line (no false sharing). */
#define SMP_ALIGNED __attribute__((aligned(SMP_LINE_BYTES)))

/* The program: its name (for the verdict line) and its per-CPU body. */
extern const char smp_program_name[];
/* Runs on every CPU; returns true when this CPU's checks passed. */
bool smp_main(unsigned cpu, unsigned ncpus);

/* Console: printf subset (%d %u %x %s %c, l/ll modifiers, width with 0 pad). */
void smp_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "FAIL: cpuN: <what>" and marks the run failed; returns false. */
bool smp_fail(const char *what, uint64_t got, uint64_t want);
/* The CPU's simulated cycle counter (console device CYCLES register). */
uint64_t smp_cycles(void);
/* Immediate exit of the whole run (first EXIT write wins). */
void smp_exit(int status) __attribute__((noreturn));

/* Memory ordering: MIPS SYNC orders every load/store before it against those after. */
static inline void smp_sync(void)
{
    __asm__ volatile("sync" ::: "memory");
}

/* Atomically *p += v (LLD/SCD retry loop); returns the old value. */
static inline uint64_t smp_fetch_add(volatile uint64_t *p, uint64_t v)
{
    uint64_t old, tmp;
    __asm__ volatile(".set push\n\t.set noreorder\n"
                     "1:\tlld\t%0, %2\n\t"
                     "daddu\t%1, %0, %3\n\t"
                     "scd\t%1, %2\n\t"
                     "beqz\t%1, 1b\n\t"
                     "nop\n\t"
                     ".set pop"
                     : "=&r"(old), "=&r"(tmp), "+m"(*p)
                     : "r"(v)
                     : "memory");
    return old;
}

/* Atomically *p += v on a 32-bit word (LL/SC); returns the old value. */
static inline uint32_t smp_fetch_add32(volatile uint32_t *p, uint32_t v)
{
    uint32_t old, tmp;
    __asm__ volatile(".set push\n\t.set noreorder\n"
                     "1:\tll\t%0, %2\n\t"
                     "addu\t%1, %0, %3\n\t"
                     "sc\t%1, %2\n\t"
                     "beqz\t%1, 1b\n\t"
                     "nop\n\t"
                     ".set pop"
                     : "=&r"(old), "=&r"(tmp), "+m"(*p)
                     : "r"(v)
                     : "memory");
    return old;
}

/* Atomically replaces *p by v when it equals expect; returns the value seen. */
static inline uint64_t smp_cas(volatile uint64_t *p, uint64_t expect, uint64_t v)
{
    uint64_t seen, tmp;
    __asm__ volatile(".set push\n\t.set noreorder\n"
                     "1:\tlld\t%0, %2\n\t"
                     "bne\t%0, %3, 2f\n\t"
                     "move\t%1, %4\n\t"
                     "scd\t%1, %2\n\t"
                     "beqz\t%1, 1b\n\t"
                     "nop\n"
                     "2:\n\t"
                     ".set pop"
                     : "=&r"(seen), "=&r"(tmp), "+m"(*p)
                     : "r"(expect), "r"(v)
                     : "memory");
    return seen;
}

/* Test-and-test-and-set spinlock on LL/SC, with the SYNCs of acquire/release. */
typedef struct {
    volatile uint64_t word;
} smp_lock_t;
void smp_lock(smp_lock_t *lock);
void smp_unlock(smp_lock_t *lock);

/*
 * Sense-reversing centralized barrier over all CPUs: the last CPU to arrive
 * resets the count and flips the shared sense; the others spin (cache hits)
 * until the sense changes. Each CPU keeps its own sense in the runtime.
 */
void smp_barrier(void);
/* Number of barrier episodes this CPU has completed. */
uint64_t smp_barrier_rounds(void);

#endif
