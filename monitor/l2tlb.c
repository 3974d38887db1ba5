/*
 * l2tlb.c - the per-vCPU second-level software TLB. Sets are chosen by the
 * virtual page only, so global entries are found under any ASID and the same
 * page of several processes (different ASIDs) shares a set of 4 ways.
 * Invalidation other than by page scans all 1024 entries: it is rare (ASID
 * reuse, page migration) next to lookups.
 */
#include "l2tlb.h"

#include <string.h>

#define PAGE_MASK (~(uint64_t)0xfff)

static unsigned set_of(uint64_t vaddr)
{
    uint64_t page = vaddr >> 12;
    return (unsigned)((page ^ (page >> 8) ^ (page >> 16)) & (L2TLB_SETS - 1));
}

void l2tlb_init(struct l2tlb *t)
{
    memset(t, 0, sizeof(*t));
}

static bool matches(const struct l2tlb_entry *e, uint64_t vpage, uint8_t asid)
{
    return e->valid && e->vpage == vpage && (e->global || e->asid == asid);
}

const struct l2tlb_entry *l2tlb_peek(const struct l2tlb *t, uint64_t vaddr, uint8_t asid)
{
    uint64_t vpage = vaddr & PAGE_MASK;
    const struct l2tlb_entry *set = t->entry[set_of(vaddr)];
    for (unsigned w = 0; w < L2TLB_WAYS; w++)
        if (matches(&set[w], vpage, asid))
            return &set[w];
    return NULL;
}

const struct l2tlb_entry *l2tlb_lookup(struct l2tlb *t, uint64_t vaddr, uint8_t asid)
{
    const struct l2tlb_entry *e = l2tlb_peek(t, vaddr, asid);
    if (e)
        t->hits++;
    else
        t->misses++;
    return e;
}

void l2tlb_insert(struct l2tlb *t, const struct l2tlb_entry *e)
{
    uint64_t vpage = e->vpage & PAGE_MASK;
    unsigned s = set_of(vpage);
    struct l2tlb_entry *set = t->entry[s];
    unsigned way = L2TLB_WAYS;
    for (unsigned w = 0; w < L2TLB_WAYS && way == L2TLB_WAYS; w++)
        if (set[w].valid && set[w].vpage == vpage && set[w].asid == e->asid &&
            set[w].global == e->global)
            way = w; /* the same mapping again: update it in place, no duplicate */
    for (unsigned w = 0; w < L2TLB_WAYS && way == L2TLB_WAYS; w++)
        if (!set[w].valid)
            way = w;
    if (way == L2TLB_WAYS) {
        way = t->next_way[s];
        t->next_way[s] = (uint8_t)((way + 1) % L2TLB_WAYS);
    }
    set[way] = *e;
    set[way].vpage = vpage;
    set[way].valid = true;
}

/* Drops every entry for which drop() says so. */
static unsigned invalidate_if(struct l2tlb *t,
                              bool (*drop)(const struct l2tlb_entry *, uint64_t, uint64_t),
                              uint64_t a, uint64_t b)
{
    unsigned n = 0;
    for (unsigned s = 0; s < L2TLB_SETS; s++) {
        for (unsigned w = 0; w < L2TLB_WAYS; w++) {
            struct l2tlb_entry *e = &t->entry[s][w];
            if (e->valid && drop(e, a, b)) {
                e->valid = false;
                n++;
            }
        }
    }
    return n;
}

static bool any(const struct l2tlb_entry *e, uint64_t a, uint64_t b)
{
    (void)e;
    (void)a;
    (void)b;
    return true;
}

static bool of_asid(const struct l2tlb_entry *e, uint64_t asid, uint64_t unused)
{
    (void)unused;
    return !e->global && e->asid == asid;
}

static bool in_range(const struct l2tlb_entry *e, uint64_t vaddr, uint64_t bytes)
{
    return e->vpage - (vaddr & PAGE_MASK) < bytes + (vaddr & ~PAGE_MASK);
}

static bool of_machine(const struct l2tlb_entry *e, uint64_t machine, uint64_t unused)
{
    (void)unused;
    return (e->machine & PAGE_MASK) == (machine & PAGE_MASK);
}

unsigned l2tlb_invalidate_all(struct l2tlb *t)
{
    return invalidate_if(t, any, 0, 0);
}

unsigned l2tlb_invalidate_asid(struct l2tlb *t, uint8_t asid)
{
    return invalidate_if(t, of_asid, asid, 0);
}

unsigned l2tlb_invalidate_range(struct l2tlb *t, uint64_t vaddr, uint64_t bytes)
{
    return invalidate_if(t, in_range, vaddr, bytes);
}

unsigned l2tlb_invalidate_machine(struct l2tlb *t, uint64_t machine)
{
    return invalidate_if(t, of_machine, machine, 0);
}
