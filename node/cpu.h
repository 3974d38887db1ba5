/*
 * cpu.h - one simulated MIPS64 processor (R10000 / MIPS64 Release 2 models).
 *
 * The public handle is opaque: callers create a CPU from a cpu_config, give it
 * a physical bus (system mode) or a user address space (flash-run's Linux
 * user-mode emulation), and run it for a budget of instructions. Owns the
 * architectural state (GPRs, HI/LO, FPU, CP0, TLB). Called by flash-run, the
 * node server and (through the trap hook) the Disco monitor.
 */
#ifndef DISCO_NODE_CPU_H
#define DISCO_NODE_CPU_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;
struct bus;
struct uspace;

enum cpu_model {
    CPU_MODEL_R10000,   /* MIPS IV; R2 instructions raise Reserved Instruction */
    CPU_MODEL_MIPS64R2, /* MIPS64 Release 2 */
};

struct cpu_config {
    enum cpu_model model;
    bool big_endian;
    unsigned cpu_number; /* EBase.CPUNum / the value a reset leaves in a register */
    /*
     * Exceptions go to the host instead of the guest's vectors: cpu_run()
     * stops with CPU_STOP_EXCEPTION and the caller decides (flash-run turns
     * them into Linux syscalls and signals; the Disco monitor emulates
     * privileged instructions). In system mode leave it false.
     */
    bool exceptions_to_host;
};

/* Why cpu_run() returned. */
enum cpu_stop {
    CPU_STOP_BUDGET,    /* executed the requested number of instructions */
    CPU_STOP_EXCEPTION, /* exceptions_to_host: see cpu_last_exception() */
    CPU_STOP_WAIT,      /* WAIT executed with no pending interrupt */
    CPU_STOP_HALT,      /* cpu_request_halt() or a device asked to stop */
    CPU_STOP_MEMORY,    /* coherent mode: a cache miss is in progress; pc is the
                           instruction to restart once the line has arrived */
};

/*
 * Coherent mode (the node server, docs/protocol.md): physical accesses to
 * machine memory go to the CPU's cache agent instead of the bus. The hook
 * performs one access of size bytes (memory byte order in buf) and returns
 * CPU_MEM_DONE with the cycles to charge, CPU_MEM_PENDING when a miss is in
 * flight (cpu_run() then stops with CPU_STOP_MEMORY, nothing of the
 * instruction done), or CPU_MEM_BUS_ERROR. kind: 0 fetch, 1 load, 2 store.
 */
enum cpu_mem_status { CPU_MEM_DONE, CPU_MEM_PENDING, CPU_MEM_BUS_ERROR };
struct cpu_coherent_ops {
    enum cpu_mem_status (*access)(void *opaque, unsigned kind, uint64_t paddr, void *buf,
                                  unsigned size, uint32_t *cycles);
    /* Optional fast path: the host bytes of the line holding paddr while it
     * is held with kind's permission (NULL if not). The CPU then reads (and
     * for stores writes) them directly until cpu_line_lost() or
     * cpu_line_downgraded() for that line. */
    uint8_t *(*line_data)(void *opaque, unsigned kind, uint64_t paddr);
    /* Physical addresses [base, limit) are machine memory, except the I/O hole. */
    uint64_t base, limit;
    void *opaque;
};

/* An exception as the hardware would have reported it (Cause.ExcCode etc). */
struct cpu_exception {
    unsigned code;     /* Cause.ExcCode (EXC_* in cp0.h) */
    uint64_t pc;       /* address of the faulting instruction */
    bool delay_slot;   /* it sat in a branch delay slot (EPC would be pc - 4) */
    uint64_t badvaddr; /* for address errors and TLB exceptions */
    uint32_t insn;     /* the instruction word, when it was fetched */
    unsigned cop;      /* Cause.CE for Coprocessor Unusable */
    bool tlb_refill;   /* TLB exception through the refill vector */
};

/* Creates a CPU in its reset state. Never returns NULL (aborts on OOM). */
struct cpu *cpu_create(const struct cpu_config *config);
void cpu_destroy(struct cpu *cpu);

/* System mode: physical accesses go to this bus (not owned by the CPU). */
void cpu_attach_bus(struct cpu *cpu, struct bus *bus);
/* Coherent mode: machine memory through ops (copied); the bus keeps devices. */
void cpu_attach_coherent(struct cpu *cpu, const struct cpu_coherent_ops *ops);
/* The cache lost the line holding paddr: clear the LL bit if it is the LL's
 * line (MIPS: SC fails once another processor may have written it). */
void cpu_line_lost(struct cpu *cpu, uint64_t line_paddr);
/* The line is still readable but no longer writable: stop storing to it directly. */
void cpu_line_downgraded(struct cpu *cpu, uint64_t line_paddr);
/* User-mode emulation: virtual accesses go to this space (not owned). */
void cpu_attach_uspace(struct cpu *cpu, struct uspace *space);

/* Runs until the budget is spent or something stops it. */
enum cpu_stop cpu_run(struct cpu *cpu, uint64_t max_instructions);
void cpu_request_halt(struct cpu *cpu);

const struct cpu_exception *cpu_last_exception(const struct cpu *cpu);

/* Register access for loaders, syscall emulation, tests and the monitor. */
uint64_t cpu_get_gpr(const struct cpu *cpu, unsigned reg);
void cpu_set_gpr(struct cpu *cpu, unsigned reg, uint64_t value);
uint64_t cpu_get_pc(const struct cpu *cpu);
/* Sets the next instruction; clears any pending delay slot. */
void cpu_set_pc(struct cpu *cpu, uint64_t pc);
uint64_t cpu_get_hi(const struct cpu *cpu);
uint64_t cpu_get_lo(const struct cpu *cpu);
uint64_t cpu_get_fpr(const struct cpu *cpu, unsigned reg);
uint32_t cpu_get_fcsr(const struct cpu *cpu);

/* Raises or lowers external interrupt line 0..5 (Cause.IP2..IP7). */
void cpu_set_irq(struct cpu *cpu, unsigned line, bool level);

/* Counters. */
uint64_t cpu_instructions(const struct cpu *cpu);
uint64_t cpu_cycles(const struct cpu *cpu);

#endif
