/*
 * fp_convert.c - conversions between floating point and integers at the
 * edges of each range: the compiler's TRUNC.W/TRUNC.L and CVT sequences for
 * signed and unsigned 32/64-bit integers (including values that do not fit,
 * where MIPS returns 2^31-1 / 2^63-1 and raises invalid), int-to-float
 * rounding, and float<->double. Prints hex bits and flags.
 */
#include <fenv.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fp_bits.h"

static const double edges[] = {
    0.0,
    -0.0,
    0.99999,
    -0.99999,
    2147483647.0,
    2147483647.9,
    2147483648.0,
    -2147483648.0,
    -2147483648.9,
    -2147483649.0,
    4294967295.0,
    4294967296.0,
    9223372036854774784.0,
    9223372036854775808.0,
    -9223372036854775808.0,
    -9223372036854777856.0,
    18446744073709549568.0,
    18446744073709551616.0,
    1e30,
    -1e30,
    __builtin_inf(),
    -__builtin_inf(),
    __builtin_nan(""),
};

/* Conversions the compiler implements with TRUNC.W.D / TRUNC.L.D (+ fix-ups). */
static void to_integers(void)
{
    for (unsigned i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        volatile double d = edges[i];
        volatile float f = (float)edges[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile int32_t w = (int32_t)d;
        volatile int64_t l = (int64_t)d;
        unsigned fl1 = (unsigned)fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile uint32_t uw = (uint32_t)d;
        volatile uint64_t ul = (uint64_t)d;
        unsigned fl2 = (unsigned)fetestexcept(FE_ALL_EXCEPT);
        feclearexcept(FE_ALL_EXCEPT);
        volatile int32_t fw = (int32_t)f;
        volatile int64_t flo = (int64_t)f;
        volatile uint64_t ful = (uint64_t)f;
        unsigned fl3 = (unsigned)fetestexcept(FE_ALL_EXCEPT);
        printf("%-24a w %08x l %016llx /%02x uw %08x ul %016llx /%02x f: %08x %016llx %016llx "
               "/%02x\n",
               edges[i], (uint32_t)w, (unsigned long long)l, fl1, (uint32_t)uw,
               (unsigned long long)ul, fl2, (uint32_t)fw, (unsigned long long)flo,
               (unsigned long long)ful, fl3);
    }
}

static void from_integers(void)
{
    static const uint64_t ints[] = {
        0,
        1,
        0x7fffffff,
        0x80000000,
        0xffffffff,
        0x00ffffff,
        0x01000001,
        0x0020000000000001ull,
        0x7fffffffffffffffull,
        0x8000000000000000ull,
        0xffffffffffffffffull,
        0x8000000000000401ull,
        0xfffffffffffff801ull,
        0x7ffffffffffffdffull,
    };
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        volatile uint64_t u = ints[i];
        volatile int64_t s = (int64_t)ints[i];
        volatile int32_t s32 = (int32_t)ints[i];
        volatile uint32_t u32 = (uint32_t)ints[i];
        feclearexcept(FE_ALL_EXCEPT);
        volatile double a = (double)s, b = (double)u, c = (double)s32, e = (double)u32;
        volatile float fa = (float)s, fb = (float)u, fc = (float)s32, fe = (float)u32;
        printf("%016llx: %016llx %016llx %016llx %016llx %08x %08x %08x %08x /%02x\n",
               (unsigned long long)ints[i], (unsigned long long)d_bits(a),
               (unsigned long long)d_bits(b), (unsigned long long)d_bits(c),
               (unsigned long long)d_bits(e), f_bits(fa), f_bits(fb), f_bits(fc), f_bits(fe),
               (unsigned)fetestexcept(FE_ALL_EXCEPT));
    }
}

static void float_double(void)
{
    static const uint64_t ds[] = {
        0x36a0000000000000ull, 0x369fffffffffffffull, 0x380fffffffffffffull, 0x3810000000000000ull,
        0x47efffffe0000000ull, 0x47efffffefffffffull, 0x47effffff0000000ull, 0x7ff0000000000001ull,
        0x7ff8000000000001ull, 0x3ff0000010000000ull, 0x3ff0000030000000ull};
    for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        double d = d_of(ds[i]);
        feclearexcept(FE_ALL_EXCEPT);
        volatile double vd = d;
        volatile float f = (float)vd;
        volatile double back = f;
        printf("narrow %016llx -> %08x -> %016llx /%02x\n", (unsigned long long)ds[i], f_bits(f),
               (unsigned long long)d_bits(back), (unsigned)fetestexcept(FE_ALL_EXCEPT));
    }
}

int main(void)
{
    to_integers();
    from_integers();
    float_double();
    return 0;
}
