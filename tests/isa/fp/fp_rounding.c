/*
 * fp_rounding.c - the four rounding modes (fesetround writes FCSR.RM) applied
 * to arithmetic, square roots, double-to-float narrowing, integer-to-float
 * conversion, rint/nearbyint/lrint/llrint, C casts (always truncating) and
 * decimal printing. Every result is printed as hex bits with the flags.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fp_bits.h"

static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
static const char *const mode_names[] = {"nearest", "zero", "up", "down"};

static unsigned flags(void)
{
    return (unsigned)fetestexcept(FE_ALL_EXCEPT);
}

static const double inputs[] = {2.5,
                                -2.5,
                                3.5,
                                0.5,
                                -0.5,
                                1e16 + 1,
                                1.0 / 3,
                                -1e300,
                                2147483647.5,
                                -2147483648.5,
                                4503599627370497.0,
                                0x1.fffffffffffffp1023,
                                0x1p-1074,
                                0x1.8p-1074,
                                -0x1.fffffp-1027};
#define NIN (sizeof(inputs) / sizeof(inputs[0]))

static void arithmetic(void)
{
    volatile double a, b, r;
    volatile float fa, fb, fr;
    for (unsigned i = 0; i < NIN; i++) {
        a = inputs[i];
        b = inputs[(i + 3) % NIN];
        fa = (float)(i + 1) / 7.0f;
        fb = 1e-38f * (float)i;
        feclearexcept(FE_ALL_EXCEPT);
        r = a * 3.0 + b;
        printf("  mul-add %016llx", (unsigned long long)d_bits(r));
        r = a / 7.0;
        printf(" div %016llx", (unsigned long long)d_bits(r));
        r = sqrt(fabs(a));
        printf(" sqrt %016llx", (unsigned long long)d_bits(r));
        fr = (float)a;
        printf(" narrow %08x", f_bits(fr));
        fr = fa * fb - fb;
        printf(" f %08x", f_bits(fr));
        fr = sqrtf(fa);
        printf(" fsqrt %08x flags %02x\n", f_bits(fr), flags());
    }
}

static void conversions(void)
{
    static const int64_t ints[] = {INT64_MAX,  INT64_MIN + 1, (1ll << 53) + 1, -(1ll << 53) - 3,
                                   0x7fffffbf, 16777217,      -16777219,       123456789123ll};
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        volatile int64_t v = ints[i];
        volatile int32_t w = (int32_t)ints[i];
        volatile uint64_t u = (uint64_t)ints[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile double d = (double)v;
        volatile float f = (float)v;
        volatile float fw = (float)w;
        volatile double du = (double)u;
        printf("  i2f %016llx %08x %08x %016llx flags %02x\n", (unsigned long long)d_bits(d),
               f_bits(f), f_bits(fw), (unsigned long long)d_bits(du), flags());
    }
    for (unsigned i = 0; i < NIN; i++) {
        volatile double x = inputs[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile double ri = rint(x);
        unsigned f1 = flags();
        feclearexcept(FE_ALL_EXCEPT);
        volatile double ni = nearbyint(x);
        unsigned f2 = flags();
        feclearexcept(FE_ALL_EXCEPT);
        volatile long li = lrint(x);
        unsigned f3 = flags();
        feclearexcept(FE_ALL_EXCEPT);
        volatile long long lli = llrint(x);
        unsigned f4 = flags();
        feclearexcept(FE_ALL_EXCEPT);
        volatile int ci = (x > -2147483649.0 && x < 2147483648.0) ? (int)x : 0;
        volatile long cl = (x > -9.2e18 && x < 9.2e18) ? (long)x : 0;
        unsigned f5 = flags();
        printf("  %-24a rint %016llx/%02x nearbyint %016llx/%02x lrint %ld/%02x llrint %lld/%02x "
               "cast %d %ld/%02x\n",
               inputs[i], (unsigned long long)d_bits(ri), f1, (unsigned long long)d_bits(ni), f2,
               (long)li, f3, (long long)lli, f4, (int)ci, (long)cl, f5);
    }
}

static void printing(void)
{
    static const double values[] = {0.1, 2.0 / 3, 1e23, 5e-324, 1.0000000000000002, 0.125};
    for (unsigned i = 0; i < sizeof values / sizeof values[0]; i++)
        printf("  %.3f %.20g %.5e %a %.1f\n", values[i], values[i], values[i], values[i],
               values[i] * 100);
}

int main(void)
{
    for (unsigned m = 0; m < 4; m++) {
        if (fesetround(modes[m]) != 0) {
            printf("fesetround(%s) failed\n", mode_names[m]);
            return 1;
        }
        printf("mode %s (fegetround %d)\n", mode_names[m], fegetround() == modes[m]);
        arithmetic();
        conversions();
        printing();
    }
    fesetround(FE_TONEAREST);
    return 0;
}
