/*
 * workload.c - the demo's guest program: a few small kernels in the spirit of
 * the paper's workloads (integer search, floating-point matrix work, sorting,
 * hashing), each printing a result that the simulator computed instruction by
 * instruction. Deterministic: the same output under flash-run and QEMU.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIEVE_LIMIT 200000
#define MATRIX_N    48
#define SORT_N      20000

static unsigned count_primes(unsigned limit)
{
    unsigned char *composite = calloc(limit + 1, 1);
    unsigned count = 0;
    for (unsigned i = 2; i <= limit; i++) {
        if (composite[i])
            continue;
        count++;
        for (unsigned long j = (unsigned long)i * i; j <= limit; j += i)
            composite[j] = 1;
    }
    free(composite);
    return count;
}

static double matrix_trace(int n)
{
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n);
    double *c = calloc((size_t)n * n, sizeof(double));
    for (int i = 0; i < n * n; i++) {
        a[i] = (i % 7) * 0.5 - 1.0;
        b[i] = (i % 5) * 0.25 + 0.125;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                c[i * n + j] += a[i * n + k] * b[k * n + j];
    double trace = 0;
    for (int i = 0; i < n; i++)
        trace += c[i * n + i];
    free(a);
    free(b);
    free(c);
    return trace;
}

static int compare_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static uint64_t sorted_checksum(unsigned n)
{
    uint32_t *v = malloc(n * sizeof *v);
    uint32_t x = 2463534242u;
    for (unsigned i = 0; i < n; i++) { /* xorshift32 */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v[i] = x;
    }
    qsort(v, n, sizeof *v, compare_u32);
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum = sum * 31 + v[i];
    free(v);
    return sum;
}

static uint64_t fnv1a(const char *text, unsigned rounds)
{
    uint64_t h = 14695981039346656037ull;
    for (unsigned r = 0; r < rounds; r++)
        for (const char *p = text; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

int main(void)
{
    const union {
        uint16_t u;
        uint8_t b[2];
    } probe = {.u = 1};
    printf("guest: MIPS64 %s-endian, %zu-bit pointers\n", probe.b[0] ? "little" : "big",
           sizeof(void *) * 8);
    printf("primes below %d: %u\n", SIEVE_LIMIT, count_primes(SIEVE_LIMIT));
    printf("trace of a %dx%d matrix product: %.6f\n", MATRIX_N, MATRIX_N, matrix_trace(MATRIX_N));
    printf("checksum of %d sorted words: %016llx\n", SORT_N,
           (unsigned long long)sorted_checksum(SORT_N));
    printf("FNV-1a of the paper's title x1000: %016llx\n",
           (unsigned long long)fnv1a("Disco: Running Commodity Operating Systems on Scalable "
                                     "Multiprocessors",
                                     1000));
    return 0;
}
