/*
 * test_l2tlb.c - unit tests of monitor/l2tlb.c (hits and misses by ASID and
 * global entries, set conflicts and replacement, invalidation by ASID, by
 * virtual range, by machine page and of everything) and of monitor/costs.c
 * (every action named and priced, per-KB page costs).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "costs.h"
#include "l2tlb.h"

static struct l2tlb *new_tlb(void)
{
    struct l2tlb *t = malloc(sizeof(*t));
    l2tlb_init(t);
    return t;
}

static void put(struct l2tlb *t, uint64_t vpage, uint8_t asid, uint64_t machine, bool global)
{
    struct l2tlb_entry e = {
        .vpage = vpage, .machine = machine, .asid = asid, .global = global, .writable = true};
    l2tlb_insert(t, &e);
}

static void test_lookup_by_asid(void **state)
{
    (void)state;
    struct l2tlb *t = new_tlb();
    put(t, 0x400000, 1, 0x10000000, false);
    put(t, 0x400000, 2, 0x10001000, false);
    put(t, 0xc0000000, 7, 0x20000000, true);
    const struct l2tlb_entry *e = l2tlb_lookup(t, 0x400abc, 1);
    assert_non_null(e);
    assert_int_equal(e->machine, 0x10000000);
    e = l2tlb_lookup(t, 0x400000, 2);
    assert_non_null(e);
    assert_int_equal(e->machine, 0x10001000);
    assert_null(l2tlb_lookup(t, 0x400000, 3));
    assert_null(l2tlb_lookup(t, 0x401000, 1));
    e = l2tlb_lookup(t, 0xc0000010, 200); /* global: any ASID */
    assert_non_null(e);
    assert_int_equal(e->machine, 0x20000000);
    assert_int_equal(t->hits, 3);
    assert_int_equal(t->misses, 2);
    /* Re-inserting the same mapping updates it in place. */
    put(t, 0x400000, 1, 0x30000000, false);
    assert_int_equal(l2tlb_lookup(t, 0x400000, 1)->machine, 0x30000000);
    assert_int_equal(l2tlb_invalidate_all(t), 3);
    assert_null(l2tlb_lookup(t, 0x400000, 2));
    free(t);
}

static void test_set_replacement(void **state)
{
    (void)state;
    struct l2tlb *t = new_tlb();
    /* Five ASIDs of one page share a set of four ways: the oldest goes. */
    for (unsigned a = 0; a < 5; a++)
        put(t, 0x1000, (uint8_t)a, 0x100000 + a * 0x1000, false);
    unsigned present = 0;
    for (unsigned a = 0; a < 5; a++)
        present += l2tlb_lookup(t, 0x1000, (uint8_t)a) != NULL;
    assert_int_equal(present, L2TLB_WAYS);
    assert_null(l2tlb_lookup(t, 0x1000, 0));
    assert_non_null(l2tlb_lookup(t, 0x1000, 4));
    free(t);
}

static void test_invalidate(void **state)
{
    (void)state;
    struct l2tlb *t = new_tlb();
    put(t, 0x400000, 5, 0x8000000, false);
    put(t, 0x401000, 5, 0x8001000, false);
    put(t, 0x402000, 6, 0x8001000, false); /* the same machine page under another ASID */
    put(t, 0x10000000, 5, 0x9000000, true);
    /* By ASID: global entries survive. */
    assert_int_equal(l2tlb_invalidate_asid(t, 5), 2);
    assert_null(l2tlb_lookup(t, 0x400000, 5));
    assert_non_null(l2tlb_lookup(t, 0x10000000, 5));
    assert_non_null(l2tlb_lookup(t, 0x402000, 6));
    /* By machine page (any offset inside it), for migration. */
    put(t, 0x401000, 5, 0x8001000, false);
    assert_int_equal(l2tlb_invalidate_machine(t, 0x8001abc), 2);
    assert_null(l2tlb_lookup(t, 0x401000, 5));
    assert_null(l2tlb_lookup(t, 0x402000, 6));
    assert_int_equal(l2tlb_invalidate_machine(t, 0x8001000), 0);
    /* By virtual range: a replaced 16 KB guest pair covers four 4 KB pages. */
    for (unsigned i = 0; i < 6; i++)
        put(t, 0x500000 + i * 0x1000, (uint8_t)i, 0xa000000 + i * 0x1000, false);
    assert_int_equal(l2tlb_invalidate_range(t, 0x501000, 0x4000), 4);
    assert_non_null(l2tlb_lookup(t, 0x500000, 0));
    assert_null(l2tlb_lookup(t, 0x501000, 1));
    assert_null(l2tlb_lookup(t, 0x504000, 4));
    assert_non_null(l2tlb_lookup(t, 0x505000, 5));
    free(t);
}

static void test_costs(void **state)
{
    (void)state;
    for (unsigned a = 0; a < COST_ACTION_COUNT; a++) {
        assert_true(costs_cycles((enum monitor_action)a) > 0);
        assert_true(strcmp(costs_name((enum monitor_action)a), "?") != 0);
    }
    assert_int_equal(costs_cycles(COST_ACTION_COUNT), 0);
    assert_string_equal(costs_name(COST_ACTION_COUNT), "?");
    assert_string_equal(costs_name(COST_L2TLB_HIT_REFILL), "l2tlb_hit_refill");
    /* The point of the second-level TLB: its refill is cheaper than a full emulation. */
    assert_true(costs_cycles(COST_L2TLB_HIT_REFILL) < costs_cycles(COST_TLB_MISS_EMULATE));
    assert_int_equal(costs_page_zero_cycles(4096), 4 * costs_cycles(COST_PAGE_ZERO_PER_KB));
    assert_int_equal(costs_page_zero_cycles(1), costs_cycles(COST_PAGE_ZERO_PER_KB));
    assert_int_equal(costs_page_copy_cycles(0), 0);
    assert_int_equal(costs_page_copy_cycles(2048), 2 * costs_cycles(COST_PAGE_COPY_PER_KB));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_by_asid),
        cmocka_unit_test(test_set_replacement),
        cmocka_unit_test(test_invalidate),
        cmocka_unit_test(test_costs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
