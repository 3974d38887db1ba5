/*
 * wprog.c - the workload's C program (static, mips64el glibc): a sieve, a
 * 64-bit hash chain and a floating-point sum, each printed, so any wrong
 * integer, memory or FP result of the machine shows in the output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    if (n < 2 || n > 1000000)
        n = 1000;
    char *composite = calloc((size_t)n + 1, 1);
    if (!composite)
        return 1;
    int primes = 0;
    for (int i = 2; i <= n; i++) {
        if (composite[i])
            continue;
        primes++;
        for (int j = 2 * i; j <= n; j += i)
            composite[j] = 1;
    }
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < n * 10; i++)
        h = (h ^ (uint64_t)i) * 1099511628211ull;
    double sum = 0.0;
    for (int i = 1; i <= n; i++)
        sum += 1.0 / ((double)i * i);
    printf("wprog: primes<=%d %d hash %016llx zeta2 %.9f\n", n, primes, (unsigned long long)h, sum);
    free(composite);
    return 0;
}
