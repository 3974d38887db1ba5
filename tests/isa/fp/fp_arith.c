/*
 * fp_arith.c - float and double arithmetic over tricky operands (signed
 * zeros, denormals, the extremes, infinities, legacy-encoded quiet and
 * signalling NaNs), printing results as hex bits together with the
 * exception flags fetestexcept() reports after each operation class.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fp_bits.h"

static const uint64_t dvals[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x0000000000000001ull, 0x800fffffffffffffull, 0x0010000000000000ull, 0x7fefffffffffffffull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff0000000000001ull, 0x7ff8000000000000ull,
    0x3fd5555555555555ull, 0x4340000000000001ull, 0x3ca0000000000000ull, 0xc00921fb54442d18ull,
};
static const uint32_t fvals[] = {
    0x00000000u, 0x80000000u, 0x3f800000u, 0xbf800000u, 0x00000001u, 0x807fffffu,
    0x00800000u, 0x7f7fffffu, 0x7f800000u, 0xff800000u, 0x7f800001u, 0x7fc00000u,
    0x3eaaaaabu, 0x4b800001u, 0x33800000u, 0xc0490fdbu,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The flags as five letters, so a difference is easy to read. */
static const char *flags(void)
{
    static char s[6];
    int e = fetestexcept(FE_ALL_EXCEPT);
    s[0] = e & FE_INVALID ? 'V' : '-';
    s[1] = e & FE_DIVBYZERO ? 'Z' : '-';
    s[2] = e & FE_OVERFLOW ? 'O' : '-';
    s[3] = e & FE_UNDERFLOW ? 'U' : '-';
    s[4] = e & FE_INEXACT ? 'I' : '-';
    s[5] = 0;
    return s;
}

static void doubles(void)
{
    volatile double a, b, r;
    for (unsigned i = 0; i < N(dvals); i++)
        for (unsigned j = 0; j < N(dvals); j++) {
            a = d_of(dvals[i]);
            b = d_of(dvals[j]);
            printf("d %2u %2u", i, j);
            feclearexcept(FE_ALL_EXCEPT);
            r = a + b;
            printf(" +%016llx %s", (unsigned long long)d_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            r = a - b;
            printf(" -%016llx %s", (unsigned long long)d_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            r = a * b;
            printf(" *%016llx %s", (unsigned long long)d_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            r = a / b;
            printf(" /%016llx %s", (unsigned long long)d_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            int lt = a < b, eq = a == b, un = isunordered(a, b);
            printf(" cmp %d%d%d %s\n", lt, eq, un, flags());
        }
}

static void floats(void)
{
    volatile float a, b, r;
    for (unsigned i = 0; i < N(fvals); i++)
        for (unsigned j = 0; j < N(fvals); j++) {
            a = f_of(fvals[i]);
            b = f_of(fvals[j]);
            printf("f %2u %2u", i, j);
            feclearexcept(FE_ALL_EXCEPT);
            r = a + b;
            printf(" +%08x %s", f_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            r = a - b;
            printf(" -%08x %s", f_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            r = a * b;
            printf(" *%08x %s", f_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            r = a / b;
            printf(" /%08x %s", f_bits(r), flags());
            feclearexcept(FE_ALL_EXCEPT);
            int le = a <= b, gt = a > b;
            printf(" cmp %d%d %s\n", le, gt, flags());
        }
}

static void unary(void)
{
    volatile double a, r;
    volatile float fa, fr;
    for (unsigned i = 0; i < N(dvals); i++) {
        a = d_of(dvals[i]);
        feclearexcept(FE_ALL_EXCEPT);
        r = sqrt(a);
        printf("sqrt %016llx %s", (unsigned long long)d_bits(r), flags());
        feclearexcept(FE_ALL_EXCEPT);
        r = fabs(a);
        printf(" fabs %016llx %s", (unsigned long long)d_bits(r), flags());
        feclearexcept(FE_ALL_EXCEPT);
        r = -a;
        printf(" neg %016llx %s", (unsigned long long)d_bits(r), flags());
        feclearexcept(FE_ALL_EXCEPT);
        fr = (float)a;
        printf(" narrow %08x %s\n", f_bits(fr), flags());
    }
    for (unsigned i = 0; i < N(fvals); i++) {
        fa = f_of(fvals[i]);
        feclearexcept(FE_ALL_EXCEPT);
        fr = sqrtf(fa);
        printf("sqrtf %08x %s", f_bits(fr), flags());
        feclearexcept(FE_ALL_EXCEPT);
        r = fa;
        printf(" widen %016llx %s\n", (unsigned long long)d_bits(r), flags());
    }
}

/* Sums and products that stress rounding and gradual underflow. */
static void series(void)
{
    volatile double s = 0, p = 1;
    volatile float fs = 0, fp = 1;
    for (int i = 1; i <= 2000; i++) {
        s += 1.0 / i;
        p *= 0.7;
        fs += 1.0f / (float)i;
        fp *= 0.7f;
    }
    printf("series %016llx %016llx %08x %08x %s\n", (unsigned long long)d_bits(s),
           (unsigned long long)d_bits(p), f_bits(fs), f_bits(fp), flags());
}

int main(void)
{
    doubles();
    floats();
    unary();
    series();
    return 0;
}
