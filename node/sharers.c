/*
 * sharers.c - limited pointers with coarse-vector overflow (see sharers.h).
 *
 * Word layout. Pointer mode: bit 63 = 0, bits 61-60 = count (0-3), pointer i
 * in bits 20*i .. 20*i+19. Vector mode: bit 63 = 1, bits 0-62 = one bit per
 * group of ceil(agent_count / 63) agents.
 */
#include "sharers.h"

#define COARSE_FLAG  (1ull << 63)
#define COUNT_SHIFT  60u
#define COUNT_MASK   3ull
#define POINTER_MASK ((uint64_t)SHARERS_MAX_POINTER)

static uint32_t group_size(uint32_t agent_count)
{
    uint32_t g = (agent_count + SHARERS_COARSE_BITS - 1) / SHARERS_COARSE_BITS;
    return g ? g : 1;
}

static unsigned pointer_count(uint64_t word)
{
    return (unsigned)((word >> COUNT_SHIFT) & COUNT_MASK);
}

static uint32_t pointer_at(uint64_t word, unsigned i)
{
    return (uint32_t)((word >> (SHARERS_POINTER_BITS * i)) & POINTER_MASK);
}

static uint64_t pack_pointers(const uint32_t *ids, unsigned n)
{
    uint64_t word = (uint64_t)n << COUNT_SHIFT;
    for (unsigned i = 0; i < n; i++)
        word |= (uint64_t)ids[i] << (SHARERS_POINTER_BITS * i);
    return word;
}

void sharers_clear(struct sharers *set)
{
    set->word = 0;
}

bool sharers_is_empty(const struct sharers *set)
{
    return set->word == 0;
}

bool sharers_is_pointers(const struct sharers *set)
{
    return !(set->word & COARSE_FLAG);
}

static uint64_t coarse_bit(uint32_t agent, uint32_t agent_count)
{
    uint32_t bit = agent / group_size(agent_count);
    if (bit >= SHARERS_COARSE_BITS)
        bit = SHARERS_COARSE_BITS - 1; /* ids past agent_count: keep them covered */
    return 1ull << bit;
}

/* Converts a pointer word to the vector holding the same agents. */
static uint64_t to_coarse(uint64_t word, uint32_t agent_count)
{
    uint64_t vector = COARSE_FLAG;
    for (unsigned i = 0; i < pointer_count(word); i++)
        vector |= coarse_bit(pointer_at(word, i), agent_count);
    return vector;
}

void sharers_add(struct sharers *set, uint32_t agent, uint32_t agent_count)
{
    if (set->word & COARSE_FLAG) {
        set->word |= coarse_bit(agent, agent_count);
        return;
    }
    unsigned n = pointer_count(set->word);
    for (unsigned i = 0; i < n; i++)
        if (pointer_at(set->word, i) == agent)
            return;
    if (n < SHARERS_POINTERS && agent <= SHARERS_MAX_POINTER) {
        set->word = (set->word & ~(COUNT_MASK << COUNT_SHIFT)) |
                    ((uint64_t)(n + 1) << COUNT_SHIFT) |
                    ((uint64_t)agent << (SHARERS_POINTER_BITS * n));
        return;
    }
    set->word = to_coarse(set->word, agent_count) | coarse_bit(agent, agent_count);
}

void sharers_remove(struct sharers *set, uint32_t agent, uint32_t agent_count)
{
    if (set->word & COARSE_FLAG) {
        if (group_size(agent_count) == 1 && agent < SHARERS_COARSE_BITS) {
            set->word &= ~coarse_bit(agent, agent_count);
            if (set->word == COARSE_FLAG)
                set->word = 0;
        }
        return;
    }
    uint32_t ids[SHARERS_POINTERS];
    unsigned kept = 0;
    for (unsigned i = 0; i < pointer_count(set->word); i++)
        if (pointer_at(set->word, i) != agent)
            ids[kept++] = pointer_at(set->word, i);
    set->word = pack_pointers(ids, kept);
}

bool sharers_may_contain(const struct sharers *set, uint32_t agent, uint32_t agent_count)
{
    if (set->word & COARSE_FLAG)
        return (set->word & coarse_bit(agent, agent_count)) != 0;
    for (unsigned i = 0; i < pointer_count(set->word); i++)
        if (pointer_at(set->word, i) == agent)
            return true;
    return false;
}

bool sharers_contains_exact(const struct sharers *set, uint32_t agent, uint32_t agent_count)
{
    if ((set->word & COARSE_FLAG) && group_size(agent_count) != 1)
        return false;
    return sharers_may_contain(set, agent, agent_count);
}

uint32_t sharers_count(const struct sharers *set, uint32_t agent_count)
{
    if (!(set->word & COARSE_FLAG))
        return pointer_count(set->word);
    uint32_t n = 0;
    for (uint32_t a = sharers_next(set, agent_count, 0); a != SHARERS_NONE;
         a = sharers_next(set, agent_count, a + 1))
        n++;
    return n;
}

uint32_t sharers_next(const struct sharers *set, uint32_t agent_count, uint32_t from)
{
    if (!(set->word & COARSE_FLAG)) {
        uint32_t best = SHARERS_NONE;
        for (unsigned i = 0; i < pointer_count(set->word); i++) {
            uint32_t id = pointer_at(set->word, i);
            if (id >= from && id < best)
                best = id;
        }
        return best;
    }
    uint32_t g = group_size(agent_count);
    for (uint32_t a = from; a < agent_count; a++) {
        uint32_t bit = a / g;
        if (set->word & (1ull << bit))
            return a;
        /* skip the rest of an empty group in one step */
        a = (bit + 1) * g - 1;
    }
    return SHARERS_NONE;
}
