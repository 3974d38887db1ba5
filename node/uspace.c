/*
 * uspace.c - the sparse user address space of flash-run: a two-level table of
 * 4 KB pages over the 40-bit user range, each page a separately allocated
 * host page created on first touch (so a large mmap or brk costs nothing until
 * used), with Linux-style permissions, brk and top-down mmap placement.
 */
#include "uspace.h"

#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "tlb.h"
#include "xalloc.h"

#define VPN_BITS  (40 - USPACE_PAGE_SHIFT) /* 28 */
#define LEAF_BITS 14
#define LEAF_SIZE (1u << LEAF_BITS)
#define ROOT_SIZE (1u << (VPN_BITS - LEAF_BITS))

struct upage {
    uint8_t *host; /* NULL until first touched */
    uint8_t prot;  /* USPACE_READ | WRITE | EXEC */
    bool mapped;
};

struct uspace {
    struct upage *root[ROOT_SIZE];
    uint64_t brk_base, brk_end; /* the heap is [brk_base, brk_end) */
    uint64_t mmap_base;         /* top of the mmap search */
};

struct uspace *uspace_create(void)
{
    struct uspace *space = xcalloc(1, sizeof(*space));
    space->mmap_base = USPACE_LIMIT / 2;
    return space;
}

void uspace_destroy(struct uspace *space)
{
    if (!space)
        return;
    for (unsigned i = 0; i < ROOT_SIZE; i++) {
        struct upage *leaf = space->root[i];
        if (!leaf)
            continue;
        for (unsigned j = 0; j < LEAF_SIZE; j++)
            free(leaf[j].host);
        free(leaf);
    }
    free(space);
}

/* The entry of a page, creating its leaf when create is set. */
static struct upage *page_entry(struct uspace *space, uint64_t vaddr, bool create)
{
    uint64_t vpn = vaddr >> USPACE_PAGE_SHIFT;
    if (vaddr >= USPACE_LIMIT)
        return NULL;
    struct upage **leaf = &space->root[vpn >> LEAF_BITS];
    if (!*leaf) {
        if (!create)
            return NULL;
        *leaf = xcalloc(LEAF_SIZE, sizeof(struct upage));
    }
    return &(*leaf)[vpn & (LEAF_SIZE - 1)];
}

static uint8_t *page_host(struct upage *page)
{
    if (!page->host) {
        void *mem = NULL;
        if (posix_memalign(&mem, USPACE_PAGE_SIZE, USPACE_PAGE_SIZE) != 0)
            mem = xmalloc(USPACE_PAGE_SIZE); /* aborts with a message on OOM */
        memset(mem, 0, USPACE_PAGE_SIZE);
        page->host = mem;
    }
    return page->host;
}

uint8_t *uspace_translate(struct uspace *space, uint64_t vaddr, int access, uint64_t *page_vaddr)
{
    static const uint8_t need[3] = {
        [ACCESS_LOAD] = USPACE_READ, [ACCESS_STORE] = USPACE_WRITE, [ACCESS_FETCH] = USPACE_EXEC};
    if (access < 0 || access > ACCESS_FETCH)
        return NULL;
    struct upage *page = page_entry(space, vaddr, false);
    if (!page || !page->mapped || !(page->prot & need[access]))
        return NULL;
    if (page_vaddr)
        *page_vaddr = vaddr & ~USPACE_PAGE_MASK;
    return page_host(page) + (vaddr & USPACE_PAGE_MASK);
}

/* Page-rounds [vaddr, vaddr + len) into [*first, *end); false if out of range. */
static bool page_range(uint64_t vaddr, uint64_t len, uint64_t *first, uint64_t *end)
{
    if (vaddr >= USPACE_LIMIT || len > USPACE_LIMIT - vaddr)
        return false;
    *first = vaddr & ~USPACE_PAGE_MASK;
    *end = (vaddr + len + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK;
    return true;
}

static void page_release(struct upage *page)
{
    free(page->host);
    page->host = NULL;
    page->mapped = false;
    page->prot = 0;
}

int uspace_map(struct uspace *space, uint64_t vaddr, uint64_t len, unsigned prot)
{
    uint64_t first, end;
    if (!page_range(vaddr, len, &first, &end))
        return DISCO_EINVAL;
    for (uint64_t va = first; va < end; va += USPACE_PAGE_SIZE) {
        struct upage *page = page_entry(space, va, true);
        page_release(page);
        page->mapped = true;
        page->prot = prot & (USPACE_READ | USPACE_WRITE | USPACE_EXEC);
    }
    return 0;
}

int uspace_unmap(struct uspace *space, uint64_t vaddr, uint64_t len)
{
    uint64_t first, end;
    if (!page_range(vaddr, len, &first, &end))
        return DISCO_EINVAL;
    for (uint64_t va = first; va < end; va += USPACE_PAGE_SIZE) {
        struct upage *page = page_entry(space, va, false);
        if (page)
            page_release(page);
        else
            va |= ((uint64_t)LEAF_SIZE << USPACE_PAGE_SHIFT) - USPACE_PAGE_SIZE; /* skip leaf */
    }
    return 0;
}

int uspace_move(struct uspace *space, uint64_t from, uint64_t len, uint64_t to)
{
    uint64_t first, end, to_first, to_end;
    if (((from | to | len) & USPACE_PAGE_MASK) || !page_range(from, len, &first, &end) ||
        !page_range(to, len, &to_first, &to_end) || (from < to_end && to < end))
        return DISCO_EINVAL;
    for (uint64_t off = 0; off < len; off += USPACE_PAGE_SIZE) {
        struct upage *src = page_entry(space, from + off, false);
        struct upage *dst = page_entry(space, to + off, true);
        page_release(dst);
        if (src && src->mapped) {
            *dst = *src;
            src->host = NULL;
            page_release(src);
        }
    }
    return 0;
}

bool uspace_is_mapped(struct uspace *space, uint64_t vaddr, uint64_t len)
{
    uint64_t first, end;
    if (!page_range(vaddr, len, &first, &end))
        return false;
    for (uint64_t va = first; va < end; va += USPACE_PAGE_SIZE) {
        struct upage *page = page_entry(space, va, false);
        if (!page || !page->mapped)
            return false;
    }
    return true;
}

int uspace_protect(struct uspace *space, uint64_t vaddr, uint64_t len, unsigned prot)
{
    uint64_t first, end;
    if (!page_range(vaddr, len, &first, &end))
        return DISCO_EINVAL;
    if (!uspace_is_mapped(space, first, end - first))
        return DISCO_ENOENT;
    for (uint64_t va = first; va < end; va += USPACE_PAGE_SIZE)
        page_entry(space, va, false)->prot = prot & (USPACE_READ | USPACE_WRITE | USPACE_EXEC);
    return 0;
}

int uspace_page_prot(struct uspace *space, uint64_t vaddr)
{
    struct upage *page = page_entry(space, vaddr, false);
    if (!page || !page->mapped)
        return -1;
    return page->prot;
}

void uspace_set_mmap_base(struct uspace *space, uint64_t top)
{
    space->mmap_base = top & ~USPACE_PAGE_MASK;
}

int uspace_find_free(struct uspace *space, uint64_t len, uint64_t *vaddr)
{
    const uint64_t floor = USPACE_PAGE_SIZE * 16; /* keep page 0 and its neighbours unmapped */
    const uint64_t leaf_span = (uint64_t)LEAF_SIZE << USPACE_PAGE_SHIFT;
    uint64_t need = (len + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK;
    if (need == 0 || len > USPACE_LIMIT)
        return DISCO_ENOMEM;
    /* Grow a run of free pages [va, end) downwards from the base. */
    uint64_t end = space->mmap_base, va = end;
    while (end - va < need) {
        if (va <= floor)
            return DISCO_ENOMEM;
        uint64_t below = va - USPACE_PAGE_SIZE;
        if (!space->root[below >> (USPACE_PAGE_SHIFT + LEAF_BITS)]) {
            uint64_t leaf_start = below & ~(leaf_span - 1); /* a whole empty leaf is free */
            va = leaf_start > floor ? leaf_start : floor;
            continue;
        }
        if (page_entry(space, below, false)->mapped)
            end = below;
        va = below;
    }
    *vaddr = end - need;
    return 0;
}

/* Copies between host and guest memory page by page; write selects the direction. */
static int copy_pages(struct uspace *space, uint64_t vaddr, void *host, size_t len, int access,
                      bool force)
{
    uint8_t *buf = host;
    while (len > 0) {
        uint64_t chunk = USPACE_PAGE_SIZE - (vaddr & USPACE_PAGE_MASK);
        if (chunk > len)
            chunk = len;
        uint8_t *mem;
        if (force) {
            struct upage *page = page_entry(space, vaddr, false);
            if (!page || !page->mapped)
                return DISCO_EINVAL;
            mem = page_host(page) + (vaddr & USPACE_PAGE_MASK);
        } else {
            mem = uspace_translate(space, vaddr, access, NULL);
            if (!mem)
                return DISCO_EINVAL;
        }
        if (access == ACCESS_STORE)
            memcpy(mem, buf, chunk);
        else
            memcpy(buf, mem, chunk);
        buf += chunk;
        vaddr += chunk;
        len -= chunk;
    }
    return 0;
}

int uspace_copy_in(struct uspace *space, void *dst, uint64_t vaddr, size_t len)
{
    return copy_pages(space, vaddr, dst, len, ACCESS_LOAD, false);
}

int uspace_copy_out(struct uspace *space, uint64_t vaddr, const void *src, size_t len)
{
    return copy_pages(space, vaddr, (void *)src, len, ACCESS_STORE, false);
}

int uspace_write_force(struct uspace *space, uint64_t vaddr, const void *src, size_t len)
{
    return copy_pages(space, vaddr, (void *)src, len, ACCESS_STORE, true);
}

int uspace_copy_string(struct uspace *space, char *dst, uint64_t vaddr, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        const uint8_t *p = uspace_translate(space, vaddr + i, ACCESS_LOAD, NULL);
        if (!p)
            return DISCO_EINVAL;
        dst[i] = (char)*p;
        if (*p == 0)
            return 0;
    }
    return DISCO_ETOOBIG;
}

void uspace_set_brk_base(struct uspace *space, uint64_t base)
{
    space->brk_base = space->brk_end = base;
}

uint64_t uspace_brk(struct uspace *space, uint64_t new_end)
{
    if (new_end < space->brk_base || new_end >= USPACE_LIMIT)
        return space->brk_end;
    uint64_t old_top = (space->brk_end + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK;
    uint64_t new_top = (new_end + USPACE_PAGE_MASK) & ~USPACE_PAGE_MASK;
    if (new_top > old_top) {
        /* Linux refuses to grow the heap into another mapping. */
        for (uint64_t va = old_top; va < new_top; va += USPACE_PAGE_SIZE)
            if (uspace_page_prot(space, va) >= 0)
                return space->brk_end;
        if (uspace_map(space, old_top, new_top - old_top, USPACE_READ | USPACE_WRITE) != 0)
            return space->brk_end;
    } else if (new_top < old_top) {
        if (uspace_unmap(space, new_top, old_top - new_top) != 0)
            return space->brk_end;
    }
    space->brk_end = new_end;
    return new_end;
}
