/*
 * results.h - what each user program computes and the line it reports,
 * shared by the user programs (which compute the results the slow way, in
 * user mode) and the kernel (verify.c, which computes them independently
 * and formats the line it expects). The workload inputs are defined here
 * once so both sides agree on them; the algorithms are not shared.
 */
#ifndef TK_RESULTS_H
#define TK_RESULTS_H

#include <stdint.h>

#include "fmt.h"
#include "tk_params.h"

/* The values the sort program sorts: an LCG (Numerical Recipes constants) with its high bits folded
 * in. */
static inline uint32_t sort_next_value(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state ^ (*state >> 15);
}

/* Matrix inputs of round r: small values, so the products stay exact modulo 2^32 either way. */
static inline uint32_t matrix_a(uint32_t i, uint32_t j, uint32_t r)
{
    return (i * 31u + j * 17u + r * 7u) % 101u;
}

static inline uint32_t matrix_b(uint32_t i, uint32_t j, uint32_t r)
{
    return (i * 13u + j * 29u + r * 11u) % 97u;
}

/* The checksum weights each product element by its position and the round. */
static inline uint32_t matrix_weight(uint32_t i, uint32_t j, uint32_t r)
{
    return i * MATRIX_N + j + r + 1u;
}

static inline void result_primes(struct line *l, uint32_t count, uint32_t sum)
{
    line_str(l, "primes below ");
    line_dec(l, PRIMES_LIMIT);
    line_str(l, ": ");
    line_dec(l, count);
    line_str(l, ", sum ");
    line_dec(l, sum);
}

static inline void result_sort(struct line *l, uint32_t min, uint32_t max, uint32_t sum,
                               uint32_t xor_all, uint32_t strided_sum, uint32_t out_of_order)
{
    line_str(l, "sorted ");
    line_dec(l, SORT_COUNT);
    line_str(l, " values: min ");
    line_dec(l, min);
    line_str(l, " max ");
    line_dec(l, max);
    line_str(l, " sum ");
    line_dec(l, sum);
    line_str(l, " xor ");
    line_hex(l, xor_all, 8);
    line_str(l, " strided sum ");
    line_dec(l, strided_sum);
    line_str(l, ", ");
    line_dec(l, out_of_order);
    line_str(l, " out of order");
}

static inline void result_sys(struct line *l, uint32_t getpids, uint32_t yields, uint32_t pid,
                              uint32_t mismatches)
{
    line_dec(l, getpids);
    line_str(l, " getpid calls, ");
    line_dec(l, yields);
    line_str(l, " yields, pid ");
    line_dec(l, pid);
    line_str(l, ", ");
    line_dec(l, mismatches);
    line_str(l, " mismatches");
}

static inline void result_matrix(struct line *l, uint32_t checksum)
{
    line_dec(l, MATRIX_ROUNDS);
    line_str(l, " products of ");
    line_dec(l, MATRIX_N);
    line_str(l, "x");
    line_dec(l, MATRIX_N);
    line_str(l, " matrices, checksum ");
    line_dec(l, checksum);
}

/* sum is the exact value of 64 * sum((k + pid)^2 / 64), split into 32-bit halves. */
static inline void result_fpu(struct line *l, uint32_t sum_hi, uint32_t sum_lo, uint32_t sqrt_exact,
                              uint32_t div_exact)
{
    line_dec(l, FPU_TERMS);
    line_str(l, " terms in double precision: sum ");
    line_hex(l, sum_hi, 8);
    line_hex(l, sum_lo, 8);
    line_str(l, ", ");
    line_dec(l, sqrt_exact);
    line_str(l, " exact square roots, ");
    line_dec(l, div_exact);
    line_str(l, " exact quotients");
}

#endif
