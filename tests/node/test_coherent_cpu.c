/*
 * test_coherent_cpu.c - the CPU's coherent memory path (cpu_attach_coherent):
 * a pending miss stops cpu_run() with CPU_STOP_MEMORY before the instruction
 * has any effect, also in a branch delay slot and on instruction fetch, and
 * the instruction restarts cleanly; an SC whose line was lost while it
 * waited fails. The memory behind the hook is a plain big-endian array.
 */
#include <string.h>

#include "bus.h"
#include "cpu_test_util.h"

#define KSEG0     0xffffffff80000000ull
#define CODE_PA   0x1000ull
#define DATA_PA   0x2000ull
#define MEM_BYTES 0x10000u

static uint8_t mem[MEM_BYTES];
static uint64_t pending_line[2]; /* [kind != fetch]: the next access to it is pending once */
static bool lose_on_pending;     /* simulate an INV arriving while the access waits */
static struct cpu *the_cpu;
static struct bus *the_bus; /* devices only: empty here */
static unsigned accesses;

static enum cpu_mem_status hook(void *opaque, unsigned kind, uint64_t paddr, void *buf,
                                unsigned size, uint32_t *cycles)
{
    (void)opaque;
    accesses++;
    uint64_t line = paddr & ~127ull;
    uint64_t *p = &pending_line[kind != 0];
    if (*p == line) {
        *p = UINT64_MAX;
        if (lose_on_pending)
            cpu_line_lost(the_cpu, line);
        return CPU_MEM_PENDING;
    }
    if (paddr + size > MEM_BYTES)
        return CPU_MEM_BUS_ERROR;
    if (kind == 2)
        memcpy(mem + paddr, buf, size);
    else
        memcpy(buf, mem + paddr, size);
    *cycles = 1;
    return CPU_MEM_DONE;
}

static void put_be32(uint64_t pa, uint32_t v)
{
    mem[pa] = (uint8_t)(v >> 24);
    mem[pa + 1] = (uint8_t)(v >> 16);
    mem[pa + 2] = (uint8_t)(v >> 8);
    mem[pa + 3] = (uint8_t)v;
}

static uint32_t get_be32(uint64_t pa)
{
    return (uint32_t)mem[pa] << 24 | (uint32_t)mem[pa + 1] << 16 | (uint32_t)mem[pa + 2] << 8 |
           mem[pa + 3];
}

static void load_code(const uint32_t *code, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        put_be32(CODE_PA + 4 * i, code[i]);
}

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof mem);
    pending_line[0] = pending_line[1] = UINT64_MAX;
    lose_on_pending = false;
    accesses = 0;
    struct cpu_config cc = {.model = CPU_MODEL_R10000, .big_endian = true};
    the_cpu = cpu_create(&cc);
    the_bus = bus_create();
    cpu_attach_bus(the_cpu, the_bus);
    struct cpu_coherent_ops ops = {.access = hook, .base = 0, .limit = MEM_BYTES};
    cpu_attach_coherent(the_cpu, &ops);
    cpu_set_pc(the_cpu, KSEG0 + CODE_PA);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cpu_destroy(the_cpu);
    bus_destroy(the_bus);
    return 0;
}

/* t0 = KSEG0; beq $0,$0 over one; delay slot: lw t1, DATA(t0); ...; spin. */
static const uint32_t slot_program[] = {
    LUI(8, 0x8000), BEQ(0, 0, 2), LW(9, DATA_PA, 8), ADDIU(9, 9, 100), BEQ(0, 0, -1), NOP,
};

static void test_miss_in_delay_slot_restarts(void **state)
{
    (void)state;
    load_code(slot_program, 6);
    put_be32(DATA_PA, 0x12345678);
    pending_line[1] = DATA_PA;
    assert_int_equal(cpu_run(the_cpu, 100), CPU_STOP_MEMORY);
    /* Stopped at the slot, nothing of the load done, the branch still pending. */
    assert_int_equal(cpu_get_pc(the_cpu), KSEG0 + CODE_PA + 8);
    assert_int_equal(cpu_get_gpr(the_cpu, 9), 0);
    assert_int_equal(cpu_instructions(the_cpu), 2);
    assert_int_equal(cpu_run(the_cpu, 3), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(the_cpu, 9), 0x12345678); /* the ADDIU was branched over */
    assert_int_equal(cpu_get_pc(the_cpu) & ~4ull, KSEG0 + CODE_PA + 16);
}

static void test_fetch_miss_stops_before_anything(void **state)
{
    (void)state;
    load_code(slot_program, 6);
    pending_line[0] = CODE_PA;
    assert_int_equal(cpu_run(the_cpu, 10), CPU_STOP_MEMORY);
    assert_int_equal(cpu_get_pc(the_cpu), KSEG0 + CODE_PA);
    assert_int_equal(cpu_instructions(the_cpu), 0);
    assert_int_equal(cpu_run(the_cpu, 1), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(the_cpu, 8), KSEG0);
}

/* ll t1; addiu t1, 1; sc t1; spin. */
static const uint32_t llsc_program[] = {
    LUI(8, 0x8000), LL(9, DATA_PA, 8), ADDIU(9, 9, 1), SC(9, DATA_PA, 8), BEQ(0, 0, -1), NOP,
};

static void test_sc_waiting_keeps_link(void **state)
{
    (void)state;
    load_code(llsc_program, 6);
    put_be32(DATA_PA, 41);
    pending_line[1] = DATA_PA; /* the LL misses first */
    assert_int_equal(cpu_run(the_cpu, 100), CPU_STOP_MEMORY);
    assert_int_equal(cpu_run(the_cpu, 2), CPU_STOP_BUDGET); /* LL, ADDIU */
    pending_line[1] = DATA_PA;                              /* and the SC waits too */
    assert_int_equal(cpu_run(the_cpu, 100), CPU_STOP_MEMORY);
    assert_int_equal(cpu_get_pc(the_cpu), KSEG0 + CODE_PA + 12);
    assert_int_equal(cpu_run(the_cpu, 1), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(the_cpu, 9), 1); /* SC succeeded */
    assert_int_equal(get_be32(DATA_PA), 42);
}

static void test_sc_fails_after_line_lost(void **state)
{
    (void)state;
    load_code(llsc_program, 6);
    put_be32(DATA_PA, 41);
    assert_int_equal(cpu_run(the_cpu, 3), CPU_STOP_BUDGET); /* LUI, LL, ADDIU */
    pending_line[1] = DATA_PA;
    lose_on_pending = true; /* another CPU takes the line while the SC waits */
    assert_int_equal(cpu_run(the_cpu, 100), CPU_STOP_MEMORY);
    assert_int_equal(cpu_run(the_cpu, 1), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(the_cpu, 9), 0); /* SC failed */
    assert_int_equal(get_be32(DATA_PA), 41);      /* and stored nothing */
}

static void test_other_line_lost_keeps_link(void **state)
{
    (void)state;
    load_code(llsc_program, 6);
    assert_int_equal(cpu_run(the_cpu, 3), CPU_STOP_BUDGET);
    cpu_line_lost(the_cpu, DATA_PA + 128);
    assert_int_equal(cpu_run(the_cpu, 1), CPU_STOP_BUDGET);
    assert_int_equal(cpu_get_gpr(the_cpu, 9), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_miss_in_delay_slot_restarts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_miss_stops_before_anything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sc_waiting_keeps_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sc_fails_after_line_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_line_lost_keeps_link, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
