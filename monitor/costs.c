/*
 * costs.c - the monitor's cost table. Disco ran on an R10000-class CPU and
 * its monitor handlers were short hand-tuned paths; the paper (Bugnion et al.
 * 1997, sections 4.2 and 5) reports overall overheads (3-16% of run time,
 * dominated by TLB-miss handling and trap emulation) rather than per-handler
 * cycle counts, so every figure here is an estimate from the instruction
 * count of the handler at about 1 cycle per instruction plus the pipeline
 * flush of a trap and return (the R10000 user manual: ~20-30 cycles).
 */
#include "costs.h"

struct cost_row {
    const char *name;
    uint32_t cycles;
};

static const struct cost_row table[COST_ACTION_COUNT] = {
    /* (estimate) exception entry + ERET pipeline refill and saving a few registers. */
    [COST_TRAP_ENTRY_EXIT] = {"trap_entry_exit", 40},
    /* (estimate) decode plus a table load of the vCPU field. */
    [COST_PRIVOP_MFC0] = {"privop_mfc0", 20},
    /* (estimate) decode, mask, store; side effects (Compare, Status) a few more. */
    [COST_PRIVOP_MTC0] = {"privop_mtc0", 30},
    /* (estimate) a software search of 64 entries at ~3 instructions each. */
    [COST_PRIVOP_TLBP] = {"privop_tlbp", 200},
    /* (estimate) copying one entry into four registers. */
    [COST_PRIVOP_TLBR] = {"privop_tlbr", 30},
    /* (estimate) entry write, pmap lookups of both halves, hardware TLB write and
     * a second-level TLB range flush: the paper's costliest privileged operation. */
    [COST_PRIVOP_TLBWRITE] = {"privop_tlbwrite", 150},
    /* (estimate) restoring Status and the PC. */
    [COST_PRIVOP_ERET] = {"privop_eret", 25},
    /* (estimate) WAIT/CACHE/DI/EI are a decode and at most one Status update. */
    [COST_PRIVOP_OTHER] = {"privop_other", 15},
    /* (estimate) virtual TLB search, pmap lookup, hardware refill and the
     * second-level TLB insert (paper 4.2.2: TLB misses are the main overhead). */
    [COST_TLB_MISS_EMULATE] = {"tlb_miss_emulate", 250},
    /* (estimate) a hashed 4-way lookup and a hardware TLB write. */
    [COST_L2TLB_HIT_REFILL] = {"l2tlb_hit_refill", 60},
    /* (estimate) updating EPC/Cause/BadVAddr/Status and jumping to the guest vector. */
    [COST_EXCEPTION_REFLECT] = {"exception_reflect", 50},
    /* (estimate) argument unpacking and the dispatch table jump. */
    [COST_MONITOR_CALL] = {"monitor_call", 50},
    /* (estimate) 1 KB of 8-byte stores at one per cycle, cache lines allocated: 128 + misses. */
    [COST_PAGE_ZERO_PER_KB] = {"page_zero_per_kb", 256},
    /* (estimate) 1 KB loaded and stored 8 bytes at a time, with the source's misses. */
    [COST_PAGE_COPY_PER_KB] = {"page_copy_per_kb", 512},
    /* (estimate) saving and loading 32 GPRs, HI/LO, 32 FPRs and FCSR (~70 loads and stores)
     * plus invalidating the 64 hardware TLB entries (paper 4.2.2 flushes on a switch). */
    [COST_VCPU_SWITCH] = {"vcpu_switch", 200},
};

uint32_t costs_cycles(enum monitor_action action)
{
    return (unsigned)action < COST_ACTION_COUNT ? table[action].cycles : 0;
}

static uint64_t per_kb(enum monitor_action action, uint64_t bytes)
{
    return ((bytes + 1023) / 1024) * table[action].cycles;
}

uint64_t costs_page_zero_cycles(uint64_t bytes)
{
    return per_kb(COST_PAGE_ZERO_PER_KB, bytes);
}

uint64_t costs_page_copy_cycles(uint64_t bytes)
{
    return per_kb(COST_PAGE_COPY_PER_KB, bytes);
}

const char *costs_name(enum monitor_action action)
{
    return (unsigned)action < COST_ACTION_COUNT ? table[action].name : "?";
}
