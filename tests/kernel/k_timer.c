/*
 * k_timer.c - kernel test: Count advances while code runs, Count is
 * writable, Count == Compare raises the timer interrupt on IP7 (and Cause.TI
 * on R2), masked by IE/IM7, acknowledged by writing Compare, taken through
 * the general vector; WAIT sleeps until the timer fires.
 */
#include "kt.h"

static volatile unsigned ticks;
static volatile uint64_t tick_cause, tick_vector, tick_epc;

static void timer_handler(struct kt_frame *f)
{
    if (KT_EXC(f->cause) != EXC_INT) {
        kt_check(false, "only interrupts expected");
        f->epc += 4;
        return;
    }
    ticks++;
    tick_cause = f->cause;
    tick_vector = f->vector;
    tick_epc = f->epc;
    KT_MTC0(11, KT_MFC0(9) - 1); /* acknowledge; next match a full Count period away */
}

static void spin_until_tick(unsigned target)
{
    for (unsigned i = 0; i < 1000000 && ticks < target; i++)
        __asm__ volatile("nop");
}

static void test_count(void)
{
    uint32_t c1 = (uint32_t)KT_MFC0(9);
    for (volatile unsigned i = 0; i < 1000; i++)
        ;
    uint32_t c2 = (uint32_t)KT_MFC0(9);
    kt_check(c2 - c1 > 500 && c2 - c1 < 100000, "Count advances with execution");
    KT_MTC0(9, 0xfffffff0u);
    uint32_t c3 = (uint32_t)KT_MFC0(9);
    kt_check(c3 - 0xfffffff0u < 100, "Count is writable");
}

static void test_compare_interrupt(void)
{
    kt_set_handler(timer_handler);
    KT_MTC0(11, (uint32_t)KT_MFC0(9) + 2000);
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(7));
    spin_until_tick(1);
    KT_MTC0(12, 0);
    kt_check_eq(ticks, 1, "Count == Compare interrupts once");
    kt_check((tick_cause & (1u << 15)) != 0, "Cause.IP7 set for the timer");
#ifdef KT_R2
    kt_check((tick_cause & KT_CAUSE_TI) != 0, "Cause.TI set for the timer");
#endif
    kt_check_eq(tick_vector, KT_VEC_GENERAL, "interrupt via the general vector");
    kt_check((tick_epc >> 32) == 0xffffffff, "EPC in the interrupted kernel code");
    kt_check_eq(KT_MFC0(13) & (1u << 15), 0, "writing Compare cleared IP7");
}

static void test_masked(void)
{
    unsigned before = ticks;
    KT_MTC0(11, (uint32_t)KT_MFC0(9) + 100);
    KT_MTC0(12, KT_ST_IM(7)); /* IE clear */
    for (volatile unsigned i = 0; i < 2000; i++)
        ;
    kt_check((KT_MFC0(13) & (1u << 15)) != 0, "timer pending in Cause with IE clear");
    kt_check_eq(ticks, before, "but not taken");
    KT_MTC0(12, KT_ST_IE); /* IM7 clear */
    for (volatile unsigned i = 0; i < 100; i++)
        ;
    kt_check_eq(ticks, before, "nor with IM7 clear");
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(7));
    kt_check_eq(ticks, before + 1, "taken as soon as IE and IM7 are set");
    KT_MTC0(12, 0);
}

static void test_wait(void)
{
    unsigned before = ticks;
    KT_MTC0(11, (uint32_t)KT_MFC0(9) + 100000);
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(7));
    KT_WAIT();
    __asm__ volatile("nop");
    KT_MTC0(12, 0);
    kt_check_eq(ticks, before + 1, "WAIT returns after the timer interrupt");
}

void kt_main(void)
{
    test_count();
    test_compare_interrupt();
    test_masked();
    test_wait();
}
