/*
 * test_pmap.c - unit tests of monitor/pmap.c: allocation on first touch with
 * the node preference, rejection of addresses past the VM's memory and of an
 * allocator's failure or misaligned page, back-maps (add, duplicate,
 * remove, for_each), unmap, migration through pmap_set_machine, and the
 * machine-to-physical reverse lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "disco_err.h"
#include "pmap.h"

#define VM_BYTES (64ull << 20)

/* A machine of 4 nodes with banks of 1 GB; hands out a bounded number of pages. */
struct pool {
    uint64_t next[4];
    unsigned calls, limit;
    unsigned last_node;
    bool misalign;
};

static int pool_alloc(void *opaque, unsigned node, uint64_t *machine)
{
    struct pool *p = opaque;
    if (p->calls == p->limit)
        return DISCO_ENOMEM;
    p->calls++;
    p->last_node = node;
    *machine = ((uint64_t)node << 30) + p->next[node & 3] + (p->misalign ? 8 : 0);
    p->next[node & 3] += PMAP_PAGE_SIZE;
    return 0;
}

static void test_first_touch(void **state)
{
    (void)state;
    struct pool pool = {.limit = 100};
    struct pmap *pm = pmap_create(VM_BYTES, pool_alloc, &pool);
    assert_int_equal(pmap_memory_bytes(pm), VM_BYTES);
    struct pmap_entry e;
    assert_int_equal(pmap_lookup(pm, 0x5000, &e), DISCO_ENOENT);
    assert_int_equal(pmap_map(pm, 0x5123, 2, &e), 0);
    assert_int_equal(pool.calls, 1);
    assert_int_equal(pool.last_node, 2);
    assert_int_equal(e.machine, 2ull << 30);
    assert_int_equal(e.flags, PMAP_VALID | PMAP_WRITABLE);
    /* A second touch of the same page, from another node, reuses it. */
    assert_int_equal(pmap_map(pm, 0x5ff8, 1, &e), 0);
    assert_int_equal(pool.calls, 1);
    assert_int_equal(e.machine, 2ull << 30);
    assert_int_equal(pmap_lookup(pm, 0x5000, &e), 0);
    assert_int_equal(e.machine, 2ull << 30);
    assert_int_equal(pmap_map(pm, 0x6000, 2, &e), 0);
    assert_int_equal(e.machine, (2ull << 30) + PMAP_PAGE_SIZE);
    uint64_t paddr = 0;
    assert_int_equal(pmap_reverse(pm, (2ull << 30) + PMAP_PAGE_SIZE + 0x10, &paddr), 0);
    assert_int_equal(paddr, 0x6000);
    assert_int_equal(pmap_reverse(pm, 3ull << 30, &paddr), DISCO_ENOENT);
    pmap_destroy(pm);
}

static void test_bounds(void **state)
{
    (void)state;
    struct pool pool = {.limit = 1};
    struct pmap *pm = pmap_create(VM_BYTES, pool_alloc, &pool);
    struct pmap_entry e;
    assert_int_equal(pmap_map(pm, VM_BYTES, 0, &e), DISCO_EINVAL);
    assert_int_equal(pmap_map(pm, VM_BYTES - 1, 0, &e), 0);
    assert_int_equal(pmap_map(pm, ~0ull, 0, &e), DISCO_EINVAL);
    assert_int_equal(pmap_lookup(pm, 1ull << 40, &e), DISCO_EINVAL);
    assert_int_equal(pmap_unmap(pm, VM_BYTES, NULL), DISCO_EINVAL);
    assert_int_equal(pmap_set_machine(pm, VM_BYTES, 0, 0), DISCO_EINVAL);
    /* The allocator is exhausted: the error reaches the caller, nothing is mapped. */
    assert_int_equal(pmap_map(pm, 0, 0, &e), DISCO_ENOMEM);
    assert_int_equal(pmap_lookup(pm, 0, &e), DISCO_ENOENT);
    pmap_destroy(pm);

    /* A VM description asking for more than a pmap can hold is refused. */
    assert_null(pmap_create(PMAP_MAX_MEMORY_BYTES + 1, pool_alloc, &pool));

    /* A misaligned page from the allocator is refused. */
    struct pool bad = {.limit = 10, .misalign = true};
    pm = pmap_create(VM_BYTES, pool_alloc, &bad);
    assert_int_equal(pmap_map(pm, 0, 0, &e), DISCO_EINVAL);
    assert_int_equal(pmap_lookup(pm, 0, &e), DISCO_ENOENT);
    pmap_destroy(pm);
}

struct collected {
    struct pmap_backmap items[8];
    unsigned count;
};

static void collect(void *opaque, const struct pmap_backmap *b)
{
    struct collected *c = opaque;
    if (c->count < 8)
        c->items[c->count] = *b;
    c->count++;
}

static void test_backmaps(void **state)
{
    (void)state;
    struct pool pool = {.limit = 10};
    struct pmap *pm = pmap_create(VM_BYTES, pool_alloc, &pool);
    struct pmap_backmap a = {.vcpu = 0, .vpage = 0x400000, .asid = 3};
    struct pmap_backmap b = {.vcpu = 1, .vpage = 0x7fff0000, .asid = 9};
    assert_int_equal(pmap_backmap_add(pm, 0x8000, &a), DISCO_ENOENT); /* untouched */
    struct pmap_entry e;
    assert_int_equal(pmap_map(pm, 0x8000, 0, &e), 0);
    assert_int_equal(pmap_backmap_add(pm, 0x8000, &a), 0);
    assert_int_equal(pmap_backmap_add(pm, 0x8000, &a), 0); /* duplicate: kept once */
    for (unsigned i = 0; i < 6; i++) {                     /* grows past its first capacity */
        struct pmap_backmap more = {.vcpu = 2, .vpage = 0x10000 * i, .asid = 1};
        assert_int_equal(pmap_backmap_add(pm, 0x8000, &more), 0);
    }
    assert_int_equal(pmap_backmap_add(pm, 0x8010, &b), 0);
    struct collected c = {0};
    assert_int_equal(pmap_backmap_for_each(pm, 0x8000, collect, &c), 8);
    assert_int_equal(c.count, 8);
    assert_int_equal(c.items[0].vpage, 0x400000);
    assert_int_equal(c.items[7].vcpu, 1);
    assert_int_equal(c.items[7].asid, 9);

    assert_int_equal(pmap_backmap_remove(pm, 0x8000, &a), 0);
    assert_int_equal(pmap_backmap_remove(pm, 0x8000, &a), DISCO_ENOENT);
    c.count = 0;
    assert_int_equal(pmap_backmap_for_each(pm, 0x8000, collect, &c), 7);

    /* Migration: the page moves, the back-maps stay with it, the reverse map follows. */
    uint64_t new_machine = (3ull << 30) + 0x40000;
    assert_int_equal(pmap_set_machine(pm, 0x8000, new_machine, PMAP_REPLICATED), 0);
    assert_int_equal(pmap_lookup(pm, 0x8000, &e), 0);
    assert_int_equal(e.machine, new_machine);
    assert_int_equal(e.flags, PMAP_VALID | PMAP_REPLICATED);
    uint64_t paddr;
    assert_int_equal(pmap_reverse(pm, 0, &paddr), DISCO_ENOENT);
    assert_int_equal(pmap_reverse(pm, new_machine, &paddr), 0);
    assert_int_equal(paddr, 0x8000);
    assert_int_equal(pmap_set_machine(pm, 0x8000, new_machine + 4, 0), DISCO_EINVAL);
    assert_int_equal(pmap_set_machine(pm, 0x9000, new_machine, 0), DISCO_ENOENT);
    assert_int_equal(pmap_backmap_for_each(pm, 0x8000, collect, &c), 7);

    /* Unmap hands the machine page back and forgets the back-maps. */
    uint64_t machine = 0;
    assert_int_equal(pmap_unmap(pm, 0x8000, &machine), 0);
    assert_int_equal(machine, new_machine);
    assert_int_equal(pmap_unmap(pm, 0x8000, &machine), DISCO_ENOENT);
    assert_int_equal(pmap_backmap_for_each(pm, 0x8000, collect, &c), 0);
    assert_int_equal(pmap_reverse(pm, new_machine, &paddr), DISCO_ENOENT);
    /* The next touch allocates afresh, with no stale back-maps. */
    assert_int_equal(pmap_map(pm, 0x8000, 1, &e), 0);
    assert_int_equal(e.machine, 1ull << 30);
    assert_int_equal(pmap_backmap_for_each(pm, 0x8000, collect, &c), 0);
    pmap_destroy(pm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_touch),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_backmaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
