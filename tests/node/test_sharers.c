/*
 * test_sharers.c - the limited-pointer / coarse-vector sharer set: exact
 * pointers, overflow, superset semantics, iteration and its size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sharers.h"

static uint32_t collect(const struct sharers *s, uint32_t n, uint32_t *out, uint32_t cap)
{
    uint32_t k = 0;
    for (uint32_t a = sharers_next(s, n, 0); a != SHARERS_NONE; a = sharers_next(s, n, a + 1)) {
        assert_true(k < cap);
        out[k++] = a;
    }
    return k;
}

static void test_pointers_are_exact(void **state)
{
    struct sharers s;
    uint32_t got[8];
    sharers_clear(&s);
    assert_true(sharers_is_empty(&s));
    sharers_add(&s, 700, 1000);
    sharers_add(&s, 3, 1000);
    sharers_add(&s, 3, 1000); /* idempotent */
    sharers_add(&s, 999, 1000);
    assert_true(sharers_is_pointers(&s));
    assert_int_equal(sharers_count(&s, 1000), 3);
    assert_true(sharers_contains_exact(&s, 700, 1000));
    assert_false(sharers_may_contain(&s, 701, 1000));
    assert_int_equal(collect(&s, 1000, got, 8), 3);
    assert_int_equal(got[0], 3);
    assert_int_equal(got[1], 700);
    assert_int_equal(got[2], 999);
    sharers_remove(&s, 700, 1000);
    assert_int_equal(sharers_count(&s, 1000), 2);
    assert_false(sharers_may_contain(&s, 700, 1000));
    assert_true(sharers_contains_exact(&s, 999, 1000));
    sharers_remove(&s, 3, 1000);
    sharers_remove(&s, 999, 1000);
    assert_true(sharers_is_empty(&s));
}

/* 256 agents: a coarse bit covers ceil(256/63) = 5 agents. */
static void test_overflow_to_coarse_vector(void **state)
{
    struct sharers s;
    uint32_t got[64];
    sharers_clear(&s);
    sharers_add(&s, 0, 256);
    sharers_add(&s, 12, 256);
    sharers_add(&s, 255, 256);
    sharers_add(&s, 100, 256);
    assert_false(sharers_is_pointers(&s));
    /* Every real sharer is covered, its group mates too, nobody else. */
    assert_true(sharers_may_contain(&s, 100, 256));
    assert_true(sharers_may_contain(&s, 104, 256)); /* 100..104 share a bit */
    assert_false(sharers_may_contain(&s, 105, 256));
    assert_false(sharers_contains_exact(&s, 100, 256));
    uint32_t n = collect(&s, 256, got, 64);
    /* groups {0-4}, {10-14}, {100-104}, {255} (the last group is 255..259) */
    assert_int_equal(n, 16);
    assert_int_equal(got[0], 0);
    assert_int_equal(got[5], 10);
    assert_int_equal(got[10], 100);
    assert_int_equal(got[15], 255);
    assert_int_equal(sharers_count(&s, 256), 16);
    /* Removing is impossible in a shared bit: the set stays a superset. */
    sharers_remove(&s, 12, 256);
    assert_true(sharers_may_contain(&s, 12, 256));
}

/* Up to 63 agents the vector has a bit per agent: still exact. */
static void test_small_machine_vector_is_exact(void **state)
{
    struct sharers s;
    sharers_clear(&s);
    for (uint32_t a = 0; a < 63; a += 2)
        sharers_add(&s, a, 63);
    assert_false(sharers_is_pointers(&s));
    assert_int_equal(sharers_count(&s, 63), 32);
    assert_true(sharers_contains_exact(&s, 62, 63));
    assert_false(sharers_may_contain(&s, 61, 63));
    for (uint32_t a = 0; a < 63; a += 2)
        sharers_remove(&s, a, 63);
    assert_true(sharers_is_empty(&s));
}

static void test_large_ids_and_size(void **state)
{
    struct sharers s;
    uint32_t big = SHARERS_MAX_POINTER + 5;
    sharers_clear(&s);
    sharers_add(&s, big, big + 1); /* too wide for a pointer: straight to the vector */
    assert_false(sharers_is_pointers(&s));
    assert_true(sharers_may_contain(&s, big, big + 1));
    assert_int_equal(sharers_bytes_per_line(), 8);
    assert_int_equal(sizeof(struct sharers), 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pointers_are_exact),
        cmocka_unit_test(test_overflow_to_coarse_vector),
        cmocka_unit_test(test_small_machine_vector_is_exact),
        cmocka_unit_test(test_large_ids_and_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
