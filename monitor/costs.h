/*
 * costs.h - simulated-cycle costs of each monitor action, charged to the
 * vCPU so that virtualization overhead shows in simulated time (issue 5,
 * "Costs"). One table with units in the names; costs.c says where each
 * figure comes from. Read by the monitor's trap paths and by bench/.
 */
#ifndef DISCO_MONITOR_COSTS_H
#define DISCO_MONITOR_COSTS_H

#include <stdint.h>

/* Monitor actions that cost cycles (index into the table). */
enum monitor_action {
    COST_TRAP_ENTRY_EXIT,   /* entering and leaving the monitor on any trap */
    COST_PRIVOP_MFC0,       /* MFC0/DMFC0 emulation */
    COST_PRIVOP_MTC0,       /* MTC0/DMTC0 emulation (side effects included) */
    COST_PRIVOP_TLBP,       /* TLBP over the 64-entry virtual TLB */
    COST_PRIVOP_TLBR,       /* TLBR */
    COST_PRIVOP_TLBWRITE,   /* TLBWI/TLBWR: virtual TLB, pmap rewrite, shadow flush */
    COST_PRIVOP_ERET,       /* ERET */
    COST_PRIVOP_OTHER,      /* WAIT, CACHE, DI/EI */
    COST_TLB_MISS_EMULATE,  /* hardware miss: virtual TLB lookup, pmap, hardware refill */
    COST_L2TLB_HIT_REFILL,  /* hardware miss satisfied by the second-level TLB */
    COST_EXCEPTION_REFLECT, /* delivering an exception to the guest's vector */
    COST_MONITOR_CALL,      /* a monitor call's dispatch (its work is extra) */
    COST_PAGE_ZERO_PER_KB,  /* zeroing a fresh machine page, per KB */
    COST_PAGE_COPY_PER_KB,  /* copying a page (migration, replication, COW), per KB */
    COST_VCPU_SWITCH,       /* time-sharing: one vCPU's state out, another's in, TLB flush */
    COST_ACTION_COUNT,
};

/* The cost of one action, in simulated CPU cycles. */
uint32_t costs_cycles(enum monitor_action action);

/* Zeroing or copying bytes: the per-KB figure times ceil(bytes / 1024). */
uint64_t costs_page_zero_cycles(uint64_t bytes);
uint64_t costs_page_copy_cycles(uint64_t bytes);

/* The action's name for statistics ("privop_mtc0", ...); "?" out of range. */
const char *costs_name(enum monitor_action action);

#endif
