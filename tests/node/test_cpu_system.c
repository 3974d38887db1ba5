/*
 * test_cpu_system.c - unit tests of the interpreter in system mode: code and
 * data in kseg0 (cached, through the fast path) and kseg1 (uncached, never
 * cached on the host side), memory-mapped devices, bus errors delivered to
 * the guest's vector, stores into code through another alias, interrupts
 * taken at a checkpoint, and exact instruction budgets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bus.h"
#include "cpu_internal.h"

#define RAM_BYTES      (1u << 20)
#define KSEG0          0xffffffff80000000ull
#define KSEG1          0xffffffffa0000000ull
#define GENERAL_VECTOR (KSEG0 + 0x180)
#define START          (KSEG0 + 0x1000)
#define DEVICE_BASE    0x10000000ull

#define IT_(op, rs, rt, imm)                                                                       \
    ((uint32_t)(op) << 26 | (uint32_t)(rs) << 21 | (uint32_t)(rt) << 16 | ((uint32_t)(imm)&0xffff))
#define ADDIU(t, s, i) IT_(9, s, t, i)
#define LUI(t, i)      IT_(15, 0, t, i)
#define LW(t, off, b)  IT_(35, b, t, off)
#define LD(t, off, b)  IT_(55, b, t, off)
#define SW(t, off, b)  IT_(43, b, t, off)
#define BEQ(s, t, off) IT_(4, s, t, off)
#define NOP            0u

struct fixture {
    struct cpu *cpu;
    struct bus *bus;
    uint8_t *ram;
    uint64_t device_reg; /* the one register of the test device */
    unsigned device_reads, device_writes;
};

static int dev_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct fixture *f = opaque;
    f->device_reads++;
    *value = offset == 0 ? f->device_reg : 0;
    return 0;
}

static int dev_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct fixture *f = opaque;
    f->device_writes++;
    if (offset == 0)
        f->device_reg = value;
    return 0;
}

static const struct bus_device_ops dev_ops = {.read = dev_read, .write = dev_write};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct cpu_config config = {.model = CPU_MODEL_MIPS64R2, .big_endian = true};
    f->cpu = cpu_create(&config);
    f->bus = bus_create();
    f->ram = calloc(1, RAM_BYTES);
    assert_int_equal(bus_add_ram(f->bus, 0, RAM_BYTES, f->ram), 0);
    assert_int_equal(bus_add_device(f->bus, DEVICE_BASE, 0x100, &dev_ops, f), 0);
    cpu_attach_bus(f->cpu, f->bus);
    cp0_write(f->cpu, CP0_STATUS, 0, 0); /* kernel mode, BEV and ERL cleared */
    *state = f;
    return 0;
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

/* Big-endian words at a physical address. */
static void poke(struct fixture *f, uint64_t paddr, uint32_t word)
{
    for (int i = 0; i < 4; i++)
        f->ram[paddr + i] = (uint8_t)(word >> (24 - 8 * i));
}

static void load(struct fixture *f, uint64_t vaddr, const uint32_t *words, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        poke(f, (vaddr & 0x1fffffff) + 4 * i, words[i]);
    cpu_code_invalidate(f->cpu, f->ram, RAM_BYTES);
    cpu_set_pc(f->cpu, vaddr);
}

static void test_kseg0_and_kseg1_data(void **state)
{
    struct fixture *f = *state;
    /* t0 = kseg0 0x2000, t1 = kseg1 alias of it; store cached, read uncached. */
    const uint32_t prog[] = {LUI(8, 0x8000),      ADDIU(8, 8, 0x2000), LUI(9, 0xa000),
                             ADDIU(9, 9, 0x2000), ADDIU(10, 0, 77),    SW(10, 0, 8),
                             LW(11, 0, 9),        SW(11, 4, 9),        LW(12, 4, 8)};
    load(f, START, prog, 9);
    assert_int_equal(cpu_run(f->cpu, 9), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(f->cpu, 11), 77);
    assert_int_equal(cpu_get_gpr(f->cpu, 12), 77);
    assert_int_equal(f->ram[0x2003], 77); /* big-endian in guest memory */
    assert_int_equal(cpu_get_pc(f->cpu), START + 36);
    assert_int_equal(cpu_instructions(f->cpu), 9);
}

static void test_uncached_execution(void **state)
{
    struct fixture *f = *state;
    const uint32_t prog[] = {ADDIU(8, 0, 1), BEQ(0, 0, 2), ADDIU(9, 0, 2), ADDIU(10, 0, 3),
                             ADDIU(11, 0, 4)};
    load(f, KSEG1 + 0x3000, prog, 5);
    assert_int_equal(cpu_run(f->cpu, 4), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(f->cpu, 8), 1);
    assert_int_equal(cpu_get_gpr(f->cpu, 9), 2);
    assert_int_equal(cpu_get_gpr(f->cpu, 10), 0);
    assert_int_equal(cpu_get_gpr(f->cpu, 11), 4);
}

static void test_device_access(void **state)
{
    struct fixture *f = *state;
    f->device_reg = 0x1234;
    /* Device at physical 0x10000000: kseg1 0xb0000000. */
    const uint32_t prog[] = {LUI(8, 0xb000), LW(9, 0, 8),  ADDIU(9, 9, 1),
                             SW(9, 0, 8),    LW(10, 0, 8), LW(11, 0, 8)};
    load(f, START, prog, 6);
    assert_int_equal(cpu_run(f->cpu, 6), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(f->cpu, 9), 0x1235);
    assert_int_equal(cpu_get_gpr(f->cpu, 11), 0x1235);
    assert_int_equal(f->device_reg, 0x1235);
    assert_int_equal(f->device_reads, 3); /* never cached on the host side */
    assert_int_equal(f->device_writes, 1);
}

static void test_bus_error_goes_to_vector(void **state)
{
    struct fixture *f = *state;
    const uint32_t prog[] = {LUI(8, 0xb800), NOP, LD(9, 0, 8)}; /* nothing at 0x18000000 */
    load(f, START, prog, 3);
    cpu_run(f->cpu, 3);
    assert_int_equal(cpu_get_pc(f->cpu), GENERAL_VECTOR);
    assert_int_equal((cp0_read(f->cpu, CP0_CAUSE, 0) >> 2) & 31, EXC_DBE);
    assert_int_equal(cp0_read(f->cpu, CP0_EPC, 0), START + 8);
}

/* A store through kseg1 into code already decoded through kseg0. */
static void test_store_into_code_alias(void **state)
{
    struct fixture *f = *state;
    const uint32_t prog[] = {
        ADDIU(9, 0, 0),  /* 0 */
        LUI(8, 0xa000),  /* 1 */
        ADDIU(12, 0, 2), /* 2: loop count */
        ADDIU(10, 0, 1), /* 3: replaced by ADDIU(10, 0, 5) */
        LUI(11, ADDIU(10, 0, 5) >> 16),
        ADDIU(11, 11, ADDIU(10, 0, 5) & 0xffff),
        SW(11, 0x100c, 8),         /* over instruction 3 */
        IT_(9, 12, 12, -1),        /* 7: count-- */
        IT_(5, 12, 0, -6),         /* 8: bne count, 0, 3 */
        IT_(0, 9, 10, 0) | 0x4821, /* 9: slot: addu t1, t1, t2 */
    };
    load(f, START, prog, 10);
    assert_int_equal(cpu_run(f->cpu, 2 + 8 + 7), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(f->cpu, 9), 6); /* 1, then 5 after the store */
}

static bool ftlb_has_read(struct cpu *cpu, uint64_t vaddr)
{
    return cpu->ftlb[(vaddr >> 12) & (FTLB_SIZE - 1)].tag_read == (vaddr & FTLB_PAGE_MASK);
}

/* A ranged flush drops the translations of that range and keeps the others. */
static void test_ftlb_flush_range(void **state)
{
    struct fixture *f = *state;
    const uint32_t prog[] = {LUI(8, 0x8000), LW(9, 0x2000, 8), LW(9, 0x3000, 8), LW(9, 0x4000, 8)};
    load(f, START, prog, 4);
    assert_int_equal(cpu_run(f->cpu, 4), CPU_STOP_BUDGET);
    assert_true(ftlb_has_read(f->cpu, KSEG0 + 0x2000));
    assert_true(ftlb_has_read(f->cpu, KSEG0 + 0x3000));
    cpu_ftlb_flush_range(f->cpu, KSEG0 + 0x3000, 0x1000);
    assert_true(ftlb_has_read(f->cpu, KSEG0 + 0x2000));
    assert_false(ftlb_has_read(f->cpu, KSEG0 + 0x3000));
    assert_true(ftlb_has_read(f->cpu, KSEG0 + 0x4000));
    cpu_ftlb_flush(f->cpu);
    assert_false(ftlb_has_read(f->cpu, KSEG0 + 0x2000));
    assert_int_equal(f->cpu->ftlb_used_count, 0);
}

static void test_interrupt_taken(void **state)
{
    struct fixture *f = *state;
    const uint32_t prog[] = {BEQ(0, 0, -1), NOP}; /* spin */
    load(f, START, prog, 2);
    assert_int_equal(cpu_run(f->cpu, 1000), CPU_STOP_BUDGET);
    assert_int_equal(cpu_instructions(f->cpu), 1000);
    cp0_write(f->cpu, CP0_STATUS, 0, ST_IE | (1u << (ST_IM_SHIFT + 2)));
    cpu_set_irq(f->cpu, 0, true);
    cpu_run(f->cpu, 1000);
    assert_int_equal((cp0_read(f->cpu, CP0_CAUSE, 0) >> 2) & 31, EXC_INT);
    uint64_t epc = cp0_read(f->cpu, CP0_EPC, 0);
    assert_int_equal(epc, START); /* the branch, whether it came in before or in the slot */
    assert_true(cpu_get_pc(f->cpu) >= GENERAL_VECTOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kseg0_and_kseg1_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_uncached_execution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_access, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bus_error_goes_to_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_into_code_alias, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ftlb_flush_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_taken, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
