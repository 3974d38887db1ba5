/*
 * cp0.h - System Control Coprocessor (CP0) state, privileged instructions,
 * exceptions and interrupts of the simulated MIPS64 CPU.
 *
 * Owns the CP0 register file (embedded in struct cpu) and the rules of the
 * MIPS privileged architecture: modes, exception vectors, EPC/BD, Count/Compare.
 * Called by the interpreter (cpu_exec.c) for COP0 instructions, for every
 * exception it detects, and when the event cycle is reached.
 */
#ifndef DISCO_NODE_CP0_H
#define DISCO_NODE_CP0_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

/* Cause.ExcCode values (MIPS64 PRA, R10000 user manual). */
enum {
    EXC_INT = 0,
    EXC_MOD = 1,
    EXC_TLBL = 2,
    EXC_TLBS = 3,
    EXC_ADEL = 4,
    EXC_ADES = 5,
    EXC_IBE = 6,
    EXC_DBE = 7,
    EXC_SYS = 8,
    EXC_BP = 9,
    EXC_RI = 10,
    EXC_CPU = 11,
    EXC_OV = 12,
    EXC_TR = 13,
    EXC_FPE = 15,
    EXC_WATCH = 23,
};

/* Status register bits. */
#define ST_IE        (1u << 0)
#define ST_EXL       (1u << 1)
#define ST_ERL       (1u << 2)
#define ST_KSU_SHIFT 3
#define ST_KSU_MASK  (3u << 3)
#define ST_UX        (1u << 5)
#define ST_SX        (1u << 6)
#define ST_KX        (1u << 7)
#define ST_IM_SHIFT  8
#define ST_NMI       (1u << 19)
#define ST_SR        (1u << 20)
#define ST_TS        (1u << 21)
#define ST_BEV       (1u << 22)
#define ST_RE        (1u << 25)
#define ST_FR        (1u << 26)
#define ST_CU0       (1u << 28)
#define ST_CU1       (1u << 29)
#define ST_XX        (1u << 31) /* MIPS IV: COP1X enabled in user mode */

#define CAUSE_BD        (1ull << 31)
#define CAUSE_TI        (1u << 30)
#define CAUSE_CE_SHIFT  28
#define CAUSE_IP_SHIFT  8
#define CAUSE_EXC_SHIFT 2

/* Privilege level the CPU currently runs at. */
enum cpu_mode { MODE_KERNEL = 0, MODE_SUPERVISOR = 1, MODE_USER = 2 };

/*
 * The CP0 registers. 64-bit registers are kept at full width; 32-bit ones
 * (Status, Cause, ...) sign-extend when read with DMFC0. Count is derived from
 * the cycle counter (it advances every other cycle, as on the R4000/R10000).
 */
struct cp0 {
    uint64_t index, random_seed, entrylo0, entrylo1, context, pagemask, wired;
    uint64_t hwrena, badvaddr, count_base, entryhi, compare, status, cause, epc;
    uint64_t prid, config, config1, config2, config3, lladdr, watchlo, watchhi;
    uint64_t xcontext, ecc, cacheerr, taglo, taghi, errorepc, ebase, userlocal;
    uint64_t intctl, srsctl, pagegrain, kscratch[2];
    uint64_t count_offset; /* Count = (cycles >> 1) + count_offset, mod 2^32 */
    bool llbit;
    /*
     * Added by cp0.c: random_seed above holds the Random register itself
     * (decremented by every TLBWR, kept in [Wired, 63]); compare_cycle is
     * the cycle at which Count next equals Compare; segbits/pabits are the
     * model's virtual segment and physical address widths.
     */
    uint64_t compare_cycle;
    unsigned segbits, pabits;
};

/* Cause bits not listed above. */
#define CAUSE_IV       (1u << 23)
#define CAUSE_EXC_MASK (0x1fu << CAUSE_EXC_SHIFT)
#define CAUSE_CE_MASK  (3u << CAUSE_CE_SHIFT)

/* CP0 register numbers (rd field of MFC0/MTC0). */
enum {
    CP0_INDEX = 0,
    CP0_RANDOM = 1,
    CP0_ENTRYLO0 = 2,
    CP0_ENTRYLO1 = 3,
    CP0_CONTEXT = 4,
    CP0_PAGEMASK = 5,
    CP0_WIRED = 6,
    CP0_HWRENA = 7,
    CP0_BADVADDR = 8,
    CP0_COUNT = 9,
    CP0_ENTRYHI = 10,
    CP0_COMPARE = 11,
    CP0_STATUS = 12,
    CP0_CAUSE = 13,
    CP0_EPC = 14,
    CP0_PRID = 15,
    CP0_CONFIG = 16,
    CP0_LLADDR = 17,
    CP0_WATCHLO = 18,
    CP0_WATCHHI = 19,
    CP0_XCONTEXT = 20,
    CP0_ECC = 26,
    CP0_CACHEERR = 27,
    CP0_TAGLO = 28,
    CP0_TAGHI = 29,
    CP0_ERROREPC = 30,
    CP0_DESAVE = 31,
};

/* Resets CP0 and the TLB to the model's reset state (BEV=1, ERL=1, kernel mode). */
void cp0_reset(struct cpu *cpu);

/*
 * Executes a COP0-major-opcode instruction (MFC0/MTC0/DMFC0/DMTC0, TLB ops,
 * ERET, WAIT, DI/EI, ...). Returns 0 when the interpreter should advance the
 * PC, 1 when an exception was raised or the PC was otherwise redirected (ERET).
 */
int cp0_execute(struct cpu *cpu, uint32_t insn);

/* CACHE instruction (major opcode 0x2f): privilege check, otherwise a no-op. */
int cp0_cache(struct cpu *cpu, uint32_t insn);

/* Current privilege mode, from Status.KSU/EXL/ERL. */
enum cpu_mode cp0_mode(const struct cpu *cpu);

/*
 * Raises an exception at the current instruction (cpu->pc, cpu->delay_slot).
 * In system mode: sets EPC/BD/Cause/EXL and jumps to the vector. With
 * exceptions_to_host: records it for cpu_last_exception() and stops the run.
 * Either way sets cpu->exception_raised so the interpreter does not advance.
 */
void cpu_raise(struct cpu *cpu, unsigned code);
/* Address error or TLB exception: also sets BadVAddr, Context, XContext, EntryHi.VPN. */
void cpu_raise_address(struct cpu *cpu, unsigned code, uint64_t badvaddr, bool tlb_refill);
/* Coprocessor Unusable for coprocessor n. */
void cpu_raise_cop_unusable(struct cpu *cpu, unsigned cop);

/*
 * Called by the interpreter when cpu->cycles reaches cpu->next_event_cycle or
 * cpu->irq_dirty is set: updates Cause.TI/IP, takes a pending enabled
 * interrupt, and recomputes next_event_cycle (the next Count == Compare).
 * Returns 1 if an interrupt was taken.
 */
int cp0_check_interrupts(struct cpu *cpu);

/*
 * MFC0/DMFC0 and MTC0/DMTC0 semantics without the privilege check, for the
 * Disco monitor (emulating a guest's CP0), tests and the fuzzer. cp0_read
 * returns the register as DMFC0 would (32-bit registers sign-extended;
 * unimplemented ones read 0). cp0_write applies the writable masks and every
 * side effect (ASID or mode change flushes the fast TLB, Compare clears the
 * timer interrupt, Wired resets Random, ...).
 */
uint64_t cp0_read(struct cpu *cpu, unsigned reg, unsigned sel);
void cp0_write(struct cpu *cpu, unsigned reg, unsigned sel, uint64_t value);

/*
 * Cache error exception (ERL, ErrorEPC, the uncached vector at base + 0x100).
 * Nothing in the simulator detects cache errors yet; the entry is here so the
 * vector is complete and tested.
 */
void cpu_raise_cache_error(struct cpu *cpu);

/*
 * Internal to cp0.c/exception.c/tlb.c: Status changed from old_status to the
 * current value; flushes the fast TLB on a change of mode or segment enables
 * and makes the interpreter re-check interrupts.
 */
void cp0_status_changed(struct cpu *cpu, uint64_t old_status);

#endif
