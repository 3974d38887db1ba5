/*
 * test_uspace.c - unit tests of the flash-run user address space: mapping,
 * permissions seen by uspace_translate, lazy zero pages, copies across page
 * boundaries, unmap/protect/move, top-down placement and brk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disco_err.h"
#include "tlb.h"
#include "uspace.h"

static void test_translate_permissions(void **state)
{
    struct uspace *s = uspace_create();
    uint64_t page = 0;
    assert_null(uspace_translate(s, 0x10000, ACCESS_LOAD, &page));
    assert_int_equal(uspace_map(s, 0x10000, 0x2000, USPACE_READ | USPACE_EXEC), 0);
    uint8_t *p = uspace_translate(s, 0x10123, ACCESS_LOAD, &page);
    assert_non_null(p);
    assert_int_equal(page, 0x10000);
    assert_int_equal(p[0], 0); /* fresh pages read as zero */
    assert_non_null(uspace_translate(s, 0x11fff, ACCESS_FETCH, NULL));
    assert_null(uspace_translate(s, 0x10123, ACCESS_STORE, NULL));
    assert_null(uspace_translate(s, 0x12000, ACCESS_LOAD, NULL));
    assert_null(uspace_translate(s, USPACE_LIMIT, ACCESS_LOAD, NULL));
    assert_null(uspace_translate(s, 0x10000, 7, NULL));
    /* The host pointer is stable: offsets within a page are contiguous. */
    assert_ptr_equal(uspace_translate(s, 0x10124, ACCESS_LOAD, NULL), p + 1);
    uspace_destroy(s);
}

static void test_copies_cross_pages(void **state)
{
    struct uspace *s = uspace_create();
    assert_int_equal(uspace_map(s, 0x20000, 0x3000, USPACE_READ | USPACE_WRITE), 0);
    char msg[6000], back[6000];
    for (unsigned i = 0; i < sizeof(msg); i++)
        msg[i] = (char)(i * 13);
    assert_int_equal(uspace_copy_out(s, 0x20ff0, msg, sizeof(msg)), 0);
    assert_int_equal(uspace_copy_in(s, back, 0x20ff0, sizeof(back)), 0);
    assert_memory_equal(msg, back, sizeof(msg));
    /* Running off the end of the mapping is a fault. */
    assert_int_equal(uspace_copy_in(s, back, 0x22ff0, 32), DISCO_EINVAL);
    assert_int_equal(uspace_copy_out(s, 0x20000, "hi\0", 3), 0);
    char str[8];
    assert_int_equal(uspace_copy_string(s, str, 0x20000, sizeof(str)), 0);
    assert_string_equal(str, "hi");
    assert_int_equal(uspace_protect(s, 0x20000, 0x1000, USPACE_READ), 0);
    assert_int_equal(uspace_copy_out(s, 0x20000, "x", 1), DISCO_EINVAL);
    assert_int_equal(uspace_write_force(s, 0x20000, "x", 1), 0);
    assert_int_equal(uspace_protect(s, 0x1f000, 0x2000, USPACE_READ), DISCO_ENOENT);
    uspace_destroy(s);
}

static void test_unmap_and_move(void **state)
{
    struct uspace *s = uspace_create();
    assert_int_equal(uspace_map(s, 0x40000, 0x4000, USPACE_READ | USPACE_WRITE), 0);
    assert_int_equal(uspace_copy_out(s, 0x41000, "page1", 6), 0);
    assert_int_equal(uspace_unmap(s, 0x42000, 0x1000), 0);
    assert_false(uspace_is_mapped(s, 0x40000, 0x4000));
    assert_true(uspace_is_mapped(s, 0x40000, 0x2000));
    assert_int_equal(uspace_page_prot(s, 0x42000), -1);
    assert_int_equal(uspace_move(s, 0x40000, 0x4000, 0x80000), 0);
    assert_int_equal(uspace_page_prot(s, 0x40000), -1);
    char buf[6];
    assert_int_equal(uspace_copy_in(s, buf, 0x81000, 6), 0);
    assert_string_equal(buf, "page1");
    assert_int_equal(uspace_page_prot(s, 0x82000), -1); /* the hole moved too */
    assert_int_equal(uspace_move(s, 0x80000, 0x4000, 0x82000), DISCO_EINVAL); /* overlap */
    uspace_destroy(s);
}

static void test_find_free_top_down(void **state)
{
    struct uspace *s = uspace_create();
    uspace_set_mmap_base(s, 0x10000000);
    uint64_t a, b;
    assert_int_equal(uspace_find_free(s, 0x3000, &a), 0);
    assert_int_equal(a, 0x10000000 - 0x3000);
    assert_int_equal(uspace_map(s, a, 0x3000, USPACE_READ), 0);
    assert_int_equal(uspace_find_free(s, 100, &b), 0);
    assert_int_equal(b, a - 0x1000);
    /* A gap between mappings that is big enough is reused. */
    assert_int_equal(uspace_map(s, a - 0x5000, 0x1000, USPACE_READ), 0);
    assert_int_equal(uspace_find_free(s, 0x4000, &b), 0);
    assert_int_equal(b, a - 0x4000);
    assert_int_equal(uspace_find_free(s, 0x5000, &b), 0);
    assert_int_equal(b, a - 0x5000 - 0x5000);
    assert_int_equal(uspace_find_free(s, USPACE_LIMIT, &b), DISCO_ENOMEM);
    uspace_destroy(s);
}

static void test_brk(void **state)
{
    struct uspace *s = uspace_create();
    uspace_set_brk_base(s, 0x120010000);
    assert_int_equal(uspace_brk(s, 0), 0x120010000);
    assert_int_equal(uspace_brk(s, 0x120012345), 0x120012345);
    assert_non_null(uspace_translate(s, 0x120012fff, ACCESS_STORE, NULL));
    assert_null(uspace_translate(s, 0x120013000, ACCESS_LOAD, NULL));
    assert_int_equal(uspace_brk(s, 0x120011000), 0x120011000);
    assert_null(uspace_translate(s, 0x120011000, ACCESS_LOAD, NULL));
    /* Growing into an existing mapping is refused and leaves the break alone. */
    assert_int_equal(uspace_map(s, 0x120020000, 0x1000, USPACE_READ), 0);
    assert_int_equal(uspace_brk(s, 0x120030000), 0x120011000);
    assert_int_equal(uspace_brk(s, 0x100), 0x120011000);
    uspace_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_translate_permissions),
        cmocka_unit_test(test_copies_cross_pages),
        cmocka_unit_test(test_unmap_and_move),
        cmocka_unit_test(test_find_free_top_down),
        cmocka_unit_test(test_brk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
