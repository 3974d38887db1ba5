/*
 * barrier.c - the runtime's sense-reversing barrier for BARRIER_ROUNDS
 * rounds. In round r every CPU writes a value derived from (r, cpu) into its
 * slot of board[r % 2], passes the barrier, then checks every CPU's slot:
 * a CPU that left the barrier before all had arrived sees a stale value.
 * Rounds alternate boards, so round r + 2 (which rewrites board[r % 2])
 * starts only after the next barrier, when everyone has finished reading.
 */
#include "smp.h"

#ifndef BARRIER_ROUNDS
#define BARRIER_ROUNDS 60
#endif

const char smp_program_name[] = "barrier";

static SMP_ALIGNED volatile uint64_t board[2][SMP_MAX_CPUS];

static uint64_t slot_value(unsigned round, unsigned cpu)
{
    return (uint64_t)round << 32 | (cpu * 0x9e37u + 1);
}

bool smp_main(unsigned cpu, unsigned ncpus)
{
    bool ok = true;
    for (unsigned r = 0; r < BARRIER_ROUNDS && ok; r++) {
        board[r % 2][cpu] = slot_value(r, cpu);
        smp_barrier();
        for (unsigned j = 0; j < ncpus; j++) {
            uint64_t got = board[r % 2][j];
            if (got != slot_value(r, j)) {
                ok = smp_fail("slot after the barrier", got, slot_value(r, j));
                break;
            }
        }
    }
    /*
     * A CPU that failed stopped early; the others would wait in the barrier
     * forever, so the failing CPU ends the run itself.
     */
    if (!ok)
        smp_exit(1);
    if (smp_barrier_rounds() != BARRIER_ROUNDS)
        ok = smp_fail("barrier episodes", smp_barrier_rounds(), BARRIER_ROUNDS);
    smp_barrier();
    if (cpu == 0 && ok)
        smp_printf("PASS: %u barrier rounds, every slot checked by every CPU\n", BARRIER_ROUNDS);
    return ok;
}
