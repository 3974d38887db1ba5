/*
 * k_tlb_refill.c - kernel test: TLB refill through the 32-bit refill vector
 * (0x000) and the XTLB refill vector (0x080) for 64-bit segments, the CP0
 * state a refill leaves (BadVAddr, Context, XContext, EntryHi, EPC, Cause),
 * a software refill handler with TLBWR whose mapping the retried access then
 * uses, and a refill with EXL already set going to the general vector with
 * EPC untouched.
 */
#include "kt.h"

static volatile uint32_t pages[2048] __attribute__((aligned(8192)));

/* Maps the faulting pair (EntryHi as the hardware left it) onto pages[]. */
static void refill_handler(struct kt_frame *f)
{
    uint64_t pa = kt_paddr((const void *)pages);
    KT_DMTC0(2, kt_entrylo(pa, true, true, false));
    KT_DMTC0(3, kt_entrylo(pa + 4096, true, true, false));
    KT_MTC0(5, 0);
    KT_TLBWR();
}

static void test_refill_32(void)
{
    pages[0] = 0x11111111;
    pages[1025] = 0x22222222;
    KT_DMTC0(4, 0xffffffffc0000000ull); /* Context.PTEBase */
    KT_DMTC0(10, 5);                    /* ASID 5 */
    kt_set_handler(refill_handler);
    uint64_t before = kt_last.count;
    uint32_t v = *(volatile uint32_t *)0x00500010;
    kt_check_eq(v, 0, "retried load reads the page the handler mapped");
    v = *(volatile uint32_t *)0x00500000;
    kt_check_eq(v, 0x11111111, "even page of the refilled pair");
    kt_check_eq(kt_last.count - before, 1, "one refill for the first access only");
    kt_check_eq(kt_last.vector, KT_VEC_REFILL, "32-bit refill uses vector 0x000");
    kt_check_eq(KT_EXC(kt_last.cause), EXC_TLBL, "load refill is TLBL");
    kt_check_eq(kt_last.badvaddr, 0x00500010, "BadVAddr is the faulting address");
    kt_check_eq(kt_last.context, 0xffffffffc0000000ull | (0x00500010 >> 13) << 4,
                "Context keeps PTEBase and gets BadVPN2");
    kt_check_eq(kt_last.entryhi, 0x00500000 | 5, "EntryHi gets VPN2 and keeps the ASID");
    kt_check((kt_last.epc >> 32) == 0xffffffff && (kt_last.cause & KT_CAUSE_BD) == 0,
             "EPC is the kernel load, BD clear");
    v = *(volatile uint32_t *)0x00501004;
    kt_check_eq(v, 0x22222222, "odd page of the pair without another refill");
    kt_check_eq(kt_last.count - before, 1, "no exception for the odd page");
    *(volatile uint32_t *)0x00602000 = 0x33333333;
    kt_check_eq(KT_EXC(kt_last.cause), EXC_TLBS, "store refill is TLBS");
    kt_check_eq(pages[0], 0x33333333, "the retried store went to the mapped page");
    /* Another ASID does not see the non-global entry. */
    KT_DMTC0(10, 6);
    before = kt_last.count;
    v = *(volatile uint32_t *)0x00500000;
    kt_check_eq(kt_last.count - before, 1, "a different ASID refills again");
    KT_DMTC0(10, 5);
}

static void test_xtlb_refill(void)
{
    KT_MTC0(12, KT_ST_UX | KT_ST_KX);
    KT_DMTC0(20, 0xffffffe000000000ull); /* XContext.PTEBase (bits 63:37 on the R10000) */
    uint64_t before = kt_last.count;
    volatile uint32_t *p = (volatile uint32_t *)0x0000000300000000ull;
    pages[0] = 0x44444444;
    kt_check_eq(*p, 0x44444444, "xuseg access after an XTLB refill");
    kt_check_eq(kt_last.count - before, 1, "one XTLB refill");
    kt_check_eq(kt_last.vector, KT_VEC_XREFILL, "64-bit user segment refills via 0x080");
#ifdef KT_R2
    const unsigned segbits = 40;
#else
    const unsigned segbits = 44;
#endif
    uint64_t ptebase = 0xffffffe000000000ull & (~0ull << (segbits - 7));
    kt_check_eq(kt_last.xcontext, ptebase | (0x0000000300000000ull >> 13) << 4,
                "XContext gets BadVPN2 with R = 0");
    /* kseg2 with KX set: also the XTLB vector. */
    volatile uint32_t *k2 = (volatile uint32_t *)0xffffffffc0000000ull;
    kt_check_eq(*k2, 0x44444444, "kseg2 access after a refill");
    kt_check_eq(kt_last.vector, KT_VEC_XREFILL, "kseg2 with KX refills via 0x080");
    kt_check_eq((kt_last.xcontext >> (segbits - 9)) & 3, 3, "XContext.R = 3 for kseg2");
    KT_MTC0(12, 0);
    volatile uint32_t *k2b = (volatile uint32_t *)0xffffffffc0100000ull;
    kt_check_eq(*k2b, 0x44444444, "kseg2 access after a 32-bit refill");
    kt_check_eq(kt_last.vector, KT_VEC_REFILL, "kseg2 with KX clear refills via 0x000");
}

static void record_only(struct kt_frame *f) {}

static void test_refill_with_exl(void)
{
    kt_set_handler(record_only);
    uint64_t before = kt_last.count, tmp, resume;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "lui %1, %%hi(1f)\n\t"
                     "addiu %1, %1, %%lo(1f)\n\t"
                     "dmtc0 %1, $14\n\t"
                     "mfc0 %0, $12\n\t"
                     "ori %0, %0, 2\n\t"
                     "mtc0 %0, $12\n\t"
                     "nop\n\t"
                     "lw %0, 0(%2)\n\t"
                     "nop\n"
                     "1:\n\t.set pop"
                     : "=&r"(tmp), "=&r"(resume)
                     : "r"(0x00700000ull)
                     : "memory");
    kt_check_eq(kt_last.count - before, 1, "refill with EXL set is taken");
    kt_check_eq(kt_last.vector, KT_VEC_GENERAL, "refill with EXL set goes to 0x180");
    kt_check_eq(kt_last.epc, resume, "EPC not updated when EXL was set");
    kt_check_eq(KT_MFC0(12) & KT_ST_EXL, 0, "ERET cleared EXL");
}

void kt_main(void)
{
    test_refill_32();
    test_xtlb_refill();
    test_refill_with_exl();
}
