/*
 * test_cp0.c - unit tests of node/cp0.c and exception.c: reset state of both
 * models, writable masks, the COP0 instructions through cp0_execute()
 * (MFC0/MTC0, TLB ops, ERET, WAIT, DI/EI), privilege checks, exception entry
 * (EPC/BD, vectors, EBase, IV, cache error), exceptions_to_host, Count/Compare
 * and external interrupts. Calls the functions directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bus.h"
#include "cpu_internal.h"

#define KSEG0    0xffffffff80000000ull
#define START_PC 0xffffffff80001000ull

static struct cpu *make_cpu(enum cpu_model model, bool to_host)
{
    struct cpu_config config = {.model = model,
                                .big_endian = model == CPU_MODEL_R10000,
                                .cpu_number = 3,
                                .exceptions_to_host = to_host};
    struct cpu *cpu = cpu_create(&config);
    cpu->pc = START_PC;
    return cpu;
}

static uint32_t mfc0(unsigned rt, unsigned rd, unsigned sel)
{
    return 0x40000000u | rt << 16 | rd << 11 | sel;
}
static uint32_t dmfc0(unsigned rt, unsigned rd, unsigned sel)
{
    return 0x40200000u | rt << 16 | rd << 11 | sel;
}
static uint32_t mtc0(unsigned rt, unsigned rd, unsigned sel)
{
    return 0x40800000u | rt << 16 | rd << 11 | sel;
}
static uint32_t dmtc0(unsigned rt, unsigned rd, unsigned sel)
{
    return 0x40a00000u | rt << 16 | rd << 11 | sel;
}
#define ERET   0x42000018u
#define WAIT   0x42000020u
#define TLBP   0x42000008u
#define TLBWI  0x42000002u
#define TLBR   0x42000001u
#define DI(rt) (0x41606000u | (rt) << 16)
#define EI(rt) (0x41606020u | (rt) << 16)

static unsigned exc_code(const struct cpu *cpu)
{
    return (cpu->cp0.cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
}

static void test_reset_state(void **state)
{
    struct cpu *r10k = make_cpu(CPU_MODEL_R10000, false);
    struct cpu *r2 = make_cpu(CPU_MODEL_MIPS64R2, false);
    assert_int_equal(cp0_read(r10k, CP0_STATUS, 0), ST_BEV | ST_ERL);
    assert_int_equal(cp0_mode(r10k), MODE_KERNEL);
    assert_int_equal(cp0_read(r10k, CP0_PRID, 0) & 0xff00, 0x0900);
    assert_int_equal(cp0_read(r2, CP0_PRID, 0), 0x00018900);
    /* R10000 Config: 32 KB primary caches, 128-byte secondary lines, BE. */
    uint64_t config = cp0_read(r10k, CP0_CONFIG, 0);
    assert_int_equal((config >> 29) & 7, 3);
    assert_int_equal((config >> 26) & 7, 3);
    assert_true(config & (1u << 13));
    assert_true(config & (1u << 15));
    assert_int_equal(cp0_read(r10k, CP0_CONFIG, 1), 0); /* no Config1 on the R10000 */
    /* R2: Config0 AT=2 AR=1 MT=1, little-endian; Config1 MMU size 64, FPU. */
    uint64_t c0 = cp0_read(r2, CP0_CONFIG, 0);
    assert_int_equal((c0 >> 13) & 3, 2);
    assert_int_equal((c0 >> 10) & 7, 1);
    assert_int_equal((c0 >> 7) & 7, 1);
    assert_false(c0 & (1u << 15));
    uint64_t c1 = cp0_read(r2, CP0_CONFIG, 1);
    assert_int_equal(((c1 >> 25) & 63) + 1, 64);
    assert_true(c1 & 1);
    assert_true(c1 & (1u << 31));
    assert_true(cp0_read(r2, CP0_CONFIG, 3) & (1u << 13));              /* ULRI */
    assert_int_equal(cp0_read(r2, CP0_PRID, 1), 0xffffffff80000003ull); /* EBase, CPUNum 3 */
    assert_int_equal(cp0_read(r2, CP0_STATUS, 1) >> 29 & 7, 7);         /* IntCtl.IPTI */
    assert_int_equal(cp0_read(r2, CP0_RANDOM, 0), 63);
    cpu_destroy(r10k);
    cpu_destroy(r2);
}

static void test_masks(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_MIPS64R2, false);
    cp0_write(cpu, CP0_ENTRYHI, 0, ~0ull);
    /* R2 model: 40-bit segments: R, VPN2 39:13, ASID. */
    assert_int_equal(cp0_read(cpu, CP0_ENTRYHI, 0), 0xc00000ffffffe0ffull);
    cp0_write(cpu, CP0_ENTRYLO0, 0, ~0ull);
    assert_int_equal(cp0_read(cpu, CP0_ENTRYLO0, 0), (((1ull << 28) - 1) << 6) | 0x3f);
    cp0_write(cpu, CP0_CONTEXT, 0, ~0ull);
    assert_int_equal(cp0_read(cpu, CP0_CONTEXT, 0), ~0x7fffffull);
    cp0_write(cpu, CP0_XCONTEXT, 0, ~0ull);
    assert_int_equal(cp0_read(cpu, CP0_XCONTEXT, 0), ~0ull << 33);
    cp0_write(cpu, CP0_WIRED, 0, 77);
    assert_int_equal(cp0_read(cpu, CP0_WIRED, 0), 77 & 63);
    cp0_write(cpu, CP0_INDEX, 0, ~0ull);
    assert_int_equal(cp0_read(cpu, CP0_INDEX, 0), 63);
    cp0_write(cpu, CP0_STATUS, 0, ~0ull);
    uint64_t st = cp0_read(cpu, CP0_STATUS, 0);
    assert_false(st & ST_TS);
    assert_false(st & ST_RE);
    assert_true(st & ST_CU0);
    cp0_write(cpu, CP0_PRID, 0, 0);
    assert_int_equal(cp0_read(cpu, CP0_PRID, 0), 0x00018900);
    cp0_write(cpu, CP0_PRID, 1, 0x12345fff); /* EBase: 29:12 writable, 31:30 fixed */
    assert_int_equal(cp0_read(cpu, CP0_PRID, 1), 0xffffffff92345003ull);
    cp0_write(cpu, CP0_CAUSE, 0, ~0ull);
    assert_int_equal(cp0_read(cpu, CP0_CAUSE, 0) & ~(uint64_t)CAUSE_TI, CAUSE_IV | 0x300);
    cp0_write(cpu, CP0_CONTEXT, 2, 0x123456789abcdef0ull); /* UserLocal */
    assert_int_equal(cp0_read(cpu, CP0_CONTEXT, 2), 0x123456789abcdef0ull);
    cpu_destroy(cpu);
}

static void test_mfc0_mtc0_instructions(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_R10000, false);
    cpu->gpr[8] = 0x00000000deadb000ull;
    assert_int_equal(cp0_execute(cpu, mtc0(8, CP0_EPC, 0)), 0);
    assert_int_equal(cpu->cp0.epc, 0xffffffffdeadb000ull); /* MTC0 sign-extends */
    cpu->gpr[8] = 0x0000001234567000ull;
    assert_int_equal(cp0_execute(cpu, dmtc0(8, CP0_EPC, 0)), 0);
    assert_int_equal(cp0_execute(cpu, dmfc0(9, CP0_EPC, 0)), 0);
    assert_int_equal(cpu->gpr[9], 0x0000001234567000ull);
    assert_int_equal(cp0_execute(cpu, mfc0(10, CP0_EPC, 0)), 0);
    assert_int_equal(cpu->gpr[10], 0x34567000ull);
    assert_int_equal(cp0_execute(cpu, mfc0(0, CP0_EPC, 0)), 0);
    assert_int_equal(cpu->gpr[0], 0);
    /* TLB instructions through cp0_execute. */
    cpu->gpr[8] = 0x00400000 | 5;
    cp0_execute(cpu, mtc0(8, CP0_ENTRYHI, 0));
    cpu->gpr[8] = 0x47; /* PFN 1, V, C=0, G */
    cp0_execute(cpu, mtc0(8, CP0_ENTRYLO0, 0));
    cp0_execute(cpu, mtc0(8, CP0_ENTRYLO1, 0));
    cpu->gpr[8] = 9;
    cp0_execute(cpu, mtc0(8, CP0_INDEX, 0));
    assert_int_equal(cp0_execute(cpu, TLBWI), 0);
    cpu->gpr[8] = 0;
    cp0_execute(cpu, mtc0(8, CP0_INDEX, 0));
    assert_int_equal(cp0_execute(cpu, TLBP), 0);
    assert_int_equal(cpu->cp0.index, 9);
    assert_int_equal(cp0_execute(cpu, TLBR), 0);
    assert_int_equal(cpu->cp0.entrylo1, 0x47);
    /* R2-only instructions are reserved on the R10000. */
    assert_int_equal(cp0_execute(cpu, DI(4)), 1);
    assert_int_equal(exc_code(cpu), EXC_RI);
    cpu_destroy(cpu);
}

static void test_user_mode_needs_cu0(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_R10000, false);
    cp0_write(cpu, CP0_STATUS, 0, 2u << ST_KSU_SHIFT);
    assert_int_equal(cp0_execute(cpu, mfc0(8, CP0_STATUS, 0)), 1);
    assert_int_equal(exc_code(cpu), EXC_CPU);
    assert_int_equal((cpu->cp0.cause & CAUSE_CE_MASK) >> CAUSE_CE_SHIFT, 0);
    assert_int_equal(cpu->cp0.epc, START_PC);
    assert_int_equal(cpu->pc, KSEG0 + 0x180);
    /* CACHE is privileged too. */
    cp0_write(cpu, CP0_STATUS, 0, 2u << ST_KSU_SHIFT);
    assert_int_equal(cp0_cache(cpu, 0xbc000000u), 1);
    cp0_write(cpu, CP0_STATUS, 0, 2u << ST_KSU_SHIFT | ST_CU0);
    assert_int_equal(cp0_cache(cpu, 0xbc000000u), 0);
    assert_int_equal(cp0_execute(cpu, mfc0(8, CP0_STATUS, 0)), 0);
    assert_int_equal(cpu->gpr[8], 2u << ST_KSU_SHIFT | ST_CU0);
    cpu_destroy(cpu);
}

static void test_eret(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_R10000, false);
    /* ERL set (reset state): ERET goes to ErrorEPC and clears ERL only. */
    cpu->cp0.errorepc = 0xffffffff80002000ull;
    cpu->cp0.epc = 0xffffffff80003000ull;
    cpu->cp0.llbit = true;
    assert_int_equal(cp0_execute(cpu, ERET), 1);
    assert_int_equal(cpu->pc, 0xffffffff80002000ull);
    assert_false(cpu->cp0.status & ST_ERL);
    assert_false(cpu->cp0.llbit);
    /* EXL with KSU=user: ERET drops to user mode at EPC. */
    cp0_write(cpu, CP0_STATUS, 0, ST_EXL | 2u << ST_KSU_SHIFT);
    assert_int_equal(cp0_mode(cpu), MODE_KERNEL);
    cpu->delay_slot = true;
    assert_int_equal(cp0_execute(cpu, ERET), 1);
    assert_int_equal(cpu->pc, 0xffffffff80003000ull);
    assert_false(cpu->delay_slot);
    assert_int_equal(cp0_mode(cpu), MODE_USER);
    cpu_destroy(cpu);
}

static void test_exception_entry(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_MIPS64R2, false);
    cp0_write(cpu, CP0_STATUS, 0, 0);
    cp0_write(cpu, CP0_PRID, 1, 0x80040000); /* EBase */
    cpu->delay_slot = true;
    cpu_raise(cpu, EXC_SYS);
    assert_int_equal(cpu->pc, 0xffffffff80040180ull);
    assert_int_equal(cpu->cp0.epc, START_PC - 4);
    assert_true(cpu->cp0.cause & CAUSE_BD);
    assert_int_equal(exc_code(cpu), EXC_SYS);
    /* Second exception with EXL set: EPC and BD are kept. */
    cpu->pc = START_PC + 0x100;
    cpu->delay_slot = false;
    cpu_raise_cop_unusable(cpu, 1);
    assert_int_equal(cpu->cp0.epc, START_PC - 4);
    assert_true(cpu->cp0.cause & CAUSE_BD);
    assert_int_equal((cpu->cp0.cause & CAUSE_CE_MASK) >> CAUSE_CE_SHIFT, 1);
    /* Cache error: ERL, ErrorEPC, the kseg1 alias of EBase + 0x100. */
    cp0_write(cpu, CP0_STATUS, 0, 0);
    cpu->pc = START_PC;
    cpu_raise_cache_error(cpu);
    assert_int_equal(cpu->pc, 0xffffffffa0040100ull);
    assert_int_equal(cpu->cp0.errorepc, START_PC);
    assert_true(cpu->cp0.status & ST_ERL);
    cpu_destroy(cpu);
}

static void test_exceptions_to_host(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_MIPS64R2, true);
    cpu->delay_slot = true;
    uint64_t status = cpu->cp0.status;
    cpu_raise_address(cpu, EXC_TLBL, 0x1234, true);
    const struct cpu_exception *e = cpu_last_exception(cpu);
    assert_int_equal(e->code, EXC_TLBL);
    assert_int_equal(e->pc, START_PC);
    assert_true(e->delay_slot);
    assert_int_equal(e->badvaddr, 0x1234);
    assert_true(e->tlb_refill);
    assert_true(cpu->stop_requested);
    assert_int_equal(cpu->stop_reason, CPU_STOP_EXCEPTION);
    assert_int_equal(cpu->pc, START_PC); /* left for the host to resume */
    assert_int_equal(cpu->cp0.status, status);
    cpu_destroy(cpu);
}

static void test_count_compare(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_MIPS64R2, false);
    cp0_write(cpu, CP0_STATUS, 0, 0);
    cpu->cycles = 1000;
    assert_int_equal((uint32_t)cp0_read(cpu, CP0_COUNT, 0), 500);
    cp0_write(cpu, CP0_COUNT, 0, 0xfffffff0u);
    cpu->cycles = 1010;
    assert_int_equal((uint32_t)cp0_read(cpu, CP0_COUNT, 0), 0xfffffff5u);
    /* Compare 20 counts ahead (across the wrap): event at cycle 1010 + 2*(20-5). */
    cp0_write(cpu, CP0_COMPARE, 0, 0x4u);
    assert_int_equal(cpu->next_event_cycle, 1010 + 2 * 15);
    cpu->cycles = cpu->next_event_cycle - 1;
    assert_int_equal(cp0_check_interrupts(cpu), 0);
    assert_false(cpu->cp0.cause & CAUSE_TI);
    cpu->cycles = cpu->next_event_cycle;
    /* IE clear: the timer is pending (TI, IP7) but not taken. */
    assert_int_equal(cp0_check_interrupts(cpu), 0);
    assert_true(cp0_read(cpu, CP0_CAUSE, 0) & CAUSE_TI);
    assert_true(cp0_read(cpu, CP0_CAUSE, 0) & (1u << 15));
    assert_true(cpu->next_event_cycle > cpu->cycles + (1ull << 32));
    /* Enable IM7 and IE: taken at the next check, EPC = the current pc. */
    cp0_write(cpu, CP0_STATUS, 0, ST_IE | 0x8000);
    assert_true(cpu->irq_dirty);
    assert_int_equal(cp0_check_interrupts(cpu), 1);
    assert_int_equal(exc_code(cpu), EXC_INT);
    assert_int_equal(cpu->pc, KSEG0 + 0x180);
    assert_int_equal(cpu->cp0.epc, START_PC);
    /* Writing Compare acknowledges it. */
    cp0_write(cpu, CP0_COMPARE, 0, 0);
    assert_false(cp0_read(cpu, CP0_CAUSE, 0) & CAUSE_TI);
    cpu_destroy(cpu);
}

static void test_external_interrupts_and_iv(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_MIPS64R2, false);
    cp0_write(cpu, CP0_STATUS, 0, ST_IE | (1u << (ST_IM_SHIFT + 4)));
    cpu_set_irq(cpu, 1, true); /* IP3: masked */
    assert_true(cpu->irq_dirty);
    assert_int_equal(cp0_check_interrupts(cpu), 0);
    assert_true(cp0_read(cpu, CP0_CAUSE, 0) & (1u << 11));
    cpu_set_irq(cpu, 2, true); /* IP4: enabled */
    cp0_write(cpu, CP0_CAUSE, 0, CAUSE_IV);
    assert_int_equal(cp0_check_interrupts(cpu), 1);
    assert_int_equal(cpu->pc, KSEG0 + 0x200);
    /* EXL now set: nothing more is taken. */
    assert_int_equal(cp0_check_interrupts(cpu), 0);
    /* Software interrupts IP0/IP1 through Cause. */
    cpu_set_irq(cpu, 2, false);
    cp0_write(cpu, CP0_STATUS, 0, ST_IE | (1u << ST_IM_SHIFT));
    cp0_write(cpu, CP0_CAUSE, 0, 1u << 8);
    assert_int_equal(cp0_check_interrupts(cpu), 1);
    cpu_destroy(cpu);
}

static void test_wait_di_ei(void **state)
{
    struct cpu *cpu = make_cpu(CPU_MODEL_MIPS64R2, false);
    cp0_write(cpu, CP0_STATUS, 0, ST_IE | 0x0400);
    assert_int_equal(cp0_execute(cpu, WAIT), 0);
    assert_true(cpu->stop_requested);
    assert_int_equal(cpu->stop_reason, CPU_STOP_WAIT);
    cpu->stop_requested = false;
    cpu_set_irq(cpu, 0, true); /* IP2, enabled by IM2 */
    assert_int_equal(cp0_execute(cpu, WAIT), 0);
    assert_false(cpu->stop_requested);
    assert_int_equal(cp0_execute(cpu, DI(5)), 0);
    assert_int_equal(cpu->gpr[5], ST_IE | 0x0400);
    assert_false(cpu->cp0.status & ST_IE);
    assert_int_equal(cp0_execute(cpu, EI(0)), 0);
    assert_true(cpu->cp0.status & ST_IE);
    cpu_destroy(cpu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_state),
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_mfc0_mtc0_instructions),
        cmocka_unit_test(test_user_mode_needs_cu0),
        cmocka_unit_test(test_eret),
        cmocka_unit_test(test_exception_entry),
        cmocka_unit_test(test_exceptions_to_host),
        cmocka_unit_test(test_count_compare),
        cmocka_unit_test(test_external_interrupts_and_iv),
        cmocka_unit_test(test_wait_di_ei),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
