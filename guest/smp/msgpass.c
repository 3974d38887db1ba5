/*
 * msgpass.c - message passing with SYNC: CPUs pair up (2k produces, 2k+1
 * consumes; an odd last CPU idles) and stream MSG_COUNT 4-word records
 * through a ring of RING_SLOTS slots. The producer fills a slot, SYNCs, then
 * publishes the head index; the consumer reads the head, SYNCs, reads the
 * slot, SYNCs and frees it by publishing the tail. Every record carries its
 * sequence number, two pseudo-random words and a checksum of the three; the
 * consumer checks each record and the running sum against the producer's.
 * On one CPU the same code alternates between producing and consuming.
 */
#include "smp.h"

#ifndef MSG_COUNT
#define MSG_COUNT 1000
#endif
#define RING_SLOTS 8

const char smp_program_name[] = "msgpass";

struct record {
    uint64_t seq, a, b, check;
};

struct channel {
    SMP_ALIGNED volatile uint64_t head; /* records published (producer writes) */
    SMP_ALIGNED volatile uint64_t tail; /* records consumed (consumer writes) */
    SMP_ALIGNED struct record slots[RING_SLOTS];
    SMP_ALIGNED volatile uint64_t producer_sum; /* published after the last record */
};
static struct channel channels[SMP_MAX_CPUS / 2];

static uint64_t xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static uint64_t record_check(uint64_t seq, uint64_t a, uint64_t b)
{
    return (seq * 0x9e3779b97f4a7c15ull) ^ (a + (b << 1) + (b >> 63));
}

/* Producer side: blocks while the ring is full. Returns false when would block (one-CPU mode). */
static bool produce(struct channel *ch, uint64_t seq, uint64_t *rng, uint64_t *sum, bool block)
{
    while (ch->head - ch->tail >= RING_SLOTS)
        if (!block)
            return false;
    smp_sync(); /* the consumer's reads of the slot are done before we overwrite it */
    struct record *r = &ch->slots[seq % RING_SLOTS];
    uint64_t a = xorshift(rng), b = xorshift(rng);
    *(volatile uint64_t *)&r->seq = seq;
    *(volatile uint64_t *)&r->a = a;
    *(volatile uint64_t *)&r->b = b;
    *(volatile uint64_t *)&r->check = record_check(seq, a, b);
    *sum += a ^ b;
    smp_sync(); /* the record is performed before the head says it is there */
    ch->head = seq + 1;
    return true;
}

static bool consume(struct channel *ch, uint64_t seq, uint64_t *sum, bool *ok, bool block)
{
    while (ch->head == seq)
        if (!block)
            return false;
    smp_sync(); /* the slot is read after the head that published it */
    struct record *r = &ch->slots[seq % RING_SLOTS];
    uint64_t got_seq = *(volatile uint64_t *)&r->seq;
    uint64_t a = *(volatile uint64_t *)&r->a;
    uint64_t b = *(volatile uint64_t *)&r->b;
    uint64_t check = *(volatile uint64_t *)&r->check;
    if (*ok && got_seq != seq)
        *ok = smp_fail("record out of order", got_seq, seq);
    if (*ok && check != record_check(seq, a, b))
        *ok = smp_fail("record torn (checksum)", check, record_check(seq, a, b));
    *sum += a ^ b;
    smp_sync(); /* the slot is read completely before the producer may reuse it */
    ch->tail = seq + 1;
    return true;
}

bool smp_main(unsigned cpu, unsigned ncpus)
{
    bool ok = true;
    struct channel *ch = &channels[cpu / 2];
    uint64_t rng = 0x1234567ull + cpu / 2 * 0x9e3779b9ull;
    uint64_t sum = 0;
    if (ncpus == 1) {
        uint64_t sent = 0, received = 0, check_sum = 0;
        while (received < MSG_COUNT) {
            while (sent < MSG_COUNT && produce(ch, sent, &rng, &sum, false))
                sent++;
            while (consume(ch, received, &check_sum, &ok, false))
                received++;
        }
        if (ok && check_sum != sum)
            ok = smp_fail("consumer sum", check_sum, sum);
    } else if (cpu % 2 == 0 && cpu + 1 < ncpus) {
        for (uint64_t seq = 0; seq < MSG_COUNT; seq++)
            produce(ch, seq, &rng, &sum, true);
        smp_sync();
        ch->producer_sum = sum | 1; /* never 0: 0 means not yet published */
    } else if (cpu % 2 == 1) {
        for (uint64_t seq = 0; seq < MSG_COUNT; seq++)
            consume(ch, seq, &sum, &ok, true);
        while (ch->producer_sum == 0)
            ;
        smp_sync();
        if (ok && ch->producer_sum != (sum | 1))
            ok = smp_fail("consumer sum", sum | 1, ch->producer_sum);
    }
    smp_barrier();
    if (cpu == 0 && ok)
        smp_printf("PASS: %u records through each of %u rings\n", MSG_COUNT,
                   ncpus == 1 ? 1 : ncpus / 2);
    return ok;
}
