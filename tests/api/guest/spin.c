/*
 * spin.c - a guest that computes for a while: `spin N` runs N million loop
 * iterations (forever without N), printing a tick every 50 million, then
 * exits 0. For time limits, cancellation and coordinator restarts.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) * 1000000ull : 0;
    volatile unsigned long long x = 0;
    for (unsigned long long i = 1; n == 0 || i <= n; i++) {
        x += i;
        if (i % 50000000ull == 0) {
            printf("tick %llu\n", i / 1000000ull);
            fflush(stdout);
        }
    }
    printf("spun %llu million\n", n / 1000000ull);
    return 0;
}
