/*
 * test_fpu.c - unit tests of the FPU (node/fpu.c, node/fpu_ieee.c), calling
 * fpu_execute_cop1/cop1x directly on a CPU from cpu_create(): the QEMU sweep
 * (every arithmetic/conversion/compare over tricky operands and all rounding
 * modes, hashed and compared with what QEMU 7.2 printed), FR=0 register
 * pairs, FCSR cause/flag/enable bits and the FP exception, the control
 * register aliases, CU1, branches, conditional moves, indexed loads/stores
 * and the r10000 model's differences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "cpu_internal.h"
#include "fpu.h"
#include "fpu_ieee.h"
#include "uspace.h"

#include "test_fpu_sweep.h"

#define FCSR_CAUSE(x) (((x) >> 12) & 0x3f)
#define FCSR_FLAGS(x) (((x) >> 2) & 0x1f)
#define CAUSE_I       0x01
#define CAUSE_Z       0x08
#define CAUSE_V       0x10
#define CAUSE_E       0x20

enum { FMT_S = 16, FMT_D = 17, FMT_W = 20, FMT_L = 21 };

static uint32_t cop1(unsigned fmt, unsigned ft, unsigned fs, unsigned fd, unsigned funct)
{
    return 0x11u << 26 | fmt << 21 | ft << 16 | fs << 11 | fd << 6 | funct;
}

static uint32_t cop1x(unsigned rs, unsigned rt, unsigned fs, unsigned fd, unsigned funct)
{
    return 0x13u << 26 | rs << 21 | rt << 16 | fs << 11 | fd << 6 | funct;
}

struct fixture {
    struct cpu *cpu;
    struct uspace *space;
};

/* A user-mode CPU as flash-run sets it up: CU1, FR=1, XX; exceptions to the host. */
static struct fixture make(enum cpu_model model)
{
    struct cpu_config config = {.model = model, .big_endian = true, .exceptions_to_host = true};
    struct fixture f = {cpu_create(&config), uspace_create()};
    cpu_attach_uspace(f.cpu, f.space);
    f.cpu->pc = 0x10000;
    return f;
}

static void destroy(struct fixture *f)
{
    cpu_destroy(f->cpu);
    uspace_destroy(f->space);
}

/* Runs one instruction; returns the ExcCode raised, or -1. */
static int run(struct cpu *cpu, uint32_t insn)
{
    cpu->exception_raised = false;
    cpu->delay_slot = false;
    cpu->skip_slot = false;
    int rc = (insn >> 26) == 0x13 ? fpu_execute_cop1x(cpu, insn) : fpu_execute_cop1(cpu, insn);
    if (!cpu->exception_raised) {
        assert_int_equal(rc, 0);
        return -1;
    }
    assert_int_equal(rc, 1);
    return (int)cpu_last_exception(cpu)->code;
}

struct sweep_context {
    const struct sweep_case *sc;
    struct fixture f;
};

static void sweep_execute(void *ctx, uint64_t a, uint64_t b, uint64_t c, uint32_t fcsr_in,
                          uint64_t *out, uint32_t *fcsr_out)
{
    const struct sweep_case *sc = ((struct sweep_context *)ctx)->sc;
    struct fixture f = ((struct sweep_context *)ctx)->f;
    f.cpu->fpr[0] = 0x5555555555555555ull;
    f.cpu->fpr[2] = a;
    f.cpu->fpr[4] = b;
    f.cpu->fpr[6] = c;
    f.cpu->fcsr = fcsr_in;
    assert_int_equal(run(f.cpu, sc->insn), -1);
    *out = f.cpu->fpr[0];
    *fcsr_out = f.cpu->fcsr;
}

/*
 * Every case of the sweep gives the hash QEMU printed for it, on both models
 * (all swept instructions are MIPS IV; QEMU's 5Kf and MIPS64R2-generic share
 * the FPU configuration).
 */
static void test_sweep_matches_qemu(void **state)
{
    (void)state;
    unsigned bad = 0;
    for (int model = CPU_MODEL_R10000; model <= CPU_MODEL_MIPS64R2; model++) {
        struct sweep_context ctx = {.f = make((enum cpu_model)model)};
        for (size_t i = 0; i < SWEEP_COUNT(sweep_cases); i++) {
            const struct sweep_case *sc = &sweep_cases[i];
            ctx.sc = sc;
            if (sweep_op(sweep_execute, &ctx, sc->kind, sc->fmt) != sc->qemu_hash) {
                fprintf(stderr, "sweep mismatch (model %d): %s\n", model, sc->name);
                bad++;
            }
        }
        destroy(&ctx.f);
    }
    assert_int_equal(bad, 0);
}

/* xorshift64*, for reproducible random operands. */
static uint64_t random_next(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * 0x2545f4914f6cdd1dull;
}

/*
 * A double with a random sign, an exponent either anywhere or near 1.0, and
 * a mantissa with a random number of trailing zeros (so exact sums,
 * products and quotients happen often). Singles are taken from its top bits.
 */
static uint64_t random_double(uint64_t *state)
{
    uint64_t r = random_next(state);
    uint64_t exponent = (r & 1) ? (r >> 1) % 2047 : 1023 - 60 + (r >> 1) % 120;
    uint64_t mantissa = random_next(state) & ((1ull << 52) - 1);
    mantissa &= ~0ull << (random_next(state) % 53);
    return (r & 0x8000000000000000ull) | exponent << 52 | mantissa;
}

/* One operation through both paths; returns true when they agree. */
static bool both_paths_agree(unsigned op, uint64_t a, uint64_t b, bool flush)
{
    uint64_t out[2];
    unsigned cause[2];
    for (int fast = 0; fast < 2; fast++) {
        struct fpu_env env = {.rm = FPU_RN, .flush = flush, .cause = 0};
        uint32_t as = (uint32_t)(a >> 32), bs = (uint32_t)(b >> 32);
        fpu_ieee_set_fast_path(fast);
        switch (op) {
        case 0:
        case 1:
        case 2:
        case 3: out[fast] = fpu_d_binop(&env, (enum fpu_binop)op, a, b); break;
        case 4:
        case 5:
        case 6:
        case 7: out[fast] = fpu_s_binop(&env, (enum fpu_binop)(op - 4), as, bs); break;
        case 8: out[fast] = fpu_d_sqrt(&env, a & ~(1ull << 63)); break;
        case 9: out[fast] = fpu_s_sqrt(&env, as & ~(1u << 31)); break;
        case 10: out[fast] = fpu_d_to_s(&env, a); break;
        case 11: out[fast] = fpu_int_to_d(&env, (int64_t)(a >> (b % 64))); break;
        default: out[fast] = fpu_int_to_s(&env, (int64_t)(a >> (b % 64))); break;
        }
        cause[fast] = env.cause;
    }
    fpu_ieee_set_fast_path(true);
    if (out[0] == out[1] && cause[0] == cause[1])
        return true;
    fprintf(stderr, "op %u a %016llx b %016llx flush %d: slow %016llx/%02x fast %016llx/%02x\n", op,
            (unsigned long long)a, (unsigned long long)b, flush, (unsigned long long)out[0],
            cause[0], (unsigned long long)out[1], cause[1]);
    return false;
}

/*
 * The MXCSR-free fast path (round to nearest) gives the same results and
 * causes as the bracketed host path, which the sweep ties to QEMU.
 */
static void test_fast_path_matches_slow_path(void **state)
{
    (void)state;
    uint64_t seed = 0x2545f4914f6cdd1dull;
    unsigned bad = 0;
    for (unsigned i = 0; i < 60000 && bad < 10; i++) {
        uint64_t a = random_double(&seed), b = random_double(&seed);
        if (i % 4 == 1)
            b = a ^ (random_next(&seed) & 0xfff); /* close operands: cancellation */
        if (i % 4 == 2)
            b = (a & 0x8000ffffffffffffull) | ((0x7fe - ((a >> 52) & 0x7ff)) << 52); /* ~1/a */
        for (unsigned op = 0; op < 13; op++)
            bad += !both_paths_agree(op, a, b, i & 8);
    }
    assert_int_equal(bad, 0);
}

/* FR=0: odd singles are the upper halves of even pairs; doubles need even registers. */
static void test_fr0_pairs(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    cpu->cp0.status &= ~ST_FR;
    fpu_set_w(cpu, 2, 0x3ff00000u); /* would be the high half of 1.0 */
    fpu_set_w(cpu, 3, 0x40000000u);
    assert_int_equal(cpu->fpr[2], 0x400000003ff00000ull);
    assert_int_equal(fpu_get_d(cpu, 2), 0x400000003ff00000ull);
    assert_int_equal(fpu_get_w(cpu, 3), 0x40000000u);

    /* MTC1 $f5 then MFHC1 of the pair $f4: the same 32 bits. */
    cpu->gpr[8] = 0x12345678;
    assert_int_equal(run(cpu, cop1(0x04, 8, 5, 0, 0)), -1);
    assert_int_equal(run(cpu, cop1(0x03, 9, 4, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0x12345678);

    /* ADD.D $f0 = $f2 + $f2 works on the pair; an odd register is RI (as QEMU). */
    fpu_set_d(cpu, 2, 0x3ff0000000000000ull);
    assert_int_equal(run(cpu, cop1(FMT_D, 2, 2, 0, 0)), -1);
    assert_int_equal(fpu_get_d(cpu, 0), 0x4000000000000000ull);
    assert_int_equal(fpu_get_w(cpu, 1), 0x40000000u);
    assert_int_equal(run(cpu, cop1(FMT_D, 2, 3, 0, 0)), EXC_RI);

    /* ADD.S on $f1 (odd) is legal and leaves $f0 alone. */
    fpu_set_w(cpu, 1, 0x3f800000u);
    fpu_set_w(cpu, 0, 0xdeadbeefu);
    assert_int_equal(run(cpu, cop1(FMT_S, 1, 1, 1, 0)), -1);
    assert_int_equal(cpu->fpr[0], 0x40000000deadbeefull);
    destroy(&f);
}

/* FR=1: a single-precision write keeps the upper half (QEMU's choice). */
static void test_fr1_single_keeps_upper(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    f.cpu->fpr[3] = 0xaaaaaaaa00000000ull;
    f.cpu->fpr[1] = 0x3f800000u;
    assert_int_equal(run(f.cpu, cop1(FMT_S, 1, 1, 3, 0)), -1); /* add.s $f3,$f1,$f1 */
    assert_int_equal(f.cpu->fpr[3], 0xaaaaaaaa40000000ull);
    destroy(&f);
}

/* Cause is replaced by each arithmetic op; flags stick; ABS/MOV/NEG leave both. */
static void test_cause_and_flags(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    cpu->fpr[2] = 0x3ff0000000000000ull; /* 1.0 */
    cpu->fpr[4] = 0;
    assert_int_equal(run(cpu, cop1(FMT_D, 4, 2, 0, 3)), -1); /* div.d 1/0 */
    assert_int_equal(cpu->fpr[0], 0x7ff0000000000000ull);
    assert_int_equal(FCSR_CAUSE(cpu->fcsr), CAUSE_Z);
    assert_int_equal(FCSR_FLAGS(cpu->fcsr), CAUSE_Z);
    assert_int_equal(run(cpu, cop1(FMT_D, 2, 4, 6, 5)), -1); /* abs.d */
    assert_int_equal(FCSR_CAUSE(cpu->fcsr), CAUSE_Z);
    assert_int_equal(run(cpu, cop1(FMT_D, 2, 2, 0, 0)), -1); /* add.d 1+1: exact */
    assert_int_equal(FCSR_CAUSE(cpu->fcsr), 0);
    assert_int_equal(FCSR_FLAGS(cpu->fcsr), CAUSE_Z);
    /* 0/0: invalid, legacy default NaN. */
    assert_int_equal(run(cpu, cop1(FMT_D, 4, 4, 0, 3)), -1);
    assert_int_equal(cpu->fpr[0], 0x7ff7ffffffffffffull);
    assert_int_equal(FCSR_CAUSE(cpu->fcsr), CAUSE_V);
    assert_int_equal(FCSR_FLAGS(cpu->fcsr), CAUSE_Z | CAUSE_V);
    destroy(&f);
}

/* An enabled cause traps: EXC_FPE, no result written, flags not updated. */
static void test_fp_exception(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    cpu->fcsr = CAUSE_Z << 7; /* enable divide-by-zero */
    cpu->fpr[0] = 0x1111;
    cpu->fpr[2] = 0x3ff0000000000000ull;
    cpu->fpr[4] = 0;
    assert_int_equal(run(cpu, cop1(FMT_D, 4, 2, 0, 3)), EXC_FPE);
    assert_int_equal(cpu->fpr[0], 0x1111);
    assert_int_equal(FCSR_CAUSE(cpu->fcsr), CAUSE_Z);
    assert_int_equal(FCSR_FLAGS(cpu->fcsr), 0);
    /* A disabled cause (inexact) does not trap. */
    cpu->fpr[4] = 0x4008000000000000ull; /* 3.0 */
    assert_int_equal(run(cpu, cop1(FMT_D, 4, 2, 0, 3)), -1);
    assert_int_equal(cpu->fpr[0], 0x3fd5555555555555ull);
    assert_int_equal(FCSR_FLAGS(cpu->fcsr), CAUSE_I);
    /* C.cond traps on invalid when enabled, and leaves the condition alone. */
    cpu->fcsr = (CAUSE_V << 7) | (1u << 23);
    cpu->fpr[2] = 0x7ff0000000000001ull; /* a quiet NaN in the legacy encoding */
    assert_int_equal(run(cpu, cop1(FMT_D, 4, 2, 0, 0x32)), -1); /* c.eq.d: quiet */
    assert_false(fpu_condition(cpu, 0));
    cpu->fcsr |= 1u << 23;
    assert_int_equal(run(cpu, cop1(FMT_D, 4, 2, 0, 0x3a)), EXC_FPE); /* c.seq.d */
    assert_true(fpu_condition(cpu, 0));
    destroy(&f);
}

/* CTC1 $31 with a cause bit and its enable (or E, always enabled) traps after writing. */
static void test_ctc1_traps(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    cpu->gpr[8] = (CAUSE_V << 12) | (CAUSE_V << 7);
    assert_int_equal(run(cpu, cop1(0x06, 8, 31, 0, 0)), EXC_FPE);
    assert_int_equal(cpu->fcsr, (CAUSE_V << 12) | (CAUSE_V << 7));
    cpu->gpr[8] = CAUSE_E << 12;
    assert_int_equal(run(cpu, cop1(0x06, 8, 31, 0, 0)), EXC_FPE);
    cpu->gpr[8] = 0xffffffff & ~(0x3fu << 12);
    assert_int_equal(run(cpu, cop1(0x06, 8, 31, 0, 0)), -1);
    assert_int_equal(cpu->fcsr, 0xff800fffu); /* bits 18-22 stay zero */
    /* CFC1 sign-extends. */
    assert_int_equal(run(cpu, cop1(0x02, 9, 31, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0xffffffffff800fffull);
    destroy(&f);
}

/* FCCR (25), FEXR (26), FENR (28): the MIPS64 views of FCSR. */
static void test_control_aliases(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    cpu->gpr[8] = 0xa5; /* FCC7..0 = 1010 0101 */
    assert_int_equal(run(cpu, cop1(0x06, 8, 25, 0, 0)), -1);
    for (unsigned cc = 0; cc < 8; cc++)
        assert_int_equal(fpu_condition(cpu, cc), (0xa5 >> cc) & 1);
    cpu->gpr[8] = 0x3 | 0x4 | 0x80; /* FENR: RM=3, FS, enable inexact */
    assert_int_equal(run(cpu, cop1(0x06, 8, 28, 0, 0)), -1);
    assert_int_equal(cpu->fcsr & 0x01000f83u, 0x01000083u);
    cpu->gpr[8] = (CAUSE_Z << 12) | (CAUSE_I << 2); /* FEXR: cause Z (not enabled), flag I */
    assert_int_equal(run(cpu, cop1(0x06, 8, 26, 0, 0)), -1);
    assert_int_equal(run(cpu, cop1(0x02, 9, 26, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], (CAUSE_Z << 12) | (CAUSE_I << 2));
    assert_int_equal(run(cpu, cop1(0x02, 9, 28, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0x87);
    assert_int_equal(run(cpu, cop1(0x02, 9, 25, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0xa5);
    assert_int_equal(run(cpu, cop1(0x02, 9, 0, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0x00730000);
    destroy(&f);
}

/* Status.CU1 clear: Coprocessor Unusable for CP1, for COP1 and COP1X. */
static void test_cu1_unusable(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    f.cpu->cp0.status &= ~ST_CU1;
    assert_int_equal(run(f.cpu, cop1(FMT_D, 2, 2, 0, 0)), EXC_CPU);
    assert_int_equal(cpu_last_exception(f.cpu)->cop, 1);
    assert_int_equal(run(f.cpu, cop1x(4, 5, 0, 2, 0x01)), EXC_CPU);
    destroy(&f);
}

/* BC1T/BC1FL on cc 3, MOVT.D and MOVN.S. */
static void test_branches_and_moves(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    cpu->fcsr = 1u << 27; /* FCC3 */
    assert_int_equal(run(cpu, 0x11u << 26 | 8u << 21 | 3u << 18 | 1u << 16 | 0x10), -1);
    assert_true(cpu->delay_slot);
    assert_int_equal(cpu->branch_target, 0x10000 + 4 + 0x40);
    /* BC1F cc0 backwards: FCC0 is clear, so taken. */
    assert_int_equal(run(cpu, 0x11u << 26 | 8u << 21 | 0xfffc), -1);
    assert_true(cpu->delay_slot);
    assert_int_equal(cpu->branch_target, 0x10000 + 4 - 16);
    /* BC1FL cc3: not taken, the delay slot is skipped. */
    assert_int_equal(run(cpu, 0x11u << 26 | 8u << 21 | 3u << 18 | 2u << 16 | 0x10), -1);
    assert_true(cpu->skip_slot);
    assert_false(cpu->delay_slot);
    /* MOVT.D $f0, $f2, cc3 moves; MOVF does not. */
    cpu->fpr[0] = 1;
    cpu->fpr[2] = 2;
    assert_int_equal(run(cpu, cop1(FMT_D, 3u << 2 | 0, 2, 0, 0x11)), -1);
    assert_int_equal(cpu->fpr[0], 1);
    assert_int_equal(run(cpu, cop1(FMT_D, 3u << 2 | 1, 2, 0, 0x11)), -1);
    assert_int_equal(cpu->fpr[0], 2);
    /* MOVN.S moves the low word only when the GPR is non-zero. */
    cpu->fpr[4] = 0x1111111122222222ull;
    cpu->gpr[7] = 0;
    assert_int_equal(run(cpu, cop1(FMT_S, 7, 4, 0, 0x13)), -1);
    assert_int_equal(cpu->fpr[0], 2);
    cpu->gpr[7] = 5;
    assert_int_equal(run(cpu, cop1(FMT_S, 7, 4, 0, 0x13)), -1);
    assert_int_equal(cpu->fpr[0], 0x22222222);
    destroy(&f);
}

/* SDXC1/LDXC1/LWXC1/SWXC1 and LUXC1's ignored low bits, big-endian memory. */
static void test_indexed_access(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_MIPS64R2);
    struct cpu *cpu = f.cpu;
    assert_int_equal(uspace_map(f.space, 0x20000, 0x1000, USPACE_READ | USPACE_WRITE), 0);
    cpu->gpr[4] = 0x20000;
    cpu->gpr[5] = 0x18;
    cpu->fpr[2] = 0x0102030405060708ull;
    assert_int_equal(run(cpu, cop1x(4, 5, 2, 0, 0x09)), -1); /* sdxc1 $f2, $5($4) */
    uint8_t bytes[8];
    assert_int_equal(uspace_copy_in(f.space, bytes, 0x20018, 8), 0);
    assert_int_equal(bytes[0], 1);
    assert_int_equal(bytes[7], 8);
    assert_int_equal(run(cpu, cop1x(4, 5, 0, 6, 0x01)), -1); /* ldxc1 $f6 */
    assert_int_equal(cpu->fpr[6], 0x0102030405060708ull);
    cpu->gpr[5] = 0x1c;
    assert_int_equal(run(cpu, cop1x(4, 5, 0, 8, 0x00)), -1); /* lwxc1 $f8 = 0x05060708 */
    assert_int_equal(cpu->fpr[8] & 0xffffffffu, 0x05060708u);
    cpu->gpr[5] = 0x1d;
    assert_int_equal(run(cpu, cop1x(4, 5, 0, 10, 0x05)), -1); /* luxc1: address & ~7 */
    assert_int_equal(cpu->fpr[10], 0x0102030405060708ull);
    cpu->gpr[5] = 0x20;
    assert_int_equal(run(cpu, cop1x(4, 5, 8, 0, 0x08)), -1); /* swxc1 */
    assert_int_equal(uspace_copy_in(f.space, bytes, 0x20020, 4), 0);
    assert_int_equal(bytes[0], 5);
    /* PREFX is a no-op. */
    assert_int_equal(run(cpu, cop1x(4, 5, 0, 0, 0x0f)), -1);
    destroy(&f);
}

/* The r10000 (MIPS IV) model: no R2 moves/aliases/LUXC1, XX gates COP1X in user mode. */
static void test_r10000_model(void **state)
{
    (void)state;
    struct fixture f = make(CPU_MODEL_R10000);
    struct cpu *cpu = f.cpu;
    assert_int_equal(run(cpu, cop1(0x03, 9, 4, 0, 0)), EXC_RI);   /* mfhc1 */
    assert_int_equal(run(cpu, cop1x(4, 5, 0, 10, 0x05)), EXC_RI); /* luxc1 */
    cpu->fcsr = 0x3;
    assert_int_equal(run(cpu, cop1(0x02, 9, 25, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0);
    assert_int_equal(run(cpu, cop1(0x02, 9, 0, 0, 0)), -1);
    assert_int_equal(cpu->gpr[9], 0x900);
    /* CVT.S.S: Unimplemented Operation (cause E, always enabled). */
    assert_int_equal(run(cpu, cop1(FMT_S, 0, 2, 0, 0x20)), EXC_FPE);
    assert_int_equal(FCSR_CAUSE(cpu->fcsr), CAUSE_E);
    /* MADD.D runs with XX; without XX in user mode it is RI; in kernel mode it runs. */
    cpu->fpr[2] = cpu->fpr[4] = cpu->fpr[6] = 0x3ff0000000000000ull;
    assert_int_equal(run(cpu, cop1x(6, 4, 2, 0, 0x21)), -1);
    assert_int_equal(cpu->fpr[0], 0x4000000000000000ull);
    cpu->cp0.status &= ~ST_XX;
    assert_int_equal(run(cpu, cop1x(6, 4, 2, 0, 0x21)), EXC_RI);
    assert_int_equal(run(cpu, cop1(FMT_D, 0, 2, 0, 0x15)), EXC_RI); /* recip.d */
    cpu->cp0.status &= ~ST_KSU_MASK;
    assert_int_equal(run(cpu, cop1x(6, 4, 2, 0, 0x21)), -1);
    destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_matches_qemu),
        cmocka_unit_test(test_fast_path_matches_slow_path),
        cmocka_unit_test(test_fr0_pairs),
        cmocka_unit_test(test_fr1_single_keeps_upper),
        cmocka_unit_test(test_cause_and_flags),
        cmocka_unit_test(test_fp_exception),
        cmocka_unit_test(test_ctc1_traps),
        cmocka_unit_test(test_control_aliases),
        cmocka_unit_test(test_cu1_unusable),
        cmocka_unit_test(test_branches_and_moves),
        cmocka_unit_test(test_indexed_access),
        cmocka_unit_test(test_r10000_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
