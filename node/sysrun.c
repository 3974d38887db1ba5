/*
 * sysrun.c - runs one bare-metal MIPS program on one CPU in system mode
 * (flash-run --system, the kernel-mode tests). Builds the machine described
 * in docs/bare-metal.md: RAM at physical 0, a writable boot-ROM window at
 * 0x1fc00000 for the BEV vectors, the console/exit device; loads the ELF by
 * physical address, resets the CPU and runs it until the program exits.
 */
#include "sysrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "console_dev.h"
#include "cpu_internal.h"
#include "disco_err.h"
#include "elf_load.h"
#include "xalloc.h"

#define SYSRUN_DEFAULT_RAM_BYTES  (64ull << 20)
#define SYSRUN_LOW_RAM_LIMIT      0x1fc00000ull /* RAM above this continues at 0x20000000 */
#define SYSRUN_HIGH_RAM_BASE      0x20000000ull
#define SYSRUN_MAX_RAM_BYTES      (4ull << 30)
#define SYSRUN_BOOT_ROM_BASE      0x1fc00000ull
#define SYSRUN_BOOT_ROM_BYTES     (1ull << 20)
#define SYSRUN_SLICE_INSTRUCTIONS (1ull << 22)
#define SYSRUN_PABITS             40

struct machine {
    struct bus *bus;
    uint8_t *ram, *boot_rom;
    char error[256];
};

static int fail(const char *path, const char *what)
{
    fprintf(stderr, "flash-run --system: %s: %s\n", path, what);
    return -1;
}

/*
 * The physical address a segment is loaded at: unmapped kernel addresses
 * (kseg0, kseg1, xkphys) are translated as the CPU would; anything else
 * (useg, kseg2/3, xkseg) uses the segment's p_paddr, translated the same way
 * if it is itself a kernel address.
 */
uint64_t sysrun_load_address(uint64_t vaddr, uint64_t paddr)
{
    uint64_t addrs[2] = {vaddr, paddr};
    for (unsigned i = 0; i < 2; i++) {
        uint64_t a = addrs[i];
        bool compat = (uint64_t)(int64_t)(int32_t)a == a;
        if (compat && (uint32_t)a >= 0x80000000u && (uint32_t)a < 0xc0000000u)
            return a & 0x1fffffffu;
        if (a >> 62 == 2)
            return a & ((1ull << SYSRUN_PABITS) - 1);
    }
    return paddr;
}

int sysrun_copy_to_physical(struct bus *bus, uint64_t paddr, const uint8_t *data, uint64_t len)
{
    while (len > 0) {
        uint64_t avail;
        uint8_t *host = bus_ram(bus, paddr, &avail);
        if (host == NULL)
            return DISCO_EINVAL;
        uint64_t n = len < avail ? len : avail;
        if (data) {
            memcpy(host, data, n);
            data += n;
        } else {
            memset(host, 0, n);
        }
        paddr += n;
        len -= n;
    }
    return 0;
}

static int load_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct machine *m = opaque;
    uint64_t base = sysrun_load_address(vaddr, paddr);
    if (memsz < filesz || base + memsz < base) {
        snprintf(m->error, sizeof(m->error), "segment at 0x%llx has a bad size",
                 (unsigned long long)vaddr);
        return DISCO_EFORMAT;
    }
    if (sysrun_copy_to_physical(m->bus, base, data, filesz) != 0 ||
        sysrun_copy_to_physical(m->bus, base + filesz, NULL, memsz - filesz) != 0) {
        snprintf(m->error, sizeof(m->error),
                 "segment at 0x%llx (physical 0x%llx, %llu bytes) is outside RAM",
                 (unsigned long long)vaddr, (unsigned long long)base, (unsigned long long)memsz);
        return DISCO_EINVAL;
    }
    return 0;
}

static int machine_init(struct machine *m, uint64_t ram_bytes)
{
    memset(m, 0, sizeof(*m));
    m->bus = bus_create();
    m->ram = xcalloc(1, ram_bytes);
    m->boot_rom = xcalloc(1, SYSRUN_BOOT_ROM_BYTES);
    uint64_t low = ram_bytes < SYSRUN_LOW_RAM_LIMIT ? ram_bytes : SYSRUN_LOW_RAM_LIMIT;
    if (bus_add_ram(m->bus, 0, low, m->ram) != 0 ||
        (ram_bytes > low &&
         bus_add_ram(m->bus, SYSRUN_HIGH_RAM_BASE, ram_bytes - low, m->ram + low) != 0) ||
        bus_add_ram(m->bus, SYSRUN_BOOT_ROM_BASE, SYSRUN_BOOT_ROM_BYTES, m->boot_rom) != 0)
        return DISCO_EINVAL;
    return 0;
}

static void machine_fini(struct machine *m)
{
    bus_destroy(m->bus);
    free(m->ram);
    free(m->boot_rom);
}

/*
 * WAIT stopped the CPU: nothing else runs on this machine, so the only event
 * that can come is the timer. Jump simulated time to it and resume.
 */
static void skip_to_next_event(struct cpu *cpu)
{
    if (cpu->cycles < cpu->next_event_cycle)
        cpu->cycles = cpu->next_event_cycle;
    cpu->irq_dirty = true;
}

/* Runs until the program exits; returns its status or -1. */
static int run(struct cpu *cpu, struct console_dev *console, const char *path, uint64_t budget)
{
    for (;;) {
        uint64_t slice = SYSRUN_SLICE_INSTRUCTIONS;
        if (budget) {
            uint64_t done = cpu_instructions(cpu);
            if (done >= budget)
                return fail(path, "instruction budget exhausted before the program exited");
            if (budget - done < slice)
                slice = budget - done;
        }
        enum cpu_stop stop = cpu_run(cpu, slice);
        int status;
        if (console_dev_exited(console, &status))
            return status;
        switch (stop) {
        case CPU_STOP_BUDGET: break;
        case CPU_STOP_WAIT: skip_to_next_event(cpu); break;
        case CPU_STOP_HALT: return fail(path, "CPU halted without an exit status");
        case CPU_STOP_EXCEPTION: return fail(path, "unexpected exception stop in system mode");
        case CPU_STOP_MEMORY: return fail(path, "memory stall without a coherent memory system");
        }
    }
}

int sysrun_program(const char *path, const struct sysrun_options *options,
                   struct sysrun_result *result)
{
    uint64_t ram_bytes = options->ram_bytes ? options->ram_bytes : SYSRUN_DEFAULT_RAM_BYTES;
    if (ram_bytes > SYSRUN_MAX_RAM_BYTES || ram_bytes < (1ull << 20))
        return fail(path, "RAM size must be between 1 MiB and 4 GiB");
    struct machine m;
    int rv = -1;
    if (machine_init(&m, ram_bytes) != 0) {
        machine_fini(&m);
        return fail(path, "cannot build the physical memory map");
    }
    struct elf_info info;
    int err = elf_load(path, load_segment, &m, &info, m.error, sizeof(m.error));
    if (err != 0) {
        fail(path, m.error[0] ? m.error : disco_strerror(err));
        machine_fini(&m);
        return -1;
    }
    struct cpu_config config = {
        .model = options->model,
        .big_endian = info.big_endian,
        .cpu_number = 0,
        .exceptions_to_host = false,
    };
    struct cpu *cpu = cpu_create(&config);
    struct console_dev *console = console_dev_create(cpu, stdout);
    if (console_dev_attach(console, m.bus) != 0) {
        fail(path, "cannot map the console device");
    } else {
        cpu_attach_bus(cpu, m.bus);
        cpu_set_pc(cpu, info.entry);
        rv = run(cpu, console, path, options->max_instructions);
        if (result) {
            result->instructions = cpu_instructions(cpu);
            result->cycles = cpu_cycles(cpu);
        }
    }
    fflush(stdout);
    console_dev_destroy(console);
    cpu_destroy(cpu);
    machine_fini(&m);
    return rv;
}
