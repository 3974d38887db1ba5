/*
 * k_irq.c - kernel test: external interrupt lines (driven through the
 * console device's IRQ register) appear in Cause.IP2..IP7, are masked by
 * Status.IM and IE, and interrupt through the general vector.
 */
#include "kt.h"

static volatile unsigned interrupts;
static volatile uint64_t irq_cause;

static void irq_handler(struct kt_frame *f)
{
    if (KT_EXC(f->cause) != EXC_INT) {
        kt_check(false, "only interrupts expected");
        f->epc += 4;
        return;
    }
    interrupts++;
    irq_cause = f->cause;
    kt_set_irq_lines(0); /* the device drops its lines when serviced */
}

void kt_main(void)
{
    kt_set_handler(irq_handler);
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(4));
    kt_set_irq_lines(1u << 2); /* line 2 = IP4 */
    __asm__ volatile("nop");
    kt_check_eq(interrupts, 1, "raising line 2 interrupts");
    kt_check((irq_cause & (1u << 12)) != 0, "Cause.IP4 set for line 2");
    kt_check_eq(KT_MFC0(13) & 0xfc00, 0, "IP bits clear after the line dropped");
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(4));
    kt_set_irq_lines(1u << 3); /* IP5: masked */
    __asm__ volatile("nop");
    kt_check_eq(interrupts, 1, "a masked line does not interrupt");
    kt_check((KT_MFC0(13) & (1u << 13)) != 0, "but shows in Cause.IP5");
    KT_MTC0(12, KT_ST_IM(5));
    kt_check_eq(interrupts, 1, "IE clear: still not taken");
    KT_MTC0(12, KT_ST_IE | KT_ST_IM(5));
    __asm__ volatile("nop");
    kt_check_eq(interrupts, 2, "taken once IM5 and IE are set");
    kt_check((irq_cause & (1u << 13)) != 0, "Cause.IP5 set");
    KT_MTC0(12, 0);
}
