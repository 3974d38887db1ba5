/*
 * sharers.h - the set of caches that may hold a line, in one 64-bit word.
 *
 * Limited pointers with overflow to a coarse vector (Gupta, Weber, Mowry,
 * "Reducing memory and traffic requirements for scalable directory-based
 * cache coherence schemes", ICPP 1990, Dir_i CV_r): up to three exact 20-bit
 * agent ids; a fourth sharer switches the word to a 63-bit vector in which
 * each bit stands for ceil(agents / 63) consecutive agents. Exact up to 3
 * sharers at any machine size and exact always up to 63 agents; beyond that
 * a superset, which costs extra invalidations but never correctness. Used by
 * the home directory (directory.c); 8 bytes per line.
 */
#ifndef DISCO_NODE_SHARERS_H
#define DISCO_NODE_SHARERS_H

#include <stdbool.h>
#include <stdint.h>

#define SHARERS_POINTERS     3u
#define SHARERS_POINTER_BITS 20u
#define SHARERS_MAX_POINTER  ((1u << SHARERS_POINTER_BITS) - 1)
#define SHARERS_COARSE_BITS  63u
#define SHARERS_NONE         UINT32_MAX /* "no further sharer" from sharers_next() */

struct sharers {
    uint64_t word;
};

/* Bytes of directory state a line's sharer set costs. */
static inline unsigned sharers_bytes_per_line(void)
{
    return (unsigned)sizeof(struct sharers);
}

void sharers_clear(struct sharers *set);
bool sharers_is_empty(const struct sharers *set);
/* True while the set is pointers; false once it overflowed to the vector. */
bool sharers_is_pointers(const struct sharers *set);

/* agent_count is the number of agents of the machine (ids 0..agent_count-1);
 * it fixes how many agents a coarse bit covers. */
void sharers_add(struct sharers *set, uint32_t agent, uint32_t agent_count);
/* Removes an agent when the encoding allows (pointers, or one agent per bit). */
void sharers_remove(struct sharers *set, uint32_t agent, uint32_t agent_count);
/* True if the agent may hold the line (always true for an actual sharer). */
bool sharers_may_contain(const struct sharers *set, uint32_t agent, uint32_t agent_count);
/* True only if the agent is certainly recorded (not just covered by a bit). */
bool sharers_contains_exact(const struct sharers *set, uint32_t agent, uint32_t agent_count);
/* Number of exact pointers, or of agents the vector covers. */
uint32_t sharers_count(const struct sharers *set, uint32_t agent_count);

/* Iteration over every agent that may hold the line, in increasing id order:
 * for (a = sharers_next(s, n, 0); a != SHARERS_NONE; a = sharers_next(s, n, a + 1)) */
uint32_t sharers_next(const struct sharers *set, uint32_t agent_count, uint32_t from);

#endif
