/*
 * fuzz_harness.c - the CPU fuzz harness behind fuzz_harness.h. Builds a small
 * machine (1 MiB of RAM, a TLB entry mapping the code page into useg and
 * sseg), writes the input's words as code, seeds the registers with
 * addresses in every segment, sets Status from the configuration byte and
 * runs a bounded number of instructions, resuming after each host exception.
 */
#include "fuzz_harness.h"

#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "cpu_internal.h"

#define RAM_BYTES      (1u << 20)
#define CODE_PADDR     0x4000u     /* even page of the mapped pair */
#define DATA_PADDR     0x5000u     /* odd page */
#define USER_VA        0x00400000u /* useg address of the code page */
#define SUPER_VA       0xffffffffc0000000ull
#define KERNEL_VA      (0xffffffff80000000ull + CODE_PADDR)
#define MAX_HOST_STOPS 64

/* Configuration byte. */
enum {
    CFG_R2 = 1 << 0,
    CFG_LITTLE = 1 << 1,
    CFG_MODE_SHIFT = 2, /* 2 bits: kernel, supervisor, user, user */
    CFG_SEG64 = 1 << 4,
    CFG_TO_HOST = 1 << 5,
    CFG_EXL_ERL = 1 << 6,
    CFG_FPU = 1 << 7,
};

static const uint64_t seeds[] = {
    0,
    1,
    ~0ull,
    0x7fffffffull,
    0x80000000ull,
    0xffffffff80000000ull,
    0xffffffffa0001000ull,
    USER_VA,
    USER_VA + 0x1ffc,
    SUPER_VA + 0x1000,
    0x9800000000005000ull,
    0x9000000000001000ull,
    0xc000000000000000ull,
    0x4000000000000000ull,
    0x0000000100000000ull,
    0xffffffffe0000000ull,
    0x8000000000000000ull,
    0x123456789abcdef0ull,
    3,
    0x1fe00000ull,
    0xffffffffbfc00380ull,
};

static uint32_t read_word(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void write_guest_word(uint8_t *ram, uint64_t paddr, uint32_t word, bool big_endian)
{
    for (unsigned i = 0; i < 4; i++) {
        unsigned shift = big_endian ? 24 - 8 * i : 8 * i;
        ram[paddr + i] = (uint8_t)(word >> shift);
    }
}

static void map_code_pages(struct cpu *cpu)
{
    uint64_t lo0 = (CODE_PADDR >> 12) << 6 | 3u << 3 | 7u; /* cacheable, D, V, G */
    uint64_t lo1 = (DATA_PADDR >> 12) << 6 | 3u << 3 | 7u;
    const uint64_t vas[2] = {USER_VA, SUPER_VA};
    for (unsigned i = 0; i < 2; i++) {
        cp0_write(cpu, CP0_INDEX, 0, i);
        cp0_write(cpu, CP0_ENTRYHI, 0, vas[i]);
        cp0_write(cpu, CP0_ENTRYLO0, 0, lo0);
        cp0_write(cpu, CP0_ENTRYLO1, 0, lo1);
        cp0_write(cpu, CP0_PAGEMASK, 0, 0);
        tlb_write_indexed(cpu);
    }
}

static uint64_t status_for(uint8_t cfg)
{
    static const uint32_t ksu[4] = {0, 1u << ST_KSU_SHIFT, 2u << ST_KSU_SHIFT, 2u << ST_KSU_SHIFT};
    uint64_t status = ksu[(cfg >> CFG_MODE_SHIFT) & 3] | ST_IE | (0xffu << ST_IM_SHIFT);
    if (cfg & CFG_SEG64)
        status |= ST_KX | ST_SX | ST_UX;
    if (cfg & CFG_EXL_ERL)
        status |= (cfg & 1) ? ST_ERL : ST_EXL;
    if (cfg & CFG_FPU)
        status |= ST_CU1 | ST_FR | ST_XX;
    return status;
}

static uint64_t entry_pc(uint8_t cfg)
{
    unsigned mode = (cfg >> CFG_MODE_SHIFT) & 3;
    if (mode == 0 || (cfg & CFG_EXL_ERL))
        return KERNEL_VA;
    return mode == 1 ? SUPER_VA : USER_VA;
}

uint64_t fuzz_run_one(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t cfg = data[0];
    struct cpu_config config = {
        .model = (cfg & CFG_R2) ? CPU_MODEL_MIPS64R2 : CPU_MODEL_R10000,
        .big_endian = !(cfg & CFG_LITTLE),
        .exceptions_to_host = (cfg & CFG_TO_HOST) != 0,
    };
    struct cpu *cpu = cpu_create(&config);
    struct bus *bus = bus_create();
    uint8_t *ram = calloc(1, RAM_BYTES);
    if (!ram || bus_add_ram(bus, 0, RAM_BYTES, ram) != 0)
        abort();
    size_t words = (size - 1) / 4;
    if (words > FUZZ_MAX_WORDS)
        words = FUZZ_MAX_WORDS;
    for (size_t i = 0; i < words; i++)
        write_guest_word(ram, CODE_PADDR + 4 * i, read_word(data + 1 + 4 * i), config.big_endian);
    cpu_attach_bus(cpu, bus);
    map_code_pages(cpu);
    cp0_write(cpu, CP0_STATUS, 0, status_for(cfg));
    cp0_write(cpu, CP0_COMPARE, 0, 40); /* a timer interrupt early in the run */
    for (unsigned r = 1; r < 32; r++)
        cpu_set_gpr(cpu, r, seeds[(r + cfg) % (sizeof(seeds) / sizeof(seeds[0]))]);
    cpu_set_pc(cpu, entry_pc(cfg));
    for (unsigned stops = 0; stops < MAX_HOST_STOPS; stops++) {
        uint64_t done = cpu_instructions(cpu);
        if (done >= FUZZ_BUDGET_INSTRUCTIONS)
            break;
        enum cpu_stop stop = cpu_run(cpu, FUZZ_BUDGET_INSTRUCTIONS - done);
        if (stop == CPU_STOP_BUDGET)
            break;
        if (stop == CPU_STOP_EXCEPTION) /* the host "handles" it by skipping the instruction */
            cpu_set_pc(cpu, cpu_last_exception(cpu)->pc + 4);
    }
    uint64_t executed = cpu_instructions(cpu);
    cpu_destroy(cpu);
    bus_destroy(bus);
    free(ram);
    return executed;
}
