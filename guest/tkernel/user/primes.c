/*
 * primes.c - user program: counts the primes below PRIMES_LIMIT by trial
 * division (pure computation, preempted many times) and reports the count
 * and their sum.
 */
#include "../results.h"
#include "ulib.h"

static int is_prime(uint32_t n)
{
    if (n < 2)
        return 0;
    for (uint32_t d = 2; d * d <= n; d++)
        if (n % d == 0)
            return 0;
    return 1;
}

int main(void)
{
    uint32_t count = 0, sum = 0;
    for (uint32_t n = 2; n < PRIMES_LIMIT; n++) {
        if (is_prime(n)) {
            count++;
            sum += n;
        }
    }
    struct line l;
    line_init(&l);
    result_primes(&l, count, sum);
    u_write_line(&l);
    return 0;
}
