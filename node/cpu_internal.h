/*
 * cpu_internal.h - the private state of a simulated MIPS64 CPU, shared by the
 * modules that implement it: the interpreter (cpu_exec.c, cpu_mem.c), CP0
 * and the TLB (cp0.c, tlb.c, exception.c) and the FPU (fpu.c). Nothing
 * outside node/ includes this; everyone else uses cpu.h.
 *
 * Control-flow contract (delay slots and exceptions):
 *   - cpu->pc is the address of the instruction being executed.
 *   - cpu->delay_slot is true while that instruction sits in a branch delay
 *     slot; cpu->branch_target is where execution continues after it.
 *   - A branch executed at pc calls cpu_branch(): the delay slot at pc + 4
 *     runs next with delay_slot = true (even when not taken, so an exception
 *     there reports BD = 1); a branch-likely that is not taken skips it.
 *   - Anything that raises an exception goes through cpu_raise*() (cp0.h),
 *     which redirects pc, clears delay_slot and sets exception_raised; the
 *     interpreter then does not advance pc for that instruction.
 */
#ifndef DISCO_NODE_CPU_INTERNAL_H
#define DISCO_NODE_CPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cp0.h"
#include "cpu.h"
#include "tlb.h"

/*
 * Host-side fast translation cache (TinyEMU/QEMU style): maps a 4 KB virtual
 * page of the current mode and ASID straight to host memory. Filled by the
 * slow path in cpu_mem.c; flushed through cpu_ftlb_flush() whenever the
 * guest TLB, the ASID or the mode changes.
 */
#define FTLB_BITS 8
#define FTLB_SIZE (1u << FTLB_BITS)
#define FTLB_NONE UINT64_MAX

struct ftlb_entry {
    uint64_t tag_read;  /* virtual page address, or FTLB_NONE */
    uint64_t tag_write; /* virtual page address if stores may go straight through */
    uint64_t tag_fetch;
    uintptr_t host_minus_vaddr; /* host address = vaddr + this */
};

struct cpu {
    /* Hot integer state first. */
    uint64_t gpr[32];
    uint64_t hi, lo;
    uint64_t pc;
    uint64_t branch_target;
    bool delay_slot;
    bool skip_slot; /* a branch-likely was not taken: next pc is pc + 8 */
    bool exception_raised; /* set by cpu_raise*(); cleared by the interpreter */
    bool stop_requested;   /* leave cpu_run() at the next instruction boundary */
    bool big_endian;
    bool is_r2; /* model implements MIPS64 Release 2 */
    enum cpu_model model;
    enum cpu_stop stop_reason;

    uint64_t instructions; /* retired */
    uint64_t cycles;       /* simulated cycles */
    uint64_t next_event_cycle; /* call cp0_check_interrupts() when cycles reach this */
    bool irq_dirty;            /* interrupt inputs or masks changed: check now */
    uint8_t irq_lines;         /* external lines 0..5 -> Cause.IP2..IP7 */

    struct ftlb_entry ftlb[FTLB_SIZE];

    /* FPU: raw 64-bit registers; FR=0 pairing is done by fpu.c accessors. */
    uint64_t fpr[32];
    uint32_t fcsr, fir;

    struct cp0 cp0;
    struct tlb tlb;

    bool exceptions_to_host;
    struct cpu_exception last_exception;
    unsigned cpu_number;

    struct bus *bus;       /* system mode */
    struct uspace *uspace; /* user-mode emulation */
};

/* Sets up the branch state for a branch at cpu->pc (see the contract above). */
static inline void cpu_branch(struct cpu *cpu, bool taken, uint64_t target)
{
    cpu->delay_slot = true;
    cpu->branch_target = taken ? target : cpu->pc + 8;
}

/*
 * Branch-likely: the delay slot runs only when taken; when not taken,
 * execution resumes at pc + 8 and the slot is nullified. Returns taken.
 * (Implemented by the interpreter's PC-advance step through skip_slot.)
 */
static inline bool cpu_branch_likely(struct cpu *cpu, bool taken, uint64_t target)
{
    if (taken)
        cpu_branch(cpu, true, target);
    else
        cpu->skip_slot = true;
    return taken;
}

/*
 * Memory access on behalf of an instruction at cpu->pc, through the fast
 * cache and the slow path (translation, bus or user space, devices).
 * size is 1, 2, 4 or 8; values are zero-extended, in host order after the
 * guest's byte order has been applied. Returns 0, or 1 after raising the
 * guest exception (address error, TLB, bus error).
 */
int cpu_load(struct cpu *cpu, uint64_t vaddr, unsigned size, uint64_t *value);
int cpu_store(struct cpu *cpu, uint64_t vaddr, unsigned size, uint64_t value);

/* Invalidate the fast translation cache: after TLB writes, ASID or mode changes. */
void cpu_ftlb_flush(struct cpu *cpu);

#endif
