/*
 * test_elf_load.c - unit tests of the ELF loader: hand-built ELF64
 * big-endian and ELF32 little-endian MIPS executables load with the right
 * segments and info; truncated, foreign, dynamic and out-of-bounds files are
 * refused with DISCO_EFORMAT, a missing file with DISCO_ENOENT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "disco_err.h"
#include "elf_load.h"

/* Writes v in size bytes at p in the chosen byte order. */
static void put(uint8_t *p, unsigned size, uint64_t v, int big)
{
    for (unsigned i = 0; i < size; i++)
        p[big ? size - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

struct image {
    uint8_t bytes[512];
    size_t len;
};

/* One PT_LOAD (plus an optional extra header of type extra_type) at offset 0x100. */
static void build(struct image *im, int is64, int big, uint16_t machine, uint32_t extra_type)
{
    memset(im, 0, sizeof(*im));
    uint8_t *b = im->bytes;
    memcpy(b, "\177ELF", 4);
    b[4] = is64 ? 2 : 1;
    b[5] = big ? 2 : 1;
    b[6] = 1;
    unsigned ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32;
    unsigned phnum = extra_type ? 2 : 1;
    put(b + 16, 2, 2, big); /* ET_EXEC */
    put(b + 18, 2, machine, big);
    put(b + 20, 4, 1, big);
    uint64_t vaddr = is64 ? 0x120000000ull : 0x80001000u;
    if (is64) {
        put(b + 24, 8, vaddr + 0x10, big);
        put(b + 32, 8, ehsize, big); /* e_phoff */
        put(b + 48, 4, 0x80000000u, big);
        put(b + 52, 2, ehsize, big);
        put(b + 54, 2, phsize, big);
        put(b + 56, 2, phnum, big);
    } else {
        put(b + 24, 4, vaddr + 0x10, big);
        put(b + 28, 4, ehsize, big);
        put(b + 36, 4, 0x30000000u, big);
        put(b + 40, 2, ehsize, big);
        put(b + 42, 2, phsize, big);
        put(b + 44, 2, phnum, big);
    }
    for (unsigned i = 0; i < phnum; i++) {
        uint8_t *ph = b + ehsize + i * phsize;
        uint32_t type = i == 0 ? 1 : extra_type;
        put(ph, 4, type, big);
        if (is64) {
            put(ph + 4, 4, 5, big);       /* R+X */
            put(ph + 8, 8, 0x100, big);   /* offset */
            put(ph + 16, 8, vaddr, big);  /* vaddr */
            put(ph + 24, 8, 0x1000, big); /* paddr */
            put(ph + 32, 8, 0x20, big);   /* filesz */
            put(ph + 40, 8, 0x80, big);   /* memsz */
        } else {
            put(ph + 4, 4, 0x100, big);
            put(ph + 8, 4, vaddr, big);
            put(ph + 12, 4, 0x1000, big);
            put(ph + 16, 4, 0x20, big);
            put(ph + 20, 4, 0x80, big);
            put(ph + 24, 4, 5, big);
        }
    }
    for (unsigned i = 0; i < 0x20; i++)
        b[0x100 + i] = (uint8_t)(0xa0 + i);
    im->len = 0x120;
}

static char path[64];

static void write_image(const struct image *im, size_t len)
{
    strcpy(path, "/tmp/test_elf_load.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, im->bytes, len), (ssize_t)len);
    close(fd);
}

struct seen {
    int calls;
    uint64_t vaddr, paddr, filesz, memsz;
    unsigned prot;
    uint8_t first;
};

static int record(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                  uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct seen *s = opaque;
    s->calls++;
    s->vaddr = vaddr;
    s->paddr = paddr;
    s->filesz = filesz;
    s->memsz = memsz;
    s->prot = prot;
    s->first = data[0];
    return 0;
}

static int load(struct image *im, size_t len, struct seen *s, struct elf_info *info)
{
    char err[128];
    write_image(im, len);
    memset(s, 0, sizeof(*s));
    int rv = elf_load(path, record, s, info, err, sizeof(err));
    unlink(path);
    return rv;
}

static void test_elf64_big_endian(void **state)
{
    struct image im;
    struct seen s;
    struct elf_info info;
    build(&im, 1, 1, 8, 0);
    assert_int_equal(load(&im, im.len, &s, &info), 0);
    assert_true(info.is64);
    assert_true(info.big_endian);
    assert_int_equal(info.entry, 0x120000010ull);
    assert_int_equal(info.e_flags, 0x80000000u);
    assert_int_equal(info.phnum, 1);
    assert_int_equal(info.lowest_vaddr, 0x120000000ull);
    assert_int_equal(info.highest_vaddr, 0x120000080ull);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.paddr, 0x1000);
    assert_int_equal(s.filesz, 0x20);
    assert_int_equal(s.memsz, 0x80);
    assert_int_equal(s.prot, ELF_PROT_READ | ELF_PROT_EXEC);
    assert_int_equal(s.first, 0xa0);
}

static void test_elf32_little_endian_sign_extends(void **state)
{
    struct image im;
    struct seen s;
    struct elf_info info;
    build(&im, 0, 0, 8, 0);
    assert_int_equal(load(&im, im.len, &s, &info), 0);
    assert_false(info.is64);
    assert_false(info.big_endian);
    assert_int_equal(info.entry, 0xffffffff80001010ull);
    assert_int_equal(s.vaddr, 0xffffffff80001000ull);
}

static void test_rejects_bad_files(void **state)
{
    struct image im;
    struct seen s;
    struct elf_info info;
    build(&im, 1, 1, 62 /* x86-64 */, 0);
    assert_int_equal(load(&im, im.len, &s, &info), DISCO_EFORMAT);
    build(&im, 1, 1, 8, 3 /* PT_INTERP */);
    assert_int_equal(load(&im, im.len, &s, &info), DISCO_EFORMAT);
    build(&im, 1, 1, 8, 0);
    assert_int_equal(load(&im, 0x110, &s, &info), DISCO_EFORMAT); /* segment past EOF */
    assert_int_equal(s.calls, 0);
    assert_int_equal(load(&im, 40, &s, &info), DISCO_EFORMAT); /* truncated header */
    build(&im, 1, 1, 8, 0);
    put(im.bytes + 64 + 32, 8, 0x10, 1); /* filesz > memsz */
    put(im.bytes + 64 + 40, 8, 0x8, 1);
    assert_int_equal(load(&im, im.len, &s, &info), DISCO_EFORMAT);
    memcpy(im.bytes, "#!/bin/sh\n", 10);
    assert_int_equal(load(&im, im.len, &s, &info), DISCO_EFORMAT);
    char err[128];
    assert_int_equal(elf_load("/nonexistent/prog", record, &s, &info, err, sizeof(err)),
                     DISCO_ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elf64_big_endian),
        cmocka_unit_test(test_elf32_little_endian_sign_extends),
        cmocka_unit_test(test_rejects_bad_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
