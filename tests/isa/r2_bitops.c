/*
 * r2_bitops.c - MIPS64 Release 2 instructions: EXT/INS/DEXT/DINS (DEXTM/DEXTU,
 * DINSM/DINSU), ROTR/DROTR(32)/ROTRV/DROTRV, WSBH/DSBH/DSHD, SEB/SEH.
 */
#include "isa_util.h"

#define R2(insn, out, in)  __asm__ volatile(insn : "=r"(out) : "r"(in))
#define R2IO(insn, io, in) __asm__ volatile(insn : "+r"(io) : "r"(in))

static void one(uint64_t x, uint64_t y)
{
    uint64_t r[24];
    R2("ext %0, %1, 3, 9", r[0], x);
    R2("ext %0, %1, 0, 32", r[1], x);
    R2("dext %0, %1, 5, 20", r[2], x);
    R2("dextm %0, %1, 4, 40", r[3], x);
    R2("dextu %0, %1, 36, 20", r[4], x);
    r[5] = y;
    R2IO("ins %0, %1, 4, 8", r[5], x);
    r[6] = y;
    R2IO("dins %0, %1, 10, 16", r[6], x);
    r[7] = y;
    R2IO("dinsm %0, %1, 20, 40", r[7], x);
    r[8] = y;
    R2IO("dinsu %0, %1, 40, 12", r[8], x);
    R2("rotr %0, %1, 7", r[9], x);
    R2("drotr %0, %1, 13", r[10], x);
    R2("drotr32 %0, %1, 5", r[11], x);
    __asm__ volatile("rotrv %0, %1, %2" : "=r"(r[12]) : "r"(x), "r"(y));
    __asm__ volatile("drotrv %0, %1, %2" : "=r"(r[13]) : "r"(x), "r"(y));
    R2("wsbh %0, %1", r[14], x);
    R2("dsbh %0, %1", r[15], x);
    R2("dshd %0, %1", r[16], x);
    R2("seb %0, %1", r[17], x);
    R2("seh %0, %1", r[18], x);
    __asm__ volatile("sll %0, %1, 0" : "=r"(r[19]) : "r"(x));
    __asm__ volatile("dsrl32 %0, %1, 3" : "=r"(r[20]) : "r"(x));
    __asm__ volatile("dsra32 %0, %1, 0" : "=r"(r[21]) : "r"(x));
    __asm__ volatile("movn %0, %1, %2" : "=r"(r[22]) : "r"(x), "r"(y), "0"(y));
    __asm__ volatile("movz %0, %1, %2" : "=r"(r[23]) : "r"(x), "r"(y), "0"(y));
    for (int i = 0; i < 24; i++)
        isa_mix(r[i]);
}

int main(void)
{
    uint64_t out;
    uint64_t v = 0x0123456789abcdefull;
    R2("wsbh %0, %1", out, v);
    printf("wsbh %016llx\n", (unsigned long long)out);
    R2("dshd %0, %1", out, v);
    printf("dshd %016llx\n", (unsigned long long)out);
    R2("dext %0, %1, 8, 16", out, v);
    printf("dext %016llx\n", (unsigned long long)out);
    for (unsigned i = 0; i < ISA_NEDGES; i++)
        for (unsigned j = 0; j < ISA_NEDGES; j++)
            one(isa_edges[i], isa_edges[j]);
    printf("edges %016llx\n", (unsigned long long)isa_sum);
    for (int i = 0; i < 20000; i++)
        one(isa_rand(), isa_rand());
    printf("random %016llx\n", (unsigned long long)isa_sum);
    return 0;
}
