/*
 * peterson.c - Peterson's two-CPU mutual exclusion, composed into a
 * tournament tree so that all CPUs contend for one critical section. Each
 * tree node is a two-party Peterson lock (flag per side, victim); a CPU
 * climbs from its leaf to the root, then updates a shared counter with a
 * plain (non-atomic) load, delay, store, and checks that nobody else is
 * inside. Peterson needs a store followed by loads of other locations to be
 * ordered: MIPS only guarantees that across SYNC, so the lock SYNCs between
 * writing victim and reading the other flag, and around the critical section.
 */
#include "smp.h"

#ifndef PETERSON_TOTAL
#define PETERSON_TOTAL 800 /* critical sections over all CPUs */
#endif

const char smp_program_name[] = "peterson";

struct peterson_node {
    volatile uint64_t flag[2];
    volatile uint64_t victim;
} SMP_ALIGNED;
/* Heap layout: node 1 is the root, node n has children 2n and 2n+1; leaves are SMP_MAX_CPUS + cpu.
 */
static struct peterson_node tree[SMP_MAX_CPUS];

static SMP_ALIGNED volatile uint64_t shared_count;
static SMP_ALIGNED volatile uint64_t inside;

static void peterson_lock(struct peterson_node *n, unsigned side)
{
    n->flag[side] = 1;
    n->victim = side;
    smp_sync(); /* the stores above are seen before we read the other side's flag */
    while (n->flag[!side] != 0 && n->victim == side)
        ;
    smp_sync(); /* the critical section's loads come after winning */
}

static void peterson_unlock(struct peterson_node *n, unsigned side)
{
    smp_sync(); /* the critical section's stores are performed before the release */
    n->flag[side] = 0;
}

bool smp_main(unsigned cpu, unsigned ncpus)
{
    bool ok = true;
    unsigned leaves = 1;
    while (leaves < ncpus)
        leaves *= 2;
    unsigned rounds = PETERSON_TOTAL / ncpus;
    if (rounds < 20)
        rounds = 20;
    for (unsigned r = 0; r < rounds; r++) {
        for (unsigned p = leaves + cpu; p > 1; p /= 2)
            peterson_lock(&tree[p / 2], p & 1);
        if (inside != 0 && ok)
            ok = smp_fail("another CPU inside the critical section", inside, 0);
        inside = cpu + 1;
        uint64_t v = shared_count;
        for (volatile int delay = 0; delay < 8; delay++)
            ; /* widen the window a broken lock would show in */
        shared_count = v + 1;
        if (inside != cpu + 1 && ok)
            ok = smp_fail("critical section entered concurrently", inside, cpu + 1);
        inside = 0;
        /* Release from the root down: the reverse of the climb. */
        unsigned path[8], depth = 0;
        for (unsigned p = leaves + cpu; p > 1; p /= 2)
            path[depth++] = p;
        while (depth > 0) {
            unsigned p = path[--depth];
            peterson_unlock(&tree[p / 2], p & 1);
        }
    }
    smp_barrier();
    if (cpu == 0) {
        uint64_t want = (uint64_t)rounds * ncpus;
        if (shared_count != want)
            ok = smp_fail("non-atomic counter under the lock", shared_count, want);
        else
            smp_printf("PASS: peterson tree: %llu critical sections, none lost\n",
                       (unsigned long long)shared_count);
    }
    return ok;
}
