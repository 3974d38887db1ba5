/*
 * k_random_wired.c - kernel test: Random stays within [Wired, 63], writing
 * Wired resets Random to 63, and TLBWR never replaces a wired entry.
 */
#include "kt.h"

void kt_main(void)
{
    bool in_range = true;
    for (unsigned i = 0; i < 20; i++) {
        uint64_t r = KT_MFC0(1);
        in_range = in_range && r <= 63;
    }
    kt_check(in_range, "Random within [0, 63] with Wired = 0");
    for (unsigned i = 0; i < 8; i++)
        kt_tlb_write(i, 0x20000000 + ((uint64_t)i << 13), kt_entrylo(0x1000 * i, true, true, true),
                     kt_entrylo(0x1000 * i, true, true, true), 0);
    KT_MTC0(6, 8);
    kt_check_eq(KT_MFC0(6), 8, "Wired reads back");
    kt_check_eq(KT_MFC0(1), 63, "writing Wired sets Random to 63");
    bool stayed = true;
    unsigned low = 63, high = 0;
    for (unsigned n = 0; n < 300; n++) {
        uint64_t r = KT_MFC0(1);
        stayed = stayed && r >= 8 && r <= 63;
        low = r < low ? (unsigned)r : low;
        high = r > high ? (unsigned)r : high;
        KT_DMTC0(10, 0x30000000 + ((uint64_t)n << 13));
        KT_DMTC0(2, kt_entrylo(0x5000, true, true, true));
        KT_DMTC0(3, kt_entrylo(0x5000, true, true, true));
        KT_MTC0(5, 0);
        KT_TLBWR();
    }
    kt_check(stayed, "Random stays within [Wired, 63] across 300 TLBWR");
    kt_check(low == 8 && high == 63, "Random covers the whole non-wired range");
    bool intact = true;
    for (unsigned i = 0; i < 8; i++) {
        KT_MTC0(0, i);
        KT_TLBR();
        intact = intact && KT_DMFC0(10) == 0x20000000 + ((uint64_t)i << 13);
    }
    kt_check(intact, "wired entries survived TLBWR");
    KT_DMTC0(10, 0x30000000 + (299ull << 13));
    KT_TLBP();
    uint64_t index = KT_MFC0(0);
    kt_check(index >= 8 && index <= 63, "the last TLBWR entry sits above Wired");
    kt_check_eq(*(volatile uint32_t *)(0x20000000 + (3 << 13) + 0x10),
                *(volatile uint32_t *)(KT_KSEG0 + 0x3010), "a wired entry still translates");
    KT_MTC0(6, 0);
}
