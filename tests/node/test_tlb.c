/*
 * test_tlb.c - unit tests of node/tlb.c and the TLB side of exception.c:
 * every segment's translation and address errors per mode, TLB writes,
 * reads and probes, page sizes, ASIDs and the G bit, refill/XTLB refill/
 * invalid/modified exceptions with their vectors and CP0 side effects, and
 * Random staying above Wired. Calls the functions directly (no interpreter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bus.h"
#include "cpu_internal.h"

#define RAM_BYTES      (32u << 20)
#define KSEG0          0xffffffff80000000ull
#define GENERAL_VECTOR (KSEG0 + 0x180)
#define START_PC       0xffffffff80001000ull

struct fixture {
    struct cpu *cpu;
    struct bus *bus;
    uint8_t *ram;
};

static int setup_model(void **state, enum cpu_model model)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct cpu_config config = {.model = model, .big_endian = true};
    f->cpu = cpu_create(&config);
    f->bus = bus_create();
    f->ram = calloc(1, RAM_BYTES);
    assert_int_equal(bus_add_ram(f->bus, 0, RAM_BYTES, f->ram), 0);
    cpu_attach_bus(f->cpu, f->bus);
    cp0_write(f->cpu, CP0_STATUS, 0, 0); /* kernel mode, BEV and ERL cleared */
    f->cpu->pc = START_PC;
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_model(state, CPU_MODEL_R10000);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    cpu_destroy(f->cpu);
    bus_destroy(f->bus);
    free(f->ram);
    free(f);
    return 0;
}

static unsigned exc_code(const struct cpu *cpu)
{
    return (cpu->cp0.cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
}

/* Re-arms the CPU after an exception: kernel mode at START_PC. */
static void rearm(struct cpu *cpu, uint32_t status)
{
    cp0_write(cpu, CP0_STATUS, 0, status);
    cpu->pc = START_PC;
    cpu->exception_raised = false;
}

static void write_tlb(struct cpu *cpu, unsigned index, uint64_t hi, uint64_t lo0, uint64_t lo1,
                      uint64_t mask)
{
    cp0_write(cpu, CP0_INDEX, 0, index);
    cp0_write(cpu, CP0_ENTRYHI, 0, hi);
    cp0_write(cpu, CP0_ENTRYLO0, 0, lo0);
    cp0_write(cpu, CP0_ENTRYLO1, 0, lo1);
    cp0_write(cpu, CP0_PAGEMASK, 0, mask);
    tlb_write_indexed(cpu);
}

/* EntryLo for a physical frame: PFN, cacheable (C=3), dirty, valid, global. */
static uint64_t lo(uint64_t paddr, bool dirty, bool valid, bool global)
{
    return (paddr >> 12) << 6 | 3u << 3 | (dirty ? 4 : 0) | (valid ? 2 : 0) | (global ? 1 : 0);
}

static void test_unmapped_kernel_segments(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    assert_int_equal(tlb_translate(f->cpu, 0xffffffff80123456ull, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x123456);
    assert_true(t.cached);
    assert_int_equal(tlb_translate(f->cpu, 0xffffffffa0123456ull, ACCESS_STORE, &t), 0);
    assert_int_equal(t.paddr, 0x123456);
    assert_false(t.cached);
    assert_true(t.writable);
}

static void test_xkphys(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    /* KX clear: xkphys is an address error. */
    assert_int_equal(tlb_translate(f->cpu, 0x9800000000001000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    assert_int_equal(f->cpu->cp0.badvaddr, 0x9800000000001000ull);
    rearm(f->cpu, ST_KX);
    assert_int_equal(tlb_translate(f->cpu, 0x9800000000001000ull, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x1000);
    assert_true(t.cached);
    assert_int_equal(tlb_translate(f->cpu, 0x900000fedcba9000ull, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0xfedcba9000ull);
    assert_false(t.cached); /* CCA 2: uncached */
    /* Physical bits beyond PABITS (40) are an address error. */
    assert_int_equal(tlb_translate(f->cpu, 0x9800010000000000ull, ACCESS_STORE, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADES);
}

static void test_refill_sets_cp0(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 0x42);
    cp0_write(f->cpu, CP0_CONTEXT, 0, 0xffffffffc0000000ull);
    f->cpu->delay_slot = true;
    assert_int_equal(tlb_translate(f->cpu, 0x00412345, ACCESS_STORE, &t), 1);
    assert_true(f->cpu->exception_raised);
    assert_int_equal(f->cpu->pc, KSEG0 + 0x000); /* 32-bit refill vector */
    assert_int_equal(exc_code(f->cpu), EXC_TLBS);
    assert_int_equal(f->cpu->cp0.epc, START_PC - 4);
    assert_true(f->cpu->cp0.cause & CAUSE_BD);
    assert_int_equal(f->cpu->cp0.badvaddr, 0x00412345);
    assert_int_equal(f->cpu->cp0.context, 0xffffffffc0000000ull | (0x00412345 >> 13) << 4);
    assert_int_equal(f->cpu->cp0.entryhi, 0x00412000 | 0x42);
    assert_true(f->cpu->cp0.status & ST_EXL);
    assert_false(f->cpu->delay_slot);
}

static void test_refill_with_exl_goes_to_general_vector(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    cp0_write(f->cpu, CP0_EPC, 0, 0x1234);
    rearm(f->cpu, ST_EXL);
    assert_int_equal(tlb_translate(f->cpu, 0x00400000, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, GENERAL_VECTOR);
    assert_int_equal(f->cpu->cp0.epc, 0x1234); /* not updated */
    assert_int_equal(exc_code(f->cpu), EXC_TLBL);
}

static void test_xtlb_refill_vector(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    /* UX clear: a 64-bit user address is an address error even in kernel mode. */
    assert_int_equal(tlb_translate(f->cpu, 0x0000000100000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    rearm(f->cpu, ST_UX);
    assert_int_equal(tlb_translate(f->cpu, 0x0000000100000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, KSEG0 + 0x080);
    assert_int_equal(f->cpu->cp0.xcontext & 0x7fffffff0ull, (0x100000000ull >> 13) << 4);
    /* A 32-bit address with UX set also refills through the XTLB vector. */
    rearm(f->cpu, ST_UX);
    assert_int_equal(tlb_translate(f->cpu, 0x1000, ACCESS_FETCH, &t), 1);
    assert_int_equal(f->cpu->pc, KSEG0 + 0x080);
    /* Beyond SEGBITS (44 on the R10000): address error. */
    rearm(f->cpu, ST_UX);
    assert_int_equal(tlb_translate(f->cpu, 1ull << 44, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    /* kseg2 with KX set: XTLB refill, R = 3 in XContext. */
    rearm(f->cpu, ST_KX);
    assert_int_equal(tlb_translate(f->cpu, 0xffffffffc0002000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, KSEG0 + 0x080);
    assert_int_equal((f->cpu->cp0.xcontext >> 35) & 3, 3);
}

static void test_pair_mapping_and_bits(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    write_tlb(f->cpu, 5, 0x00400000 | 7, lo(0x200000, true, true, false),
              lo(0x300000, false, true, false), 0);
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 7);
    assert_int_equal(tlb_translate(f->cpu, 0x00400abc, ACCESS_STORE, &t), 0);
    assert_int_equal(t.paddr, 0x200abc);
    assert_int_equal(t.page_size, 4096);
    assert_int_equal(tlb_translate(f->cpu, 0x00401abc, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x300abc);
    assert_false(t.writable);
    /* Odd page is clean: a store raises Modified. */
    assert_int_equal(tlb_translate(f->cpu, 0x00401abc, ACCESS_STORE, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_MOD);
    assert_int_equal(f->cpu->pc, GENERAL_VECTOR);
    /* Another ASID misses (refill); a global entry would match. */
    rearm(f->cpu, 0);
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 8);
    assert_int_equal(tlb_translate(f->cpu, 0x00400abc, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, KSEG0);
    rearm(f->cpu, 0);
    write_tlb(f->cpu, 6, 0x00800000, lo(0x400000, true, true, true),
              lo(0x500000, true, false, true), 0);
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 99);
    assert_int_equal(tlb_translate(f->cpu, 0x00800010, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x400010);
    /* Invalid odd half: TLBL through the general vector, not a refill. */
    assert_int_equal(tlb_translate(f->cpu, 0x00801010, ACCESS_FETCH, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_TLBL);
    assert_int_equal(f->cpu->pc, GENERAL_VECTOR);
}

static void test_page_sizes(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    /* 16 MB pages: the pair covers 32 MB; the odd page starts at +16 MB. */
    write_tlb(f->cpu, 0, 0x02000000, lo(0x1000000, true, true, true),
              lo(0x0000000, true, true, true), 0x1ffe000);
    assert_int_equal(tlb_translate(f->cpu, 0x02abcdef, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x1abcdef);
    assert_int_equal(t.page_size, 16u << 20);
    assert_int_equal(tlb_translate(f->cpu, 0x03abcdef, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x0abcdef);
    /* 16 KB pages. */
    write_tlb(f->cpu, 1, 0x10000000, lo(0x10000, true, true, true), lo(0x40000, true, true, true),
              0x6000);
    assert_int_equal(tlb_translate(f->cpu, 0x10003ffc, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x13ffc);
    assert_int_equal(tlb_translate(f->cpu, 0x10004008, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x40008);
    /* An illegal PageMask is reduced to the legal mask it starts with. */
    cp0_write(f->cpu, CP0_PAGEMASK, 0, 0x1e000 | 0x80000);
    assert_int_equal(cp0_read(f->cpu, CP0_PAGEMASK, 0), 0x1e000);
}

static void test_probe_and_read(void **state)
{
    struct fixture *f = *state;
    write_tlb(f->cpu, 17, 0x00600000 | 3, lo(0x7000, true, true, true),
              lo(0x9000, false, true, true), 0x6000);
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 0x00606000 | 9);
    tlb_probe(f->cpu);
    assert_int_equal(cp0_read(f->cpu, CP0_INDEX, 0), 17);
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 0x00608000 | 3);
    tlb_probe(f->cpu);
    assert_true(cp0_read(f->cpu, CP0_INDEX, 0) & 0x80000000u);
    cp0_write(f->cpu, CP0_INDEX, 0, 17);
    tlb_read(f->cpu);
    assert_int_equal(cp0_read(f->cpu, CP0_ENTRYHI, 0), 0x00600000 | 3);
    /* 16 KB pages: the two PFN bits inside the page were dropped by the write. */
    assert_int_equal(cp0_read(f->cpu, CP0_ENTRYLO0, 0), lo(0x4000, true, true, true));
    assert_int_equal(cp0_read(f->cpu, CP0_ENTRYLO1, 0), lo(0x8000, false, true, true));
    assert_int_equal(cp0_read(f->cpu, CP0_PAGEMASK, 0), 0x6000);
    /* Only one half global: the entry is not global and TLBR shows G clear on both. */
    write_tlb(f->cpu, 18, 0x00700000 | 3, lo(0x7000, true, true, true),
              lo(0x9000, false, true, false), 0);
    tlb_read(f->cpu);
    assert_int_equal(cp0_read(f->cpu, CP0_ENTRYLO0, 0) & 1, 0);
}

static void test_modes_and_segments(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    write_tlb(f->cpu, 2, 0xffffffffc0000000ull, lo(0x8000, true, true, true),
              lo(0xa000, true, true, true), 0);
    /* User mode: kseg0 and sseg are address errors; EXL puts it back into kernel mode. */
    rearm(f->cpu, 2u << ST_KSU_SHIFT);
    assert_int_equal(cp0_mode(f->cpu), MODE_USER);
    assert_int_equal(tlb_translate(f->cpu, 0xffffffff80000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    assert_int_equal(cp0_mode(f->cpu), MODE_KERNEL);
    rearm(f->cpu, 2u << ST_KSU_SHIFT);
    assert_int_equal(tlb_translate(f->cpu, 0xffffffffc0000000ull, ACCESS_LOAD, &t), 1);
    /* Supervisor: sseg is mapped, kseg0/kseg1 and kseg3 are not allowed. */
    rearm(f->cpu, 1u << ST_KSU_SHIFT);
    assert_int_equal(cp0_mode(f->cpu), MODE_SUPERVISOR);
    assert_int_equal(tlb_translate(f->cpu, 0xffffffffc0001004ull, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0xa004);
    assert_int_equal(tlb_translate(f->cpu, 0xffffffffe0000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    /* xsseg needs SX; xkseg is kernel only. */
    rearm(f->cpu, 1u << ST_KSU_SHIFT);
    assert_int_equal(tlb_translate(f->cpu, 0x4000000000000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    rearm(f->cpu, 1u << ST_KSU_SHIFT | ST_SX);
    assert_int_equal(tlb_translate(f->cpu, 0x4000000000000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_TLBL);
    assert_int_equal(f->cpu->pc, KSEG0 + 0x080);
    rearm(f->cpu, 1u << ST_KSU_SHIFT | ST_SX | ST_KX);
    assert_int_equal(tlb_translate(f->cpu, 0xc000000000000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
    rearm(f->cpu, ST_KX);
    assert_int_equal(tlb_translate(f->cpu, 0xc000000000000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_TLBL);
    /* The hole between xkseg's end and ckseg0 is an address error. */
    rearm(f->cpu, ST_KX);
    assert_int_equal(tlb_translate(f->cpu, 0xc000100000000000ull, ACCESS_LOAD, &t), 1);
    assert_int_equal(exc_code(f->cpu), EXC_ADEL);
}

static void test_erl_makes_useg_unmapped(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    rearm(f->cpu, ST_ERL);
    assert_int_equal(tlb_translate(f->cpu, 0x00345678, ACCESS_LOAD, &t), 0);
    assert_int_equal(t.paddr, 0x00345678);
    assert_false(t.cached);
}

static void test_random_respects_wired(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    for (unsigned i = 0; i < 10; i++)
        write_tlb(f->cpu, i, 0x01000000 + (i << 13), lo(i << 12, true, true, true),
                  lo(i << 12, true, true, true), 0);
    cp0_write(f->cpu, CP0_WIRED, 0, 10);
    assert_int_equal(cp0_read(f->cpu, CP0_RANDOM, 0), 63);
    for (unsigned n = 0; n < 500; n++) {
        uint64_t r = cp0_read(f->cpu, CP0_RANDOM, 0);
        assert_true(r >= 10 && r <= 63);
        cp0_write(f->cpu, CP0_ENTRYHI, 0, 0x20000000 + ((uint64_t)n << 13));
        tlb_write_random(f->cpu);
    }
    for (unsigned i = 0; i < 10; i++) {
        assert_int_equal(tlb_translate(f->cpu, 0x01000000 + (i << 13), ACCESS_LOAD, &t), 0);
        assert_int_equal(t.paddr, i << 12);
    }
}

static void test_bev_vectors(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    rearm(f->cpu, ST_BEV);
    assert_int_equal(tlb_translate(f->cpu, 0x00400000, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, 0xffffffffbfc00200ull);
    rearm(f->cpu, ST_BEV | ST_UX);
    assert_int_equal(tlb_translate(f->cpu, 0x00400000, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, 0xffffffffbfc00280ull);
    rearm(f->cpu, ST_BEV);
    cpu_raise(f->cpu, EXC_SYS);
    assert_int_equal(f->cpu->pc, 0xffffffffbfc00380ull);
}

static void test_unwritten_tlb_never_matches(void **state)
{
    struct fixture *f = *state;
    struct translation t;
    cp0_write(f->cpu, CP0_ENTRYHI, 0, 0);
    assert_int_equal(tlb_translate(f->cpu, 0, ACCESS_LOAD, &t), 1);
    assert_int_equal(f->cpu->pc, KSEG0); /* a refill, not an invalid-entry hit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unmapped_kernel_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xkphys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refill_sets_cp0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refill_with_exl_goes_to_general_vector, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_xtlb_refill_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pair_mapping_and_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_page_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes_and_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erl_makes_useg_unmapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_respects_wired, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bev_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritten_tlb_never_matches, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
