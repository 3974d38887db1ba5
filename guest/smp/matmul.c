/*
 * matmul.c - parallel integer matrix multiply C = A x B (N x N, 32-bit
 * wrapping arithmetic). The CPUs initialize interleaved rows of A and B,
 * meet at a barrier, compute interleaved rows of C, meet again; then CPU 0
 * recomputes the whole product alone from the generating formulas (not from
 * the shared arrays) and checks every element and the checksum. The
 * checksum printed is the same for any number of CPUs. MATMUL_CHECK_STRIDE
 * > 1 (the benchmark build) re-checks only every so many rows, so the serial
 * check does not dominate the parallel part.
 */
#include "smp.h"

#ifndef MATMUL_N
#define MATMUL_N 32
#endif
#define N MATMUL_N
#ifndef MATMUL_CHECK_STRIDE
#define MATMUL_CHECK_STRIDE 1
#endif

const char smp_program_name[] = "matmul";

static SMP_ALIGNED uint32_t mat_a[N][N];
static SMP_ALIGNED uint32_t mat_b[N][N];
static SMP_ALIGNED uint32_t mat_c[N][N];

static uint32_t gen_a(unsigned i, unsigned j)
{
    return (i * 131u + j * 7u + 3u) ^ (i * j);
}

static uint32_t gen_b(unsigned i, unsigned j)
{
    return (i * 17u + j * 29u + 11u) * (j + 1u);
}

bool smp_main(unsigned cpu, unsigned ncpus)
{
    bool ok = true;
    for (unsigned i = cpu; i < N; i += ncpus)
        for (unsigned j = 0; j < N; j++) {
            mat_a[i][j] = gen_a(i, j);
            mat_b[i][j] = gen_b(i, j);
        }
    smp_barrier();
    for (unsigned i = cpu; i < N; i += ncpus)
        for (unsigned j = 0; j < N; j++) {
            uint32_t sum = 0;
            for (unsigned k = 0; k < N; k++)
                sum += mat_a[i][k] * mat_b[k][j];
            mat_c[i][j] = sum;
        }
    smp_barrier();
    if (cpu != 0)
        return true;
    uint64_t checksum = 0, want_checksum = 0;
    unsigned wrong = 0;
    for (unsigned i = 0; i < N; i += MATMUL_CHECK_STRIDE)
        for (unsigned j = 0; j < N; j++) {
            uint32_t want = 0;
            for (unsigned k = 0; k < N; k++)
                want += gen_a(i, k) * gen_b(k, j);
            want_checksum = want_checksum * 31 + want;
            checksum = checksum * 31 + mat_c[i][j];
            if (mat_c[i][j] != want && wrong++ == 0)
                ok = smp_fail("C element (first wrong one)", mat_c[i][j], want);
        }
    if (checksum != want_checksum)
        ok = smp_fail("checksum against the one-CPU product", checksum, want_checksum);
    smp_printf("matmul N=%u rows checked every %u: checksum=0x%016llx\n", N, MATMUL_CHECK_STRIDE,
               (unsigned long long)checksum);
    if (ok)
        smp_printf("PASS: parallel product equals the one-CPU product\n");
    return ok;
}
