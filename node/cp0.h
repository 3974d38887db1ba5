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
#define ST_IE  (1u << 0)
#define ST_EXL (1u << 1)
#define ST_ERL (1u << 2)
#define ST_KSU_SHIFT 3
#define ST_KSU_MASK  (3u << 3)
#define ST_UX  (1u << 5)
#define ST_SX  (1u << 6)
#define ST_KX  (1u << 7)
#define ST_IM_SHIFT 8
#define ST_NMI (1u << 19)
#define ST_SR  (1u << 20)
#define ST_TS  (1u << 21)
#define ST_BEV (1u << 22)
#define ST_RE  (1u << 25)
#define ST_FR  (1u << 26)
#define ST_CU0 (1u << 28)
#define ST_CU1 (1u << 29)
#define ST_XX  (1u << 31) /* MIPS IV: COP1X enabled in user mode */

#define CAUSE_BD      (1ull << 31)
#define CAUSE_TI      (1u << 30)
#define CAUSE_CE_SHIFT 28
#define CAUSE_IP_SHIFT 8
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

#endif
