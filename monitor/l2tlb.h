/*
 * l2tlb.h - a vCPU's second-level software TLB (Disco paper, 4.2.2): caches
 * guest virtual page + ASID -> machine page, already composed from the guest's
 * TLB entry and the pmap, so a hardware TLB miss the guest's own TLB would
 * have hit is refilled by the monitor without reflecting it to the guest.
 * 1024 entries, 256 sets of 4 ways indexed by virtual page, round-robin
 * replacement. One per vCPU, owned by the monitor.
 */
#ifndef DISCO_MONITOR_L2TLB_H
#define DISCO_MONITOR_L2TLB_H

#include <stdbool.h>
#include <stdint.h>

#define L2TLB_SETS    256u
#define L2TLB_WAYS    4u
#define L2TLB_ENTRIES (L2TLB_SETS * L2TLB_WAYS)

/* One composed 4 KB translation. */
struct l2tlb_entry {
    uint64_t vpage;   /* guest virtual address of the 4 KB page */
    uint64_t machine; /* machine address of the page */
    uint8_t asid;
    bool global;   /* matches every ASID (the guest entry's G bit) */
    bool writable; /* guest D bit and the pmap allow stores */
    bool cached;   /* the guest entry's cache attribute */
    bool valid;
};

struct l2tlb {
    struct l2tlb_entry entry[L2TLB_SETS][L2TLB_WAYS];
    uint8_t next_way[L2TLB_SETS];
    uint64_t hits, misses;
};

void l2tlb_init(struct l2tlb *t);

/* The translation of vaddr under asid, or NULL (counts a hit or a miss). */
const struct l2tlb_entry *l2tlb_lookup(struct l2tlb *t, uint64_t vaddr, uint8_t asid);

/* The same without counting (the monitor filling the other half of a pair). */
const struct l2tlb_entry *l2tlb_peek(const struct l2tlb *t, uint64_t vaddr, uint8_t asid);

/* Caches e (vpage is rounded down to 4 KB), replacing an equal tag or the set's next way. */
void l2tlb_insert(struct l2tlb *t, const struct l2tlb_entry *e);

/* Invalidation; each returns how many entries it dropped. */
unsigned l2tlb_invalidate_all(struct l2tlb *t);
/* Non-global entries of asid (the guest reused the ASID). */
unsigned l2tlb_invalidate_asid(struct l2tlb *t, uint8_t asid);
/* Entries of pages in [vaddr, vaddr + bytes), any ASID (a guest TLB entry was replaced). */
unsigned l2tlb_invalidate_range(struct l2tlb *t, uint64_t vaddr, uint64_t bytes);
/* Entries pointing at the machine page holding machine (migration, replication, COW). */
unsigned l2tlb_invalidate_machine(struct l2tlb *t, uint64_t machine);

#endif
