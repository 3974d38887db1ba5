/*
 * k_tlb_fault.c - kernel test: TLB invalid (TLBL/TLBS) and modified
 * exceptions through the general vector, ASID matching and the G bit,
 * and translations through 16 KB and 16 MB page pairs (even/odd halves).
 */
#include "kt.h"

static volatile uint32_t pages[8192] __attribute__((aligned(32768)));

static void test_invalid_and_modified(void)
{
    uint64_t pa = kt_paddr((const void *)pages);
    kt_set_handler(kt_skip_handler);
    KT_DMTC0(10, 3);
    /* Even page valid and clean, odd page invalid. */
    kt_tlb_write(8, 0x00800000 | 3, kt_entrylo(pa, false, true, false),
                 kt_entrylo(pa + 4096, true, false, false), 0);
    pages[0] = 0xabcd;
    uint64_t before = kt_last.count;
    kt_check_eq(*(volatile uint32_t *)0x00800000, 0xabcd, "load through a clean valid page");
    kt_check_eq(kt_last.count, before, "no exception for it");
    *(volatile uint32_t *)0x00800004 = 1;
    kt_check_eq(KT_EXC(kt_last.cause), EXC_MOD, "store to a clean page: Modified");
    kt_check_eq(kt_last.vector, KT_VEC_GENERAL, "Modified uses the general vector");
    kt_check_eq(kt_last.badvaddr, 0x00800004, "BadVAddr of Modified");
    kt_check_eq(kt_last.entryhi, 0x00800000 | 3, "EntryHi of Modified");
    kt_check_eq(pages[1], 0, "the store did not happen");
    (void)*(volatile uint32_t *)0x00801000;
    kt_check_eq(KT_EXC(kt_last.cause), EXC_TLBL, "load from an invalid page: TLBL");
    kt_check_eq(kt_last.vector, KT_VEC_GENERAL, "invalid is not a refill");
    *(volatile uint32_t *)0x00801008 = 1;
    kt_check_eq(KT_EXC(kt_last.cause), EXC_TLBS, "store to an invalid page: TLBS");
    kt_check_eq(kt_last.badvaddr, 0x00801008, "BadVAddr of TLBS");
    kt_check_eq(kt_last.count - before, 3, "three exceptions in all");
}

static void test_asid_and_global(void)
{
    uint64_t pa = kt_paddr((const void *)pages);
    pages[2048] = 0x600d;
    kt_tlb_write(9, 0x00900000 | 4, kt_entrylo(pa + 8192, true, true, false),
                 kt_entrylo(pa + 8192, true, true, false), 0);
    kt_tlb_write(10, 0x00a00000 | 4, kt_entrylo(pa + 8192, true, true, true),
                 kt_entrylo(pa + 8192, true, true, true), 0);
    kt_set_handler(kt_skip_handler);
    KT_DMTC0(10, 4);
    uint64_t before = kt_last.count;
    kt_check_eq(*(volatile uint32_t *)0x00900000, 0x600d, "matching ASID hits");
    KT_DMTC0(10, 200);
    (void)*(volatile uint32_t *)0x00900000;
    kt_check_eq(kt_last.count - before, 1, "other ASID misses");
    kt_check_eq(kt_last.vector, KT_VEC_REFILL, "and refills");
    kt_check_eq(*(volatile uint32_t *)0x00a01000, 0x600d, "global entry hits under any ASID");
    kt_check_eq(kt_last.count - before, 1, "without an exception");
}

static void test_large_pages(void)
{
    uint64_t pa = kt_paddr((const void *)pages);
    pages[0] = 0x16161616;
    pages[4096 + 3] = 0x32323232;
    /* 16 KB pages: the pair covers 32 KB, the odd page starts 16 KB in. */
    kt_tlb_write(11, 0x10000000, kt_entrylo(pa, true, true, true),
                 kt_entrylo(pa + 16384, true, true, true), 0x6000);
    uint64_t before = kt_last.count;
    kt_check_eq(*(volatile uint32_t *)0x10000000, 0x16161616, "16 KB even page");
    kt_check_eq(*(volatile uint32_t *)0x1000400c, 0x32323232, "16 KB odd page");
    /* 16 MB pages: even -> physical 0, odd -> physical 16 MB. */
    kt_tlb_write(12, 0x04000000, kt_entrylo(0, true, true, true),
                 kt_entrylo(0x1000000, true, true, true), 0x1ffe000);
    *(volatile uint32_t *)(KT_KSEG0 + 0x1000010) = 0x1600beef;
    kt_check_eq(*(volatile uint32_t *)(0x04000000 + pa), 0x16161616, "16 MB even page");
    kt_check_eq(*(volatile uint32_t *)0x05000010, 0x1600beef, "16 MB odd page");
    *(volatile uint32_t *)0x05fffffc = 0x7777;
    kt_check_eq(*(volatile uint32_t *)(KT_KSEG0 + 0x1fffffc), 0x7777, "last word of the odd page");
    kt_check_eq(kt_last.count, before, "no exceptions through large pages");
}

void kt_main(void)
{
    test_invalid_and_modified();
    test_asid_and_global();
    test_large_pages();
}
