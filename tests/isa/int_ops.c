/* int_ops.c - 32-bit integer arithmetic, logic, shifts and compares on edge values. */
#include "isa_util.h"

static volatile int32_t sink32;

static void one(int32_t a, int32_t b)
{
    uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
    isa_mix((uint32_t)(ua + ub));
    isa_mix((uint32_t)(ua - ub));
    isa_mix((uint32_t)(ua * ub));
    isa_mix(ua & ub);
    isa_mix(ua | ub);
    isa_mix(ua ^ ub);
    isa_mix(~(ua | ub));
    isa_mix(ua << (ub & 31));
    isa_mix(ua >> (ub & 31));
    isa_mix((uint32_t)(a >> (ub & 31)));
    isa_mix(a < b);
    isa_mix(ua < ub);
    isa_mix(a == b);
    if (b != 0 && !(a == INT32_MIN && b == -1)) {
        isa_mix((uint32_t)(a / b));
        isa_mix((uint32_t)(a % b));
        isa_mix(ua / ub);
        isa_mix(ua % ub);
    }
    isa_mix((uint32_t)((int64_t)a * b >> 32));
    isa_mix((uint32_t)((uint64_t)ua * ub >> 32));
    isa_mix((uint32_t)(int8_t)a);
    isa_mix((uint32_t)(int16_t)a);
    isa_mix((uint16_t)a);
    isa_mix(__builtin_clz(ua | 1));
    isa_mix(a ? (uint32_t)__builtin_ctz(ua) : 99);
    isa_mix((uint32_t)__builtin_popcount(ua));
    sink32 = a;
}

int main(void)
{
    for (unsigned i = 0; i < ISA_NEDGES; i++)
        for (unsigned j = 0; j < ISA_NEDGES; j++)
            one((int32_t)isa_edges[i], (int32_t)isa_edges[j]);
    printf("edges: %016llx\n", (unsigned long long)isa_sum);
    for (int i = 0; i < 20000; i++)
        one((int32_t)isa_rand(), (int32_t)(isa_rand() >> (i & 31)));
    printf("random: %016llx\n", (unsigned long long)isa_sum);
    int32_t x = -17;
    printf("%d %d %u %d %d\n", x / 5, x % 5, (uint32_t)x / 5, x >> 2, (int32_t)((uint32_t)x >> 2));
    return 0;
}
