/*
 * cpu_exec.c - the MIPS64 interpreter loop (cpu_run): the integer user ISA of
 * the r10000 (MIPS IV) and mips64r2 models, executed from pre-decoded pages
 * (cpu_decode.h) with threaded dispatch (GNU computed goto). Loads and stores
 * hit the host-side translation cache inline and fall back to cpu_mem.c;
 * CP0, the FPU, exceptions and interrupts are called out of line (cp0.c,
 * fpu.c, exception.c). See cpu_internal.h for the delay-slot contract.
 *
 * Hot-loop invariants: ip points at the decoded instruction being executed
 * and base/vbase give its page, so pc = vbase + 4 * (ip - base). insns counts
 * the instructions of this run; whenever it reaches limit the checkpoint
 * runs, which completes a pending branch (a branch lowers limit to the end of
 * its delay slot), takes interrupts when the cycle count reaches the next CP0
 * event, and stops when the budget is spent.
 */
#include <stdio.h>
#include <string.h>

#include "cpu_decode.h"
#include "cpu_internal.h"
#include "xalloc.h"
#include "fpu.h"

/*
 * Cycle costs beyond the one-cycle baseline of every instruction: the
 * R10000's integer multiply/divide latencies to HI (R10000 Microprocessor
 * User's Manual, "Instruction latency and repeat rate"). The one table of
 * them; later cache models add their costs in cpu_mem.c's slow path.
 */
enum {
    MULT_CYCLES = 6,
    MULTU_CYCLES = 7,
    DMULT_CYCLES = 10,
    DMULTU_CYCLES = 11,
    DIV_CYCLES = 35,
    DIVU_CYCLES = 35,
    DDIV_CYCLES = 67,
    DDIVU_CYCLES = 68,
};

#define NO_SLOT UINT64_MAX

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

static inline uint64_t sx32(uint64_t v)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)v;
}

/*
 * The aligned word (size 4 or 8) that holds vaddr, for LWL/LWR/LDL/LDR. A
 * fault must report vaddr itself in BadVAddr, so the slow path probes it
 * with a byte load first.
 */
static int load_containing(struct cpu *cpu, uint64_t vaddr, unsigned size, uint64_t *word)
{
    uint64_t aligned = vaddr & ~(uint64_t)(size - 1), probe;
    const struct ftlb_entry *e = &cpu->ftlb[(vaddr >> cpu->ftlb_shift) & (FTLB_SIZE - 1)];
    if (e->tag_read == (vaddr & cpu->ftlb_tag_mask)) {
        *word = host_load(aligned + e->host_minus_vaddr, size, cpu->big_endian != HOST_BIG_ENDIAN);
        return 0;
    }
    if (cpu_load(cpu, vaddr, 1, &probe) != 0)
        return 1;
    return cpu_load(cpu, aligned, size, word);
}

/*
 * SWL/SWR/SDL/SDR: stores count bytes, the first at vaddr and the next ones
 * at vaddr + step (step is +1 or -1); byte i is bytes >> (8 * shift(i)).
 * All bytes lie in the aligned word of vaddr, so one ftlb hit covers them.
 */
static int store_bytes(struct cpu *cpu, uint64_t vaddr, int step, unsigned count, uint64_t value,
                       int first_shift, int shift_step)
{
    const struct ftlb_entry *e = &cpu->ftlb[(vaddr >> cpu->ftlb_shift) & (FTLB_SIZE - 1)];
    bool direct = e->tag_write == (vaddr & cpu->ftlb_tag_mask);
    for (unsigned i = 0; i < count; i++) {
        uint64_t a = vaddr + (uint64_t)((int64_t)step * i);
        uint8_t byte = (uint8_t)(value >> (first_shift + shift_step * (int)i));
        if (direct)
            *(uint8_t *)(uintptr_t)(a + e->host_minus_vaddr) = byte;
        else if (cpu_store(cpu, a, 1, byte) != 0)
            return 1;
    }
    return 0;
}

/* RDHWR (MIPS64 Release 2): user access only to registers enabled in HWREna. */
static int read_hw_register(struct cpu *cpu, unsigned reg, uint64_t *value)
{
    if (cp0_mode(cpu) != MODE_KERNEL && !(cpu->cp0.hwrena & (1u << reg))) {
        cpu_raise(cpu, EXC_RI);
        return 1;
    }
    switch (reg) {
    case 0: *value = cpu->cp0.ebase & 0x3ff; return 0; /* CPUNum */
    case 1: *value = 32; return 0;                     /* SYNCI_Step: cache line bytes */
    case 2: *value = sx32((cpu->cycles >> 1) + cpu->cp0.count_offset); return 0; /* CC */
    case 3: *value = 2; return 0;                   /* CCRes: Count ticks every 2 cycles */
    case 29: *value = cpu->cp0.userlocal; return 0; /* ULR, the TLS pointer */
    default: cpu_raise(cpu, EXC_RI); return 1;
    }
}

/* Fills in the instruction word of an exception the host will handle. */
static void note_exception_insn(struct cpu *cpu)
{
    uint32_t word;
    if (cpu_peek_insn(cpu, cpu->last_exception.pc, &word) == 0)
        cpu->last_exception.insn = word;
}

/* Debugging aid: the state before each instruction, comparable with qemu -d cpu. */
static void trace_state(const struct cpu *cpu)
{
    fprintf(stderr, "pc=%016llx hi=%016llx lo=%016llx", (unsigned long long)cpu->pc,
            (unsigned long long)cpu->hi, (unsigned long long)cpu->lo);
    for (unsigned r = 1; r < 32; r++)
        fprintf(stderr, " %llx", (unsigned long long)cpu->gpr[r]);
    fputc('\n', stderr);
}

static inline uint64_t mask64(unsigned bits)
{
    return bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
}

enum cpu_stop cpu_run(struct cpu *cpu, uint64_t max_instructions)
{
#define CPU_OP_LABEL(name) [OP_##name] = &&op_##name,
    static const void *const handlers[OP_COUNT] = {CPU_OPS(CPU_OP_LABEL)};
#undef CPU_OP_LABEL
    cpu_code_set_handlers(cpu, handlers[OP_DECODE], handlers[OP_PAGE_END]);

    uint64_t *const R = cpu->gpr;
    struct ftlb_entry *const ftlb = cpu->ftlb;
    const unsigned fshift = cpu->ftlb_shift; /* data entries: pages, or lines if coherent */
    const uint64_t fmask = cpu->ftlb_tag_mask;
    const bool swap = cpu->big_endian != HOST_BIG_ENDIAN;
    struct dinsn step[2]; /* an instruction from memory that must not be cached */
    struct dinsn *ip = step, *base = step;
    uint64_t vbase = 0; /* vaddr of base[0] */
    const uint8_t *page_host = NULL;
    bool in_page = false; /* base is a code page (not the step buffer) */
    uint64_t insns = 0, extra = 0, synced_ins = 0, synced_cyc = 0;
    uint64_t limit = 0, real_limit = 0, slot_end = NO_SLOT;
    uint64_t jump_pc = 0;
    /*
     * A pending branch: where execution goes once its delay slot is done,
     * as a decoded instruction of the current page when it is one (the
     * common case), else as an address. cpu->delay_slot and branch_target
     * are written from these only when code out of line may look at them.
     */
    struct dinsn *slot_target_ip = NULL;
    uint64_t branch_pc = 0;
    enum cpu_stop reason = CPU_STOP_BUDGET;

#define PC() (vbase + ((uint64_t)(ip - base) << 2))
#define SYNC_COUNTERS()                                                                            \
    do {                                                                                           \
        cpu->instructions += insns - synced_ins;                                                   \
        cpu->cycles += insns + extra - synced_cyc;                                                 \
        synced_ins = insns;                                                                        \
        synced_cyc = insns + extra;                                                                \
    } while (0)
/* The instruction at count insns is a delay slot iff the branch completes after it. */
#define SYNC_SLOT()                                                                                \
    do {                                                                                           \
        cpu->delay_slot = slot_end == insns + 1;                                                   \
        if (cpu->delay_slot)                                                                       \
            cpu->branch_target =                                                                   \
                slot_target_ip ? vbase + ((uint64_t)(slot_target_ip - base) << 2) : branch_pc;     \
    } while (0)
#define SAVE()                                                                                     \
    do {                                                                                           \
        cpu->pc = PC();                                                                            \
        SYNC_SLOT();                                                                               \
        SYNC_COUNTERS();                                                                           \
    } while (0)
#define NEXT()                                                                                     \
    do {                                                                                           \
        ip++;                                                                                      \
        if (unlikely(++insns >= limit))                                                            \
            goto checkpoint;                                                                       \
        goto * ip->handler;                                                                        \
    } while (0)
/* After a call out of line that completed without an exception. */
#define AFTER_CALL()                                                                               \
    do {                                                                                           \
        if (unlikely(cpu->stop_requested | cpu->resync | cpu->irq_dirty))                          \
            goto after_call_slow;                                                                  \
    } while (0)
#define RAISE(code)                                                                                \
    do {                                                                                           \
        SAVE();                                                                                    \
        cpu_raise(cpu, (code));                                                                    \
        goto took_exception;                                                                       \
    } while (0)
/* A branch: the delay slot runs next, then the checkpoint goes on at the target. */
#define SLOT_THEN_NEXT()                                                                           \
    do {                                                                                           \
        slot_end = insns + 2;                                                                      \
        if (slot_end < limit)                                                                      \
            limit = slot_end;                                                                      \
        NEXT();                                                                                    \
    } while (0)
#define NOT_TAKEN()                                                                                \
    do {                                                                                           \
        if (likely(in_page && ip - base < CODE_PAGE_INSNS - 1)) {                                  \
            slot_target_ip = ip + 2; /* at most the PAGE_END sentinel */                           \
        } else {                                                                                   \
            slot_target_ip = NULL;                                                                 \
            branch_pc = PC() + 8;                                                                  \
        }                                                                                          \
    } while (0)
/* Jumps to an address (J, JAL, JR, JALR). */
#define BRANCH(target)                                                                             \
    do {                                                                                           \
        uint64_t t_ = (target);                                                                    \
        if (likely(in_page && ((t_ ^ vbase) & ~(uint64_t)0xffc) == 0)) {                           \
            slot_target_ip = base + ((t_ & 0xfff) >> 2);                                           \
        } else {                                                                                   \
            slot_target_ip = NULL;                                                                 \
            branch_pc = t_;                                                                        \
        }                                                                                          \
        SLOT_THEN_NEXT();                                                                          \
    } while (0)
/* PC-relative branches: a target in the same page is found by index alone. */
#define BRANCH_REL(cond)                                                                           \
    do {                                                                                           \
        if (cond) {                                                                                \
            uint64_t idx_ =                                                                        \
                (uint64_t)(ip - base) + 1 + (uint64_t)((int64_t)(int32_t)ip->imm >> 2);            \
            if (likely(in_page && idx_ < CODE_PAGE_INSNS)) {                                       \
                slot_target_ip = base + idx_;                                                      \
            } else {                                                                               \
                slot_target_ip = NULL;                                                             \
                branch_pc = BTARGET();                                                             \
            }                                                                                      \
        } else {                                                                                   \
            NOT_TAKEN();                                                                           \
        }                                                                                          \
        SLOT_THEN_NEXT();                                                                          \
    } while (0)
/* Branch-likely: not taken, the slot is skipped. */
#define BRANCH_LIKELY(cond)                                                                        \
    do {                                                                                           \
        if (cond)                                                                                  \
            BRANCH_REL(1);                                                                         \
        insns++;                                                                                   \
        jump_pc = PC() + 8;                                                                        \
        goto jump;                                                                                 \
    } while (0)
#define BTARGET() (PC() + 4 + (uint64_t)(int64_t)(int32_t)ip->imm)
#define EA()      (R[ip->rs] + (uint64_t)(int64_t)(int32_t)ip->imm)
#define NEED_CU1()                                                                                 \
    do {                                                                                           \
        if (unlikely(!(cpu->cp0.status & ST_CU1))) {                                               \
            SAVE();                                                                                \
            cpu_raise_cop_unusable(cpu, 1);                                                        \
            goto took_exception;                                                                   \
        }                                                                                          \
    } while (0)
#define LOAD_OP(name, size, convert)                                                               \
    op_##name:                                                                                     \
    {                                                                                              \
        uint64_t a_ = EA(), v_;                                                                    \
        const struct ftlb_entry *e_ = &ftlb[(a_ >> fshift) & (FTLB_SIZE - 1)];                     \
        if (likely(e_->tag_read == (a_ & (fmask | (size - 1))))) {                                 \
            v_ = host_load(a_ + e_->host_minus_vaddr, size, swap);                                 \
            R[ip->rd] = convert(v_);                                                               \
            NEXT();                                                                                \
        }                                                                                          \
        SAVE();                                                                                    \
        if (cpu_load(cpu, a_, size, &v_) != 0)                                                     \
            goto took_exception;                                                                   \
        R[ip->rd] = convert(v_);                                                                   \
        AFTER_CALL();                                                                              \
        NEXT();                                                                                    \
    }
#define STORE_OP(name, size)                                                                       \
    op_##name:                                                                                     \
    {                                                                                              \
        uint64_t a_ = EA(), v_ = R[ip->rt];                                                        \
        const struct ftlb_entry *e_ = &ftlb[(a_ >> fshift) & (FTLB_SIZE - 1)];                     \
        if (likely(e_->tag_write == (a_ & (fmask | (size - 1))))) {                                \
            host_store(a_ + e_->host_minus_vaddr, size, v_, swap);                                 \
            NEXT();                                                                                \
        }                                                                                          \
        SAVE();                                                                                    \
        if (cpu_store(cpu, a_, size, v_) != 0)                                                     \
            goto took_exception;                                                                   \
        AFTER_CALL();                                                                              \
        NEXT();                                                                                    \
    }
#define SX8(v)  ((uint64_t)(int64_t)(int8_t)(v))
#define SX16(v) ((uint64_t)(int64_t)(int16_t)(v))
#define SX32(v) sx32(v)
#define ZX(v)   (v)

    if (max_instructions == 0)
        return CPU_STOP_BUDGET;
    goto events; /* an interrupt may have been raised since the last run */

    /* ---- control: checkpoints, jumps, exceptions ---- */

checkpoint:
    if (insns == slot_end) { /* the delay slot is done: take the branch */
        slot_end = NO_SLOT;
        limit = real_limit;
        if (likely(slot_target_ip != NULL)) {
            ip = slot_target_ip;
            goto dispatch;
        }
        jump_pc = branch_pc;
        goto jump;
    }
    cpu->pc = PC();
    SYNC_SLOT();
    SYNC_COUNTERS();
    goto events;

after_call_slow: /* the instruction completed; something needs a look */
    ip++;
    insns++;
    if (insns == slot_end) {
        slot_end = NO_SLOT;
        cpu->delay_slot = false;
        cpu->pc = slot_target_ip ? vbase + ((uint64_t)(slot_target_ip - base) << 2) : branch_pc;
    } else {
        cpu->pc = PC();
        SYNC_SLOT();
    }
    SYNC_COUNTERS();
    goto events;

took_exception: /* cpu_raise*() set the new pc (or recorded it for the host) */
    cpu->exception_raised = false;
    if (cpu->mem_stalled) { /* coherent miss: nothing done, restart this instruction later */
        cpu->mem_stalled = false;
        SYNC_COUNTERS();
        reason = CPU_STOP_MEMORY;
        goto out;
    }
    insns++;
    SYNC_COUNTERS();
    slot_end = NO_SLOT;
    if (cpu->exceptions_to_host) {
        note_exception_insn(cpu);
        cpu->stop_requested = false;
        reason = CPU_STOP_EXCEPTION;
        goto out;
    }
    goto events;

redirected: /* an ERET or the like set cpu->pc */
    insns++;
    SYNC_COUNTERS();
    slot_end = NO_SLOT;
    cpu->delay_slot = false;
    goto events;

events: /* cpu->pc, delay_slot and the counters are exact here */
    if (cpu->irq_dirty || cpu->cycles >= cpu->next_event_cycle) {
        cpu->irq_dirty = false;
        cp0_check_interrupts(cpu);
        cpu->exception_raised = false;
    }
    goto reload;

reload:
    if (cpu->stop_requested) {
        cpu->stop_requested = false;
        reason = cpu->stop_reason;
        goto out;
    }
    if (insns >= max_instructions) {
        reason = CPU_STOP_BUDGET;
        goto out;
    }
    cpu->resync = false;
    in_page = false;
    slot_end = cpu->delay_slot ? insns + 1 : NO_SLOT;
    slot_target_ip = NULL;
    branch_pc = cpu->branch_target;
    {
        uint64_t left = max_instructions - insns;
        uint64_t until_event =
            cpu->next_event_cycle > cpu->cycles ? cpu->next_event_cycle - cpu->cycles : 1;
        real_limit = insns + (until_event < left ? until_event : left);
        limit = slot_end < real_limit ? slot_end : real_limit;
    }
    if (unlikely(cpu->trace)) {
        trace_state(cpu);
        real_limit = limit = insns + 1; /* come back here after every instruction */
    }
    jump_pc = cpu->pc;
    goto jump;

jump: /* continue at jump_pc */
    if (likely(in_page && ((jump_pc ^ vbase) & ~(uint64_t)0xffc) == 0)) {
        ip = base + ((jump_pc & 0xfff) >> 2);
    } else {
        const struct ftlb_entry *e = &ftlb[(jump_pc >> 12) & (FTLB_SIZE - 1)];
        struct code_page *page = e->code;
        if (slot_target_ip) { /* a pending branch's target must outlive this page */
            branch_pc = vbase + ((uint64_t)(slot_target_ip - base) << 2);
            slot_target_ip = NULL;
        }
        if (unlikely(e->tag_fetch != (jump_pc & (FTLB_PAGE_MASK | 3)))) {
            uint32_t word = 0;
            cpu->pc = jump_pc;
            SYNC_SLOT();
            SYNC_COUNTERS();
            if (insns >= limit) /* stop before a fetch fault can count past the budget */
                goto events;
            int r = cpu_fetch_slow(cpu, jump_pc, &page, &word);
            cpu->resync = false; /* whatever it evicted, ip is set afresh below */
            if (r == 1)
                goto took_exception;
            if (r == 2) {
                /* One word, not a decoded page (coherent mode, devices): decode it,
                 * or take the decode of the same word from the memo. */
                if (unlikely(cpu->memo_word == NULL)) {
                    cpu->memo_word = xcalloc(CPU_DECODE_MEMO, sizeof *cpu->memo_word);
                    cpu->memo_insn = xcalloc(CPU_DECODE_MEMO, sizeof *cpu->memo_insn);
                }
                unsigned slot = (word ^ word >> 16 ^ word >> 26) & (CPU_DECODE_MEMO - 1);
                if (likely(cpu->memo_insn[slot].handler && cpu->memo_word[slot] == word)) {
                    step[0] = cpu->memo_insn[slot];
                } else {
                    step[0].handler = handlers[cpu_decode(cpu, word, &step[0])];
                    cpu->memo_word[slot] = word;
                    cpu->memo_insn[slot] = step[0];
                }
                step[1].handler = handlers[OP_PAGE_END];
                base = ip = step;
                vbase = jump_pc;
                in_page = false;
                page_host = NULL;
                goto dispatch;
            }
        }
        base = page->insn;
        vbase = jump_pc & FTLB_PAGE_MASK;
        page_host = page->host;
        in_page = true;
        ip = base + ((jump_pc & 0xfff) >> 2);
    }
dispatch:
    if (unlikely(insns >= limit))
        goto checkpoint;
    goto * ip->handler;

out:
    SYNC_COUNTERS();
    return reason;

    /* ---- decoding ---- */

op_DECODE : {
    uint32_t word = (uint32_t)host_load((uintptr_t)(page_host + ((ip - base) << 2)), 4, swap);
    ip->handler = handlers[cpu_decode(cpu, word, ip)];
    goto * ip->handler;
}
op_PAGE_END:
    jump_pc = PC();
    goto jump;
op_RI:
    RAISE(EXC_RI);
op_COP_UNUSABLE:
    SAVE();
    cpu_raise_cop_unusable(cpu, ip->imm);
    goto took_exception;
op_NOP:
    NEXT();

    /* ---- shifts ---- */

op_SLL:
    R[ip->rd] = sx32((uint32_t)R[ip->rt] << ip->sa);
    NEXT();
op_SRL:
    R[ip->rd] = sx32((uint32_t)R[ip->rt] >> ip->sa);
    NEXT();
    /*
     * SRA/SRAV shift the whole register: the same as shifting the word for
     * the sign-extended words the architecture expects, and what QEMU does
     * with the others.
     */
op_SRA:
    R[ip->rd] = (uint64_t)((int64_t)R[ip->rt] >> ip->sa);
    NEXT();
op_ROTR : {
    uint32_t x = (uint32_t)R[ip->rt];
    unsigned s = ip->sa;
    R[ip->rd] = sx32(s ? (x >> s) | (x << (32 - s)) : x);
    NEXT();
}
op_SLLV:
    R[ip->rd] = sx32((uint32_t)R[ip->rt] << (R[ip->rs] & 31));
    NEXT();
op_SRLV:
    R[ip->rd] = sx32((uint32_t)R[ip->rt] >> (R[ip->rs] & 31));
    NEXT();
op_SRAV:
    R[ip->rd] = (uint64_t)((int64_t)R[ip->rt] >> (R[ip->rs] & 31));
    NEXT();
op_ROTRV : {
    uint32_t x = (uint32_t)R[ip->rt];
    unsigned s = R[ip->rs] & 31;
    R[ip->rd] = sx32(s ? (x >> s) | (x << (32 - s)) : x);
    NEXT();
}
op_DSLL:
    R[ip->rd] = R[ip->rt] << ip->sa;
    NEXT();
op_DSRL:
    R[ip->rd] = R[ip->rt] >> ip->sa;
    NEXT();
op_DSRA:
    R[ip->rd] = (uint64_t)((int64_t)R[ip->rt] >> ip->sa);
    NEXT();
op_DROTR : {
    uint64_t x = R[ip->rt];
    unsigned s = ip->sa;
    R[ip->rd] = s ? (x >> s) | (x << (64 - s)) : x;
    NEXT();
}
op_DSLL32:
    R[ip->rd] = R[ip->rt] << (ip->sa + 32);
    NEXT();
op_DSRL32:
    R[ip->rd] = R[ip->rt] >> (ip->sa + 32);
    NEXT();
op_DSRA32:
    R[ip->rd] = (uint64_t)((int64_t)R[ip->rt] >> (ip->sa + 32));
    NEXT();
op_DROTR32 : {
    uint64_t x = R[ip->rt];
    unsigned s = ip->sa + 32u;
    R[ip->rd] = (x >> s) | (x << (64 - s));
    NEXT();
}
op_DSLLV:
    R[ip->rd] = R[ip->rt] << (R[ip->rs] & 63);
    NEXT();
op_DSRLV:
    R[ip->rd] = R[ip->rt] >> (R[ip->rs] & 63);
    NEXT();
op_DSRAV:
    R[ip->rd] = (uint64_t)((int64_t)R[ip->rt] >> (R[ip->rs] & 63));
    NEXT();
op_DROTRV : {
    uint64_t x = R[ip->rt];
    unsigned s = R[ip->rs] & 63;
    R[ip->rd] = s ? (x >> s) | (x << (64 - s)) : x;
    NEXT();
}

    /* ---- arithmetic and logic ---- */

    /*
     * 32-bit overflow: the operands should be sign-extended words; for those
     * that are not (UNPREDICTABLE), the test on the full registers is QEMU's.
     */
op_ADD : {
    uint64_t a = R[ip->rs], b = R[ip->rt], r = sx32(a + b);
    if ((int64_t)((r ^ b) & ~(a ^ b)) < 0)
        RAISE(EXC_OV);
    R[ip->rd] = r;
    NEXT();
}
op_ADDU:
    R[ip->rd] = sx32(R[ip->rs] + R[ip->rt]);
    NEXT();
op_SUB : {
    uint64_t a = R[ip->rs], b = R[ip->rt], r = sx32(a - b);
    if ((int64_t)((a ^ b) & (r ^ a)) < 0)
        RAISE(EXC_OV);
    R[ip->rd] = r;
    NEXT();
}
op_SUBU:
    R[ip->rd] = sx32(R[ip->rs] - R[ip->rt]);
    NEXT();
op_AND:
    R[ip->rd] = R[ip->rs] & R[ip->rt];
    NEXT();
op_OR:
    R[ip->rd] = R[ip->rs] | R[ip->rt];
    NEXT();
op_XOR:
    R[ip->rd] = R[ip->rs] ^ R[ip->rt];
    NEXT();
op_NOR:
    R[ip->rd] = ~(R[ip->rs] | R[ip->rt]);
    NEXT();
op_SLT:
    R[ip->rd] = (int64_t)R[ip->rs] < (int64_t)R[ip->rt];
    NEXT();
op_SLTU:
    R[ip->rd] = R[ip->rs] < R[ip->rt];
    NEXT();
op_DADD : {
    int64_t r;
    if (__builtin_add_overflow((int64_t)R[ip->rs], (int64_t)R[ip->rt], &r))
        RAISE(EXC_OV);
    R[ip->rd] = (uint64_t)r;
    NEXT();
}
op_DADDU:
    R[ip->rd] = R[ip->rs] + R[ip->rt];
    NEXT();
op_DSUB : {
    int64_t r;
    if (__builtin_sub_overflow((int64_t)R[ip->rs], (int64_t)R[ip->rt], &r))
        RAISE(EXC_OV);
    R[ip->rd] = (uint64_t)r;
    NEXT();
}
op_DSUBU:
    R[ip->rd] = R[ip->rs] - R[ip->rt];
    NEXT();
op_MOVE:
    R[ip->rd] = R[ip->rs];
    NEXT();
op_MOVZ:
    if (R[ip->rt] == 0)
        R[ip->rd] = R[ip->rs];
    NEXT();
op_MOVN:
    if (R[ip->rt] != 0)
        R[ip->rd] = R[ip->rs];
    NEXT();
op_MOVCI: /* MOVF/MOVT: move on FP condition code (MIPS IV) */
    NEED_CU1();
    if (fpu_condition(cpu, (ip->imm >> 18) & 7) == ((ip->imm >> 16) & 1))
        R[ip->rd] = R[ip->rs];
    NEXT();
op_ADDI : {
    uint64_t a = R[ip->rs], b = (uint64_t)(int64_t)(int32_t)ip->imm, r = sx32(a + b);
    if ((int64_t)((r ^ b) & ~(a ^ b)) < 0)
        RAISE(EXC_OV);
    R[ip->rd] = r;
    NEXT();
}
op_ADDIU:
    R[ip->rd] = sx32(R[ip->rs] + ip->imm);
    NEXT();
op_DADDI : {
    int64_t r;
    if (__builtin_add_overflow((int64_t)R[ip->rs], (int64_t)(int32_t)ip->imm, &r))
        RAISE(EXC_OV);
    R[ip->rd] = (uint64_t)r;
    NEXT();
}
op_DADDIU:
    R[ip->rd] = EA();
    NEXT();
op_SLTI:
    R[ip->rd] = (int64_t)R[ip->rs] < (int64_t)(int32_t)ip->imm;
    NEXT();
op_SLTIU:
    R[ip->rd] = R[ip->rs] < (uint64_t)(int64_t)(int32_t)ip->imm;
    NEXT();
op_ANDI:
    R[ip->rd] = R[ip->rs] & ip->imm;
    NEXT();
op_ORI:
    R[ip->rd] = R[ip->rs] | ip->imm;
    NEXT();
op_XORI:
    R[ip->rd] = R[ip->rs] ^ ip->imm;
    NEXT();
op_LUI:
    R[ip->rd] = sx32(ip->imm << 16);
    NEXT();
op_LI:
    R[ip->rd] = (uint64_t)(int64_t)(int32_t)ip->imm;
    NEXT();

    /* ---- HI/LO, multiply and divide ---- */

op_MFHI:
    R[ip->rd] = cpu->hi;
    NEXT();
op_MTHI:
    cpu->hi = R[ip->rs];
    NEXT();
op_MFLO:
    R[ip->rd] = cpu->lo;
    NEXT();
op_MTLO:
    cpu->lo = R[ip->rs];
    NEXT();
op_MULT : {
    int64_t p = (int64_t)(int32_t)R[ip->rs] * (int32_t)R[ip->rt];
    cpu->lo = sx32((uint64_t)p);
    cpu->hi = sx32((uint64_t)p >> 32);
    extra += MULT_CYCLES - 1;
    NEXT();
}
op_MULTU : {
    uint64_t p = (uint64_t)(uint32_t)R[ip->rs] * (uint32_t)R[ip->rt];
    cpu->lo = sx32(p);
    cpu->hi = sx32(p >> 32);
    extra += MULTU_CYCLES - 1;
    NEXT();
}
op_DMULT : {
    __int128 p = (__int128)(int64_t)R[ip->rs] * (int64_t)R[ip->rt];
    cpu->lo = (uint64_t)p;
    cpu->hi = (uint64_t)(p >> 64);
    extra += DMULT_CYCLES - 1;
    NEXT();
}
op_DMULTU : {
    unsigned __int128 p = (unsigned __int128)R[ip->rs] * R[ip->rt];
    cpu->lo = (uint64_t)p;
    cpu->hi = (uint64_t)(p >> 64);
    extra += DMULTU_CYCLES - 1;
    NEXT();
}
    /*
     * Division by zero does not trap and leaves HI/LO UNPREDICTABLE; like
     * QEMU, divide by one instead (LO = dividend, HI = 0), and the same for
     * the overflowing MIN / -1.
     */
op_DIV : {
    int32_t a = (int32_t)R[ip->rs], b = (int32_t)R[ip->rt];
    if (b == 0 || (a == INT32_MIN && b == -1))
        b = 1;
    cpu->lo = (uint64_t)(int64_t)(a / b);
    cpu->hi = (uint64_t)(int64_t)(a % b);
    extra += DIV_CYCLES - 1;
    NEXT();
}
op_DIVU : {
    uint32_t a = (uint32_t)R[ip->rs], b = (uint32_t)R[ip->rt];
    if (b == 0)
        b = 1;
    cpu->lo = sx32(a / b);
    cpu->hi = sx32(a % b);
    extra += DIVU_CYCLES - 1;
    NEXT();
}
op_DDIV : {
    int64_t a = (int64_t)R[ip->rs], b = (int64_t)R[ip->rt];
    if (b == 0 || (a == INT64_MIN && b == -1))
        b = 1;
    cpu->lo = (uint64_t)(a / b);
    cpu->hi = (uint64_t)(a % b);
    extra += DDIV_CYCLES - 1;
    NEXT();
}
op_DDIVU : {
    uint64_t a = R[ip->rs], b = R[ip->rt];
    if (b == 0)
        b = 1;
    cpu->lo = a / b;
    cpu->hi = a % b;
    extra += DDIVU_CYCLES - 1;
    NEXT();
}
op_MADD:
op_MADDU:
op_MSUB:
op_MSUBU : {
    uint64_t acc = (cpu->hi << 32) | (uint32_t)cpu->lo;
    uint64_t p = (ip->imm & 1) ? (uint64_t)(uint32_t)R[ip->rs] * (uint32_t)R[ip->rt]
                               : (uint64_t)((int64_t)(int32_t)R[ip->rs] * (int32_t)R[ip->rt]);
    acc = (ip->imm & 4) ? acc - p : acc + p;
    cpu->lo = sx32(acc);
    cpu->hi = sx32(acc >> 32);
    extra += MULT_CYCLES - 1;
    NEXT();
}
op_MUL:
    R[ip->rd] = sx32((uint64_t)((int64_t)(int32_t)R[ip->rs] * (int32_t)R[ip->rt]));
    extra += MULT_CYCLES - 1;
    NEXT();
op_CLZ : {
    uint32_t x = (uint32_t)R[ip->rs];
    R[ip->rd] = x ? (uint64_t)__builtin_clz(x) : 32;
    NEXT();
}
op_CLO : {
    uint32_t x = ~(uint32_t)R[ip->rs];
    R[ip->rd] = x ? (uint64_t)__builtin_clz(x) : 32;
    NEXT();
}
op_DCLZ : {
    uint64_t x = R[ip->rs];
    R[ip->rd] = x ? (uint64_t)__builtin_clzll(x) : 64;
    NEXT();
}
op_DCLO : {
    uint64_t x = ~R[ip->rs];
    R[ip->rd] = x ? (uint64_t)__builtin_clzll(x) : 64;
    NEXT();
}

    /* ---- Release 2 bit-field and byte operations ---- */

op_EXT:
    R[ip->rd] = sx32((R[ip->rs] >> ip->sa) & mask64(ip->imm));
    NEXT();
op_DEXT:
    R[ip->rd] = (R[ip->rs] >> ip->sa) & mask64(ip->imm);
    NEXT();
op_INS : {
    uint64_t m = mask64(ip->imm) << ip->sa;
    R[ip->rd] = sx32((R[ip->rt] & ~m) | ((R[ip->rs] << ip->sa) & m));
    NEXT();
}
op_DINS : {
    uint64_t m = mask64(ip->imm) << ip->sa;
    R[ip->rd] = (R[ip->rt] & ~m) | ((R[ip->rs] << ip->sa) & m);
    NEXT();
}
op_WSBH : {
    uint32_t x = (uint32_t)R[ip->rt];
    R[ip->rd] = sx32(((x & 0x00ff00ffu) << 8) | ((x >> 8) & 0x00ff00ffu));
    NEXT();
}
op_SEB:
    R[ip->rd] = SX8(R[ip->rt]);
    NEXT();
op_SEH:
    R[ip->rd] = SX16(R[ip->rt]);
    NEXT();
op_DSBH : {
    uint64_t x = R[ip->rt];
    R[ip->rd] = ((x & 0x00ff00ff00ff00ffull) << 8) | ((x >> 8) & 0x00ff00ff00ff00ffull);
    NEXT();
}
op_DSHD : {
    uint64_t x = R[ip->rt];
    x = ((x & 0x0000ffff0000ffffull) << 16) | ((x >> 16) & 0x0000ffff0000ffffull);
    R[ip->rd] = (x << 32) | (x >> 32);
    NEXT();
}
op_RDHWR : {
    uint64_t v;
    SAVE();
    if (read_hw_register(cpu, (ip->imm >> 11) & 31, &v) != 0)
        goto took_exception;
    R[ip->rd] = v;
    NEXT();
}

    /* ---- branches and jumps ---- */

op_B:
    BRANCH_REL(1);
op_BEQ:
    BRANCH_REL(R[ip->rs] == R[ip->rt]);
op_BNE:
    BRANCH_REL(R[ip->rs] != R[ip->rt]);
op_BLEZ:
    BRANCH_REL((int64_t)R[ip->rs] <= 0);
op_BGTZ:
    BRANCH_REL((int64_t)R[ip->rs] > 0);
op_BLTZ:
    BRANCH_REL((int64_t)R[ip->rs] < 0);
op_BGEZ:
    BRANCH_REL((int64_t)R[ip->rs] >= 0);
op_BEQL:
    BRANCH_LIKELY(R[ip->rs] == R[ip->rt]);
op_BNEL:
    BRANCH_LIKELY(R[ip->rs] != R[ip->rt]);
op_BLEZL:
    BRANCH_LIKELY((int64_t)R[ip->rs] <= 0);
op_BGTZL:
    BRANCH_LIKELY((int64_t)R[ip->rs] > 0);
op_BLTZL:
    BRANCH_LIKELY((int64_t)R[ip->rs] < 0);
op_BGEZL:
    BRANCH_LIKELY((int64_t)R[ip->rs] >= 0);
op_BLTZAL : { /* the link register is written whether or not the branch is taken */
    bool taken = (int64_t)R[ip->rs] < 0;
    R[31] = PC() + 8;
    BRANCH_REL(taken);
}
op_BGEZAL : {
    bool taken = (int64_t)R[ip->rs] >= 0;
    R[31] = PC() + 8;
    BRANCH_REL(taken);
}
op_BLTZALL : {
    bool taken = (int64_t)R[ip->rs] < 0;
    R[31] = PC() + 8;
    BRANCH_LIKELY(taken);
}
op_BGEZALL : {
    bool taken = (int64_t)R[ip->rs] >= 0;
    R[31] = PC() + 8;
    BRANCH_LIKELY(taken);
}
op_J:
    BRANCH(((PC() + 4) & ~(uint64_t)0x0fffffff) | ((uint64_t)ip->imm << 2));
op_JAL:
    R[31] = PC() + 8;
    BRANCH(((PC() + 4) & ~(uint64_t)0x0fffffff) | ((uint64_t)ip->imm << 2));
op_JR:
    BRANCH(R[ip->rs]);
op_JALR : {
    uint64_t target = R[ip->rs];
    R[ip->rd] = PC() + 8;
    BRANCH(target);
}

    /* ---- traps and system calls ---- */

op_SYSCALL:
    RAISE(EXC_SYS);
op_BREAK:
    RAISE(EXC_BP);
op_TGE:
    if ((int64_t)R[ip->rs] >= (int64_t)R[ip->rt])
        RAISE(EXC_TR);
    NEXT();
op_TGEU:
    if (R[ip->rs] >= R[ip->rt])
        RAISE(EXC_TR);
    NEXT();
op_TLT:
    if ((int64_t)R[ip->rs] < (int64_t)R[ip->rt])
        RAISE(EXC_TR);
    NEXT();
op_TLTU:
    if (R[ip->rs] < R[ip->rt])
        RAISE(EXC_TR);
    NEXT();
op_TEQ:
    if (R[ip->rs] == R[ip->rt])
        RAISE(EXC_TR);
    NEXT();
op_TNE:
    if (R[ip->rs] != R[ip->rt])
        RAISE(EXC_TR);
    NEXT();
op_TGEI:
    if ((int64_t)R[ip->rs] >= (int64_t)(int32_t)ip->imm)
        RAISE(EXC_TR);
    NEXT();
op_TGEIU:
    if (R[ip->rs] >= (uint64_t)(int64_t)(int32_t)ip->imm)
        RAISE(EXC_TR);
    NEXT();
op_TLTI:
    if ((int64_t)R[ip->rs] < (int64_t)(int32_t)ip->imm)
        RAISE(EXC_TR);
    NEXT();
op_TLTIU:
    if (R[ip->rs] < (uint64_t)(int64_t)(int32_t)ip->imm)
        RAISE(EXC_TR);
    NEXT();
op_TEQI:
    if ((int64_t)R[ip->rs] == (int64_t)(int32_t)ip->imm)
        RAISE(EXC_TR);
    NEXT();
op_TNEI:
    if ((int64_t)R[ip->rs] != (int64_t)(int32_t)ip->imm)
        RAISE(EXC_TR);
    NEXT();

    /* ---- coprocessors ---- */

op_COP0:
    SAVE();
    if (cp0_execute(cpu, ip->imm) != 0) {
        if (cpu->exception_raised)
            goto took_exception;
        goto redirected;
    }
    AFTER_CALL();
    NEXT();
op_CACHE:
    SAVE();
    if (cp0_cache(cpu, ip->imm) != 0) {
        if (cpu->exception_raised)
            goto took_exception;
        goto redirected;
    }
    AFTER_CALL();
    NEXT();
op_COP1:
    SAVE();
    if (fpu_execute_cop1(cpu, ip->imm) != 0)
        goto took_exception;
    if (cpu->skip_slot) { /* BC1FL/BC1TL not taken: nullify the slot */
        cpu->skip_slot = false;
        insns++;
        jump_pc = PC() + 8;
        goto jump;
    }
    if (cpu->delay_slot && slot_end == NO_SLOT) { /* BC1F/BC1T called cpu_branch() */
        slot_target_ip = NULL;
        branch_pc = cpu->branch_target;
        slot_end = insns + 2;
        if (slot_end < limit)
            limit = slot_end;
    }
    AFTER_CALL();
    NEXT();
op_COP1X:
    SAVE();
    if (fpu_execute_cop1x(cpu, ip->imm) != 0)
        goto took_exception;
    AFTER_CALL();
    NEXT();

    /* ---- loads and stores ---- */

    LOAD_OP(LB, 1, SX8)
    LOAD_OP(LBU, 1, ZX)
    LOAD_OP(LH, 2, SX16)
    LOAD_OP(LHU, 2, ZX)
    LOAD_OP(LW, 4, SX32)
    LOAD_OP(LWU, 4, ZX)
    LOAD_OP(LD, 8, ZX)
    STORE_OP(SB, 1)
    STORE_OP(SH, 2)
    STORE_OP(SW, 4)
    STORE_OP(SD, 8)

    /*
     * Unaligned loads merge part of the aligned word into rt. s is how many
     * bytes the memory word moves left (LWL) or right (LWR) on the way in;
     * it mirrors between the byte orders (MIPS64 Vol. II, LWL/LWR).
     */
op_LWL:
op_LWR:
op_LDL:
op_LDR : {
    uint64_t a = EA(), w;
    bool dword = ip->sa & VARIANT_DWORD, left = ip->sa & VARIANT_LEFT;
    unsigned size = dword ? 8 : 4, off = (unsigned)a & (size - 1);
    SAVE();
    if (load_containing(cpu, a, size, &w) != 0)
        goto took_exception;
    uint64_t old = R[ip->rt], merged;
    if (left) {
        unsigned s = 8 * (cpu->big_endian ? off : size - 1 - off);
        merged = (w << s) | (old & mask64(s));
    } else {
        unsigned s = 8 * (cpu->big_endian ? size - 1 - off : off);
        merged = (old & ~(mask64(8 * size) >> s)) | (w >> s);
    }
    R[ip->rd] = dword ? merged : sx32(merged);
    AFTER_CALL();
    NEXT();
}
    /*
     * Unaligned stores write the bytes from vaddr to one end of the aligned
     * word: SWL the most significant bytes of rt, SWR the least significant.
     */
op_SWL:
op_SWR:
op_SDL:
op_SDR : {
    uint64_t a = EA(), v = R[ip->rt];
    bool dword = ip->sa & VARIANT_DWORD, left = ip->sa & VARIANT_LEFT;
    unsigned size = dword ? 8 : 4, off = (unsigned)a & (size - 1);
    bool toward_end = left == cpu->big_endian; /* the bytes run from a up to the word's end */
    unsigned count = toward_end ? size - off : off + 1;
    int r;
    SAVE();
    if (left)
        r = store_bytes(cpu, a, toward_end ? 1 : -1, count, v, 8 * ((int)size - 1), -8);
    else
        r = store_bytes(cpu, a, toward_end ? 1 : -1, count, v, 0, 8);
    if (r != 0)
        goto took_exception;
    AFTER_CALL();
    NEXT();
}
op_LL:
op_LLD : {
    uint64_t a = EA(), v;
    bool dword = ip->sa & VARIANT_DWORD;
    SAVE();
    if (cpu_load(cpu, a, dword ? 8 : 4, &v) != 0)
        goto took_exception;
    R[ip->rd] = dword ? v : sx32(v);
    cpu->cp0.llbit = true;
    cpu->ll_vaddr = a;
    cpu->ll_line = cpu->coherent ? cpu->last_line : UINT64_MAX;
    cpu->cp0.lladdr = a >> 4; /* the R10000 keeps PAddr[35:4]; virtual here */
    AFTER_CALL();
    NEXT();
}
    /* SC/SCD store only while the LL link holds (no ERET or exception since). */
op_SC:
op_SCD : {
    uint64_t a = EA();
    bool dword = ip->sa & VARIANT_DWORD;
    unsigned size = dword ? 8 : 4;
    if (a & (size - 1)) {
        SAVE();
        cpu_raise_address(cpu, EXC_ADES, a, false);
        goto took_exception;
    }
    if (!cpu->cp0.llbit || cpu->ll_vaddr != a) {
        R[ip->rd] = 0;
        NEXT();
    }
    SAVE();
    if (cpu_store(cpu, a, size, R[ip->rt]) != 0)
        goto took_exception;
    cpu->cp0.llbit = false;
    R[ip->rd] = 1;
    AFTER_CALL();
    NEXT();
}
op_LWC1:
op_LDC1 : {
    uint64_t a = EA(), v;
    bool dword = ip->sa & VARIANT_DWORD;
    NEED_CU1();
    SAVE();
    if (cpu_load(cpu, a, dword ? 8 : 4, &v) != 0)
        goto took_exception;
    if (dword)
        fpu_set_d(cpu, ip->rt, v);
    else
        fpu_set_w(cpu, ip->rt, (uint32_t)v);
    AFTER_CALL();
    NEXT();
}
op_SWC1:
op_SDC1 : {
    uint64_t a = EA();
    bool dword = ip->sa & VARIANT_DWORD;
    NEED_CU1();
    SAVE();
    uint64_t v = dword ? fpu_get_d(cpu, ip->rt) : fpu_get_w(cpu, ip->rt);
    if (cpu_store(cpu, a, dword ? 8 : 4, v) != 0)
        goto took_exception;
    AFTER_CALL();
    NEXT();
}
}
