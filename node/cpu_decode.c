/*
 * cpu_decode.c - turns a MIPS64 instruction word into the interpreter's
 * pre-decoded form (cpu_decode.h): which operation, which registers, the
 * immediate already extended. It also decides what the model implements:
 * the r10000 model is MIPS IV, so SPECIAL2, SPECIAL3 and the rotate forms of
 * the shifts are Reserved Instructions there (MIPS64 Release 2 additions).
 */
#include "cpu_decode.h"

#include "cpu_internal.h"

/* Writes to $0 go to the sink register gpr[32], so handlers need no check. */
static uint8_t dest(unsigned reg)
{
    return reg ? (uint8_t)reg : 32;
}

static enum cpu_op decode_special(const struct cpu *cpu, uint32_t w, struct dinsn *d)
{
    unsigned rs = (w >> 21) & 31, rt = (w >> 16) & 31, rd = (w >> 11) & 31, sa = (w >> 6) & 31;
    switch (w & 63) {
    case 0: return rd == 0 ? OP_NOP : OP_SLL; /* NOP, SSNOP, EHB */
    case 1: d->imm = w; return OP_MOVCI;      /* MOVF/MOVT, MIPS IV */
    case 2:
        if (rs == 1 && cpu->is_r2)
            return OP_ROTR;
        return rs == 0 ? OP_SRL : OP_RI;
    case 3: return OP_SRA;
    case 4: return OP_SLLV;
    case 6:
        if (sa == 1 && cpu->is_r2)
            return OP_ROTRV;
        return sa == 0 ? OP_SRLV : OP_RI;
    case 7: return OP_SRAV;
    case 8: return OP_JR; /* hint bits (JR.HB) ignored */
    case 9: return OP_JALR;
    case 10: return OP_MOVZ;
    case 11: return OP_MOVN;
    case 12: d->imm = w; return OP_SYSCALL;
    case 13: d->imm = w; return OP_BREAK;
    case 15: return OP_NOP; /* SYNC: one CPU per interpreter, memory is in order */
    case 16: return OP_MFHI;
    case 17: return OP_MTHI;
    case 18: return OP_MFLO;
    case 19: return OP_MTLO;
    case 20: return OP_DSLLV;
    case 22:
        if (sa == 1 && cpu->is_r2)
            return OP_DROTRV;
        return sa == 0 ? OP_DSRLV : OP_RI;
    case 23: return OP_DSRAV;
    case 24: return OP_MULT;
    case 25: return OP_MULTU;
    case 26: return OP_DIV;
    case 27: return OP_DIVU;
    case 28: return OP_DMULT;
    case 29: return OP_DMULTU;
    case 30: return OP_DDIV;
    case 31: return OP_DDIVU;
    case 32: return OP_ADD;
    case 33: /* QEMU copies the full register when one operand is $0 */
        return rt == 0 || rs == 0 ? (d->rs = (uint8_t)(rs | rt), OP_MOVE) : OP_ADDU;
    case 34: return OP_SUB;
    case 35: return rt == 0 ? OP_MOVE : OP_SUBU;
    case 36: return OP_AND;
    case 37: return rt == 0 ? OP_MOVE : OP_OR;
    case 38: return OP_XOR;
    case 39: return OP_NOR;
    case 42: return OP_SLT;
    case 43: return OP_SLTU;
    case 44: return OP_DADD;
    case 45: return rt == 0 ? OP_MOVE : OP_DADDU;
    case 46: return OP_DSUB;
    case 47: return OP_DSUBU;
    case 48: d->imm = w; return OP_TGE;
    case 49: d->imm = w; return OP_TGEU;
    case 50: d->imm = w; return OP_TLT;
    case 51: d->imm = w; return OP_TLTU;
    case 52: d->imm = w; return OP_TEQ;
    case 54: d->imm = w; return OP_TNE;
    case 56: return OP_DSLL;
    case 58:
        if (rs == 1 && cpu->is_r2)
            return OP_DROTR;
        return rs == 0 ? OP_DSRL : OP_RI;
    case 59: return OP_DSRA;
    case 60: return OP_DSLL32;
    case 62:
        if (rs == 1 && cpu->is_r2)
            return OP_DROTR32;
        return rs == 0 ? OP_DSRL32 : OP_RI;
    case 63: return OP_DSRA32;
    default: return OP_RI;
    }
}

static enum cpu_op decode_regimm(const struct cpu *cpu, uint32_t w, struct dinsn *d)
{
    switch ((w >> 16) & 31) {
    case 0: return OP_BLTZ;
    case 1: return OP_BGEZ;
    case 2: return OP_BLTZL;
    case 3: return OP_BGEZL;
    case 8: d->imm = (uint32_t)(int32_t)(int16_t)w; return OP_TGEI;
    case 9: d->imm = (uint32_t)(int32_t)(int16_t)w; return OP_TGEIU;
    case 10: d->imm = (uint32_t)(int32_t)(int16_t)w; return OP_TLTI;
    case 11: d->imm = (uint32_t)(int32_t)(int16_t)w; return OP_TLTIU;
    case 12: d->imm = (uint32_t)(int32_t)(int16_t)w; return OP_TEQI;
    case 14: d->imm = (uint32_t)(int32_t)(int16_t)w; return OP_TNEI;
    case 16: d->rd = 31; return OP_BLTZAL;
    case 17: d->rd = 31; return OP_BGEZAL;
    case 18: d->rd = 31; return OP_BLTZALL;
    case 19: d->rd = 31; return OP_BGEZALL;
    case 31: return cpu->is_r2 ? OP_NOP : OP_RI; /* SYNCI: no separate I-cache to sync */
    default: return OP_RI;
    }
}

/* MIPS32/64 SPECIAL2 as Release 2 defines it (not part of MIPS IV). */
static enum cpu_op decode_special2(const struct cpu *cpu, uint32_t w, struct dinsn *d)
{
    if (!cpu->is_r2)
        return OP_RI;
    switch (w & 63) {
    case 0: return OP_MADD;
    case 1: return OP_MADDU;
    case 2: return OP_MUL;
    case 4: return OP_MSUB;
    case 5: return OP_MSUBU;
    case 32: return OP_CLZ;
    case 33: return OP_CLO;
    case 36: return OP_DCLZ;
    case 37: return OP_DCLO;
    default: return OP_RI;
    }
}

/*
 * Bit-field operations: sa receives the position, imm the field size in bits.
 * Encodings whose field would not fit are Reserved Instructions (as QEMU
 * decodes them; the architecture calls them UNPREDICTABLE).
 */
static enum cpu_op bitfield(struct dinsn *d, unsigned pos, int size, unsigned width, enum cpu_op op)
{
    if (size <= 0 || pos + (unsigned)size > width)
        return OP_RI;
    d->sa = (uint8_t)pos;
    d->imm = (uint32_t)size;
    return op;
}

static enum cpu_op decode_special3(const struct cpu *cpu, uint32_t w, struct dinsn *d)
{
    unsigned rd = (w >> 11) & 31, sa = (w >> 6) & 31, rt = (w >> 16) & 31;
    if (!cpu->is_r2)
        return OP_RI;
    d->rd = dest(rt);
    switch (w & 63) {
    case 0: return bitfield(d, sa, (int)rd + 1, 32, OP_EXT);
    case 1: return bitfield(d, sa, (int)rd + 33, 64, OP_DEXT);     /* DEXTM */
    case 2: return bitfield(d, sa + 32, (int)rd + 1, 64, OP_DEXT); /* DEXTU */
    case 3: return bitfield(d, sa, (int)rd + 1, 64, OP_DEXT);
    case 4: return bitfield(d, sa, (int)rd - (int)sa + 1, 32, OP_INS);
    case 5: return bitfield(d, sa, (int)rd + 32 - (int)sa + 1, 64, OP_DINS); /* DINSM */
    case 6: return bitfield(d, sa + 32, (int)rd - (int)sa + 1, 64, OP_DINS); /* DINSU */
    case 7: return bitfield(d, sa, (int)rd - (int)sa + 1, 64, OP_DINS);
    case 32:
        d->rd = dest(rd);
        switch (sa) {
        case 2: return OP_WSBH;
        case 16: return OP_SEB;
        case 24: return OP_SEH;
        default: return OP_RI;
        }
    case 36:
        d->rd = dest(rd);
        switch (sa) {
        case 2: return OP_DSBH;
        case 5: return OP_DSHD;
        default: return OP_RI;
        }
    case 59: d->imm = w; return OP_RDHWR;
    default: return OP_RI;
    }
}

/* Loads, stores and the immediate forms: the destination is rt. */
static enum cpu_op decode_itype(unsigned op)
{
    static const enum cpu_op table[64] = {
        [8] = OP_ADDI, [9] = OP_ADDIU, [10] = OP_SLTI, [11] = OP_SLTIU, [12] = OP_ANDI,
        [13] = OP_ORI, [14] = OP_XORI, [15] = OP_LUI,  [24] = OP_DADDI, [25] = OP_DADDIU,
        [26] = OP_LDL, [27] = OP_LDR,  [32] = OP_LB,   [33] = OP_LH,    [34] = OP_LWL,
        [35] = OP_LW,  [36] = OP_LBU,  [37] = OP_LHU,  [38] = OP_LWR,   [39] = OP_LWU,
        [40] = OP_SB,  [41] = OP_SH,   [42] = OP_SWL,  [43] = OP_SW,    [44] = OP_SDL,
        [45] = OP_SDR, [46] = OP_SWR,  [48] = OP_LL,   [49] = OP_LWC1,  [51] = OP_NOP,
        [52] = OP_LLD, [53] = OP_LDC1, [55] = OP_LD,   [56] = OP_SC,    [57] = OP_SWC1,
        [60] = OP_SCD, [61] = OP_SDC1, [63] = OP_SD,
    };
    return table[op] ? table[op] : OP_RI;
}

/*
 * Operations that share one handler tell their variants apart by sa (unused
 * by I-type instructions): VARIANT_DWORD for the 64-bit form, VARIANT_LEFT
 * for LWL/LDL/SWL/SDL.
 */
static uint8_t variant(enum cpu_op o)
{
    switch (o) {
    case OP_LDL:
    case OP_SDL: return VARIANT_DWORD | VARIANT_LEFT;
    case OP_LWL:
    case OP_SWL: return VARIANT_LEFT;
    case OP_LDR:
    case OP_SDR:
    case OP_LLD:
    case OP_SCD:
    case OP_LDC1:
    case OP_SDC1: return VARIANT_DWORD;
    default: return 0;
    }
}

enum cpu_op cpu_decode(const struct cpu *cpu, uint32_t w, struct dinsn *d)
{
    unsigned op = w >> 26, rs = (w >> 21) & 31, rt = (w >> 16) & 31, rd = (w >> 11) & 31;
    d->rs = (uint8_t)rs;
    d->rt = (uint8_t)rt;
    d->rd = dest(rd);
    d->sa = (w >> 6) & 31;
    d->imm = (uint32_t)(int32_t)(int16_t)w;
    switch (op) {
    case 0: return decode_special(cpu, w, d);
    case 1: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return decode_regimm(cpu, w, d);
    case 2: d->imm = w & 0x3ffffff; return OP_J;
    case 3:
        d->imm = w & 0x3ffffff;
        d->rd = 31;
        return OP_JAL;
    case 4: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return rs == 0 && rt == 0 ? OP_B : OP_BEQ;
    case 5: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BNE;
    case 6: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BLEZ;
    case 7: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BGTZ;
    case 20: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BEQL;
    case 21: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BNEL;
    case 22: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BLEZL;
    case 23: d->imm = (uint32_t)((int32_t)(int16_t)w * 4); return OP_BGTZL;
    case 16: d->imm = w; return OP_COP0;
    case 17: d->imm = w; return OP_COP1;
    case 19: d->imm = w; return OP_COP1X; /* MIPS IV: COP1X (was COP3) */
    case 18:                              /* COP2 and its loads/stores: no CP2 */
    case 50:
    case 54:
    case 58:
    case 62: d->imm = 2; return OP_COP_UNUSABLE;
    case 28: return decode_special2(cpu, w, d);
    case 31: return decode_special3(cpu, w, d);
    case 47: d->imm = w; return OP_CACHE;
    default: break;
    }
    d->rd = dest(rt);
    if (op == 12 || op == 13 || op == 14)
        d->imm = w & 0xffff; /* ANDI/ORI/XORI zero-extend */
    enum cpu_op o = decode_itype(op);
    if ((o == OP_ADDIU || o == OP_ORI) && rs == 0)
        return OP_LI;
    d->sa = variant(o);
    return o;
}
