/*
 * test_cpu_fuzz.c - a short, seeded fuzz run of the interpreter: pages of
 * random instruction words (biased towards real opcodes, with registers
 * pointing into mapped and unmapped memory) executed in user mode through a
 * uspace and in kernel mode on a bus, on both models and byte orders. The
 * host must survive every word: each run ends by budget or by a guest
 * exception, never by a crash or a hang (ASan/UBSan check the rest).
 * CPU_FUZZ_PROGRAMS=n in the environment runs n programs instead of 300.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus.h"
#include "cpu_internal.h"
#include "uspace.h"

#define CODE      0x10000ull
#define DATA      0x20000ull
#define WORDS     256
#define PROGRAMS  300
#define RAM_BYTES (1u << 20)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned program_count(void)
{
    const char *n = getenv("CPU_FUZZ_PROGRAMS");
    return n && atoi(n) > 0 ? (unsigned)atoi(n) : PROGRAMS;
}

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Mostly well-formed words: random opcode and function fields, small offsets. */
static uint32_t random_word(void)
{
    uint32_t w = (uint32_t)rng();
    switch (rng() % 4) {
    case 0: return w & 0xfc1fffffu; /* rs = $0: effective addresses near 0 */
    case 1: return (w & 0xffff003fu) | (uint32_t)(rng() % 32) << 11;
    case 2: return (w & ~0xffffu) | (uint32_t)(rng() % 64) * 4; /* short branches */
    default: return w;
    }
}

static void fill_registers(struct cpu *cpu, uint64_t data)
{
    for (unsigned r = 1; r < 32; r++) {
        uint64_t v = rng();
        switch (rng() % 3) {
        case 0: v = data + (v % 4096); break;
        case 1: v = (uint64_t)(int64_t)(int32_t)v; break;
        default: break;
        }
        cpu_set_gpr(cpu, r, v);
    }
}

static void put_word(uint8_t *p, uint32_t w, bool big_endian)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(w >> (big_endian ? 24 - 8 * i : 8 * i));
}

static void test_user_mode_fuzz(void **state)
{
    for (unsigned prog = 0; prog < program_count(); prog++) {
        bool be = prog & 1;
        struct cpu_config config = {.model = (prog & 2) ? CPU_MODEL_MIPS64R2 : CPU_MODEL_R10000,
                                    .big_endian = be,
                                    .exceptions_to_host = true};
        struct cpu *cpu = cpu_create(&config);
        struct uspace *space = uspace_create();
        assert_int_equal(uspace_map(space, CODE, 4096, USPACE_READ | USPACE_WRITE | USPACE_EXEC),
                         0);
        assert_int_equal(uspace_map(space, DATA, 4096, USPACE_READ | USPACE_WRITE), 0);
        uint8_t code[WORDS * 4];
        for (unsigned i = 0; i < WORDS; i++)
            put_word(code + 4 * i, random_word(), be);
        assert_int_equal(uspace_write_force(space, CODE, code, sizeof(code)), 0);
        cpu_attach_uspace(cpu, space);
        fill_registers(cpu, DATA);
        cpu_set_pc(cpu, CODE);
        /* Resume after each exception, as flash-run does, a bounded number of times. */
        for (int step = 0; step < 64; step++) {
            enum cpu_stop stop = cpu_run(cpu, 2000);
            if (stop != CPU_STOP_EXCEPTION)
                break;
            const struct cpu_exception *ex = cpu_last_exception(cpu);
            assert_true(ex->code < 32);
            uint64_t next = ex->delay_slot ? cpu->branch_target : ex->pc + 4;
            if (next - CODE >= WORDS * 4)
                next = CODE + (rng() % WORDS) * 4;
            cpu_set_pc(cpu, next);
        }
        cpu_destroy(cpu);
        uspace_destroy(space);
    }
}

static void test_kernel_mode_fuzz(void **state)
{
    uint8_t *ram = calloc(1, RAM_BYTES);
    for (unsigned prog = 0; prog < program_count() / 3; prog++) {
        bool be = prog & 1;
        struct cpu_config config = {.model = (prog & 2) ? CPU_MODEL_MIPS64R2 : CPU_MODEL_R10000,
                                    .big_endian = be};
        struct cpu *cpu = cpu_create(&config);
        struct bus *bus = bus_create();
        memset(ram, 0, RAM_BYTES);
        /* Code at 0x1000, the general vector's page at 0 holds random words too. */
        for (unsigned i = 0; i < 2048; i++)
            put_word(ram + 4 * i, random_word(), be);
        assert_int_equal(bus_add_ram(bus, 0, RAM_BYTES, ram), 0);
        cpu_attach_bus(cpu, bus);
        cp0_write(cpu, CP0_STATUS, 0, (prog % 5 == 0) ? ST_KX : 0);
        fill_registers(cpu, 0xffffffff80002000ull);
        cpu_set_pc(cpu, 0xffffffff80001000ull);
        enum cpu_stop stop = cpu_run(cpu, 20000);
        assert_true(stop == CPU_STOP_BUDGET || stop == CPU_STOP_WAIT || stop == CPU_STOP_HALT);
        assert_true(cpu_instructions(cpu) <= 20000);
        cpu_destroy(cpu);
        bus_destroy(bus);
    }
    free(ram);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_mode_fuzz),
        cmocka_unit_test(test_kernel_mode_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
