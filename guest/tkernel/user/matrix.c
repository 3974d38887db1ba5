/*
 * matrix.c - user program: MATRIX_ROUNDS integer products C = A * B of
 * MATRIX_N square matrices in .bss (demand-zero pages), in i-j-k order,
 * folded into one weighted checksum.
 */
#include "../results.h"
#include "ulib.h"

static uint32_t a[MATRIX_N][MATRIX_N], b[MATRIX_N][MATRIX_N], c[MATRIX_N][MATRIX_N];

static void fill(uint32_t round)
{
    for (uint32_t i = 0; i < MATRIX_N; i++)
        for (uint32_t j = 0; j < MATRIX_N; j++) {
            a[i][j] = matrix_a(i, j, round);
            b[i][j] = matrix_b(i, j, round);
        }
}

static void multiply(void)
{
    for (uint32_t i = 0; i < MATRIX_N; i++)
        for (uint32_t j = 0; j < MATRIX_N; j++) {
            uint32_t sum = 0;
            for (uint32_t k = 0; k < MATRIX_N; k++)
                sum += a[i][k] * b[k][j];
            c[i][j] = sum;
        }
}

int main(void)
{
    uint32_t checksum = 0;
    for (uint32_t round = 0; round < MATRIX_ROUNDS; round++) {
        fill(round);
        multiply();
        for (uint32_t i = 0; i < MATRIX_N; i++)
            for (uint32_t j = 0; j < MATRIX_N; j++)
                checksum += c[i][j] * matrix_weight(i, j, round);
    }
    struct line l;
    line_init(&l);
    result_matrix(&l, checksum);
    u_write_line(&l);
    return 0;
}
