/*
 * smp_interleave.c - a sequentially consistent reference machine for the SMP
 * guest programs: N simulated CPUs in one host thread over one shared RAM,
 * run in turn for pseudo-random slices of 1..max instructions, each with the
 * disco-coord --bare reset convention ($a0 = CPU number, $a1 = CPU count) and
 * a console device with TX/EXIT/CYCLES/CPUID/NCPUS (docs/bare-metal.md).
 * Checks the programs' own logic under many interleavings, independently of
 * the distributed machine. Switching CPUs clears the others' LL bits: an SC
 * fails whenever another CPU ran since its LL (a legal, conservative LLbit).
 *
 * usage: smp-interleave [--cpu r10000|mips64r2] [--seed S] [--max-slice N]
 *                       [--max-insns N] NCPUS PROGRAM
 * Exit status: the program's, or 1 with a message.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "cpu_internal.h"
#include "elf_load.h"
#include "xalloc.h"

#define RAM_BYTES    (64ull << 20)
#define CONSOLE_BASE 0x1fe00000ull
#define CONSOLE_SIZE 0x1000ull
#define MAX_CPUS     64

struct machine;
struct console {
    struct machine *m;
    unsigned cpu;
};
struct machine {
    uint8_t *ram;
    struct bus *bus[MAX_CPUS];
    struct cpu *cpu[MAX_CPUS];
    struct console console[MAX_CPUS];
    unsigned ncpus;
    bool exited;
    int status;
};

static int console_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct console *c = opaque;
    (void)size;
    switch (offset) {
    case 0x18: *value = cpu_cycles(c->m->cpu[c->cpu]); return 0;
    case 0x20: *value = c->cpu; return 0;
    case 0x28: *value = c->m->ncpus; return 0;
    default: *value = 0; return 0;
    }
}

static int console_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct console *c = opaque;
    (void)size;
    if (offset == 0x00) {
        putchar((int)(value & 0xff));
    } else if (offset == 0x08 && !c->m->exited) {
        c->m->exited = true; /* the first EXIT ends the run, as on disco-coord */
        c->m->status = (int)(value & 0xff);
        cpu_request_halt(c->m->cpu[c->cpu]);
    }
    return 0;
}

static const struct bus_device_ops console_ops = {console_read, console_write};

static int load_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct machine *m = opaque;
    (void)prot;
    /* kseg0/kseg1 addresses are physical & 0x1fffffff; the programs use nothing else. */
    uint64_t base = ((uint64_t)(int64_t)(int32_t)vaddr == vaddr) ? (vaddr & 0x1fffffffu) : paddr;
    if (memsz < filesz || base >= RAM_BYTES || memsz > RAM_BYTES - base)
        return -1;
    memcpy(m->ram + base, data, filesz);
    memset(m->ram + base + filesz, 0, memsz - filesz);
    return 0;
}

static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

int main(int argc, char **argv)
{
    enum cpu_model model = CPU_MODEL_R10000;
    uint64_t seed = 1, max_slice = 64, max_insns = 2000000000ull;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--cpu") == 0)
            model = strcmp(argv[i + 1], "mips64r2") == 0 ? CPU_MODEL_MIPS64R2 : CPU_MODEL_R10000;
        else if (strcmp(argv[i], "--seed") == 0)
            seed = strtoull(argv[i + 1], NULL, 0) | 1;
        else if (strcmp(argv[i], "--max-slice") == 0)
            max_slice = strtoull(argv[i + 1], NULL, 0);
        else if (strcmp(argv[i], "--max-insns") == 0)
            max_insns = strtoull(argv[i + 1], NULL, 0);
        else
            break;
    }
    if (argc - i != 2 || max_slice == 0) {
        fprintf(stderr, "usage: smp-interleave [--cpu M] [--seed S] [--max-slice N] "
                        "[--max-insns N] NCPUS PROGRAM\n");
        return 1;
    }
    static struct machine m;
    m.ncpus = (unsigned)strtoul(argv[i], NULL, 0);
    const char *path = argv[i + 1];
    if (m.ncpus == 0 || m.ncpus > MAX_CPUS) {
        fprintf(stderr, "smp-interleave: NCPUS must be 1..%d\n", MAX_CPUS);
        return 1;
    }
    m.ram = xcalloc(1, RAM_BYTES);
    struct elf_info info;
    char err[256] = "";
    if (elf_load(path, load_segment, &m, &info, err, sizeof(err)) != 0) {
        fprintf(stderr, "smp-interleave: %s: %s\n", path, err[0] ? err : "cannot load");
        return 1;
    }
    for (unsigned c = 0; c < m.ncpus; c++) {
        struct cpu_config config = {.model = model, .big_endian = info.big_endian, .cpu_number = c};
        m.cpu[c] = cpu_create(&config);
        m.bus[c] = bus_create();
        m.console[c] = (struct console){&m, c};
        if (bus_add_ram(m.bus[c], 0, RAM_BYTES, m.ram) != 0 ||
            bus_add_device(m.bus[c], CONSOLE_BASE, CONSOLE_SIZE, &console_ops, &m.console[c]) !=
                0) {
            fprintf(stderr, "smp-interleave: cannot build CPU %u's bus\n", c);
            return 1;
        }
        cpu_attach_bus(m.cpu[c], m.bus[c]);
        cpu_set_pc(m.cpu[c], info.entry);
        cpu_set_gpr(m.cpu[c], 4, c);
        cpu_set_gpr(m.cpu[c], 5, m.ncpus);
    }
    uint64_t total = 0, rng = seed * 0x9e3779b97f4a7c15ull | 1;
    unsigned prev = 0;
    while (!m.exited) {
        if (total >= max_insns) {
            fprintf(stderr, "smp-interleave: %" PRIu64 " instructions without an exit\n", total);
            return 1;
        }
        unsigned c = (unsigned)(next_random(&rng) % m.ncpus);
        if (c != prev)
            for (unsigned o = 0; o < m.ncpus; o++)
                if (o != c)
                    m.cpu[o]->cp0.llbit = false;
        prev = c;
        uint64_t before = cpu_instructions(m.cpu[c]);
        enum cpu_stop stop = cpu_run(m.cpu[c], 1 + next_random(&rng) % max_slice);
        total += cpu_instructions(m.cpu[c]) - before;
        if (stop != CPU_STOP_BUDGET && !m.exited) {
            fprintf(stderr, "smp-interleave: CPU %u stopped (%d) at pc 0x%" PRIx64 "\n", c,
                    (int)stop, cpu_get_pc(m.cpu[c]));
            return 1;
        }
    }
    fflush(stdout);
    fprintf(stderr, "smp-interleave: %u CPUs, %" PRIu64 " instructions, status %d\n", m.ncpus,
            total, m.status);
    for (unsigned c = 0; c < m.ncpus; c++) {
        cpu_destroy(m.cpu[c]);
        bus_destroy(m.bus[c]);
    }
    free(m.ram);
    return m.status;
}
