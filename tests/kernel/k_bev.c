/*
 * k_bev.c - kernel test: with Status.BEV set exceptions go to the boot-ROM
 * vectors (general 0xbfc00380, refill 0xbfc00200, XTLB refill 0xbfc00280),
 * with BEV clear back to the RAM vectors. Vector stubs at the BEV base carry
 * the tag 0x1000 in the id they report.
 */
#include "kt.h"

#define BEV_TAG 0x1000

static volatile uint64_t seen_vector;

static void record_and_skip(struct kt_frame *f)
{
    seen_vector = f->vector;
    f->epc += 4;
}

void kt_main(void)
{
    kt_install_vectors(KT_BEV_BASE, BEV_TAG);
    kt_set_handler(record_and_skip);
    KT_MTC0(12, KT_ST_BEV);
    KT_SYSCALL();
    kt_check_eq(seen_vector, BEV_TAG | KT_VEC_GENERAL, "BEV: SYSCALL at 0xbfc00380");
    (void)*(volatile uint32_t *)0x00500000;
    kt_check_eq(seen_vector, BEV_TAG | KT_VEC_REFILL, "BEV: refill at 0xbfc00200");
    KT_MTC0(12, KT_ST_BEV | KT_ST_UX);
    (void)*(volatile uint32_t *)0x00500000;
    kt_check_eq(seen_vector, BEV_TAG | KT_VEC_XREFILL, "BEV: XTLB refill at 0xbfc00280");
    kt_check_eq(KT_MFC0(12) & KT_ST_BEV, KT_ST_BEV, "BEV survives the exception");
    KT_MTC0(12, 0);
    KT_SYSCALL();
    kt_check_eq(seen_vector, KT_VEC_GENERAL, "BEV clear: SYSCALL at 0x80000180");
}
