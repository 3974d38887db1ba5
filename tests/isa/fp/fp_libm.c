/*
 * fp_libm.c - glibc's libm on the simulated FPU: transcendental, power,
 * rounding, remainder and classification functions over ordinary and edge
 * arguments, double and float, printed as %a with the raised flags. libm is
 * long sequences of FP arithmetic, so one wrong rounding shows up here.
 */
#include <fenv.h>
#include <math.h>
#include <stdio.h>

static const double args[] = {0.0,  -0.0,     0.5,       1.0,   -1.0,      2.0,   3.14159265358979,
                              10.0, -7.25,    1e-300,    1e300, 0x1p-1060, 709.7, -745.0,
                              1e22, INFINITY, -INFINITY, NAN};
#define NARGS (sizeof(args) / sizeof(args[0]))

typedef double unary_fn(double);
typedef float unaryf_fn(float);

static const struct {
    const char *name;
    unary_fn *fn;
    unaryf_fn *fnf;
} unary[] = {
    {"sin", sin, sinf},       {"cos", cos, cosf},          {"tan", tan, tanf},
    {"asin", asin, asinf},    {"atan", atan, atanf},       {"exp", exp, expf},
    {"exp2", exp2, exp2f},    {"expm1", expm1, expm1f},    {"log", log, logf},
    {"log2", log2, log2f},    {"log10", log10, log10f},    {"log1p", log1p, log1pf},
    {"sqrt", sqrt, sqrtf},    {"cbrt", cbrt, cbrtf},       {"sinh", sinh, sinhf},
    {"tanh", tanh, tanhf},    {"floor", floor, floorf},    {"ceil", ceil, ceilf},
    {"round", round, roundf}, {"trunc", trunc, truncf},    {"rint", rint, rintf},
    {"erf", erf, erff},       {"tgamma", tgamma, tgammaf}, {"lgamma", lgamma, lgammaf},
};

static unsigned take_flags(void)
{
    unsigned f = (unsigned)fetestexcept(FE_ALL_EXCEPT);
    feclearexcept(FE_ALL_EXCEPT);
    return f;
}

int main(void)
{
    for (unsigned u = 0; u < sizeof unary / sizeof unary[0]; u++) {
        printf("%s:", unary[u].name);
        for (unsigned i = 0; i < NARGS; i++) {
            feclearexcept(FE_ALL_EXCEPT);
            double r = unary[u].fn(args[i]);
            unsigned f1 = take_flags();
            float rf = unary[u].fnf((float)args[i]);
            unsigned f2 = take_flags();
            printf(" %a/%02x %a/%02x", r, f1, (double)rf, f2);
        }
        printf("\n");
    }
    for (unsigned i = 0; i < NARGS; i++)
        for (unsigned j = 0; j < NARGS; j += 3) {
            double x = args[i], y = args[j];
            feclearexcept(FE_ALL_EXCEPT);
            printf("pow %a %a = %a", x, y, pow(x, y));
            printf(" atan2 %a hypot %a fmod %a remainder %a", atan2(x, y), hypot(x, y), fmod(x, y),
                   remainder(x, y));
            printf(" fma %a fmin %a fmax %a nextafter %a copysign %a flags %02x\n", fma(x, y, 1.0),
                   fmin(x, y), fmax(x, y), nextafter(x, y), copysign(x, y), take_flags());
        }
    for (unsigned i = 0; i < NARGS; i++) {
        int e;
        double ip;
        double m = frexp(args[i], &e);
        double fr = modf(args[i], &ip);
        printf("frexp %a %d modf %a %a ldexp %a ilogb %d lround %ld classify %d signbit %d\n", m,
               isfinite(args[i]) ? e : 0, fr, ip, ldexp(args[i], -1074),
               isfinite(args[i]) && args[i] != 0 ? ilogb(args[i]) : 0,
               fabs(args[i]) < 1e18 ? lround(args[i]) : 0, fpclassify(args[i]),
               signbit(args[i]) != 0);
    }
    take_flags();
    return 0;
}
