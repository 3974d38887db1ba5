/*
 * muldiv_asm.c - MULT/MULTU/DMULT/DMULTU/DIV/DIVU/DDIV/DDIVU and MADD/MSUB
 * through HI/LO in inline assembly, including the overflowing INT_MIN / -1
 * quotients that C leaves undefined. Division by zero is in div_zero.c.
 */
#include "isa_util.h"

#define HILO_OP(name, insn)                                                                        \
    static void name(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)                           \
    {                                                                                              \
        uint64_t h, l;                                                                             \
        __asm__ volatile(insn " %2, %3\n\tmfhi %0\n\tmflo %1"                                      \
                         : "=r"(h), "=r"(l)                                                        \
                         : "r"(a), "r"(b));                                                        \
        *hi = h;                                                                                   \
        *lo = l;                                                                                   \
    }

HILO_OP(op_mult, "mult")
HILO_OP(op_multu, "multu")
HILO_OP(op_dmult, "dmult")
HILO_OP(op_dmultu, "dmultu")
HILO_OP(op_div, "div $0,")
HILO_OP(op_divu, "divu $0,")
HILO_OP(op_ddiv, "ddiv $0,")
HILO_OP(op_ddivu, "ddivu $0,")

/* MADD/MSUB accumulate into HI:LO preset with MTHI/MTLO. */
static void op_madd(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo, int sub)
{
    uint64_t h = *hi, l = *lo;
    if (sub)
        __asm__ volatile("mthi %0\n\tmtlo %1\n\tmsub %2, %3\n\tmfhi %0\n\tmflo %1"
                         : "+r"(h), "+r"(l)
                         : "r"(a), "r"(b));
    else
        __asm__ volatile("mthi %0\n\tmtlo %1\n\tmaddu %2, %3\n\tmfhi %0\n\tmflo %1"
                         : "+r"(h), "+r"(l)
                         : "r"(a), "r"(b));
    *hi = h;
    *lo = l;
}

/* Sign-extends the low 32 bits, as a 32-bit operand register must hold. */
static uint64_t sx(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)v;
}

static void check(uint64_t a, uint64_t b, int verbose)
{
    uint64_t hi, lo;
    void (*ops[])(uint64_t, uint64_t, uint64_t *, uint64_t *) = {op_mult, op_multu, op_dmult,
                                                                 op_dmultu};
    for (unsigned k = 0; k < 4; k++) {
        ops[k](k < 2 ? sx(a) : a, k < 2 ? sx(b) : b, &hi, &lo);
        isa_mix(hi);
        isa_mix(lo);
        if (verbose)
            printf(" m%u %016llx:%016llx", k, (unsigned long long)hi, (unsigned long long)lo);
    }
    if (sx(b) != 0) {
        op_div(sx(a), sx(b), &hi, &lo);
        isa_mix(hi), isa_mix(lo);
        op_divu(sx(a), sx(b), &hi, &lo);
        isa_mix(hi), isa_mix(lo);
    }
    if (b != 0) {
        op_ddiv(a, b, &hi, &lo);
        isa_mix(hi), isa_mix(lo);
        op_ddivu(a, b, &hi, &lo);
        isa_mix(hi), isa_mix(lo);
    }
    hi = sx(a >> 7), lo = sx(b * 3);
    op_madd(sx(a), sx(b), &hi, &lo, 0);
    isa_mix(hi), isa_mix(lo);
    op_madd(sx(a), sx(b), &hi, &lo, 1);
    isa_mix(hi), isa_mix(lo);
    if (verbose)
        printf(" sum %016llx\n", (unsigned long long)isa_sum);
}

int main(void)
{
    uint64_t hi, lo;
    op_div(sx(0x80000000), sx(0xffffffff), &hi, &lo);
    printf("div INT_MIN/-1: hi=%016llx lo=%016llx\n", (unsigned long long)hi,
           (unsigned long long)lo);
    op_ddiv(0x8000000000000000ull, ~0ull, &hi, &lo);
    printf("ddiv INT64_MIN/-1: hi=%016llx lo=%016llx\n", (unsigned long long)hi,
           (unsigned long long)lo);
    for (unsigned i = 0; i < ISA_NEDGES; i++) {
        printf("%2u:", i);
        check(isa_edges[i], isa_edges[(i * 7 + 3) % ISA_NEDGES], 1);
    }
    for (unsigned i = 0; i < ISA_NEDGES; i++)
        for (unsigned j = 0; j < ISA_NEDGES; j++)
            check(isa_edges[i], isa_edges[j], 0);
    for (int i = 0; i < 5000; i++)
        check(isa_rand(), isa_rand() >> (i & 63), 0);
    printf("total %016llx\n", (unsigned long long)isa_sum);
    return 0;
}
