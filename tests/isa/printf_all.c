/* printf_all.c - glibc printf conversions: integers, widths, flags, strings, floats, %n. */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>

int main(void)
{
    int n = 0;
    printf("[%d] [%i] [%5d] [%-5d] [%05d] [%+d] [% d] [%.3d]\n", 42, -42, 42, 42, 42, 42, 42, 7);
    printf("[%u] [%x] [%X] [%#x] [%o] [%#o] [%c] [%%]\n", 3000000000u, 0xbeefu, 0xbeefu, 255u, 8u,
           8u, 'Q');
    printf("[%ld] [%lu] [%lx] [%lld] [%llu]\n", LONG_MIN, ULONG_MAX, 0xdeadbeefcafeul, LLONG_MAX,
           0ull);
    printf("[%hd] [%hhd] [%hu] [%hhu] [%zu] [%td] [%jd]\n", (short)-3, (signed char)-128,
           (unsigned short)65535, (unsigned char)255, sizeof(long double), (ptrdiff_t)-8,
           (intmax_t)INT64_MIN);
    printf("[%s] [%10s] [%-10s] [%.2s] [%*d] [%-*d]\n", "str", "right", "left", "truncate", 6, 9, 6,
           9);
    printf("[%" PRId64 "] [%" PRIx64 "] [%" PRIu32 "]\n", INT64_C(-1), UINT64_C(0xabcdef0123),
           UINT32_MAX);
    printf("[%f] [%.2f] [%10.4f] [%-10.1f] [%e] [%E] [%g] [%G]\n", 3.14159, 2.71828, -1.5, 0.25,
           12345.678, 0.000123, 1e-10, 1e20);
    printf("[%a] [%A] [%.3e] [%g] [%g] [%g]\n", 1.0, -0.5, 6.02214076e23, 100000.0, 1000000.0,
           0.0001);
    printf("[%f] [%f] [%f] [%e]\n", 1.0 / 3.0, -0.0, 1e300 * 1e10, -1e-320);
    printf("[%Lf] [%Le] [%.20Lg]\n", (long double)1 / 3, (long double)2.5e-300,
           (long double)3.14159265358979323846264338327950288L);
    printf("[%p] [%p]\n", (void *)0, (void *)0x1234);
    printf("abc%ndef\n", &n);
    printf("n=%d\n", n);
    char buf[32];
    int len = snprintf(buf, sizeof(buf), "%s-%d-%.1f", "snprintf", 12345, 9.75);
    printf("[%s] %d\n", buf, len);
    const char *volatile longer = "overflowing string";
    len = snprintf(buf, 8, "%s", longer);
    printf("[%s] %d\n", buf, len);
    fprintf(stderr, "to stderr: %d\n", 7);
    return 0;
}
