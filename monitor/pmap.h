/*
 * pmap.h - a VM's physical-to-machine map (Disco paper, 4.2.2): each 4 KB
 * guest physical page maps to a machine page (a global machine address on
 * any node) with flags, allocated on first touch through the caller's
 * allocator; back-maps record, per machine page, the virtual mappings that
 * use it so migration, replication and copy-on-write can shoot them down.
 * One per VM, owned by the monitor.
 */
#ifndef DISCO_MONITOR_PMAP_H
#define DISCO_MONITOR_PMAP_H

#include <stdbool.h>
#include <stdint.h>

#define PMAP_PAGE_SHIFT 12
#define PMAP_PAGE_SIZE  (1ull << PMAP_PAGE_SHIFT)

/* Flags of a physical page's mapping. */
enum {
    PMAP_VALID = 1u << 0,
    PMAP_WRITABLE = 1u << 1,   /* stores may go to the machine page directly */
    PMAP_COW = 1u << 2,        /* shared read-only: a store must copy it first */
    PMAP_REPLICATED = 1u << 3, /* a read-only replica: a store must collapse replicas */
};

/*
 * Gives the VM a fresh machine page, preferably on node preferred_node.
 * Returns 0 and the page's machine address (4 KB aligned) in *machine, or a
 * DISCO_E* code (DISCO_ENOMEM when memory is exhausted).
 */
typedef int (*pmap_alloc_fn)(void *opaque, unsigned preferred_node, uint64_t *machine);

/* A virtual mapping that uses a machine page: who to shoot down when it moves. */
struct pmap_backmap {
    unsigned vcpu;
    uint64_t vpage; /* guest virtual address of the page, 4 KB aligned */
    uint8_t asid;
};

struct pmap_entry {
    uint64_t machine; /* machine address of the page */
    unsigned flags;
};

struct pmap;

/* Largest VM memory a pmap accepts: 64 GB (16 M pages, 256 MB of entries). */
#define PMAP_MAX_MEMORY_BYTES (1ull << 36)

/*
 * A map of memory_bytes of guest physical memory (rounded down to pages).
 * Returns NULL if memory_bytes exceeds PMAP_MAX_MEMORY_BYTES (a VM
 * description is user input). Free with pmap_destroy().
 */
struct pmap *pmap_create(uint64_t memory_bytes, pmap_alloc_fn alloc, void *opaque);
void pmap_destroy(struct pmap *pm);

uint64_t pmap_memory_bytes(const struct pmap *pm);

/*
 * The mapping of guest physical address paddr; allocates its machine page on
 * node preferred_node if this is the first touch (writable, not COW). Returns
 * 0, DISCO_EINVAL for an address beyond the VM's memory, or the allocator's
 * error. *out receives the page's entry (machine is page aligned).
 */
__attribute__((warn_unused_result)) int pmap_map(struct pmap *pm, uint64_t paddr,
                                                 unsigned preferred_node, struct pmap_entry *out);

/* The current mapping without allocating: 0, DISCO_ENOENT if untouched, DISCO_EINVAL if out of
 * range. */
__attribute__((warn_unused_result)) int pmap_lookup(const struct pmap *pm, uint64_t paddr,
                                                    struct pmap_entry *out);

/*
 * Forgets the page's mapping and its back-maps; the caller first shoots down
 * the back-mapped translations and then owns the machine page (returned in
 * *machine if not NULL). 0, DISCO_ENOENT or DISCO_EINVAL.
 */
__attribute__((warn_unused_result)) int pmap_unmap(struct pmap *pm, uint64_t paddr,
                                                   uint64_t *machine);

/*
 * Migration, replication, COW: points a touched page at another machine page
 * with new flags (PMAP_VALID is implied). A monitor-only call: guests get
 * machine pages only through pmap_map's allocator, and the monitor passes
 * here only pages it allocated for this VM or shares on purpose. The
 * back-maps stay with the physical page: the caller shoots them down first.
 * Returns 0, DISCO_ENOENT if untouched, DISCO_EINVAL (range, unaligned).
 */
__attribute__((warn_unused_result)) int pmap_set_machine(struct pmap *pm, uint64_t paddr,
                                                         uint64_t machine, unsigned flags);

/* Back-maps of the machine page of paddr. add: 0 or DISCO_ENOENT/EINVAL. */
__attribute__((warn_unused_result)) int pmap_backmap_add(struct pmap *pm, uint64_t paddr,
                                                         const struct pmap_backmap *b);
/* Removes one equal back-map; 0 or DISCO_ENOENT. */
__attribute__((warn_unused_result)) int pmap_backmap_remove(struct pmap *pm, uint64_t paddr,
                                                            const struct pmap_backmap *b);
/* Calls fn for each back-map of paddr's page; returns how many there were. */
unsigned pmap_backmap_for_each(const struct pmap *pm, uint64_t paddr,
                               void (*fn)(void *opaque, const struct pmap_backmap *b),
                               void *opaque);

/*
 * The guest physical page mapped to machine page `machine`, for a shoot-down
 * that starts from the machine side (a migration chosen from the directory's
 * miss counters). 0 and *paddr, or DISCO_ENOENT.
 */
__attribute__((warn_unused_result)) int pmap_reverse(const struct pmap *pm, uint64_t machine,
                                                     uint64_t *paddr);

#endif
