/*
 * k_tlb_ops.c - kernel test: TLBWI/TLBR round trips (EntryHi, EntryLo0/1,
 * PageMask for every page size, the G bit as the AND of both halves), TLBP
 * hits and misses (Index.P), and the writable masks of the TLB registers.
 * Cross-checked under qemu-system-mips64 (see docs/bare-metal.md).
 */
#include "kt.h"

static void read_entry(unsigned index, uint64_t *hi, uint64_t *lo0, uint64_t *lo1, uint64_t *mask)
{
    KT_MTC0(0, index);
    KT_TLBR();
    *hi = KT_DMFC0(10);
    *lo0 = KT_DMFC0(2);
    *lo1 = KT_DMFC0(3);
    *mask = KT_MFC0(5);
}

static void test_masks(void)
{
#ifdef KT_R2
    const uint64_t hi_mask = 0xc00000ffffffe0ffull; /* 40-bit segments */
#else
    const uint64_t hi_mask = 0xc0000fffffffe0ffull; /* R10000: 44-bit segments */
#endif
    KT_DMTC0(10, ~0ull);
    kt_check_eq(KT_DMFC0(10), hi_mask, "EntryHi keeps R, VPN2 and ASID only");
    KT_DMTC0(2, ~0ull);
    kt_check_eq(KT_DMFC0(2), 0x3ffffffffull, "EntryLo0 keeps a 28-bit PFN and C/D/V/G");
    KT_MTC0(0, 0x8000002a);
    kt_check_eq(KT_MFC0(0), 42, "Index: the index field is writable, P is read-only");
    KT_DMTC0(4, ~0ull);
    kt_check_eq(KT_DMFC0(4) & 0x7fffff, 0, "Context.BadVPN2 is read-only");
    kt_check_eq(KT_DMFC0(4) >> 23, ~0ull >> 23, "Context.PTEBase is writable");
}

static void test_page_sizes(void)
{
    static const uint32_t masks[] = {0, 0x6000, 0x1e000, 0x7e000, 0x1fe000, 0x7fe000, 0x1ffe000};
    for (unsigned i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
        uint64_t hi, lo0, lo1, mask;
        uint64_t vpn = 0x40000000ull + ((uint64_t)i << 26);
        kt_tlb_write(20 + i, vpn | (i + 1), kt_entrylo(0x100000, true, true, false),
                     kt_entrylo(0x200000, false, true, false), masks[i]);
        read_entry(20 + i, &hi, &lo0, &lo1, &mask);
        kt_check_eq(mask, masks[i], "TLBR returns the PageMask written");
        kt_check_eq(hi, vpn | (i + 1), "TLBR returns VPN2 and ASID");
        /* PFN bits inside a large page are dropped by the write (TLBWI pseudo-code, QEMU). */
        uint64_t inside = (((masks[i] | 0x1fffull) + 1) >> 1) - 1;
        kt_check_eq(lo0, kt_entrylo(0x100000 & ~inside, true, true, false),
                    "TLBR returns EntryLo0");
        kt_check_eq(lo1, kt_entrylo(0x200000 & ~inside, false, true, false),
                    "TLBR returns EntryLo1");
    }
}

static void test_global_bit(void)
{
    uint64_t hi, lo0, lo1, mask;
    kt_tlb_write(30, 0x50000000 | 7, kt_entrylo(0x1000, true, true, true),
                 kt_entrylo(0x2000, true, true, true), 0);
    read_entry(30, &hi, &lo0, &lo1, &mask);
    kt_check_eq(lo0 & lo1 & 1, 1, "both halves global: TLBR shows G");
    kt_tlb_write(31, 0x50002000 | 7, kt_entrylo(0x1000, true, true, true),
                 kt_entrylo(0x2000, true, true, false), 0);
    read_entry(31, &hi, &lo0, &lo1, &mask);
    kt_check_eq((lo0 | lo1) & 1, 0, "one half global: entry is not global");
}

static void test_probe(void)
{
    kt_tlb_write(40, 0x60000000 | 9, kt_entrylo(0x1000, true, true, false),
                 kt_entrylo(0x2000, true, true, false), 0x6000);
    KT_DMTC0(10, 0x60004000 | 9); /* inside the 16 KB odd page of the pair */
    KT_TLBP();
    kt_check_eq(KT_MFC0(0), 40, "TLBP finds a 16 KB pair by any address in it");
    KT_DMTC0(10, 0x60000000 | 10);
    KT_TLBP();
    kt_check((KT_MFC0(0) & 0x80000000u) != 0, "TLBP with another ASID misses (P set)");
    KT_DMTC0(10, 0x50000000 | 99);
    KT_TLBP();
    kt_check_eq(KT_MFC0(0), 30, "TLBP matches a global entry under any ASID");
}

void kt_main(void)
{
    test_masks();
    test_page_sizes();
    test_global_bit();
    test_probe();
}
