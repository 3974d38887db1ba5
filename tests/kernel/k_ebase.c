/*
 * k_ebase.c - kernel test for the mips64r2 model: PRId/Config0-3/IntCtl as a
 * modern kernel probes them, EBase relocating the vectors, Cause.IV sending
 * interrupts to base + 0x200, DI/EI, UserLocal and HWREna.
 */
#include "kt.h"

#define EBASE_TAG 0x2000
#define NEW_EBASE 0xffffffff80040000ull

static volatile uint64_t seen_vector, seen_code;

static void record(struct kt_frame *f)
{
    seen_vector = f->vector;
    seen_code = KT_EXC(f->cause);
    if (seen_code == EXC_INT)
        KT_MTC0(13, 0); /* drop the software interrupt; keep EPC */
    else
        f->epc += 4;
}

static void test_identity(void)
{
    kt_check_eq(KT_MFC0(15), 0x00018900, "PRId: MIPS 5KE");
    uint64_t c0 = KT_MFC0(16);
    kt_check_eq((c0 >> 7) & 0x3ff, (2u << 6) | (1u << 3) | 1u, "Config0: AT=2 AR=1 MT=1");
    kt_check_eq(c0 & (1u << 15), 0, "Config0.BE clear on a little-endian CPU");
    uint64_t c1 = KT_MFC0_SEL(16, 1);
    kt_check_eq(((c1 >> 25) & 63) + 1, 64, "Config1: 64 TLB entries");
    kt_check_eq(c1 & 1, 1, "Config1.FP");
    kt_check((KT_MFC0_SEL(16, 2) >> 31) != 0, "Config2.M: Config3 present");
    kt_check((KT_MFC0_SEL(16, 3) & (1u << 13)) != 0, "Config3.ULRI");
    kt_check_eq((KT_MFC0_SEL(12, 1) >> 29) & 7, 7, "IntCtl.IPTI = 7");
    kt_check_eq(KT_MFC0_SEL(15, 1), 0xffffffff80000000ull, "EBase at reset, CPUNum 0");
}

static void test_ebase(void)
{
    kt_install_vectors(NEW_EBASE, EBASE_TAG);
    KT_MTC0_SEL(15, 1, NEW_EBASE);
    kt_check_eq(KT_MFC0_SEL(15, 1), NEW_EBASE, "EBase reads back");
    kt_set_handler(record);
    KT_SYSCALL();
    kt_check_eq(seen_vector, EBASE_TAG | KT_VEC_GENERAL, "SYSCALL at EBase + 0x180");
    (void)*(volatile uint32_t *)0x00500000;
    kt_check_eq(seen_vector, EBASE_TAG | KT_VEC_REFILL, "refill at EBase + 0x000");
    KT_MTC0(13, 1u << 8); /* IP0 */
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(0));
    kt_check_eq(seen_code, EXC_INT, "software interrupt taken");
    kt_check_eq(seen_vector, EBASE_TAG | KT_VEC_GENERAL, "Cause.IV clear: interrupt at + 0x180");
    KT_MTC0(12, 0);
    KT_MTC0(13, KT_CAUSE_IV | (1u << 9)); /* IP1 with IV */
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(1));
    kt_check_eq(seen_vector, EBASE_TAG | KT_VEC_INTERRUPT, "Cause.IV set: interrupt at + 0x200");
    KT_MTC0(12, 0);
    KT_MTC0(13, 0);
    KT_MTC0_SEL(15, 1, KT_KSEG0);
    KT_SYSCALL();
    kt_check_eq(seen_vector, KT_VEC_GENERAL, "EBase back at 0x80000000");
}

static void test_di_ei(void)
{
    uint64_t old;
    seen_code = 99;
    KT_MTC0(12, KT_ST_IE);
    __asm__ volatile("di %0\n\tehb" : "=r"(old));
    kt_check_eq(old, KT_ST_IE, "DI returns the old Status");
    kt_check_eq(KT_MFC0(12) & KT_ST_IE, 0, "DI clears IE");
    KT_MTC0(13, 1u << 8);
    KT_MTC0(12, KT_ST_IM(0));
    kt_check_eq(seen_code, 99, "pending interrupt held off after DI");
    __asm__ volatile("ei %0\n\tehb" : "=r"(old));
    kt_check_eq(old, KT_ST_IM(0), "EI returns the old Status");
    kt_check_eq(seen_code, EXC_INT, "EI lets the pending interrupt in");
    KT_MTC0(12, 0);
}

static void test_userlocal_hwrena(void)
{
    __asm__ volatile("dmtc0 %0, $4, 2" ::"r"(0x1122334455667788ull));
    uint64_t v;
    __asm__ volatile("dmfc0 %0, $4, 2" : "=r"(v));
    kt_check_eq(v, 0x1122334455667788ull, "UserLocal is a 64-bit register");
    KT_MTC0(7, 0xffffffff);
    kt_check_eq(KT_MFC0(7), 0x2000000f, "HWREna: bits 0-3 and 29 writable");
}

void kt_main(void)
{
    test_identity();
    test_ebase();
    test_di_ei();
    test_userlocal_hwrena();
}
