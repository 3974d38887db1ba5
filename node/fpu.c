/*
 * fpu.c - CP1, the floating-point coprocessor: register files (FR=0 pairs and
 * FR=1 flat), control registers (FIR, FCSR and the R2 aliases FCCR/FEXR/FENR),
 * decoding of the COP1 and COP1X opcodes, FCSR cause/flag/enable handling
 * and the FP exception. The arithmetic itself is in fpu_ieee.c. Behaviour
 * follows QEMU 7.2 (the project's oracle) where it and the manuals differ;
 * docs/cpu.md ("FPU") lists those choices.
 */
#include "fpu.h"

#include "cp0.h"
#include "cpu_internal.h"
#include "fpu_ieee.h"

/* FCSR fields (MIPS64 Vol. I, FCSR register). */
#define FCSR_RM_MASK      0x3u
#define FCSR_FLAGS_SHIFT  2
#define FCSR_ENABLE_SHIFT 7
#define FCSR_CAUSE_SHIFT  12
#define FCSR_CAUSE_MASK   (0x3fu << FCSR_CAUSE_SHIFT)
#define FCSR_FCC0         (1u << 23)
#define FCSR_FS           (1u << 24)
/* Writable bits: RM, flags, enables, cause, FCC0, FS, FCC1-7 (18-22 read 0). */
#define FCSR_WRITABLE 0xff83ffffu

/* FIR: S, D, W, L formats and 64-bit registers (F64) for the R2 model. */
#define FIR_MIPS64R2 0x00730000u
/* R10000: implementation 0x09 in the ProcessorID field, revision 0. */
#define FIR_R10000 0x00000900u

/* The rs/fmt field of COP1 instructions. */
enum {
    COP1_MF = 0x00,
    COP1_DMF = 0x01,
    COP1_CF = 0x02,
    COP1_MFH = 0x03,
    COP1_MT = 0x04,
    COP1_DMT = 0x05,
    COP1_CT = 0x06,
    COP1_MTH = 0x07,
    COP1_BC = 0x08,
    FMT_S = 0x10,
    FMT_D = 0x11,
    FMT_W = 0x14,
    FMT_L = 0x15,
};

static inline bool fr_set(const struct cpu *cpu)
{
    return (cpu->cp0.status & ST_FR) != 0;
}

uint32_t fpu_get_w(const struct cpu *cpu, unsigned reg)
{
    if (fr_set(cpu))
        return (uint32_t)cpu->fpr[reg];
    /* FR=0: odd registers are the upper halves of the even ones. */
    return (uint32_t)(cpu->fpr[reg & ~1u] >> ((reg & 1) * 32));
}

void fpu_set_w(struct cpu *cpu, unsigned reg, uint32_t value)
{
    unsigned shift = 0;
    if (!fr_set(cpu)) {
        shift = (reg & 1) * 32;
        reg &= ~1u;
    }
    /* FR=1 keeps the upper half (UNPREDICTABLE architecturally; QEMU keeps it). */
    cpu->fpr[reg] = (cpu->fpr[reg] & ~(0xffffffffull << shift)) | ((uint64_t)value << shift);
}

uint64_t fpu_get_d(const struct cpu *cpu, unsigned reg)
{
    return cpu->fpr[fr_set(cpu) ? reg : reg & ~1u];
}

void fpu_set_d(struct cpu *cpu, unsigned reg, uint64_t value)
{
    cpu->fpr[fr_set(cpu) ? reg : reg & ~1u] = value;
}

bool fpu_condition(const struct cpu *cpu, unsigned cc)
{
    return (cpu->fcsr >> (cc == 0 ? 23 : 24 + cc)) & 1;
}

static void set_condition(struct cpu *cpu, unsigned cc, bool value)
{
    uint32_t bit = cc == 0 ? FCSR_FCC0 : 1u << (24 + cc);
    cpu->fcsr = value ? cpu->fcsr | bit : cpu->fcsr & ~bit;
}

void fpu_reset(struct cpu *cpu)
{
    for (unsigned i = 0; i < 32; i++)
        cpu->fpr[i] = 0;
    cpu->fcsr = 0;
    cpu->fir = cpu->is_r2 ? FIR_MIPS64R2 : FIR_R10000;
}

static int reserved(struct cpu *cpu)
{
    cpu_raise(cpu, EXC_RI);
    return 1;
}

/*
 * An encoding the FPU does not implement. The R4000/R10000 manuals raise
 * the Unimplemented Operation exception (cause E, always enabled) for these;
 * MIPS64 and QEMU treat them as Reserved Instruction.
 */
static int unimplemented(struct cpu *cpu)
{
    if (cpu->is_r2)
        return reserved(cpu);
    cpu->fcsr = (cpu->fcsr & ~FCSR_CAUSE_MASK) | ((uint32_t)FPX_UNIMPLEMENTED << FCSR_CAUSE_SHIFT);
    cpu_raise(cpu, EXC_FPE);
    return 1;
}

/*
 * MIPS IV additions (COP1X, RECIP/RSQRT, MOVF/MOVT/MOVN/MOVZ.fmt) run in
 * user mode on the R10000 only with Status.XX set (R10000 manual, "Status
 * register"); in kernel and supervisor mode and on MIPS64 they always run.
 */
static bool mips4_enabled(const struct cpu *cpu)
{
    return cpu->is_r2 || (cpu->cp0.status & ST_XX) || cp0_mode(cpu) != MODE_USER;
}

/*
 * Ends an arithmetic instruction as QEMU's update_fcr31 does: Cause is
 * replaced, then either the FP exception is taken (cause & enable; E is
 * always enabled) and nothing is written, or the sticky flags accumulate.
 * Returns true when the instruction may write its result.
 */
static bool commit_cause(struct cpu *cpu, unsigned cause)
{
    unsigned enables = (cpu->fcsr >> FCSR_ENABLE_SHIFT) & 0x1f;
    cpu->fcsr = (cpu->fcsr & ~FCSR_CAUSE_MASK) | (cause << FCSR_CAUSE_SHIFT);
    if (cause & (enables | FPX_UNIMPLEMENTED)) {
        cpu_raise(cpu, EXC_FPE);
        return false;
    }
    cpu->fcsr |= (cause & 0x1f) << FCSR_FLAGS_SHIFT;
    return true;
}

static struct fpu_env env_of(const struct cpu *cpu)
{
    struct fpu_env env = {
        .rm = (enum fpu_rounding)(cpu->fcsr & FCSR_RM_MASK),
        .flush = (cpu->fcsr & FCSR_FS) != 0,
        .cause = 0,
    };
    return env;
}

/* Values of a format as raw bits: S and W are 32-bit, D and L 64-bit. */
static inline bool is_wide(unsigned fmt)
{
    return fmt == FMT_D || fmt == FMT_L;
}

static uint64_t read_fmt(const struct cpu *cpu, unsigned fmt, unsigned reg)
{
    return is_wide(fmt) ? fpu_get_d(cpu, reg) : fpu_get_w(cpu, reg);
}

static void write_fmt(struct cpu *cpu, unsigned fmt, unsigned reg, uint64_t value)
{
    if (is_wide(fmt))
        fpu_set_d(cpu, reg, value);
    else
        fpu_set_w(cpu, reg, (uint32_t)value);
}

/*
 * With FR=0 a 64-bit operand must name an even register; QEMU raises RI
 * otherwise (the manuals call it UNPREDICTABLE). `regs` ORs the numbers of
 * every 64-bit operand.
 */
static bool bad_pairs(const struct cpu *cpu, unsigned regs)
{
    return !fr_set(cpu) && (regs & 1);
}

static uint64_t binop(struct fpu_env *env, unsigned fmt, enum fpu_binop op, uint64_t a, uint64_t b)
{
    if (fmt == FMT_D)
        return fpu_d_binop(env, op, a, b);
    return fpu_s_binop(env, op, (uint32_t)a, (uint32_t)b);
}

static uint64_t sqrt_fmt(struct fpu_env *env, unsigned fmt, uint64_t a)
{
    return fmt == FMT_D ? fpu_d_sqrt(env, a) : fpu_s_sqrt(env, (uint32_t)a);
}

static uint64_t one_fmt(unsigned fmt)
{
    return fmt == FMT_D ? 0x3ff0000000000000ull : 0x3f800000u;
}

static uint64_t sign_fmt(unsigned fmt)
{
    return fmt == FMT_D ? 1ull << 63 : 1ull << 31;
}

static uint64_t to_int(struct fpu_env *env, unsigned fmt, uint64_t a, enum fpu_rounding rm,
                       unsigned bits)
{
    if (fmt == FMT_D)
        return fpu_d_to_int(env, a, rm, bits);
    return fpu_s_to_int(env, (uint32_t)a, rm, bits);
}

/* CVT.S.fmt and CVT.D.fmt from every other format. */
static uint64_t convert(struct fpu_env *env, unsigned from, unsigned to, uint64_t a)
{
    switch (from) {
    case FMT_S: return fpu_s_to_d(env, (uint32_t)a);
    case FMT_D: return fpu_d_to_s(env, a);
    case FMT_W:
        a = (uint64_t)(int64_t)(int32_t)a;
        /* fall through */
    default: return to == FMT_S ? fpu_int_to_s(env, (int64_t)a) : fpu_int_to_d(env, (int64_t)a);
    }
}

/* MOVF/MOVT.fmt, MOVZ/MOVN.fmt: plain copies that leave FCSR alone. */
static int conditional_move(struct cpu *cpu, uint32_t insn, unsigned fmt)
{
    unsigned rt = (insn >> 16) & 0x1f, fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f;
    bool move;

    if (!mips4_enabled(cpu))
        return reserved(cpu);
    switch (insn & 0x3f) {
    case 0x11: /* bit 17 is reserved; QEMU ignores it, and so do we */
        move = fpu_condition(cpu, (insn >> 18) & 7) == ((insn >> 16) & 1);
        break;
    case 0x12: move = cpu->gpr[rt] == 0; break;
    default: move = cpu->gpr[rt] != 0; break;
    }
    if (move)
        write_fmt(cpu, fmt, fd, read_fmt(cpu, fmt, fs));
    return 0;
}

/* C.cond.fmt: cc in bits 10:8; bits 7:6 must be zero. */
static int compare(struct cpu *cpu, uint32_t insn, unsigned fmt)
{
    unsigned ft = (insn >> 16) & 0x1f, fs = (insn >> 11) & 0x1f;
    struct fpu_env env = env_of(cpu);
    bool result;

    if (insn & 0xc0)
        return reserved(cpu);
    uint64_t a = read_fmt(cpu, fmt, fs), b = read_fmt(cpu, fmt, ft);
    if (fmt == FMT_D)
        result = fpu_d_compare(&env, insn & 0xf, a, b);
    else
        result = fpu_s_compare(&env, insn & 0xf, (uint32_t)a, (uint32_t)b);
    if (!commit_cause(cpu, env.cause))
        return 1;
    set_condition(cpu, (insn >> 8) & 7, result);
    return 0;
}

/* MIPS IV has the L format only with FR=1; MIPS64 R2 allows it with FR=0 too. */
static bool long_unavailable(const struct cpu *cpu, unsigned fmt)
{
    return fmt == FMT_L && !cpu->is_r2 && !fr_set(cpu);
}

/* Ends a computing instruction: Cause, then the trap or the write to fd. */
static int finish(struct cpu *cpu, const struct fpu_env *env, unsigned fmt, unsigned fd,
                  uint64_t result)
{
    if (!commit_cause(cpu, env->cause))
        return 1;
    write_fmt(cpu, fmt, fd, result);
    return 0;
}

/* CVT.S.fmt (funct 0x20) and CVT.D.fmt (0x21) from any format. */
static int convert_format(struct cpu *cpu, uint32_t insn, unsigned from)
{
    unsigned fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f;
    unsigned to = (insn & 0x3f) == 0x20 ? FMT_S : FMT_D;
    struct fpu_env env = env_of(cpu);

    if (to == from)
        return unimplemented(cpu);
    if (long_unavailable(cpu, from))
        return reserved(cpu);
    if (bad_pairs(cpu, (is_wide(from) ? fs : 0) | (to == FMT_D ? fd : 0)))
        return reserved(cpu);
    uint64_t result = convert(&env, from, to, read_fmt(cpu, from, fs));
    return finish(cpu, &env, to, fd, result);
}

/*
 * ROUND/TRUNC/CEIL/FLOOR.L and .W (funct 0x08-0x0f: bit 2 selects W, the low
 * two bits RN/RZ/RP/RM) and CVT.W/CVT.L (0x24/0x25, under FCSR.RM).
 */
static int float_to_fixed(struct cpu *cpu, uint32_t insn, unsigned fmt)
{
    unsigned fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f, funct = insn & 0x3f;
    struct fpu_env env = env_of(cpu);
    bool cvt = funct >= 0x24;
    unsigned to = (cvt ? funct == 0x24 : (funct & 4) != 0) ? FMT_W : FMT_L;
    enum fpu_rounding rm = cvt ? env.rm : (enum fpu_rounding)(funct & 3);

    if (long_unavailable(cpu, to))
        return reserved(cpu);
    if (bad_pairs(cpu, (fmt == FMT_D ? fs : 0) | (to == FMT_L ? fd : 0)))
        return reserved(cpu);
    uint64_t result = to_int(&env, fmt, read_fmt(cpu, fmt, fs), rm, to == FMT_W ? 32 : 64);
    return finish(cpu, &env, to, fd, result);
}

/* ABS/MOV/NEG touch only the sign and leave FCSR alone, as in QEMU. */
static int sign_operation(struct cpu *cpu, uint32_t insn, unsigned fmt)
{
    unsigned fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f, funct = insn & 0x3f;
    uint64_t value = read_fmt(cpu, fmt, fs);

    if (bad_pairs(cpu, fmt == FMT_D ? fs | fd : 0))
        return reserved(cpu);
    if (funct == 0x05)
        value &= ~sign_fmt(fmt);
    else if (funct == 0x07)
        value ^= sign_fmt(fmt);
    write_fmt(cpu, fmt, fd, value);
    return 0;
}

/* Instructions whose source format is S or D. */
static int execute_float(struct cpu *cpu, uint32_t insn, unsigned fmt)
{
    unsigned ft = (insn >> 16) & 0x1f, fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f;
    unsigned funct = insn & 0x3f;
    struct fpu_env env = env_of(cpu);
    uint64_t a = read_fmt(cpu, fmt, fs), result;

    if (funct >= 0x30)
        return bad_pairs(cpu, fmt == FMT_D ? fs | ft : 0) ? reserved(cpu) : compare(cpu, insn, fmt);
    if ((funct >= 0x08 && funct <= 0x0f) || funct == 0x24 || funct == 0x25)
        return float_to_fixed(cpu, insn, fmt);
    switch (funct) {
    case 0x00:
    case 0x01:
    case 0x02:
    case 0x03: result = binop(&env, fmt, (enum fpu_binop)funct, a, read_fmt(cpu, fmt, ft)); break;
    case 0x04: result = sqrt_fmt(&env, fmt, a); break;
    case 0x05:
    case 0x06:
    case 0x07: return sign_operation(cpu, insn, fmt);
    case 0x11:
    case 0x12:
    case 0x13:
        if (bad_pairs(cpu, fmt == FMT_D ? fs | fd : 0))
            return reserved(cpu);
        return conditional_move(cpu, insn, fmt);
    case 0x15: /* RECIP: 1/x, one rounding, as QEMU computes it */
    case 0x16: /* RSQRT: 1/sqrt(x), two roundings, as QEMU computes it */
        if (!mips4_enabled(cpu))
            return reserved(cpu);
        if (funct == 0x16)
            a = sqrt_fmt(&env, fmt, a);
        result = binop(&env, fmt, FPU_DIV, one_fmt(fmt), a);
        break;
    case 0x20:
    case 0x21: return convert_format(cpu, insn, fmt);
    default: return unimplemented(cpu);
    }
    if (bad_pairs(cpu, fmt == FMT_D ? fs | ft | fd : 0))
        return reserved(cpu);
    return finish(cpu, &env, fmt, fd, result);
}

/* Sources in W or L format: only CVT.S and CVT.D exist. */
static int execute_fixed(struct cpu *cpu, uint32_t insn, unsigned fmt)
{
    unsigned funct = insn & 0x3f;
    if (funct != 0x20 && funct != 0x21)
        return unimplemented(cpu);
    return convert_format(cpu, insn, fmt);
}

/* CFC1: FIR, FCSR, and on MIPS64 R2 the FCCR/FEXR/FENR views of FCSR. */
static uint32_t read_control(const struct cpu *cpu, unsigned reg)
{
    uint32_t fcsr = cpu->fcsr;
    if (reg == 0)
        return cpu->fir;
    if (reg == 31)
        return fcsr;
    if (!cpu->is_r2)
        return 0; /* the R10000 has only FCR0 and FCR31 */
    switch (reg) {
    case 25: return ((fcsr >> 24) & 0xfe) | ((fcsr >> 23) & 1);
    case 26: return fcsr & 0x0003f07c;
    case 28: return (fcsr & 0x00000f83) | ((fcsr >> 22) & 4);
    case 1:
    case 5: return 0;     /* UFR/FRE are not implemented: QEMU reads 0 */
    default: return fcsr; /* QEMU returns FCSR for the other numbers */
    }
}

/*
 * CTC1. Writing Cause bits together with their Enable bits (or the always
 * enabled E bit) raises the FP exception after the write, as on hardware.
 * Returns 1 if it did.
 */
static int write_control(struct cpu *cpu, unsigned reg, uint32_t value)
{
    uint32_t fcsr = cpu->fcsr;

    if (reg == 31) {
        fcsr = (value & FCSR_WRITABLE) | (fcsr & ~FCSR_WRITABLE);
    } else if (!cpu->is_r2) {
        return 0;
    } else if (reg == 25) {
        if (value & 0xffffff00)
            return 0;
        fcsr = (fcsr & 0x017fffff) | ((value & 0xfe) << 24) | ((value & 1) << 23);
    } else if (reg == 26) {
        if (value & 0x007c0000)
            return 0;
        fcsr = (fcsr & 0xfffc0f83) | (value & 0x0003f07c);
    } else if (reg == 28) {
        if (value & 0x007c0000)
            return 0;
        fcsr = (fcsr & 0xfefff07c) | (value & 0x00000f83) | ((value & 4) << 22);
    } else {
        return 0; /* FIR and unknown registers ignore writes */
    }
    cpu->fcsr = fcsr;
    unsigned cause = (fcsr & FCSR_CAUSE_MASK) >> FCSR_CAUSE_SHIFT;
    unsigned enables = ((fcsr >> FCSR_ENABLE_SHIFT) & 0x1f) | FPX_UNIMPLEMENTED;
    if (cause & enables) {
        cpu_raise(cpu, EXC_FPE);
        return 1;
    }
    return 0;
}

/* BC1F/BC1T/BC1FL/BC1TL: cc in bits 20:18, nd (likely) bit 17, tf bit 16. */
static int branch(struct cpu *cpu, uint32_t insn)
{
    unsigned cc = (insn >> 18) & 7;
    bool taken = fpu_condition(cpu, cc) == ((insn >> 16) & 1);
    uint64_t target = cpu->pc + 4 + ((uint64_t)(int64_t)(int16_t)insn << 2);

    if (insn & (1u << 17))
        cpu_branch_likely(cpu, taken, target);
    else
        cpu_branch(cpu, taken, target);
    return 0;
}

static int move_to_from(struct cpu *cpu, uint32_t insn, unsigned op)
{
    unsigned rt = (insn >> 16) & 0x1f, fs = (insn >> 11) & 0x1f;
    uint64_t value = 0;
    bool to_gpr = true;

    switch (op) {
    case COP1_MF: value = (uint64_t)(int64_t)(int32_t)fpu_get_w(cpu, fs); break;
    case COP1_DMF: value = fpu_get_d(cpu, fs); break;
    case COP1_CF: value = (uint64_t)(int64_t)(int32_t)read_control(cpu, fs); break;
    case COP1_MFH: value = (uint64_t)(int64_t)(int32_t)(fpu_get_d(cpu, fs) >> 32); break;
    case COP1_MT:
        fpu_set_w(cpu, fs, (uint32_t)cpu->gpr[rt]);
        to_gpr = false;
        break;
    case COP1_DMT:
        fpu_set_d(cpu, fs, cpu->gpr[rt]);
        to_gpr = false;
        break;
    case COP1_CT: return write_control(cpu, fs, (uint32_t)cpu->gpr[rt]);
    default: /* COP1_MTH */
        fpu_set_d(cpu, fs, (fpu_get_d(cpu, fs) & 0xffffffffull) | (cpu->gpr[rt] << 32));
        to_gpr = false;
        break;
    }
    if (to_gpr && rt != 0)
        cpu->gpr[rt] = value;
    return 0;
}

int fpu_execute_cop1(struct cpu *cpu, uint32_t insn)
{
    unsigned rs = (insn >> 21) & 0x1f;

    if (!(cpu->cp0.status & ST_CU1)) {
        cpu_raise_cop_unusable(cpu, 1);
        return 1;
    }
    switch (rs) {
    case COP1_MF:
    case COP1_DMF:
    case COP1_CF:
    case COP1_MT:
    case COP1_DMT:
    case COP1_CT: return move_to_from(cpu, insn, rs); /* bits 10:0 ignored, as QEMU does */
    case COP1_MFH:
    case COP1_MTH:
        if (!cpu->is_r2)
            return reserved(cpu); /* MFHC1/MTHC1 are Release 2 */
        return move_to_from(cpu, insn, rs);
    case COP1_BC: return branch(cpu, insn);
    case FMT_S:
    case FMT_D: return execute_float(cpu, insn, rs);
    case FMT_W:
    case FMT_L: return execute_fixed(cpu, insn, rs);
    default: return reserved(cpu); /* PS and MIPS-3D are not modelled */
    }
}

/* LWXC1/LDXC1/LUXC1 and SWXC1/SDXC1/SUXC1: base (rs) + index (rt). */
static int indexed_access(struct cpu *cpu, uint32_t insn, unsigned funct)
{
    uint64_t vaddr = cpu->gpr[(insn >> 21) & 0x1f] + cpu->gpr[(insn >> 16) & 0x1f];
    unsigned fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f;
    uint64_t value;

    if ((funct & 7) == 5) {
        /* LUXC1/SUXC1 (MIPS V, MIPS64 R2): ignore the low three address bits. */
        if (!cpu->is_r2)
            return reserved(cpu);
        vaddr &= ~7ull;
    }
    unsigned size = (funct & 7) == 0 ? 4 : 8;
    if (funct < 8) {
        if (size == 8 && bad_pairs(cpu, fd))
            return reserved(cpu);
        if (cpu_load(cpu, vaddr, size, &value))
            return 1;
        write_fmt(cpu, size == 4 ? FMT_W : FMT_L, fd, value);
        return 0;
    }
    if (size == 8 && bad_pairs(cpu, fs))
        return reserved(cpu);
    return cpu_store(cpu, vaddr, size, read_fmt(cpu, size == 4 ? FMT_W : FMT_L, fs));
}

/* MADD/MSUB/NMADD/NMSUB.fmt: fd = +-(fs * ft +- fr), fr in bits 25:21. */
static int multiply_add(struct cpu *cpu, uint32_t insn)
{
    unsigned fr = (insn >> 21) & 0x1f, ft = (insn >> 16) & 0x1f;
    unsigned fs = (insn >> 11) & 0x1f, fd = (insn >> 6) & 0x1f;
    unsigned fmt = (insn & 7) == 0 ? FMT_S : FMT_D, op = (insn >> 3) & 7;
    struct fpu_env env = env_of(cpu);

    if ((insn & 7) > 1)
        return (insn & 7) == 6 ? reserved(cpu) : unimplemented(cpu); /* PS or undefined */
    if (fmt == FMT_D && bad_pairs(cpu, fr | ft | fs | fd))
        return reserved(cpu);
    /*
     * Not fused: QEMU 7.2 rounds the product, then the sum (checked against
     * qemu-mips64 -cpu MIPS64R2-generic; the R10000 also rounds twice).
     */
    uint64_t product = binop(&env, fmt, FPU_MUL, read_fmt(cpu, fmt, fs), read_fmt(cpu, fmt, ft));
    uint64_t result =
        binop(&env, fmt, (op & 1) ? FPU_SUB : FPU_ADD, product, read_fmt(cpu, fmt, fr));
    if (op & 2)
        result ^= sign_fmt(fmt); /* negation flips the sign of NaNs too */
    return finish(cpu, &env, fmt, fd, result);
}

int fpu_execute_cop1x(struct cpu *cpu, uint32_t insn)
{
    unsigned funct = insn & 0x3f;

    if (!(cpu->cp0.status & ST_CU1)) {
        cpu_raise_cop_unusable(cpu, 1);
        return 1;
    }
    if (!mips4_enabled(cpu))
        return reserved(cpu);
    switch (funct) {
    case 0x00:
    case 0x01:
    case 0x05:
    case 0x08:
    case 0x09:
    case 0x0d: return indexed_access(cpu, insn, funct);
    case 0x0f: return 0; /* PREFX: a hint */
    default:
        if (funct >= 0x20 && (funct >> 3) >= 4)
            return multiply_add(cpu, insn);
        return reserved(cpu);
    }
}
