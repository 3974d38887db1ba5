/*
 * sysrun.h - runs a freestanding (bare-metal) MIPS program on one simulated
 * CPU in system mode: RAM at physical 0, the program loaded by its physical
 * addresses, the CPU reset into kernel mode at the ELF entry, and a simple
 * console/exit device (see docs/bare-metal.md) through which the program
 * prints and reports its status. Used by `flash-run --system` and the
 * kernel-mode tests.
 */
#ifndef DISCO_NODE_SYSRUN_H
#define DISCO_NODE_SYSRUN_H

#include <stdint.h>

#include "cpu.h"

struct sysrun_options {
    enum cpu_model model;
    uint64_t ram_bytes;        /* default 64 MiB */
    uint64_t max_instructions; /* 0: no limit */
};

/* What the run cost, filled in when the program ran (even if it failed). */
struct sysrun_result {
    uint64_t instructions;
    uint64_t cycles;
};

/*
 * Returns the program's exit status (0-255), or -1 after printing an error.
 * result may be NULL.
 */
int sysrun_program(const char *path, const struct sysrun_options *options,
                   struct sysrun_result *result);

/*
 * The physical address a PT_LOAD segment is loaded at (docs/bare-metal.md,
 * "Loading"): kseg0/kseg1/xkphys addresses translated as the CPU would,
 * else the segment's p_paddr. Shared with the node server's --bare loader.
 */
uint64_t sysrun_load_address(uint64_t vaddr, uint64_t paddr);

/*
 * Copies len bytes (zeros when data is NULL) to the bus's physical RAM,
 * across RAM regions. 0, or DISCO_EINVAL if a byte falls outside RAM.
 * Shared with the bare Linux boot (monitor/vm_boot_bare.c).
 */
struct bus;
int sysrun_copy_to_physical(struct bus *bus, uint64_t paddr, const uint8_t *data, uint64_t len);

#endif
