/*
 * fp_printf.c - decimal and hexadecimal formatting and parsing of floating
 * point: printf %a %e %f %g at several precisions (float promoted, double and
 * n64's 128-bit long double, which libgcc computes in software), strtod and
 * strtof round trips, and snprintf of values near the rounding boundaries.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const double values[] = {
    0.0,     -0.0,          1.0,           -1.5,        0.1,      1.0 / 3,
    2.0 / 3, 123456789.125, 1e-5,          1e21,        1e22,     1e23,
    DBL_MAX, DBL_MIN,       DBL_TRUE_MIN,  DBL_EPSILON, 0.5e-323, 9.999999999999999e22,
    5e-324,  0.05,          0.15,          0.25,        0.35,     2.5,
    3.5,     1e100,         6.02214076e23, -273.15,     INFINITY, -INFINITY,
    NAN,
};
#define NV (sizeof(values) / sizeof(values[0]))

static const char *const texts[] = {
    "0.1",
    "1e-400",
    "2.2250738585072011e-308",
    "2.2250738585072012e-308",
    "1.7976931348623157e308",
    "1.7976931348623159e308",
    "0x1.fffffffffffffp-1",
    "4.9406564584124654e-324",
    "inf",
    "-nan",
    "123456789012345678901234567890",
    "0.000000000000000000000000000001",
    "3.4028235e38",
    "1.17549435e-38",
    "7.038531e-26",
};

int main(void)
{
    for (unsigned i = 0; i < NV; i++) {
        double v = values[i];
        printf("%a | %.0e | %.3e | %.17e | %f | %.0f | %.10f | %g | %.17g | %#g | %+.2g\n", v, v, v,
               v, v, v, v, v, v, v, v);
        float f = (float)v;
        printf("  float %a %.9g %e\n", (double)f, (double)f, (double)f);
    }
    for (unsigned i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *end;
        double d = strtod(texts[i], &end);
        float f = strtof(texts[i], NULL);
        long double ld = strtold(texts[i], NULL);
        printf("strtod(%s) = %a [%d] strtof %a strtold %La\n", texts[i], d, (int)(end - texts[i]),
               (double)f, ld);
    }
    long double third = 1.0L / 3, big = 1e300L * 1e300L;
    printf("long double %La %.30Lg %La %.10Le %Lg\n", third, third, big, sqrtl(2.0L),
           third * 3 - 1);
    char buf[64];
    for (int p = 0; p < 20; p++) {
        snprintf(buf, sizeof buf, "%.*f", p, 0.125 + 1e-17 * p);
        printf("%s%c", buf, p == 19 ? '\n' : ' ');
    }
    return 0;
}
