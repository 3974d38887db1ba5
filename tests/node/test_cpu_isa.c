/*
 * test_cpu_isa.c - unit tests of the interpreter's user ISA (cpu_exec.c,
 * cpu_decode.c, cpu_mem.c) on hand-assembled programs in a user address
 * space: 32-bit results sign-extended, overflow traps, multiply/divide,
 * delay slots and branch-likely nullification, unaligned loads and stores in
 * both byte orders, LL/SC, Release 2 operations and their absence on the
 * r10000 model, faults, self-modifying code and stopping inside a branch.
 */
#include "cpu_test_util.h"

#define T0 8
#define T1 9
#define T2 10
#define T3 11
#define A0 4
#define V0 2
#define RA 31

static void test_alu_sign_extension(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_MIPS64R2, true);
    RUN_PROGRAM(&m, LUI(T0, 0x7fff), ORI(T0, T0, 0xffff), ADDIU(T1, T0, 1), /* 0x80000000 */
                DADDIU(T2, T0, 1), SLL(T3, T0, 1), LUI(A0, 0x8000), ADDU(V0, A0, 0), SLT(5, A0, 0),
                SLTU(6, A0, 0), SRA(7, A0, 4), ADDIU(0, 0, 5));
    assert_int_equal(GPR(&m, T1), 0xffffffff80000000ull);
    assert_int_equal(GPR(&m, T2), 0x80000000ull);
    assert_int_equal(GPR(&m, T3), 0xfffffffffffffffeull);
    assert_int_equal(GPR(&m, V0), 0xffffffff80000000ull);
    assert_int_equal(GPR(&m, 5), 1);
    assert_int_equal(GPR(&m, 6), 0);
    assert_int_equal(GPR(&m, 7), 0xfffffffff8000000ull);
    assert_int_equal(GPR(&m, 0), 0);
    machine_fini(&m);
}

static void test_overflow_traps(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    static const uint32_t add[] = {LUI(T0, 0x7fff), ORI(T0, T0, 0xffff), ADDIU(T2, 0, 7),
                                   ADDI(T2, T0, 1)};
    machine_load(&m, add, 4);
    assert_int_equal(machine_run(&m), EXC_OV);
    assert_int_equal(cpu_last_exception(m.cpu)->pc, CODE + 12);
    assert_int_equal(GPR(&m, T2), 7); /* the destination is not written */

    static const uint32_t dadd[] = {ADDIU(T0, 0, -1), DSLL32(T0, T0, 31), /* INT64_MIN */
                                    DADDI(T1, T0, -1)};
    machine_load(&m, dadd, 3);
    assert_int_equal(machine_run(&m), EXC_OV);
    static const uint32_t sub[] = {LUI(T0, 0x8000), ADDIU(T1, 0, 1), SUB(T2, T0, T1)};
    machine_load(&m, sub, 3);
    assert_int_equal(machine_run(&m), EXC_OV);
    /* No overflow: the wrapping forms never trap. */
    RUN_PROGRAM(&m, LUI(T0, 0x7fff), ORI(T0, T0, 0xffff), ADDIU(T1, T0, 1), ADD(T2, T0, 0),
                DSUB(T3, T0, T0));
    assert_int_equal(GPR(&m, T1), 0xffffffff80000000ull);
    machine_fini(&m);
}

static void test_multiply_divide(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, false);
    RUN_PROGRAM(&m, ADDIU(T0, 0, -3), ADDIU(T1, 0, 7), MULT(T0, T1), MFLO(T2), MFHI(T3),
                ADDIU(A0, 0, -1), DMULTU(A0, A0), MFLO(5), MFHI(6));
    assert_int_equal(GPR(&m, T2), (uint64_t)-21);
    assert_int_equal(GPR(&m, T3), (uint64_t)-1);
    assert_int_equal(GPR(&m, 5), 1);
    assert_int_equal(GPR(&m, 6), 0xfffffffffffffffeull);
    /* Divide by zero: no trap; LO = dividend, HI = 0 (what QEMU leaves). */
    RUN_PROGRAM(&m, ADDIU(T0, 0, -17), ADDIU(T1, 0, 5), DIV(T0, T1), MFLO(T2), MFHI(T3), DIV(T0, 0),
                MFLO(A0), MFHI(5), DDIV(T1, 0), MFLO(6), MFHI(7));
    assert_int_equal(GPR(&m, T2), (uint64_t)-3);
    assert_int_equal(GPR(&m, T3), (uint64_t)-2);
    assert_int_equal(GPR(&m, A0), (uint64_t)-17);
    assert_int_equal(GPR(&m, 5), 0);
    assert_int_equal(GPR(&m, 6), 5);
    assert_int_equal(GPR(&m, 7), 0);
    assert_true(cpu_cycles(m.cpu) > cpu_instructions(m.cpu)); /* latencies counted */
    machine_fini(&m);
}

static void test_delay_slots(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    /* Taken branch: the slot runs, the instruction after it does not. */
    RUN_PROGRAM(&m, BEQ(0, 0, 2), ADDIU(T0, 0, 1), ADDIU(T1, 0, 1), ADDIU(T2, 0, 1));
    assert_int_equal(GPR(&m, T0), 1);
    assert_int_equal(GPR(&m, T1), 0);
    assert_int_equal(GPR(&m, T2), 1);
    /* Branch-likely not taken nullifies its slot; taken runs it. */
    RUN_PROGRAM(&m, BNEL(0, 0, 2), ADDIU(T0, 0, 5), ADDIU(T1, 0, 6), BEQL(0, 0, 2), ADDIU(T2, 0, 7),
                ADDIU(T3, 0, 8), NOP);
    assert_int_equal(GPR(&m, T0), 1);
    assert_int_equal(GPR(&m, T1), 6);
    assert_int_equal(GPR(&m, T2), 7);
    assert_int_equal(GPR(&m, T3), 0);
    /* Links: JAL/BLTZAL write pc + 8 whether taken or not; JALR to a register. */
    RUN_PROGRAM(&m, BLTZAL(0, 5), NOP, ADDIU(T0, RA, 0), JAL(CODE + 24), NOP, ADDIU(20, 0, 99),
                NOP);
    assert_int_equal(GPR(&m, T0), CODE + 8);
    assert_int_equal(GPR(&m, 20), 0);
    assert_int_equal(GPR(&m, RA), CODE + 20);
    /* JR with the slot writing the register the jump already read. */
    RUN_PROGRAM(&m, LUI(T0, 1), ORI(T0, T0, 0x14), JR(T0), ADDIU(T0, 0, 0), ADDIU(21, 0, 9),
                ADDIU(T2, 0, 3));
    assert_int_equal(GPR(&m, 21), 0);
    assert_int_equal(GPR(&m, T2), 3);
    machine_fini(&m);
}

static void test_exception_in_delay_slot(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    static const uint32_t prog[] = {BNE(0, 0, 4), SYSCALL, NOP};
    machine_load(&m, prog, 3);
    assert_int_equal(machine_run(&m), EXC_SYS);
    const struct cpu_exception *ex = cpu_last_exception(m.cpu);
    assert_int_equal(ex->pc, CODE + 4);
    assert_true(ex->delay_slot);
    assert_int_equal(m.cpu->branch_target, CODE + 8); /* not taken: continues after the slot */
    assert_int_equal(ex->insn, SYSCALL);
    machine_fini(&m);
}

static void test_stop_between_branch_and_slot(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    static const uint32_t prog[] = {J(CODE + 16), ADDIU(T0, 0, 1), ADDIU(T1, 0, 1), NOP,
                                    ADDIU(T2, 0, 1)};
    machine_load(&m, prog, 5);
    assert_int_equal(cpu_run(m.cpu, 1), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_pc(m.cpu), CODE + 4);
    assert_true(m.cpu->delay_slot);
    assert_int_equal(cpu_run(m.cpu, 1), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_pc(m.cpu), CODE + 16);
    assert_false(m.cpu->delay_slot);
    assert_int_equal(machine_run(&m), EXC_BP);
    assert_int_equal(GPR(&m, T0), 1);
    assert_int_equal(GPR(&m, T1), 0);
    assert_int_equal(GPR(&m, T2), 1);
    assert_int_equal(cpu_instructions(m.cpu), 4); /* J, slot, ADDIU, BREAK */
    machine_fini(&m);
}

static void put_pattern(struct machine *m)
{
    uint8_t b[16];
    for (int i = 0; i < 16; i++)
        b[i] = (uint8_t)(0x11 * i);
    machine_poke_bytes(m, DATA, b, 16);
}

static void test_unaligned_loads_big_endian(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    put_pattern(&m);
    RUN_PROGRAM(&m, LUI(A0, 2), ADDIU(T0, 0, -1), ADDIU(T1, 0, -1), LWL(T0, 1, A0), LWR(T1, 1, A0),
                LWL(T2, 1, A0), LWR(T2, 4, A0), LDL(T3, 3, A0), LDR(T3, 10, A0));
    assert_int_equal(GPR(&m, T0), 0x112233ffull);
    assert_int_equal(GPR(&m, T1), 0xffffffffffff0011ull);
    assert_int_equal(GPR(&m, T2), 0x11223344ull);
    assert_int_equal(GPR(&m, T3), 0x33445566778899aaull);
    machine_fini(&m);
}

static void test_unaligned_loads_little_endian(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_MIPS64R2, false);
    put_pattern(&m);
    RUN_PROGRAM(&m, LUI(A0, 2), ADDIU(T0, 0, -1), ADDIU(T1, 0, -1), LWL(T0, 1, A0), LWR(T1, 1, A0),
                LWL(T2, 4, A0), LWR(T2, 1, A0), LDL(T3, 10, A0), LDR(T3, 3, A0));
    assert_int_equal(GPR(&m, T0), 0x1100ffffull);
    assert_int_equal(GPR(&m, T1), 0xffffffffff332211ull);
    assert_int_equal(GPR(&m, T2), 0x44332211ull);
    assert_int_equal(GPR(&m, T3), 0xaa99887766554433ull);
    machine_fini(&m);
}

static void test_unaligned_stores(void **state)
{
    for (int be = 0; be < 2; be++) {
        struct machine m;
        machine_init(&m, CPU_MODEL_R10000, be);
        /* The standard pairs store a whole unaligned word / doubleword. */
        RUN_PROGRAM(&m, LUI(A0, 2), LUI(T0, 0xa1b2), ORI(T0, T0, 0xc3d4), SWL(T0, be ? 1 : 4, A0),
                    SWR(T0, be ? 4 : 1, A0), DSLL32(T1, T0, 0), DSRL32(T2, T1, 0), OR(T1, T1, T2),
                    SDL(T1, be ? 9 : 16, A0), SDR(T1, be ? 16 : 9, A0));
        uint8_t expect_word[4] = {0xa1, 0xb2, 0xc3, 0xd4};
        for (int i = 0; i < 4; i++)
            assert_int_equal(machine_peek8(&m, DATA + 1 + i), expect_word[be ? i : 3 - i]);
        assert_int_equal(machine_peek8(&m, DATA), 0);
        assert_int_equal(machine_peek8(&m, DATA + 5), 0);
        for (int i = 0; i < 8; i++)
            assert_int_equal(machine_peek8(&m, DATA + 9 + i), expect_word[(be ? i : 7 - i) & 3]);
        assert_int_equal(machine_peek8(&m, DATA + 8), 0);
        assert_int_equal(machine_peek8(&m, DATA + 17), 0);
        machine_fini(&m);
    }
}

static void test_single_partial_stores(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    RUN_PROGRAM(&m, LUI(A0, 2), LUI(T0, 0xa1b2), ORI(T0, T0, 0xc3d4), SWL(T0, 1, A0),
                SWR(T0, 6, A0));
    assert_int_equal(machine_peek8(&m, DATA + 1), 0xa1);
    assert_int_equal(machine_peek8(&m, DATA + 3), 0xc3);
    assert_int_equal(machine_peek8(&m, DATA + 4), 0xb2);
    assert_int_equal(machine_peek8(&m, DATA + 6), 0xd4);
    assert_int_equal(machine_peek8(&m, DATA + 7), 0);
    machine_fini(&m);
    machine_init(&m, CPU_MODEL_R10000, false);
    RUN_PROGRAM(&m, LUI(A0, 2), LUI(T0, 0xa1b2), ORI(T0, T0, 0xc3d4), SWL(T0, 1, A0),
                SWR(T0, 6, A0));
    assert_int_equal(machine_peek8(&m, DATA + 0), 0xb2);
    assert_int_equal(machine_peek8(&m, DATA + 1), 0xa1);
    assert_int_equal(machine_peek8(&m, DATA + 2), 0);
    assert_int_equal(machine_peek8(&m, DATA + 6), 0xd4);
    assert_int_equal(machine_peek8(&m, DATA + 7), 0xc3);
    machine_fini(&m);
}

static void test_ll_sc(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    RUN_PROGRAM(&m, LUI(A0, 2), ADDIU(T0, 0, 41), SW(T0, 0, A0), LL(T1, 0, A0), ADDIU(T1, T1, 1),
                SC(T1, 0, A0), LW(T2, 0, A0),               /* succeeds: T1 = 1 */
                ADDIU(T3, 0, 99), SC(T3, 0, A0),            /* no link any more: 0 */
                LL(5, 0, A0), ADDIU(6, 0, 7), SC(6, 8, A0), /* other address: 0 */
                LLD(7, 0, A0), SCD(7, 0, A0));
    assert_int_equal(GPR(&m, T1), 1);
    assert_int_equal(GPR(&m, T2), 42);
    assert_int_equal(GPR(&m, T3), 0);
    assert_int_equal(GPR(&m, 6), 0);
    assert_int_equal(GPR(&m, 7), 1);
    machine_fini(&m);
}

static void test_release2_operations(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_MIPS64R2, false);
    RUN_PROGRAM(&m, LUI(T0, 0x1234), ORI(T0, T0, 0x5678), EXT(T1, T0, 4, 8), INS(T2, T0, 8, 4),
                WSBH(T3, T0), SEB(A0, T0), SEH(5, T0), ROTR(6, T0, 8), DSLL32(7, T0, 0),
                OR(7, 7, T0), DSBH(12, 7), DSHD(13, 7), DEXT(14, 7, 28, 8), DINSU(15, T0, 40, 8),
                DROTR32(16, 7, 4), CLZ(17, T0), DCLO(18, 0), MUL(19, T0, T0));
    assert_int_equal(GPR(&m, T1), 0x67);
    assert_int_equal(GPR(&m, T2), 0x800);
    assert_int_equal(GPR(&m, T3), 0x34127856);
    assert_int_equal(GPR(&m, A0), 0x78);
    assert_int_equal(GPR(&m, 5), 0x5678);
    assert_int_equal(GPR(&m, 6), 0x78123456);
    assert_int_equal(GPR(&m, 12), 0x3412785634127856ull);
    assert_int_equal(GPR(&m, 13), 0x5678123456781234ull);
    assert_int_equal(GPR(&m, 14), 0x81);
    assert_int_equal(GPR(&m, 15), 0x780000000000ull);
    assert_int_equal(GPR(&m, 16), 0x8123456781234567ull);
    assert_int_equal(GPR(&m, 17), 3);
    assert_int_equal(GPR(&m, 18), 0);
    assert_int_equal(GPR(&m, 19), (uint64_t)(int64_t)(int32_t)(0x12345678u * 0x12345678u));
    machine_fini(&m);
}

static void test_release2_rejected_on_r10000(void **state)
{
    static const uint32_t r2_only[] = {
        EXT(8, 9, 0, 4), INS(8, 9, 0, 4), WSBH(8, 9), SEB(8, 9),    DSHD(8, 9),      ROTR(8, 9, 3),
        MUL(8, 9, 10),   MADD(8, 9),      CLZ(8, 9),  RDHWR(8, 29), IT_(1, 0, 31, 0) /* SYNCI */};
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    for (unsigned i = 0; i < sizeof(r2_only) / sizeof(r2_only[0]); i++) {
        machine_load(&m, &r2_only[i], 1);
        assert_int_equal(machine_run(&m), EXC_RI);
        assert_int_equal(cpu_last_exception(m.cpu)->insn, r2_only[i]);
    }
    machine_fini(&m);
}

static void test_rdhwr_user_local(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_MIPS64R2, false);
    m.cpu->cp0.userlocal = 0x1234567890ull;
    RUN_PROGRAM(&m, RDHWR(T0, 29), RDHWR(T1, 1), RDHWR(T2, 3));
    assert_int_equal(GPR(&m, T0), 0x1234567890ull);
    assert_int_equal(GPR(&m, T1), 32);
    assert_int_equal(GPR(&m, T2), 2);
    m.cpu->cp0.hwrena = 0; /* not enabled for user mode: Reserved Instruction */
    static const uint32_t prog[] = {RDHWR(T0, 29)};
    machine_load(&m, prog, 1);
    assert_int_equal(machine_run(&m), EXC_RI);
    machine_fini(&m);
}

static void test_traps_and_moves(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    RUN_PROGRAM(&m, ADDIU(T0, 0, 3), MOVZ(T1, T0, 0), MOVN(T2, T0, 0), MOVN(T3, T0, T0), TEQ(T0, 0),
                TEQI(T0, 4));
    assert_int_equal(GPR(&m, T1), 3);
    assert_int_equal(GPR(&m, T2), 0);
    assert_int_equal(GPR(&m, T3), 3);
    static const uint32_t trap[] = {ADDIU(T0, 0, 3), TEQI(T0, 3)};
    machine_load(&m, trap, 2);
    assert_int_equal(machine_run(&m), EXC_TR);
    static const uint32_t unknown[] = {59u << 26}; /* opcode 59: reserved */
    machine_load(&m, unknown, 1);
    assert_int_equal(machine_run(&m), EXC_RI);
    static const uint32_t cop2[] = {0x48000000u};
    machine_load(&m, cop2, 1);
    assert_int_equal(machine_run(&m), EXC_CPU);
    assert_int_equal(cpu_last_exception(m.cpu)->cop, 2);
    machine_fini(&m);
}

static void test_faults(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    static const uint32_t misaligned[] = {LUI(A0, 2), LW(T0, 2, A0)};
    machine_load(&m, misaligned, 2);
    assert_int_equal(machine_run(&m), EXC_ADEL);
    assert_int_equal(cpu_last_exception(m.cpu)->badvaddr, DATA + 2);
    static const uint32_t unmapped[] = {LUI(A0, 5), LB(T0, 3, A0)};
    machine_load(&m, unmapped, 2);
    assert_int_equal(machine_run(&m), EXC_TLBL);
    assert_int_equal(cpu_last_exception(m.cpu)->badvaddr, UNMAPPED + 3);
    static const uint32_t readonly[] = {LUI(A0, 3), LW(T0, 0, A0), SW(T0, 0, A0)};
    machine_load(&m, readonly, 3);
    assert_int_equal(machine_run(&m), EXC_MOD);
    static const uint32_t unaligned_store[] = {LUI(A0, 2), SD(T0, 4, A0)};
    machine_load(&m, unaligned_store, 2);
    assert_int_equal(machine_run(&m), EXC_ADES);
    static const uint32_t jump_nowhere[] = {LUI(A0, 5), JR(A0), NOP};
    machine_load(&m, jump_nowhere, 3);
    assert_int_equal(machine_run(&m), EXC_TLBL);
    assert_int_equal(cpu_last_exception(m.cpu)->pc, UNMAPPED);
    assert_false(cpu_last_exception(m.cpu)->delay_slot);
    machine_fini(&m);
}

/* LWC1/SDC1 move raw bits; with Status.CU1 clear they and MOVF raise CpU(1). */
static void test_fp_loads_stores(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    put_pattern(&m);
    RUN_PROGRAM(&m, LUI(A0, 2), IT_(53, A0, 2, 8) /* ldc1 $f2, 8(a0) */,
                IT_(61, A0, 2, 16) /* sdc1 $f2, 16(a0) */, LD(T0, 16, A0),
                IT_(49, A0, 4, 4) /* lwc1 $f4, 4(a0) */);
    assert_int_equal(GPR(&m, T0), 0x8899aabbccddeeffull);
    assert_int_equal(cpu_get_fpr(m.cpu, 2), 0x8899aabbccddeeffull);
    assert_int_equal(cpu_get_fpr(m.cpu, 4) & 0xffffffffu, 0x44556677u);
    m.cpu->cp0.status &= ~(uint64_t)ST_CU1;
    static const uint32_t lwc1[] = {IT_(49, 0, 4, 0)};
    machine_load(&m, lwc1, 1);
    assert_int_equal(machine_run(&m), EXC_CPU);
    assert_int_equal(cpu_last_exception(m.cpu)->cop, 1);
    static const uint32_t movf[] = {RT_(9, 0, 8, 0, 1)};
    machine_load(&m, movf, 1);
    assert_int_equal(machine_run(&m), EXC_CPU);
    machine_fini(&m);
}

/* A store over already-executed code must be seen by the next execution. */
static void test_self_modifying_code(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_R10000, true);
    /* 0: t0 = ADDIU(T1, 0, 2); 3 stores it over instruction 6 after running it once. */
    static const uint32_t prog[] = {
        LUI(T0, ADDIU(T1, 0, 2) >> 16),
        ORI(T0, T0, ADDIU(T1, 0, 2) & 0xffff),
        LUI(A0, 1),
        ADDIU(T2, 0, 2),   /* loop counter */
        ADDIU(T2, T2, -1), /* 4: loop */
        NOP,               /* 5 */
        ADDIU(T1, 0, 1),   /* 6: replaced by ADDIU(T1, 0, 2) */
        SW(T0, 24, A0),    /* 7 */
        BNE(T2, 0, -5),    /* 8: back to 4 */
        ADDU(T3, T3, T1),  /* 9: slot: T3 = 1 + 2 */
    };
    machine_load(&m, prog, 10);
    assert_int_equal(machine_run(&m), EXC_BP);
    assert_int_equal(GPR(&m, T3), 3);
    machine_fini(&m);
}

/* Code that straddles a page boundary, with a delay slot on the next page. */
static void test_page_crossing(void **state)
{
    struct machine m;
    machine_init(&m, CPU_MODEL_MIPS64R2, false);
    uint64_t at = CODE + 4096 - 8;
    machine_poke32(&m, at, ADDIU(T0, 0, 5));
    machine_poke32(&m, at + 4, BEQ(0, 0, 2));
    machine_poke32(&m, at + 8, ADDIU(T1, 0, 6)); /* slot, next page */
    machine_poke32(&m, at + 12, ADDIU(T2, 0, 7));
    machine_poke32(&m, at + 16, BREAK);
    cpu_set_pc(m.cpu, at);
    assert_int_equal(machine_run(&m), EXC_BP);
    assert_int_equal(GPR(&m, T0), 5);
    assert_int_equal(GPR(&m, T1), 6);
    assert_int_equal(GPR(&m, T2), 0);
    machine_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alu_sign_extension),
        cmocka_unit_test(test_overflow_traps),
        cmocka_unit_test(test_multiply_divide),
        cmocka_unit_test(test_delay_slots),
        cmocka_unit_test(test_exception_in_delay_slot),
        cmocka_unit_test(test_stop_between_branch_and_slot),
        cmocka_unit_test(test_unaligned_loads_big_endian),
        cmocka_unit_test(test_unaligned_loads_little_endian),
        cmocka_unit_test(test_unaligned_stores),
        cmocka_unit_test(test_single_partial_stores),
        cmocka_unit_test(test_ll_sc),
        cmocka_unit_test(test_release2_operations),
        cmocka_unit_test(test_release2_rejected_on_r10000),
        cmocka_unit_test(test_rdhwr_user_local),
        cmocka_unit_test(test_traps_and_moves),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_fp_loads_stores),
        cmocka_unit_test(test_self_modifying_code),
        cmocka_unit_test(test_page_crossing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
