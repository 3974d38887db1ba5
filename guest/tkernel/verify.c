/*
 * verify.c - the kernel's own computation of every user program's result,
 * by different algorithms than the user programs use (a sieve instead of
 * trial division, a single scan instead of sorting, i-k-j instead of i-j-k
 * order), formatted as the line the program must have written.
 */
#include "tk.h"

#include "results.h"

static uint8_t composite[PRIMES_LIMIT];

static void expect_primes(struct line *l)
{
    uint32_t count = 0, sum = 0;
    for (uint32_t n = 2; n < PRIMES_LIMIT; n++) {
        if (composite[n])
            continue;
        count++;
        sum += n;
        for (uint32_t m = n * 2; m < PRIMES_LIMIT; m += n)
            composite[m] = 1;
    }
    result_primes(l, count, sum);
}

/* Sorting does not change the minimum, maximum, sum or xor of the values. */
static void expect_sort(struct line *l)
{
    uint32_t state = SORT_SEED, min = 0xffffffffu, max = 0, sum = 0, xor_all = 0;
    for (uint32_t i = 0; i < SORT_COUNT; i++) {
        uint32_t v = sort_next_value(&state);
        min = v < min ? v : min;
        max = v > max ? v : max;
        sum += v;
        xor_all ^= v;
    }
    /* The strided pass reads every value twice: once sorted, once in the scratch array. */
    result_sort(l, min, max, sum, xor_all, sum * 2, 0);
}

static void expect_sys(struct line *l, unsigned pid)
{
    result_sys(l, SYS_ROUNDS, SYS_ROUNDS / SYS_YIELD_EVERY, pid, 0);
}

static uint32_t product[MATRIX_N][MATRIX_N];

static void expect_matrix(struct line *l)
{
    uint32_t checksum = 0;
    for (uint32_t r = 0; r < MATRIX_ROUNDS; r++) {
        memset(product, 0, sizeof(product));
        for (uint32_t i = 0; i < MATRIX_N; i++)
            for (uint32_t k = 0; k < MATRIX_N; k++) {
                uint32_t a = matrix_a(i, k, r);
                for (uint32_t j = 0; j < MATRIX_N; j++)
                    product[i][j] += a * matrix_b(k, j, r);
            }
        for (uint32_t i = 0; i < MATRIX_N; i++)
            for (uint32_t j = 0; j < MATRIX_N; j++)
                checksum += product[i][j] * matrix_weight(i, j, r);
    }
    result_matrix(l, checksum);
}

/* 64 * sum(((k + pid) / 8)^2) is the integer sum((k + pid)^2); roots and quotients are exact. */
static void expect_fpu(struct line *l, unsigned pid)
{
    uint64_t sum = 0;
    for (uint64_t k = 1; k <= FPU_TERMS; k++)
        sum += (k + pid) * (k + pid);
    result_fpu(l, (uint32_t)(sum >> 32), (uint32_t)sum, FPU_TERMS, FPU_TERMS);
}

static bool same_name(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

void verify_expected_line(const char *program, unsigned pid, struct line *l)
{
    if (same_name(program, "primes"))
        expect_primes(l);
    else if (same_name(program, "sort"))
        expect_sort(l);
    else if (same_name(program, "sys"))
        expect_sys(l, pid);
    else if (same_name(program, "matrix"))
        expect_matrix(l);
    else if (same_name(program, "fpu"))
        expect_fpu(l, pid);
    else
        line_str(l, "(no expected result)");
}
