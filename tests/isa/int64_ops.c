/* int64_ops.c - 64-bit integer arithmetic, shifts, multiply/divide and 128-bit products. */
#include "isa_util.h"

static void one(int64_t a, int64_t b)
{
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    isa_mix(ua + ub);
    isa_mix(ua - ub);
    isa_mix(ua * ub);
    isa_mix(ua & ~ub);
    isa_mix(ua << (ub & 63));
    isa_mix(ua >> (ub & 63));
    isa_mix((uint64_t)(a >> (ub & 63)));
    isa_mix(ua << 32 | ua >> 32);
    isa_mix(a < b);
    isa_mix(ua < ub);
    if (b != 0 && !(a == INT64_MIN && b == -1)) {
        isa_mix((uint64_t)(a / b));
        isa_mix((uint64_t)(a % b));
        isa_mix(ua / ub);
        isa_mix(ua % ub);
    }
    isa_mix((uint64_t)((__int128)a * b >> 64));
    isa_mix((uint64_t)((unsigned __int128)ua * ub >> 64));
    isa_mix((uint64_t)(int32_t)ua);
    isa_mix((uint64_t)__builtin_clzll(ua | 1));
    isa_mix(ua ? (uint64_t)__builtin_ctzll(ua) : 99);
    isa_mix((uint64_t)__builtin_popcountll(ua));
    isa_mix(__builtin_bswap64(ua));
    isa_mix(__builtin_bswap32((uint32_t)ua));
    isa_mix(__builtin_bswap16((uint16_t)ua));
}

int main(void)
{
    for (unsigned i = 0; i < ISA_NEDGES; i++)
        for (unsigned j = 0; j < ISA_NEDGES; j++)
            one((int64_t)isa_edges[i], (int64_t)isa_edges[j]);
    printf("edges: %016llx\n", (unsigned long long)isa_sum);
    for (int i = 0; i < 20000; i++)
        one((int64_t)isa_rand(), (int64_t)(isa_rand() >> (i & 63)));
    printf("random: %016llx\n", (unsigned long long)isa_sum);
    int64_t x = -1234567890123456789ll;
    printf("%lld %lld %llu %lld\n", (long long)(x / 1000), (long long)(x % 1000),
           (unsigned long long)x / 1000, (long long)(x >> 7));
    return 0;
}
