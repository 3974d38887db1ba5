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
 *   - Code called from inside cpu_run() (CP0, FPU, the memory slow path) sees
 *     an exact cpu->pc, delay_slot, instructions and cycles: the interpreter
 *     writes them back before every call out of its hot path. Such code may
 *     call cpu_ftlb_flush() or set stop_requested/irq_dirty; the interpreter
 *     looks at them again when the call returns.
 *   - cpu_run() may return between a branch and its delay slot: then pc is
 *     the slot, delay_slot is true and branch_target is where it goes next.
 */
#ifndef DISCO_NODE_CPU_INTERNAL_H
#define DISCO_NODE_CPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cp0.h"
#include "cpu_decode.h"
#include "cpu.h"
#include "tlb.h"

/*
 * Host-side fast translation cache (TinyEMU/QEMU style): maps a 4 KB virtual
 * page of the current mode and ASID straight to host memory. Filled by the
 * slow path in cpu_mem.c; flushed through cpu_ftlb_flush() whenever the
 * guest TLB, the ASID or the mode changes.
 */
#define FTLB_BITS       10
#define FTLB_SIZE       (1u << FTLB_BITS)
#define FTLB_NONE       UINT64_MAX
#define FTLB_PAGE_MASK  (~(uint64_t)0xfff)
#define CPU_DECODE_MEMO 1024u /* slots of the coherent-mode decode memo (a power of two) */

struct code_page;  /* a page of pre-decoded instructions (cpu_decode.h) */
struct code_cache; /* all of them, keyed by host page (cpu_decode.h) */

/*
 * In coherent mode data entries are line-granular (ftlb_shift 7, tag mask
 * ~127) and point into the cache agent's L2 copy of the line; instruction
 * entries stay page-granular (and unused: coherent fetches take the slow
 * path). cpu_line_lost()/cpu_line_downgraded() remove a line's entries.
 */
struct ftlb_entry {
    uint64_t tag_read;          /* virtual page address, or FTLB_NONE */
    uint64_t tag_write;         /* virtual page address if stores may go straight through */
    uint64_t tag_fetch;         /* virtual page address if code is cached for it */
    uintptr_t host_minus_vaddr; /* host address = vaddr + this (read/write tags) */
    struct code_page *code;     /* decoded instructions of the tag_fetch page */
    uint64_t pline;             /* coherent mode: the physical line of the data tags */
    bool listed;                /* its index is in cpu->ftlb_used */
};

struct cpu {
    /* Hot integer state first. */
    uint64_t gpr[33]; /* gpr[32] is where the decoder sends writes to $0 */
    uint64_t hi, lo;
    uint64_t pc;
    uint64_t branch_target;
    bool delay_slot;
    bool skip_slot;        /* a branch-likely was not taken: next pc is pc + 8 */
    bool exception_raised; /* set by cpu_raise*(); cleared by the interpreter */
    bool stop_requested;   /* leave cpu_run() at the next instruction boundary */
    bool resync;           /* translations or code changed: re-fetch before going on */
    bool big_endian;
    bool is_r2; /* model implements MIPS64 Release 2 */
    enum cpu_model model;
    enum cpu_stop stop_reason;

    uint64_t instructions;     /* retired */
    uint64_t cycles;           /* simulated cycles */
    uint64_t next_event_cycle; /* call cp0_check_interrupts() when cycles reach this */
    bool irq_dirty;            /* interrupt inputs or masks changed: check now */
    uint8_t irq_lines;         /* external lines 0..5 -> Cause.IP2..IP7 */

    struct ftlb_entry ftlb[FTLB_SIZE];
    /* Indices of entries filled since the last flush: a flush clears only those. */
    uint16_t ftlb_used[FTLB_SIZE];
    unsigned ftlb_used_count;
    bool ftlb_initialized;

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

    uint64_t ll_vaddr; /* virtual address of the last LL/LLD, for SC/SCD */
    /* Coherent mode (cpu_attach_coherent). */
    bool coherent;
    bool mem_stalled; /* the access being made is pending: stop, restart it */
    struct cpu_coherent_ops coh;
    uint64_t last_line;     /* line of the last coherent load (for LL) */
    uint64_t ll_line;       /* line the LL bit watches, UINT64_MAX if none */
    unsigned ftlb_shift;    /* data entries: 12 (pages), or 7 (lines) in coherent mode */
    uint64_t ftlb_tag_mask; /* FTLB_PAGE_MASK, or ~127 in coherent mode */
    /* Coherent mode: the line instructions are being fetched from. */
    uint64_t fetch_vline, fetch_pline;
    const uint8_t *fetch_host;
    uint64_t last_fetch_pc; /* coherent mode: the last word fetched without a held line */
    uint32_t last_fetch_word;
    /* Coherent mode fetches and decodes one word at a time (no decoded pages:
     * another CPU may store into the code). Decoding depends on the word and
     * the model only, so recent decodes are kept by word (cpu_exec.c), in
     * CPU_DECODE_MEMO slots allocated on first use; a NULL handler is empty. */
    uint32_t *memo_word;
    struct dinsn *memo_insn;
    /*
     * Disco virtualization assist (monitor/monitor.c, docs/monitor.md): with
     * virt_phys set, supervisor mode sees the kernel's address space, and the
     * unmapped kernel segments (kseg0, kseg1, xkphys) hold guest physical
     * addresses that virt_phys translates to machine addresses (0), or
     * refuses (nonzero: a bus error, IBE/DBE, goes to the host). So an
     * unmodified guest kernel runs in supervisor mode under the monitor.
     */
    int (*virt_phys)(void *opaque, uint64_t gpaddr, bool cached, enum mem_access access,
                     struct translation *out);
    void *virt_opaque;
    bool trace;              /* DISCO_CPU_TRACE: one line per instruction on stderr */
    struct code_cache *code; /* pre-decoded instructions (cpu_mem.c) */
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

/*
 * Invalidate the fast translation cache: after TLB writes, ASID or mode
 * changes, and (flash-run) after any change of the user mappings. In
 * user-mode emulation it drops the pre-decoded code as well, since host
 * pages may be reused for other memory.
 */
void cpu_ftlb_flush(struct cpu *cpu);

/*
 * Invalidates only the ftlb entries of virtual pages in [vaddr, vaddr + size):
 * enough after a TLB write that replaces an entry of that range (entries may
 * not overlap, so no other cached translation changes) - cheaper than a full
 * flush for a guest kernel refilling the TLB.
 */
void cpu_ftlb_flush_range(struct cpu *cpu, uint64_t vaddr, uint64_t size);

/*
 * Coherent mode: forgets direct access to a physical line, all of it
 * (lost) or only writes (downgraded), including the fetch line.
 */
void cpu_ftlb_drop_line(struct cpu *cpu, uint64_t line_paddr, bool lost);

/*
 * Host code wrote guest memory behind the interpreter's back (DMA, a loader,
 * a syscall filling a buffer that holds code): forget decoded instructions of
 * those host bytes. Guest stores are tracked by the interpreter itself.
 */
void cpu_code_invalidate(struct cpu *cpu, const uint8_t *host, uint64_t len);

/*
 * Reads the instruction word at vaddr without raising anything (for exception
 * reports and the monitor). Returns 0, or 1 if it cannot be fetched.
 */
int cpu_peek_insn(struct cpu *cpu, uint64_t vaddr, uint32_t *word);

#endif
