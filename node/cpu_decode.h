/*
 * cpu_decode.h - the interpreter's pre-decoded instruction format, the cache
 * of decoded pages and guest-byte-order access to host memory. Private to
 * the interpreter: cpu_exec.c decodes lazily and dispatches through computed
 * goto; cpu_decode.c turns a MIPS word into an operation and operands;
 * cpu_mem.c owns the page cache and drops pages when guest or host code
 * writes into them.
 */
#ifndef DISCO_NODE_CPU_DECODE_H
#define DISCO_NODE_CPU_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct cpu;

/* Host memory holds guest bytes in guest order: swap when the orders differ. */
#define HOST_BIG_ENDIAN (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)

/* A guest value of size bytes at host address p (swap: byte orders differ). */
static inline uint64_t host_load(uintptr_t p, unsigned size, bool swap)
{
    switch (size) {
    case 1: return *(const uint8_t *)p;
    case 2: {
        uint16_t v;
        memcpy(&v, (const void *)p, 2);
        return swap ? __builtin_bswap16(v) : v;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, (const void *)p, 4);
        return swap ? __builtin_bswap32(v) : v;
    }
    default: {
        uint64_t v;
        memcpy(&v, (const void *)p, 8);
        return swap ? __builtin_bswap64(v) : v;
    }
    }
}

/* Stores a guest value of size bytes at host address p. */
static inline void host_store(uintptr_t p, unsigned size, uint64_t value, bool swap)
{
    switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)value; break;
    case 2: {
        uint16_t v = swap ? __builtin_bswap16((uint16_t)value) : (uint16_t)value;
        memcpy((void *)p, &v, 2);
        break;
    }
    case 4: {
        uint32_t v = swap ? __builtin_bswap32((uint32_t)value) : (uint32_t)value;
        memcpy((void *)p, &v, 4);
        break;
    }
    default: {
        uint64_t v = swap ? __builtin_bswap64(value) : value;
        memcpy((void *)p, &v, 8);
        break;
    }
    }
}

/*
 * Every operation the interpreter has a handler for. DECODE marks a slot not
 * decoded yet; PAGE_END is the sentinel after the last instruction of a page.
 */
/* clang-format off */
#define CPU_OPS(X)                                                                 \
    X(DECODE) X(PAGE_END) X(RI) X(COP_UNUSABLE) X(NOP)                             \
    X(SLL) X(SRL) X(SRA) X(ROTR) X(SLLV) X(SRLV) X(SRAV) X(ROTRV)                  \
    X(DSLL) X(DSRL) X(DSRA) X(DROTR) X(DSLL32) X(DSRL32) X(DSRA32) X(DROTR32)      \
    X(DSLLV) X(DSRLV) X(DSRAV) X(DROTRV)                                           \
    X(ADD) X(ADDU) X(SUB) X(SUBU) X(AND) X(OR) X(XOR) X(NOR) X(SLT) X(SLTU)        \
    X(DADD) X(DADDU) X(DSUB) X(DSUBU) X(MOVZ) X(MOVN) X(MOVCI) X(MOVE)             \
    X(MFHI) X(MTHI) X(MFLO) X(MTLO) X(MULT) X(MULTU) X(DIV) X(DIVU)                \
    X(DMULT) X(DMULTU) X(DDIV) X(DDIVU)                                            \
    X(JR) X(JALR) X(SYSCALL) X(BREAK)                                              \
    X(TGE) X(TGEU) X(TLT) X(TLTU) X(TEQ) X(TNE)                                    \
    X(TGEI) X(TGEIU) X(TLTI) X(TLTIU) X(TEQI) X(TNEI)                              \
    X(BLTZ) X(BGEZ) X(BLTZL) X(BGEZL) X(BLTZAL) X(BGEZAL) X(BLTZALL) X(BGEZALL)    \
    X(J) X(JAL) X(BEQ) X(BNE) X(BLEZ) X(BGTZ) X(BEQL) X(BNEL) X(BLEZL) X(BGTZL)    \
    X(B)                                                                           \
    X(ADDI) X(ADDIU) X(SLTI) X(SLTIU) X(ANDI) X(ORI) X(XORI) X(LUI) X(DADDI)       \
    X(DADDIU) X(LI)                                                                \
    X(COP0) X(COP1) X(COP1X) X(CACHE)                                              \
    X(LB) X(LBU) X(LH) X(LHU) X(LW) X(LWU) X(LD) X(LWL) X(LWR) X(LDL) X(LDR)       \
    X(LL) X(LLD) X(LWC1) X(LDC1)                                                   \
    X(SB) X(SH) X(SW) X(SD) X(SWL) X(SWR) X(SDL) X(SDR) X(SC) X(SCD) X(SWC1)       \
    X(SDC1)                                                                        \
    X(MADD) X(MADDU) X(MUL) X(MSUB) X(MSUBU) X(CLZ) X(CLO) X(DCLZ) X(DCLO)         \
    X(EXT) X(DEXT) X(INS) X(DINS) X(WSBH) X(SEB) X(SEH) X(DSBH) X(DSHD) X(RDHWR)
/* clang-format on */

enum cpu_op {
#define CPU_OP_ENUM(name) OP_##name,
    CPU_OPS(CPU_OP_ENUM)
#undef CPU_OP_ENUM
        OP_COUNT
};

/*
 * One decoded instruction (16 bytes). rd is always the destination register
 * (the field the instruction writes, $0 replaced by the sink gpr[32]); rs and
 * rt are the source registers as encoded. imm is the sign- or zero-extended
 * immediate, a branch offset in bytes, a jump's 26-bit index, or the raw
 * instruction word for operations handled out of line.
 */
struct dinsn {
    const void *handler;
    uint8_t rs, rt, rd, sa;
    uint32_t imm;
};

/* sa of the loads and stores that share a handler (see cpu_decode.c). */
#define VARIANT_DWORD 1
#define VARIANT_LEFT  2

#define CODE_PAGE_INSNS 1024

/* The decoded form of one 4 KB page of host memory (any virtual alias of it). */
struct code_page {
    struct dinsn insn[CODE_PAGE_INSNS + 1]; /* + the PAGE_END sentinel */
    const uint8_t *host;                    /* the page's host address, or NULL when free */
    struct code_page *hash_next;
};

/* Decodes word for this CPU's model into *out (all fields but handler). */
enum cpu_op cpu_decode(const struct cpu *cpu, uint32_t word, struct dinsn *out);

/*
 * Fetch slow path: translates pc for execution. Returns 0 with *page set (and
 * the ftlb fetch entry filled) for cacheable RAM, 2 with *word set for memory
 * that must not be cached (uncached segments, devices), or 1 after raising
 * the fetch exception.
 */
int cpu_fetch_slow(struct cpu *cpu, uint64_t pc, struct code_page **page, uint32_t *word);

/* The handler table of the running interpreter (set by cpu_run for the cache). */
void cpu_code_set_handlers(struct cpu *cpu, const void *decode, const void *page_end);

#endif
