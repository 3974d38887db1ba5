/*
 * test_privops.c - unit tests of monitor/vcpu.c and monitor/privops.c: reset
 * values of both models, MTC0/MFC0 writable masks and side effects on the
 * virtual CP0, TLBP/TLBR/TLBWI/TLBWR round trips on the virtual TLB with page
 * masks and ASIDs, ERET with ERL/EXL, the guest's privilege check, DI/EI,
 * WAIT, the virtual timer, delay slots and Reserved Instruction decoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cpu_internal.h"
#include "disco_err.h"
#include "privops.h"
#include "vcpu.h"

#define INSN_MFC0(rt, rd, sel)  (0x40000000u | (rt) << 16 | (rd) << 11 | (sel))
#define INSN_DMFC0(rt, rd, sel) (0x40200000u | (rt) << 16 | (rd) << 11 | (sel))
#define INSN_MTC0(rt, rd, sel)  (0x40800000u | (rt) << 16 | (rd) << 11 | (sel))
#define INSN_DMTC0(rt, rd, sel) (0x40a00000u | (rt) << 16 | (rd) << 11 | (sel))
#define INSN_TLBR               0x42000001u
#define INSN_TLBWI              0x42000002u
#define INSN_TLBWR              0x42000006u
#define INSN_TLBP               0x42000008u
#define INSN_ERET               0x42000018u
#define INSN_WAIT               0x42000020u
#define INSN_DI(rt)             (0x41606000u | (rt) << 16)
#define INSN_EI(rt)             (0x41606020u | (rt) << 16)
#define INSN_CACHE              0xbc850000u
#define PC0                     0xffffffff80001000ull

static struct vcpu vcpu_of(enum cpu_model model)
{
    struct vcpu v;
    assert_int_equal(vcpu_init(&v, model, true, 3), 0);
    vcpu_set_pc(&v, PC0);
    return v;
}

/* Runs insn; asserts the action. */
static struct privop_result run(struct vcpu *v, uint32_t insn, enum privop_action action)
{
    struct privop_result r;
    privop_execute(v, insn, &r);
    assert_int_equal(r.action, action);
    return r;
}

/* DMTC0 of value through GPR 8, as the guest would do it. */
static struct privop_result dmtc0(struct vcpu *v, unsigned rd, unsigned sel, uint64_t value)
{
    vcpu_set_gpr(v, 8, value);
    return run(v, INSN_DMTC0(8, rd, sel), PRIVOP_NEXT);
}

static uint64_t dmfc0(struct vcpu *v, unsigned rd, unsigned sel)
{
    run(v, INSN_DMFC0(9, rd, sel), PRIVOP_NEXT);
    return vcpu_get_gpr(v, 9);
}

static void test_reset_values(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_R10000);
    assert_int_equal(dmfc0(&v, CP0_PRID, 0), 0x926);
    assert_int_equal(dmfc0(&v, CP0_STATUS, 0), ST_BEV | ST_ERL);
    assert_int_equal(dmfc0(&v, CP0_RANDOM, 0), 63);
    assert_int_equal(dmfc0(&v, CP0_CONFIG, 1), 0); /* no Config1 on the R10000 */
    assert_int_equal(vcpu_mode(&v), MODE_KERNEL);
    vcpu_fini(&v);

    v = vcpu_of(CPU_MODEL_MIPS64R2);
    assert_int_equal(dmfc0(&v, CP0_PRID, 0), 0x18900);
    assert_int_equal(dmfc0(&v, CP0_PRID, 1), 0xffffffff80000003ull); /* EBase, CPUNum = id */
    assert_int_equal(dmfc0(&v, CP0_CONFIG, 3), 1u << 13);
    vcpu_fini(&v);
    assert_int_equal(vcpu_init(&v, (enum cpu_model)7, true, 0), DISCO_EINVAL);
}

static void test_mtc0_masks(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_R10000);
    /* Status: RE, TS, bit 27 (RP, R2 only) and bits 23-24 are not writable; MFC0 sign-extends. */
    vcpu_set_gpr(&v, 8, 0xffffffffull);
    struct privop_result r = run(&v, INSN_MTC0(8, CP0_STATUS, 0), PRIVOP_NEXT);
    assert_true(r.effects & PRIVOP_STATUS);
    run(&v, INSN_MFC0(9, CP0_STATUS, 0), PRIVOP_NEXT);
    assert_int_equal(vcpu_get_gpr(&v, 9), 0xffffffffb45fffffull);
    dmtc0(&v, CP0_STATUS, 0, 0);
    assert_int_equal(dmfc0(&v, CP0_WIRED, 0), 0);
    dmtc0(&v, CP0_WIRED, 0, 0xff);
    assert_int_equal(dmfc0(&v, CP0_WIRED, 0), 0x3f);
    dmtc0(&v, CP0_INDEX, 0, ~0ull);
    assert_int_equal(dmfc0(&v, CP0_INDEX, 0), 0x3f);
    dmtc0(&v, CP0_PAGEMASK, 0, 0xe000);
    assert_int_equal(dmfc0(&v, CP0_PAGEMASK, 0), 0x6000); /* the legal 16 KB mask it starts with */
    dmtc0(&v, CP0_PAGEMASK, 0, 0x1ffe000);
    assert_int_equal(dmfc0(&v, CP0_PAGEMASK, 0), 0x1ffe000);
    /* EntryHi: R, VPN2 below SEGBITS = 44, ASID. */
    r = dmtc0(&v, CP0_ENTRYHI, 0, ~0ull);
    assert_true(r.effects & PRIVOP_ASID);
    assert_int_equal(dmfc0(&v, CP0_ENTRYHI, 0), 0xc0000fffffffe0ffull);
    r = dmtc0(&v, CP0_ENTRYHI, 0, 0x40ff);
    assert_false(r.effects & PRIVOP_ASID);
    /* Cause: only the software interrupt bits IP1:0. */
    dmtc0(&v, CP0_CAUSE, 0, ~0ull);
    assert_int_equal(dmfc0(&v, CP0_CAUSE, 0), 0x300);
    /* EntryLo: PFN of PABITS - 12 = 28 bits, C, D, V, G. */
    dmtc0(&v, CP0_ENTRYLO0, 0, ~0ull);
    assert_int_equal(dmfc0(&v, CP0_ENTRYLO0, 0), (1ull << 34) - 1);
    /* Read-only registers. */
    dmtc0(&v, CP0_PRID, 0, 0);
    assert_int_equal(dmfc0(&v, CP0_PRID, 0), 0x926);
    vcpu_fini(&v);

    v = vcpu_of(CPU_MODEL_MIPS64R2);
    dmtc0(&v, CP0_STATUS, 0, 0xffffffffull);
    assert_int_equal(dmfc0(&v, CP0_STATUS, 0), 0xffffffffbc5fffffull); /* RP too */
    dmtc0(&v, CP0_PRID, 1, 0xffffffffull);                             /* EBase */
    assert_int_equal(dmfc0(&v, CP0_PRID, 1), 0xffffffffbffff003ull);
    dmtc0(&v, CP0_CONTEXT, 2, 0x1234567890ull); /* UserLocal, 64 bits */
    assert_int_equal(dmfc0(&v, CP0_CONTEXT, 2), 0x1234567890ull);
    dmtc0(&v, CP0_HWRENA, 0, ~0ull);
    assert_int_equal(dmfc0(&v, CP0_HWRENA, 0), 0x2000000f);
    vcpu_fini(&v);
}

static void write_pair(struct vcpu *v, uint64_t pagemask, uint64_t entryhi, uint64_t lo0,
                       uint64_t lo1)
{
    dmtc0(v, CP0_PAGEMASK, 0, pagemask);
    dmtc0(v, CP0_ENTRYHI, 0, entryhi);
    dmtc0(v, CP0_ENTRYLO0, 0, lo0);
    dmtc0(v, CP0_ENTRYLO1, 0, lo1);
}

static void test_tlb_round_trip(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_R10000);
    /* 16 KB pages: PFN bit 0..1 inside the page are dropped (0x105 -> 0x104). */
    write_pair(&v, 0x6000, 0x12344000 | 5, 0x100 << 6 | 0x1e, 0x105 << 6 | 0x1e);
    dmtc0(&v, CP0_INDEX, 0, 7);
    struct privop_result r = run(&v, INSN_TLBWI, PRIVOP_NEXT);
    assert_true(r.effects & PRIVOP_TLB_WRITTEN);
    assert_int_equal(r.tlb_index, 7);
    assert_int_equal(r.tlb_entry.vpn2, 0x12340000);
    assert_int_equal(r.tlb_entry.asid, 5);
    assert_int_equal(r.tlb_entry.mask, 0x6000);
    assert_false(r.tlb_entry.global);
    assert_int_equal(r.tlb_entry.lo[1], 0x104 << 6 | 0x1e);
    assert_int_equal(vcpu_tlb_entry(&v, 7)->vpn2, 0x12340000);
    assert_null(vcpu_tlb_entry(&v, 64));

    write_pair(&v, 0, 0, 0, 0);
    dmtc0(&v, CP0_INDEX, 0, 7);
    r = run(&v, INSN_TLBR, PRIVOP_NEXT);
    assert_true(r.effects & PRIVOP_ASID);
    assert_int_equal(dmfc0(&v, CP0_ENTRYHI, 0), 0x12340005);
    assert_int_equal(dmfc0(&v, CP0_PAGEMASK, 0), 0x6000);
    assert_int_equal(dmfc0(&v, CP0_ENTRYLO0, 0), 0x100 << 6 | 0x1e);
    assert_int_equal(dmfc0(&v, CP0_ENTRYLO1, 0), 0x104 << 6 | 0x1e);

    /* TLBP: the odd page of the pair under ASID 5 hits; ASID 6 misses (P set). */
    dmtc0(&v, CP0_ENTRYHI, 0, 0x12342000 | 5);
    run(&v, INSN_TLBP, PRIVOP_NEXT);
    assert_int_equal(dmfc0(&v, CP0_INDEX, 0), 7);
    dmtc0(&v, CP0_ENTRYHI, 0, 0x12342000 | 6);
    run(&v, INSN_TLBP, PRIVOP_NEXT);
    assert_int_equal(dmfc0(&v, CP0_INDEX, 0), 0xffffffff80000000ull);

    /* A global entry (G in both halves) matches every ASID. */
    write_pair(&v, 0, 0x500000 | 9, 0x200 << 6 | 0x17, 0x201 << 6 | 0x17);
    dmtc0(&v, CP0_INDEX, 0, 12);
    r = run(&v, INSN_TLBWI, PRIVOP_NEXT);
    assert_true(r.tlb_entry.global);
    dmtc0(&v, CP0_ENTRYHI, 0, 0x500000 | 200);
    run(&v, INSN_TLBP, PRIVOP_NEXT);
    assert_int_equal(dmfc0(&v, CP0_INDEX, 0), 12);
    vcpu_fini(&v);
}

static void test_tlbwr_respects_wired(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_MIPS64R2);
    dmtc0(&v, CP0_WIRED, 0, 4);
    write_pair(&v, 0, 0x700000, 0x1e, 0x1e);
    unsigned seen_low = 64, first = 0;
    for (unsigned i = 0; i < 70; i++) {
        struct privop_result r = run(&v, INSN_TLBWR, PRIVOP_NEXT);
        assert_true(r.effects & PRIVOP_TLB_WRITTEN);
        if (i == 0)
            first = r.tlb_index;
        if (r.tlb_index < seen_low)
            seen_low = r.tlb_index;
        assert_int_equal(vcpu_tlb_entry(&v, r.tlb_index)->vpn2, 0x700000);
    }
    assert_int_equal(first, 63);
    assert_int_equal(seen_low, 4); /* wraps from Wired back to 63, never below */
    assert_int_equal(dmfc0(&v, CP0_RANDOM, 0), 63 - (70 - 60));
    vcpu_fini(&v);
}

static void test_eret(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_R10000);
    /* ERL set (reset): ERET goes to ErrorEPC and clears ERL only. */
    dmtc0(&v, CP0_ERROREPC, 0, 0xffffffff80002000ull);
    dmtc0(&v, CP0_EPC, 0, 0xffffffff80003000ull);
    dmtc0(&v, CP0_STATUS, 0, ST_ERL | ST_EXL | (2u << ST_KSU_SHIFT));
    struct privop_result r = run(&v, INSN_ERET, PRIVOP_JUMP);
    assert_int_equal(r.pc, 0xffffffff80002000ull);
    assert_int_equal(r.mode, MODE_KERNEL); /* EXL still set */
    assert_int_equal(dmfc0(&v, CP0_STATUS, 0), ST_EXL | (2u << ST_KSU_SHIFT));
    /* Then EXL: to EPC, in user mode. */
    r = run(&v, INSN_ERET, PRIVOP_JUMP);
    assert_int_equal(r.pc, 0xffffffff80003000ull);
    assert_int_equal(r.mode, MODE_USER);
    assert_int_equal(vcpu_get_pc(&v), 0xffffffff80003000ull);
    /* Now in user mode: CP0 is unusable (CpU, CE 0) and nothing changes... */
    r = run(&v, INSN_MFC0(9, CP0_STATUS, 0), PRIVOP_EXCEPTION);
    assert_int_equal(r.exc_code, EXC_CPU);
    assert_int_equal(r.cop, 0);
    assert_int_equal(vcpu_get_pc(&v), 0xffffffff80003000ull);
    run(&v, INSN_CACHE, PRIVOP_EXCEPTION);
    /* ...unless Status.CU0 is set. */
    v.state->cp0.status |= ST_CU0;
    run(&v, INSN_MFC0(9, CP0_STATUS, 0), PRIVOP_NEXT);
    assert_int_equal(vcpu_get_gpr(&v, 9), ST_CU0 | (2u << ST_KSU_SHIFT));
    run(&v, INSN_CACHE, PRIVOP_NEXT);
    assert_int_equal(vcpu_get_pc(&v), 0xffffffff80003008ull);
    vcpu_fini(&v);
}

static void test_reserved_and_di_ei(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_R10000);
    struct privop_result r = run(&v, 0x42000003u, PRIVOP_EXCEPTION); /* CO funct 3 */
    assert_int_equal(r.exc_code, EXC_RI);
    run(&v, 0x40400000u, PRIVOP_EXCEPTION); /* rs = 2 (CFC0) */
    run(&v, INSN_DI(4), PRIVOP_EXCEPTION);  /* no DI on MIPS IV */
    run(&v, 0x41c63800u, PRIVOP_EXCEPTION); /* nor WRPGPR */
    run(&v, 0x00000000u, PRIVOP_EXCEPTION); /* not a privileged instruction at all */
    assert_int_equal(vcpu_get_pc(&v), PC0); /* exceptions leave the PC for guest_exc */
    vcpu_fini(&v);

    v = vcpu_of(CPU_MODEL_MIPS64R2);
    dmtc0(&v, CP0_STATUS, 0, ST_IE | 0xff00);
    r = run(&v, INSN_DI(4), PRIVOP_NEXT);
    assert_true(r.effects & PRIVOP_STATUS);
    assert_int_equal(vcpu_get_gpr(&v, 4), ST_IE | 0xff00);
    assert_int_equal(dmfc0(&v, CP0_STATUS, 0), 0xff00);
    run(&v, INSN_EI(5), PRIVOP_NEXT);
    assert_int_equal(vcpu_get_gpr(&v, 5), 0xff00);
    assert_int_equal(dmfc0(&v, CP0_STATUS, 0), ST_IE | 0xff00);
    vcpu_set_gpr(&v, 6, 0xabc);
    run(&v, 0x41c63800u, PRIVOP_NEXT); /* WRPGPR $7, $6 */
    assert_int_equal(vcpu_get_gpr(&v, 7), 0xabc);
    run(&v, (INSN_DI(4) & ~0xf800u) | CP0_CAUSE << 11, PRIVOP_EXCEPTION); /* rd must be Status */
    vcpu_fini(&v);
}

static void test_timer_and_wait(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_MIPS64R2);
    dmtc0(&v, CP0_STATUS, 0, 0x8000); /* IM7 only, IE off */
    vcpu_set_cycles(&v, 1000);
    assert_int_equal(dmfc0(&v, CP0_COUNT, 0), 500); /* Count = cycles / 2 */
    struct privop_result r = dmtc0(&v, CP0_COMPARE, 0, 600);
    assert_true(r.effects & PRIVOP_TIMER);
    assert_int_equal(vcpu_timer_cycle(&v), 1200);
    /* Nothing pending yet: WAIT idles and the PC moves past it. */
    uint64_t pc = vcpu_get_pc(&v);
    run(&v, INSN_WAIT, PRIVOP_IDLE);
    assert_true(v.idle);
    assert_int_equal(vcpu_get_pc(&v), pc + 4);
    vcpu_set_cycles(&v, 1200);
    assert_int_equal(dmfc0(&v, CP0_CAUSE, 0) & (CAUSE_TI | 0x8000), CAUSE_TI | 0x8000);
    run(&v, INSN_WAIT, PRIVOP_NEXT); /* the timer (IP7) is pending and unmasked */
    /* Writing Compare acknowledges it. */
    dmtc0(&v, CP0_COMPARE, 0, 5000);
    assert_int_equal(dmfc0(&v, CP0_CAUSE, 0) & (CAUSE_TI | 0x8000), 0);
    /* Count writes re-base the virtual counter on the vCPU's cycles. */
    r = dmtc0(&v, CP0_COUNT, 0, 4000);
    assert_true(r.effects & PRIVOP_TIMER);
    vcpu_set_cycles(&v, 1400);
    assert_int_equal(dmfc0(&v, CP0_COUNT, 0), 4100);
    assert_int_equal(vcpu_timer_cycle(&v), 1200 + 2 * 1000);
    vcpu_fini(&v);
}

static void test_delay_slot_resumes_at_target(void **state)
{
    (void)state;
    struct vcpu v = vcpu_of(CPU_MODEL_R10000);
    v.state->delay_slot = true;
    v.state->branch_target = 0xffffffff80008000ull;
    run(&v, INSN_MFC0(9, CP0_STATUS, 0), PRIVOP_NEXT);
    assert_int_equal(vcpu_get_pc(&v), 0xffffffff80008000ull);
    assert_false(vcpu_in_delay_slot(&v));
    vcpu_fini(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_values),   cmocka_unit_test(test_mtc0_masks),
        cmocka_unit_test(test_tlb_round_trip), cmocka_unit_test(test_tlbwr_respects_wired),
        cmocka_unit_test(test_eret),           cmocka_unit_test(test_reserved_and_di_ei),
        cmocka_unit_test(test_timer_and_wait), cmocka_unit_test(test_delay_slot_resumes_at_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
