/*
 * gen.c - the random instruction-sequence generator: writes a freestanding
 * MIPS64 assembly program of B blocks; each block loads pseudo-random values
 * into every free GPR, HI/LO and the FPRs, runs N random valid user-mode
 * instructions (ALU, shifts, multiply/divide, HI/LO, R2 bit operations,
 * aligned and unaligned loads/stores into a scratch buffer, FP moves and
 * arithmetic) with no branches or traps, then writes the register file,
 * HI/LO, the FPRs, FCSR and the scratch buffer to stdout. Running it under
 * QEMU and flash-run and comparing the bytes checks every instruction.
 *
 * usage: gen [-m mips4|mips64r2] [-b BLOCKS] [-n INSNS] [-s SEED] [-k KEEP] > prog.S
 * -k prints only the first KEEP instructions of each block (same values and
 * same later blocks), to narrow a mismatch down to one instruction.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCRATCH_BYTES 256
#define BASE_REG      28 /* holds the scratch buffer address; never randomized */

static uint64_t rng;

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next() % n);
}

/* A GPR the block may overwrite: not $0, $28 (base) or $29 (sp). */
static unsigned dest_reg(void)
{
    static const unsigned regs[] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31};
    return regs[pick(sizeof(regs) / sizeof(regs[0]))];
}

static unsigned src_reg(void)
{
    return pick(8) == 0 ? 0 : dest_reg();
}

/*
 * Interesting 64-bit values: edges half of the time, random otherwise. MIPS32
 * operations on registers that are not sign-extended 32-bit values are
 * UNPREDICTABLE, so random values are often made proper 32-bit ones.
 */
static uint64_t value(void)
{
    static const uint64_t edges[] = {0,
                                     1,
                                     0xffffffffffffffffull,
                                     0x7fffffff,
                                     0xffffffff80000000ull,
                                     0x8000000000000000ull,
                                     0x7fffffffffffffffull,
                                     0xffffffff,
                                     0x80,
                                     0x8000};
    if (pick(2))
        return edges[pick(sizeof(edges) / sizeof(edges[0]))];
    uint64_t v = next();
    return pick(2) ? (uint64_t)(int64_t)(int32_t)v : v; /* often a proper 32-bit value */
}

static const char *const alu3[] = {"addu", "subu", "and",   "or",    "xor",   "nor",
                                   "slt",  "sltu", "daddu", "dsubu", "movn",  "movz",
                                   "sllv", "srlv", "srav",  "dsllv", "dsrlv", "dsrav"};
static const char *const shifts[] = {"sll",  "srl",    "sra",    "dsll",  "dsrl",
                                     "dsra", "dsll32", "dsrl32", "dsra32"};
static const char *const imm16[] = {"addiu", "daddiu", "slti", "sltiu", "andi", "ori", "xori"};
static const char *const hilo[] = {"mult", "multu", "dmult", "dmultu"};
static const char *const divs[] = {"div", "divu", "ddiv", "ddivu"};
static const char *const r2_two[] = {"wsbh", "dsbh", "dshd", "seb", "seh"};
static const char *const counts[] = {"clz", "clo", "dclz", "dclo"};
static const struct {
    const char *name;
    unsigned size;
    int unaligned; /* LWL & co take any address */
} mem[] = {{"lb", 1, 0},  {"lbu", 1, 0}, {"lh", 2, 0},  {"lhu", 2, 0}, {"lw", 4, 0},
           {"lwu", 4, 0}, {"ld", 8, 0},  {"sb", 1, 0},  {"sh", 2, 0},  {"sw", 4, 0},
           {"sd", 8, 0},  {"lwl", 4, 1}, {"lwr", 4, 1}, {"ldl", 8, 1}, {"ldr", 8, 1},
           {"swl", 4, 1}, {"swr", 4, 1}, {"sdl", 8, 1}, {"sdr", 8, 1}};
static const char *const fp3[] = {"add.d", "sub.d", "mul.d", "add.s", "sub.s", "mul.s"};
static const char *const fp2[] = {"mov.d", "neg.d", "abs.d", "mov.s", "neg.s", "abs.s"};

/* Instructions past -k are generated (to keep the random stream) but not printed. */
static int muted;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void emit(const char *fmt, ...)
{
    if (muted)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/*
 * MIPS64 leaves 32-bit operations (ADDU, SRA, MULT, DIV, ROTR, INS, CLZ...)
 * UNPREDICTABLE on a source that is not a sign-extended 32-bit value (QEMU
 * then computes a 64-bit shift, for one): make such sources proper first.
 */
static void proper(unsigned reg)
{
    if (reg != 0)
        emit("\tsll $%u, $%u, 0\n", reg, reg);
}

static void emit_alu(unsigned d, unsigned s, unsigned t)
{
    unsigned op = pick(18);
    if (op <= 1) /* addu, subu */
        proper(s), proper(t);
    if (op == 13 || op == 14) /* srlv, srav: the shifted value */
        proper(s);
    emit("\t%s $%u, $%u, $%u\n", alu3[op], d, s, t);
}

static void emit_memory(unsigned d, unsigned s)
{
    unsigned m = pick(sizeof(mem) / sizeof(mem[0]));
    unsigned off = mem[m].unaligned ? pick(SCRATCH_BYTES - 8)
                                    : pick(SCRATCH_BYTES / mem[m].size) * mem[m].size;
    unsigned reg = mem[m].name[0] == 's' ? s : d;
    emit("\t%s $%u, %u($%u)\n", mem[m].name, reg, off, BASE_REG);
}

static const char *const fp_conds[] = {"f",  "un",   "eq",  "ueq", "olt", "ult", "ole", "ule",
                                       "sf", "ngle", "seq", "ngl", "lt",  "nge", "le",  "ngt"};
static const char *const fp_cvt[] = {"cvt.d.s",   "cvt.s.d",   "cvt.d.w",   "cvt.d.l",   "cvt.s.w",
                                     "cvt.s.l",   "cvt.w.d",   "cvt.l.d",   "cvt.w.s",   "cvt.l.s",
                                     "trunc.w.d", "trunc.l.s", "round.w.s", "round.l.d", "ceil.w.d",
                                     "ceil.l.s",  "floor.w.s", "floor.l.d"};
static const char *const fp_madd[] = {"madd", "msub", "nmadd", "nmsub"};
static const char *const fp_mem[] = {"ldc1", "sdc1", "lwc1", "swc1"};
static const char *const fp_memx[] = {"ldxc1", "sdxc1", "lwxc1", "swxc1"};

/* FP arithmetic, conversions, compares into the 8 condition codes, MIPS IV
 * conditional moves and multiply-add, FP loads/stores, rounding-mode changes. */
static void emit_fp(unsigned d, unsigned s, int r2)
{
    unsigned fd = pick(32), fs = pick(32), ft = pick(32), fr = pick(32), cc = pick(8);
    unsigned op = pick(16), which = pick(18), fmt = pick(2);
    const char *f = fmt ? "d" : "s";
    switch (op) {
    case 0:
    case 1: emit("\t%s $f%u, $f%u, $f%u\n", fp3[which % 6], fd, fs, ft); break;
    case 2: emit("\t%s $f%u, $f%u\n", fp2[which % 6], fd, fs); break;
    case 3: emit("\t%s $%u, $f%u\n", which & 1 ? "dmfc1" : "mfc1", d, fs); break;
    case 4: emit("\t%s $%u, $f%u\n", which & 1 ? "dmtc1" : "mtc1", s, fd); break;
    case 5: emit("\t%s.%s $f%u, $f%u, $f%u\n", which & 1 ? "div" : "mul", f, fd, fs, ft); break;
    case 6: emit("\t%s.%s $f%u, $f%u\n", which & 1 ? "sqrt" : "abs", f, fd, fs); break;
    case 7: emit("\t%s $f%u, $f%u\n", fp_cvt[which], fd, fs); break;
    case 8: emit("\tc.%s.%s $fcc%u, $f%u, $f%u\n", fp_conds[which % 16], f, cc, fs, ft); break;
    case 9:
        switch (which % 4) {
        case 0: emit("\t%s $%u, $%u, $fcc%u\n", fmt ? "movt" : "movf", d, s, cc); break;
        case 1: emit("\t%s.%s $f%u, $f%u, $fcc%u\n", fmt ? "movt" : "movf", f, fd, fs, cc); break;
        case 2: emit("\tmovn.%s $f%u, $f%u, $%u\n", f, fd, fs, s); break;
        default: emit("\tmovz.%s $f%u, $f%u, $%u\n", f, fd, fs, s); break;
        }
        break;
    case 10: emit("\t%s.%s $f%u, $f%u, $f%u, $f%u\n", fp_madd[which % 4], f, fd, fr, fs, ft); break;
    case 11: {
        unsigned m = which % 4, size = m < 2 ? 8 : 4;
        unsigned fpr = m == 1 || m == 3 ? fs : fd;
        emit("\t%s $f%u, %u($%u)\n", fp_mem[m], fpr, pick(SCRATCH_BYTES / size) * size, BASE_REG);
        break;
    }
    case 12: {
        unsigned m = which % 4, mask = m < 2 ? 0xf8 : 0xfc;
        unsigned fpr = m == 1 || m == 3 ? fs : fd;
        emit("\tandi $%u, $%u, 0x%x\n\t%s $f%u, $%u($%u)\n", d, s, mask, fp_memx[m], fpr, d,
             BASE_REG);
        break;
    }
    case 13:
        /* A new rounding mode; the flags stay, no exception is ever enabled. */
        if (r2)
            emit("\tcfc1 $%u, $31\n\tins $%u, $%u, 0, 2\n\tctc1 $%u, $31\n", d, d, s, d);
        else
            emit("\tcfc1 $%u, $31\n", d);
        break;
    default: emit("\t%s.%s $f%u, $f%u\n", which & 1 ? "recip" : "rsqrt", f, fd, fs); break;
    }
}

static void emit_bitfield(unsigned d, unsigned s)
{
    unsigned pos = pick(32), size = 1 + pick(32 - pos);
    switch (pick(6)) {
    case 0: emit("\text $%u, $%u, %u, %u\n", d, s, pos, size); break;
    case 1:
        proper(d), proper(s);
        emit("\tins $%u, $%u, %u, %u\n", d, s, pos, size);
        break;
    case 2: emit("\tdext $%u, $%u, %u, %u\n", d, s, pos, size); break;
    case 3: emit("\tdins $%u, $%u, %u, %u\n", d, s, pos, size); break;
    case 4:
        pos = 32 + pick(32);
        emit("\tdextu $%u, $%u, %u, %u\n", d, s, pos, 1 + pick(64 - pos));
        break;
    default: emit("\tdinsm $%u, $%u, %u, %u\n", d, s, pick(16), 33 + pick(16)); break;
    }
}

static void emit_r2_misc(unsigned d, unsigned s, unsigned t)
{
    unsigned op = pick(6), which = pick(5), amount = pick(32), dbl = pick(2);
    switch (op) {
    case 0:
        if (which == 0) /* wsbh */
            proper(s);
        emit("\t%s $%u, $%u\n", r2_two[which], d, s);
        break;
    case 1:
        if (!dbl)
            proper(s);
        emit("\t%s $%u, $%u, %u\n", dbl ? "drotr" : "rotr", d, s, amount);
        break;
    case 2: emit("\tdrotr32 $%u, $%u, %u\n", d, s, amount); break;
    case 3:
        if (!dbl)
            proper(s);
        emit("\t%s $%u, $%u, $%u\n", dbl ? "drotrv" : "rotrv", d, s, t);
        break;
    case 4:
        proper(s), proper(t);
        emit("\tmul $%u, $%u, $%u\n", d, s, t);
        break;
    default:
        if (which % 4 < 2) /* clz, clo */
            proper(s);
        emit("\t%s $%u, $%u\n", counts[which % 4], d, s);
        break;
    }
}

static void emit_insn(int r2)
{
    unsigned d = dest_reg(), s = src_reg(), t = src_reg();
    unsigned kind = pick(r2 ? 14 : 12), op = pick(9);
    switch (kind) {
    case 0:
    case 1: emit_alu(d, s, t); break;
    case 2:
        if (op == 1 || op == 2) /* srl, sra */
            proper(s);
        emit("\t%s $%u, $%u, %u\n", shifts[op], d, s, pick(32));
        break;
    case 3: {
        unsigned imm_op = op % 7; /* ANDI/ORI/XORI take 0..65535, the others -32768..32767 */
        int imm = imm_op >= 4 ? (int)pick(65536) : (int)(int16_t)next();
        emit("\t%s $%u, $%u, %d\n", imm16[imm_op], d, s, imm);
        break;
    }
    case 4: emit("\tlui $%u, %u\n", d, pick(65536)); break;
    case 5:
        if (op % 4 < 2) /* mult, multu */
            proper(s), proper(t);
        emit("\t%s $%u, $%u\n", hilo[op % 4], s, t);
        break;
    case 6:
        /* A divisor that is never zero; DIV/DIVU also need proper 32-bit operands. */
        if (op % 4 < 2)
            proper(s);
        emit("\tori $%u, $%u, 1\n\tsll $%u, $%u, 0\n\t%s $0, $%u, $%u\n", d, t, d, d, divs[op % 4],
             s, d);
        break;
    case 7: emit("\t%s $%u\n", op & 1 ? "mfhi" : "mflo", d); break;
    case 8: emit("\t%s $%u\n", op & 1 ? "mthi" : "mtlo", s); break;
    case 9: emit_memory(d, s); break;
    case 10: emit_fp(d, s, r2); break;
    case 11: emit_fp(d, s, r2); break; /* FP twice as often */
    case 12: emit_bitfield(d, s); break;
    default: emit_r2_misc(d, s, t); break;
    }
}

static void emit_block(unsigned block, unsigned insns, unsigned keep, int r2)
{
    printf("\n# block %u\n", block);
    for (unsigned r = 1; r < 32; r++) {
        if (r == BASE_REG || r == 29)
            continue;
        printf("\tdli $%u, 0x%016" PRIx64 "\n", r, value());
    }
    printf("\tmthi $1\n\tmtlo $2\n");
    for (unsigned f = 0; f < 32; f++)
        printf("\tdli $3, 0x%016" PRIx64 "\n\tdmtc1 $3, $f%u\n", next(), f);
    printf("\tdli $3, 0x%016" PRIx64 "\n", value());
    printf("\tdla $%u, scratch\n", BASE_REG);
    for (unsigned i = 0; i < insns; i++) {
        muted = i >= keep;
        emit_insn(r2);
    }
    muted = 0;
    printf("\tdla $%u, dump\n", BASE_REG);
    for (unsigned r = 0; r < 32; r++)
        if (r != BASE_REG && r != 29)
            printf("\tsd $%u, %u($%u)\n", r, 8 * r, BASE_REG);
    printf("\tmfhi $1\n\tsd $1, 256($28)\n\tmflo $1\n\tsd $1, 264($28)\n");
    for (unsigned f = 0; f < 32; f++)
        printf("\tsdc1 $f%u, %u($28)\n", f, 272 + 8 * f);
    printf("\tcfc1 $1, $31\n\tsw $1, 528($28)\n\tsw $0, 532($28)\n");
    printf("\tli $2, 5001\n\tli $4, 1\n\tdla $5, dump\n\tli $6, 536\n\tsyscall\n");
    printf("\tli $2, 5001\n\tli $4, 1\n\tdla $5, scratch\n\tli $6, %u\n\tsyscall\n", SCRATCH_BYTES);
}

int main(int argc, char **argv)
{
    unsigned blocks = 20, insns = 200, keep = UINT32_MAX;
    uint64_t seed = 1;
    int r2 = 1, c;
    while ((c = getopt(argc, argv, "m:b:n:s:k:")) != -1) {
        switch (c) {
        case 'm': r2 = strcmp(optarg, "mips4") != 0; break;
        case 'b': blocks = (unsigned)strtoul(optarg, NULL, 0); break;
        case 'n': insns = (unsigned)strtoul(optarg, NULL, 0); break;
        case 's': seed = strtoull(optarg, NULL, 0); break;
        case 'k': keep = (unsigned)strtoul(optarg, NULL, 0); break;
        default:
            fprintf(stderr,
                    "usage: gen [-m mips4|mips64r2] [-b BLOCKS] [-n INSNS] [-s SEED] [-k KEEP]\n");
            return 2;
        }
    }
    rng = seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
    printf("# generated by tests/isa/random/gen -m %s -b %u -n %u -s %" PRIu64 "\n",
           r2 ? "mips64r2" : "mips4", blocks, insns, seed);
    printf("\t.set noreorder\n\t.set noat\n\t.data\n\t.align 4\nscratch:\n");
    for (unsigned i = 0; i < SCRATCH_BYTES; i += 8)
        printf("\t.dword 0x%016" PRIx64 "\n", next());
    printf("dump:\n\t.space 544\n\t.text\n\t.globl __start\n__start:\n");
    printf("\tctc1 $0, $31\n"); /* round to nearest, no traps enabled */
    for (unsigned b = 0; b < blocks; b++)
        emit_block(b, insns, keep, r2);
    printf("\tli $2, 5205\n\tli $4, 0\n\tsyscall\n");
    return 0;
}
