/*
 * test_cache.c - the set-associative array: geometry, indexing, LRU,
 * pinned ways, invalidation, data storage and statistics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cache.h"
#include "disco_err.h"
#include "timing.h"

static struct cache *make(uint32_t size, uint32_t ways, bool data)
{
    struct cache_config cc = {.size_bytes = size, .ways = ways, .hit_cycles = 3, .with_data = data};
    struct cache *c = NULL;
    assert_int_equal(cache_create(&cc, &c), 0);
    return c;
}

static void test_geometry(void **state)
{
    struct timing_params t;
    timing_defaults(&t);
    struct cache *l1 = make(t.l1d_size_bytes, t.l1d_ways, false);
    struct cache *l2 = make(t.l2_size_bytes, t.l2_ways, true);
    assert_int_equal(cache_sets(l1), 128);  /* 32 KB / (2 ways * 128 B) */
    assert_int_equal(cache_sets(l2), 4096); /* 1 MB / (2 ways * 128 B) */
    assert_int_equal(cache_ways(l2), 2);
    assert_int_equal(cache_hit_cycles(l1), 3);
    cache_destroy(l1);
    cache_destroy(l2);

    struct cache *c = NULL;
    struct cache_config bad[] = {
        {.size_bytes = 4096, .ways = 0},
        {.size_bytes = 4000, .ways = 2},    /* not a whole number of sets */
        {.size_bytes = 3 * 256, .ways = 2}, /* 3 sets: not a power of two */
        {.size_bytes = 0, .ways = 1},
        {.size_bytes = 65 * 128, .ways = 65},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(cache_create(&bad[i], &c), DISCO_EINVAL);
}

static void test_lru_and_indexing(void **state)
{
    struct cache *c = make(4 * 128 * 2, 2, false);         /* 4 sets, 2 ways */
    uint64_t a = 0x1000, b = a + 4 * 128, d = a + 8 * 128; /* same set */
    assert_null(cache_access(c, a + 5));
    cache_fill(c, cache_victim(c, a), a, CACHE_SHARED);
    cache_fill(c, cache_victim(c, b), b, CACHE_EXCLUSIVE);
    assert_non_null(cache_lookup(c, a + 127)); /* any byte of the line */
    assert_null(cache_lookup(c, a + 128));     /* the next line, another set */
    /* a used more recently than b: b is the victim for d */
    assert_non_null(cache_access(c, a));
    struct cache_line *v = cache_victim(c, d);
    assert_int_equal(v->addr, b);
    assert_int_equal(v->state, CACHE_EXCLUSIVE);
    cache_fill(c, v, d, CACHE_MODIFIED);
    assert_null(cache_lookup(c, b));
    assert_int_equal(cache_lookup(c, d)->state, CACHE_MODIFIED);
    const struct cache_stats *st = cache_get_stats(c);
    assert_int_equal(st->hits, 1);
    assert_int_equal(st->misses, 1);
    assert_int_equal(st->fills, 3);
    cache_destroy(c);
}

static void test_pinned_ways_are_never_victims(void **state)
{
    struct cache *c = make(2 * 128, 2, false); /* one set */
    struct cache_line *w0 = cache_victim(c, 0);
    cache_fill(c, w0, 0, CACHE_SHARED);
    w0->pinned = true;
    struct cache_line *w1 = cache_victim(c, 128);
    assert_ptr_not_equal(w0, w1);
    /* a reserved way: invalid but pinned, waiting for a fill */
    w1->addr = 128;
    w1->pinned = true;
    assert_null(cache_victim(c, 256));
    assert_null(cache_lookup(c, 128)); /* reserved is not present */
    w0->pinned = false;
    assert_ptr_equal(cache_victim(c, 256), w0);
    cache_destroy(c);
}

static void test_invalidate_and_data(void **state)
{
    struct cache *c = make(8 * 128, 2, true);
    struct cache_line *l = cache_victim(c, 0x80);
    cache_fill(c, l, 0x80, CACHE_MODIFIED);
    assert_non_null(l->data);
    l->data[5] = 0xab;
    struct cache_line *other = cache_victim(c, 0x100);
    assert_ptr_not_equal(other->data, l->data);
    assert_true(cache_invalidate(c, 0x80));
    assert_false(cache_invalidate(c, 0x80));
    assert_null(cache_lookup(c, 0x80));
    assert_int_equal(cache_get_stats(c)->invalidations, 1);
    struct cache *tags = make(8 * 128, 2, false);
    assert_null(cache_victim(tags, 0)->data);
    cache_destroy(tags);
    cache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_lru_and_indexing),
        cmocka_unit_test(test_pinned_ways_are_never_victims),
        cmocka_unit_test(test_invalidate_and_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
