/*
 * fp_asm.c - FPU instructions a compiler rarely emits, in inline assembly:
 * MADD/MSUB/NMADD/NMSUB, RECIP/RSQRT, C.cond on condition codes 1-7,
 * BC1T/BC1F and their likely forms (delay-slot nullification), MOVF/MOVT.fmt,
 * MOVN/MOVZ.fmt, indexed loads/stores (LWXC1/LDXC1/SWXC1/SDXC1, PREFX), and
 * the Release 2 LUXC1/SUXC1, MFHC1/MTHC1 and FCCR/FEXR/FENR. Prints only hex
 * and integers, so tests/isa/mips4/fp_asm_mips4.c can build the MIPS IV part
 * freestanding (FP_ASM_MIPS4) for the r10000 model against qemu -cpu 5Kf.
 */
#include <stdint.h>
#include <string.h>
#ifndef FP_ASM_MIPS4
#include <stdio.h>
#endif

#include "fp_bits.h"

static uint32_t read_fcsr(void)
{
    uint32_t v;
    __asm__ volatile("cfc1 %0, $31" : "=r"(v));
    return v;
}

static void write_fcsr(uint32_t v)
{
    __asm__ volatile("ctc1 %0, $31" ::"r"(v));
}

#define TERNARY(name, insn, type, conv)                                                            \
    static void name(type r, type s, type t)                                                       \
    {                                                                                              \
        type d;                                                                                    \
        write_fcsr(0);                                                                             \
        __asm__ volatile(insn " %0, %1, %2, %3" : "=f"(d) : "f"(r), "f"(s), "f"(t));               \
        printf("%-8s %016llx %08x\n", insn, (unsigned long long)conv(d), read_fcsr());             \
    }

TERNARY(madd_d, "madd.d", double, d_bits)
TERNARY(msub_d, "msub.d", double, d_bits)
TERNARY(nmadd_d, "nmadd.d", double, d_bits)
TERNARY(nmsub_d, "nmsub.d", double, d_bits)
TERNARY(madd_s, "madd.s", float, f_bits)
TERNARY(msub_s, "msub.s", float, f_bits)
TERNARY(nmadd_s, "nmadd.s", float, f_bits)
TERNARY(nmsub_s, "nmsub.s", float, f_bits)

static void multiply_add(void)
{
    /* (1 + 2^-52)^2 - 1: 2^-51 when the product is rounded first, more if fused. */
    double one_ulp = d_of(0x3ff0000000000001ull);
    madd_d(-1.0, one_ulp, one_ulp);
    msub_d(1.0, one_ulp, one_ulp);
    nmadd_d(-1.0, one_ulp, one_ulp);
    nmsub_d(1.0, one_ulp, one_ulp);
    madd_d(d_of(0x7ff0000000000123ull), 1.0, 2.0);  /* a quiet NaN addend */
    nmadd_d(d_of(0x7ff8000000000000ull), 1.0, 2.0); /* a signalling NaN: invalid */
    madd_d(1.0, d_of(0x7ff0000000000000ull), 0.0);  /* inf * 0 */
    madd_d(d_of(0xfff0000000000000ull), 1e308, 10.0);
    float fone_ulp = 1.0f + 0x1p-23f;
    madd_s(-1.0f, fone_ulp, fone_ulp);
    msub_s(1.0f, fone_ulp, fone_ulp);
    nmadd_s(1e-40f, 1e-20f, 1e-20f);
    nmsub_s(3.0f, 1e30f, 1e10f);
}

static void reciprocals(void)
{
    static const double d[] = {3.0, -0.0, 0.0, 1e-310, 7.0, 1e308, -4.0};
    for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++) {
        double r, q;
        float fr, fq, f = (float)d[i];
        write_fcsr(0);
        __asm__ volatile("recip.d %0, %1" : "=f"(r) : "f"(d[i]));
        uint32_t c1 = read_fcsr();
        write_fcsr(0);
        __asm__ volatile("rsqrt.d %0, %1" : "=f"(q) : "f"(d[i]));
        uint32_t c2 = read_fcsr();
        write_fcsr(0);
        __asm__ volatile("recip.s %0, %1" : "=f"(fr) : "f"(f));
        uint32_t c3 = read_fcsr();
        write_fcsr(0);
        __asm__ volatile("rsqrt.s %0, %1" : "=f"(fq) : "f"(f));
        printf("recip/rsqrt %016llx: %016llx %08x %016llx %08x %08x %08x %08x %08x\n",
               (unsigned long long)d_bits(d[i]), (unsigned long long)d_bits(r), c1,
               (unsigned long long)d_bits(q), c2, f_bits(fr), c3, f_bits(fq), read_fcsr());
    }
}

/* C.cond.D into $fcc<cc>, then every branch form on that code. */
#define BRANCHES(cc)                                                                               \
    static void branches_##cc(double a, double b)                                                  \
    {                                                                                              \
        long t, f, tl, fl;                                                                         \
        __asm__ volatile(".set push\n\t.set noreorder\n\t"                                         \
                         "c.olt.d $fcc" #cc ", %4, %5\n\t"                                         \
                         "li %0, 0\n\tli %1, 0\n\tli %2, 0\n\tli %3, 0\n\t"                        \
                         "bc1t $fcc" #cc ", 1f\n\taddiu %0, %0, 1\n\taddiu %0, %0, 16\n"           \
                         "1:\tbc1f $fcc" #cc ", 2f\n\taddiu %1, %1, 1\n\taddiu %1, %1, 16\n"       \
                         "2:\tbc1tl $fcc" #cc ", 3f\n\taddiu %2, %2, 1\n\taddiu %2, %2, 16\n"      \
                         "3:\tbc1fl $fcc" #cc ", 4f\n\taddiu %3, %3, 1\n\taddiu %3, %3, 16\n"      \
                         "4:\n\t.set pop"                                                          \
                         : "=&r"(t), "=&r"(f), "=&r"(tl), "=&r"(fl)                                \
                         : "f"(a), "f"(b));                                                        \
        printf("cc%d %016llx<%016llx: bc1t %ld bc1f %ld bc1tl %ld bc1fl %ld fcsr %08x\n", cc,      \
               (unsigned long long)d_bits(a), (unsigned long long)d_bits(b), t, f, tl, fl,         \
               read_fcsr());                                                                       \
    }

BRANCHES(0)
BRANCHES(1)
BRANCHES(2)
BRANCHES(3)
BRANCHES(4)
BRANCHES(5)
BRANCHES(6)
BRANCHES(7)

static void condition_codes(void)
{
    void (*fns[])(double, double) = {branches_0, branches_1, branches_2, branches_3,
                                     branches_4, branches_5, branches_6, branches_7};
    write_fcsr(0);
    for (unsigned i = 0; i < 8; i++)
        fns[i](1.0, i & 1 ? 2.0 : 0.5);
    printf("fcsr %08x\n", read_fcsr());

    /* All sixteen predicates on an ordered pair and an unordered one, cc 1..7. */
    double nan = d_of(0x7ff0000000000001ull);
    double pairs[][2] = {{1.0, 2.0}, {2.0, 2.0}, {3.0, 2.0}, {nan, 2.0}};
    for (unsigned p = 0; p < 4; p++) {
        uint32_t out[16];
        double a = pairs[p][0], b = pairs[p][1];
        write_fcsr(0);
#define PRED(i, name, cc)                                                                          \
    __asm__ volatile("c." name ".d $fcc" #cc ", %0, %1" ::"f"(a), "f"(b));                         \
    out[i] = read_fcsr();
        PRED(0, "f", 1)
        PRED(1, "un", 2)
        PRED(2, "eq", 3)
        PRED(3, "ueq", 4)
        PRED(4, "olt", 5)
        PRED(5, "ult", 6)
        PRED(6, "ole", 7)
        PRED(7, "ule", 1)
        PRED(8, "sf", 2)
        PRED(9, "ngle", 3)
        PRED(10, "seq", 4)
        PRED(11, "ngl", 5)
        PRED(12, "lt", 6)
        PRED(13, "nge", 7)
        PRED(14, "le", 1)
        PRED(15, "ngt", 2)
#undef PRED
        printf("predicates %u:", p);
        for (unsigned i = 0; i < 16; i++)
            printf(" %08x", out[i]);
        printf(" fcsr %08x\n", read_fcsr());
    }
}

static void conditional_moves(void)
{
    double d = 1.5, s = -2.25;
    float fd = 1.5f, fs = -2.25f;
    long zero = 0, nonzero = 7;
    write_fcsr(0);
    __asm__ volatile("c.eq.d $fcc4, %0, %0" ::"f"(d)); /* fcc4 = 1 */
    double m1 = d, m2 = d, m3 = d, m4 = d;
    __asm__ volatile("movt.d %0, %1, $fcc4" : "+f"(m1) : "f"(s));
    __asm__ volatile("movf.d %0, %1, $fcc4" : "+f"(m2) : "f"(s));
    __asm__ volatile("movn.d %0, %1, %2" : "+f"(m3) : "f"(s), "r"(nonzero));
    __asm__ volatile("movz.d %0, %1, %2" : "+f"(m4) : "f"(s), "r"(nonzero));
    float n1 = fd, n2 = fd, n3 = fd, n4 = fd;
    __asm__ volatile("movt.s %0, %1, $fcc4" : "+f"(n1) : "f"(fs));
    __asm__ volatile("movf.s %0, %1, $fcc5" : "+f"(n2) : "f"(fs));
    __asm__ volatile("movn.s %0, %1, %2" : "+f"(n3) : "f"(fs), "r"(zero));
    __asm__ volatile("movz.s %0, %1, %2" : "+f"(n4) : "f"(fs), "r"(zero));
    printf("moves %016llx %016llx %016llx %016llx %08x %08x %08x %08x\n",
           (unsigned long long)d_bits(m1), (unsigned long long)d_bits(m2),
           (unsigned long long)d_bits(m3), (unsigned long long)d_bits(m4), f_bits(n1), f_bits(n2),
           f_bits(n3), f_bits(n4));
}

static void indexed_memory(void)
{
    static uint64_t buf[8] __attribute__((aligned(16))) = {
        0x0123456789abcdefull, 0x3ff8000000000000ull, 0xfedcba9876543210ull, 0};
    char *base = (char *)buf;
    long i8 = 8, i4 = 4;
    double d;
    float f;
    __asm__ volatile("ldxc1 %0, %1(%2)" : "=f"(d) : "r"(i8), "r"(base) : "memory");
    __asm__ volatile("lwxc1 %0, %1(%2)" : "=f"(f) : "r"(i4), "r"(base) : "memory");
    printf("ldxc1 %016llx lwxc1 %08x\n", (unsigned long long)d_bits(d), f_bits(f));
    long o24 = 24, o28 = 28;
    __asm__ volatile("sdxc1 %0, %1(%2)" ::"f"(d_of(0x1122334455667788ull)), "r"(o24), "r"(base)
                     : "memory");
    __asm__ volatile("swxc1 %0, %1(%2)" ::"f"(-1.0f), "r"(o28), "r"(base) : "memory");
    __asm__ volatile("prefx 0, %0(%1)" ::"r"(o24), "r"(base));
    printf("stored %016llx\n", (unsigned long long)buf[3]);
}

#ifndef FP_ASM_MIPS4
/* LUXC1/SUXC1 (MIPS V, MIPS64 R2): the low three address bits are ignored. */
static void unaligned_indexed(void)
{
    static uint64_t buf[4] __attribute__((aligned(16))) = {0, 0x3ff8000000000000ull, 0, 0};
    char *base = (char *)buf;
    long i13 = 13, o23 = 23;
    double d;
    __asm__ volatile("luxc1 %0, %1(%2)" : "=f"(d) : "r"(i13), "r"(base) : "memory");
    __asm__ volatile("suxc1 %0, %1(%2)" ::"f"(d_of(0x8877665544332211ull)), "r"(o23), "r"(base)
                     : "memory");
    printf("luxc1 %016llx suxc1 %016llx\n", (unsigned long long)d_bits(d),
           (unsigned long long)buf[2]);
}

static void high_halves(void)
{
    double d = d_of(0x400921fb54442d18ull);
    uint32_t hi, lo;
    __asm__ volatile("mfhc1 %0, %2\n\tmfc1 %1, %2" : "=r"(hi), "=r"(lo) : "f"(d));
    printf("mfhc1 %08x mfc1 %08x\n", hi, lo);
    uint32_t newhi = 0xc0000000u;
    __asm__ volatile("mthc1 %1, %0" : "+f"(d) : "r"(newhi));
    printf("mthc1 %016llx\n", (unsigned long long)d_bits(d));
}

static void control_views(void)
{
    uint32_t v;
    write_fcsr(0x00000003);    /* RM = toward -inf */
    uint32_t fenr = 0x4 | 0x1; /* FENR: FS and RM = toward zero */
    __asm__ volatile("ctc1 %0, $28" ::"r"(fenr));
    printf("after fenr %08x\n", read_fcsr());
    uint32_t fexr = (0x4u << 12) | (0x1u << 2); /* cause O, flag I */
    __asm__ volatile("ctc1 %0, $26" ::"r"(fexr));
    __asm__ volatile("cfc1 %0, $26" : "=r"(v));
    printf("fexr %08x fcsr %08x\n", v, read_fcsr());
    uint32_t fccr = 0x5a;
    __asm__ volatile("ctc1 %0, $25" ::"r"(fccr));
    __asm__ volatile("cfc1 %0, $28" : "=r"(v));
    printf("fenr %08x fcsr %08x\n", v, read_fcsr());
    __asm__ volatile("cfc1 %0, $25" : "=r"(v));
    printf("fccr %08x\n", v);
    write_fcsr(0);
}
#endif

int main(void)
{
    multiply_add();
    reciprocals();
    condition_codes();
    conditional_moves();
    indexed_memory();
#ifndef FP_ASM_MIPS4
    unaligned_indexed();
    high_halves();
    control_views();
#endif
    return 0;
}
