/*
 * fpu.c - user program that computes in double precision (hard float, o32
 * FR=0 register pairs), with its accumulators living in FPU registers across
 * many preemptions. Two instances run at once, so the kernel's lazy FPU
 * switch (Coprocessor Unusable, proc.c) must save and restore their state.
 * Every operation is exact (multiples of 1/8, perfect squares, exact
 * quotients), so the kernel can check the results with integers.
 */
#include "../results.h"
#include "ulib.h"

static double square_root(double x)
{
    double r;
    __asm__("sqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
}

/* An integral v in [0, 2^32) as uint32_t, with only the signed conversion (TRUNC.W.D). */
static uint32_t to_u32(double v)
{
    if (v >= 2147483648.0)
        return (uint32_t)(int32_t)(v - 2147483648.0) + 0x80000000u;
    return (uint32_t)(int32_t)v;
}

int main(void)
{
    uint32_t pid = (uint32_t)u_getpid();
    double sum = 0.0;
    uint32_t sqrt_exact = 0, div_exact = 0;
    for (uint32_t k = 1; k <= FPU_TERMS; k++) {
        double x = (double)(int32_t)(k + pid) * 0.125;
        sum += x * x;
        double square = (double)(int32_t)(k * k);
        if (square_root(square) == (double)(int32_t)k)
            sqrt_exact++;
        if (square / (double)(int32_t)k == (double)(int32_t)k)
            div_exact++;
    }
    double scaled = sum * 64.0;                             /* an integer below 2^53 */
    double high = (double)(int32_t)(scaled / 4294967296.0); /* below 2^21: exact */
    uint32_t hi = (uint32_t)(int32_t)high;
    uint32_t lo = to_u32(scaled - high * 4294967296.0);
    struct line l;
    line_init(&l);
    result_fpu(&l, hi, lo, sqrt_exact, div_exact);
    u_write_line(&l);
    return 0;
}
