/*
 * pmap.c - a VM's physical-to-machine map: a flat array of entries indexed
 * by guest physical page (a VM's memory is contiguous from 0, Disco paper
 * 4.2.2), per-page back-map vectors, and a chained hash from machine page
 * back to physical page. Machine pages come only from the allocator callback.
 */
#include "pmap.h"

#include <stdlib.h>

#include "disco_err.h"
#include "xalloc.h"

struct backmap_list {
    struct pmap_backmap *items;
    unsigned count, capacity;
};

struct reverse_node {
    uint64_t machine_page;
    uint64_t ppage;
    struct reverse_node *next;
};

struct pmap {
    uint64_t pages;
    struct pmap_entry *entries;    /* [pages] */
    struct backmap_list *backmaps; /* [pages] */
    struct reverse_node **buckets; /* [bucket_count], machine page -> physical page */
    uint64_t bucket_count;         /* a power of two */
    pmap_alloc_fn alloc;
    void *opaque;
};

struct pmap *pmap_create(uint64_t memory_bytes, pmap_alloc_fn alloc, void *opaque)
{
    if (memory_bytes > PMAP_MAX_MEMORY_BYTES)
        return NULL;
    struct pmap *pm = xcalloc(1, sizeof(*pm));
    pm->pages = memory_bytes >> PMAP_PAGE_SHIFT;
    pm->entries = xcalloc(pm->pages ? pm->pages : 1, sizeof(*pm->entries));
    pm->backmaps = xcalloc(pm->pages ? pm->pages : 1, sizeof(*pm->backmaps));
    pm->bucket_count = 16;
    while (pm->bucket_count < pm->pages)
        pm->bucket_count <<= 1;
    pm->buckets = xcalloc(pm->bucket_count, sizeof(*pm->buckets));
    pm->alloc = alloc;
    pm->opaque = opaque;
    return pm;
}

void pmap_destroy(struct pmap *pm)
{
    if (!pm)
        return;
    for (uint64_t i = 0; i < pm->bucket_count; i++) {
        struct reverse_node *n = pm->buckets[i];
        while (n) {
            struct reverse_node *next = n->next;
            free(n);
            n = next;
        }
    }
    for (uint64_t i = 0; i < pm->pages; i++)
        free(pm->backmaps[i].items);
    free(pm->buckets);
    free(pm->backmaps);
    free(pm->entries);
    free(pm);
}

uint64_t pmap_memory_bytes(const struct pmap *pm)
{
    return pm->pages << PMAP_PAGE_SHIFT;
}

static uint64_t bucket_of(const struct pmap *pm, uint64_t machine_page)
{
    /* Fibonacci hashing: consecutive machine pages spread over the buckets. */
    return (machine_page * 0x9e3779b97f4a7c15ull) >> 32 & (pm->bucket_count - 1);
}

static void reverse_add(struct pmap *pm, uint64_t machine, uint64_t ppage)
{
    uint64_t mpage = machine >> PMAP_PAGE_SHIFT;
    struct reverse_node *n = xmalloc(sizeof(*n));
    uint64_t b = bucket_of(pm, mpage);
    *n = (struct reverse_node){.machine_page = mpage, .ppage = ppage, .next = pm->buckets[b]};
    pm->buckets[b] = n;
}

static void reverse_remove(struct pmap *pm, uint64_t machine, uint64_t ppage)
{
    uint64_t mpage = machine >> PMAP_PAGE_SHIFT;
    for (struct reverse_node **p = &pm->buckets[bucket_of(pm, mpage)]; *p; p = &(*p)->next) {
        if ((*p)->machine_page == mpage && (*p)->ppage == ppage) {
            struct reverse_node *dead = *p;
            *p = dead->next;
            free(dead);
            return;
        }
    }
}

/* The page index of paddr, or -1 past the VM's memory (guest input: never asserted). */
static int64_t page_of(const struct pmap *pm, uint64_t paddr)
{
    uint64_t page = paddr >> PMAP_PAGE_SHIFT;
    return page < pm->pages ? (int64_t)page : -1;
}

int pmap_map(struct pmap *pm, uint64_t paddr, unsigned preferred_node, struct pmap_entry *out)
{
    int64_t page = page_of(pm, paddr);
    if (page < 0)
        return DISCO_EINVAL;
    struct pmap_entry *e = &pm->entries[page];
    if (!(e->flags & PMAP_VALID)) {
        uint64_t machine = 0;
        int rv = pm->alloc(pm->opaque, preferred_node, &machine);
        if (rv != 0)
            return rv;
        if (machine & (PMAP_PAGE_SIZE - 1))
            return DISCO_EINVAL; /* an allocator bug must not leak a neighbour's bytes */
        *e = (struct pmap_entry){.machine = machine, .flags = PMAP_VALID | PMAP_WRITABLE};
        reverse_add(pm, machine, (uint64_t)page);
    }
    *out = *e;
    return 0;
}

int pmap_lookup(const struct pmap *pm, uint64_t paddr, struct pmap_entry *out)
{
    int64_t page = page_of(pm, paddr);
    if (page < 0)
        return DISCO_EINVAL;
    if (!(pm->entries[page].flags & PMAP_VALID))
        return DISCO_ENOENT;
    *out = pm->entries[page];
    return 0;
}

int pmap_unmap(struct pmap *pm, uint64_t paddr, uint64_t *machine)
{
    int64_t page = page_of(pm, paddr);
    if (page < 0)
        return DISCO_EINVAL;
    struct pmap_entry *e = &pm->entries[page];
    if (!(e->flags & PMAP_VALID))
        return DISCO_ENOENT;
    if (machine)
        *machine = e->machine;
    reverse_remove(pm, e->machine, (uint64_t)page);
    *e = (struct pmap_entry){0};
    pm->backmaps[page].count = 0;
    return 0;
}

int pmap_set_machine(struct pmap *pm, uint64_t paddr, uint64_t machine, unsigned flags)
{
    int64_t page = page_of(pm, paddr);
    if (page < 0 || (machine & (PMAP_PAGE_SIZE - 1)))
        return DISCO_EINVAL;
    struct pmap_entry *e = &pm->entries[page];
    if (!(e->flags & PMAP_VALID))
        return DISCO_ENOENT;
    reverse_remove(pm, e->machine, (uint64_t)page);
    *e = (struct pmap_entry){.machine = machine, .flags = flags | PMAP_VALID};
    reverse_add(pm, machine, (uint64_t)page);
    return 0;
}

/* The back-map list of a touched page, or NULL. */
static struct backmap_list *backmaps_of(const struct pmap *pm, uint64_t paddr, int *err)
{
    int64_t page = page_of(pm, paddr);
    if (page < 0) {
        *err = DISCO_EINVAL;
        return NULL;
    }
    if (!(pm->entries[page].flags & PMAP_VALID)) {
        *err = DISCO_ENOENT;
        return NULL;
    }
    return &pm->backmaps[page];
}

static bool backmap_equal(const struct pmap_backmap *a, const struct pmap_backmap *b)
{
    return a->vcpu == b->vcpu && a->vpage == b->vpage && a->asid == b->asid;
}

int pmap_backmap_add(struct pmap *pm, uint64_t paddr, const struct pmap_backmap *b)
{
    int err = 0;
    struct backmap_list *list = backmaps_of(pm, paddr, &err);
    if (!list)
        return err;
    for (unsigned i = 0; i < list->count; i++)
        if (backmap_equal(&list->items[i], b))
            return 0; /* already recorded: a refill of the same mapping */
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 4;
        list->items = xrealloc(list->items, list->capacity * sizeof(*list->items));
    }
    list->items[list->count++] = *b;
    return 0;
}

int pmap_backmap_remove(struct pmap *pm, uint64_t paddr, const struct pmap_backmap *b)
{
    int err = 0;
    struct backmap_list *list = backmaps_of(pm, paddr, &err);
    if (!list)
        return err;
    for (unsigned i = 0; i < list->count; i++) {
        if (backmap_equal(&list->items[i], b)) {
            list->items[i] = list->items[--list->count];
            return 0;
        }
    }
    return DISCO_ENOENT;
}

unsigned pmap_backmap_for_each(const struct pmap *pm, uint64_t paddr,
                               void (*fn)(void *opaque, const struct pmap_backmap *b), void *opaque)
{
    int err = 0;
    const struct backmap_list *list = backmaps_of(pm, paddr, &err);
    if (!list)
        return 0;
    for (unsigned i = 0; i < list->count; i++)
        fn(opaque, &list->items[i]);
    return list->count;
}

int pmap_reverse(const struct pmap *pm, uint64_t machine, uint64_t *paddr)
{
    uint64_t mpage = machine >> PMAP_PAGE_SHIFT;
    for (const struct reverse_node *n = pm->buckets[bucket_of(pm, mpage)]; n; n = n->next) {
        if (n->machine_page == mpage) {
            *paddr = n->ppage << PMAP_PAGE_SHIFT;
            return 0;
        }
    }
    return DISCO_ENOENT;
}
