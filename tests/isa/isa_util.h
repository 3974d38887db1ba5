/*
 * isa_util.h - helpers shared by the ISA corpus programs: a deterministic
 * pseudo-random generator (so both emulators see the same data) and a
 * running checksum that folds many results into one printed line.
 */
#ifndef ISA_UTIL_H
#define ISA_UTIL_H

#include <stdint.h>
#include <stdio.h>

static uint64_t isa_rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: fast, deterministic, good enough to spread test values. */
static inline uint64_t isa_rand(void)
{
    isa_rng_state ^= isa_rng_state >> 12;
    isa_rng_state ^= isa_rng_state << 25;
    isa_rng_state ^= isa_rng_state >> 27;
    return isa_rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t isa_sum = 0;

static inline void isa_mix(uint64_t v)
{
    isa_sum = (isa_sum ^ v) * 0x100000001b3ull + (isa_sum >> 29);
}

/* Interesting integers: edges of every width plus random ones. */
static const uint64_t isa_edges[] = {
    0,
    1,
    2,
    3,
    7,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0xffffffffffffffffull,
    0xfffffffffffffffeull,
    0xffffffff80000000ull,
    0x123456789abcdef0ull,
    0xfedcba9876543210ull,
    0x00000000deadbeefull,
    0xffffffffdeadbeefull,
};
#define ISA_NEDGES (sizeof(isa_edges) / sizeof(isa_edges[0]))

#endif
