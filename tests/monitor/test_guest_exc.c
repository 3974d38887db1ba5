/*
 * test_guest_exc.c - unit tests of monitor/guest_exc.c: the vectors (TLB
 * refill, XTLB refill, general, BEV, EBase and IV on Release 2), EPC/BD,
 * Cause.ExcCode/CE, BadVAddr/Context/XContext/EntryHi for TLB exceptions,
 * EXL already set, and virtual interrupts against IE/EXL/ERL/IM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "guest_exc.h"
#include "vcpu.h"

#define KSEG0 0xffffffff80000000ull

static struct vcpu vcpu_with_status(enum cpu_model model, uint64_t status)
{
    struct vcpu v;
    assert_int_equal(vcpu_init(&v, model, true, 0), 0);
    vcpu_cp0_write(&v, CP0_STATUS, 0, status);
    return v;
}

static unsigned exc_code(struct vcpu *v)
{
    return (unsigned)(vcpu_cp0_read(v, CP0_CAUSE, 0) >> CAUSE_EXC_SHIFT) & 31;
}

static void test_tlb_refill(void **state)
{
    (void)state;
    struct vcpu v = vcpu_with_status(CPU_MODEL_R10000, 0);
    vcpu_cp0_write(&v, CP0_ENTRYHI, 0, 0x42);
    vcpu_cp0_write(&v, CP0_CONTEXT, 0, 0xffffffffc0000000ull);
    struct guest_exc exc = {.code = EXC_TLBL,
                            .pc = 0x1000,
                            .has_badvaddr = true,
                            .badvaddr = 0x00403004,
                            .tlb_refill = true};
    assert_int_equal(guest_exc_deliver(&v, &exc), KSEG0 + 0x000);
    assert_int_equal(vcpu_get_pc(&v), KSEG0);
    assert_int_equal(vcpu_cp0_read(&v, CP0_EPC, 0), 0x1000);
    assert_int_equal(exc_code(&v), EXC_TLBL);
    assert_false(vcpu_cp0_read(&v, CP0_CAUSE, 0) & CAUSE_BD);
    assert_int_equal(vcpu_cp0_read(&v, CP0_BADVADDR, 0), 0x00403004);
    assert_int_equal(vcpu_cp0_read(&v, CP0_ENTRYHI, 0), 0x00402000 | 0x42);
    /* Context keeps PTEBase and gets BadVPN2 = vaddr >> 13 at bit 4. */
    assert_int_equal(vcpu_cp0_read(&v, CP0_CONTEXT, 0), 0xffffffffc0000000ull | (0x201 << 4));
    assert_true(vcpu_cp0_read(&v, CP0_STATUS, 0) & ST_EXL);

    /* EXL already set: the general vector, EPC kept, Cause updated. */
    exc.pc = 0x2000;
    exc.code = EXC_TLBS;
    assert_int_equal(guest_exc_deliver(&v, &exc), KSEG0 + 0x180);
    assert_int_equal(vcpu_cp0_read(&v, CP0_EPC, 0), 0x1000);
    assert_int_equal(exc_code(&v), EXC_TLBS);
    vcpu_fini(&v);
}

static void test_xtlb_refill_and_xcontext(void **state)
{
    (void)state;
    struct vcpu v = vcpu_with_status(CPU_MODEL_R10000, ST_UX);
    struct guest_exc exc = {.code = EXC_TLBL,
                            .pc = 0x120000000ull,
                            .has_badvaddr = true,
                            .badvaddr = 0x0000000123456000ull,
                            .tlb_refill = true};
    assert_int_equal(guest_exc_deliver(&v, &exc), KSEG0 + 0x080);
    /* R (0) at SEGBITS - 9 = 35, BadVPN2 at bit 4. */
    assert_int_equal(vcpu_cp0_read(&v, CP0_XCONTEXT, 0), (0x123456000ull >> 13) << 4);
    vcpu_fini(&v);
}

static void test_delay_slot_and_general(void **state)
{
    (void)state;
    struct vcpu v = vcpu_with_status(CPU_MODEL_R10000, 0);
    struct guest_exc exc = {.code = EXC_SYS, .pc = 0x2004, .delay_slot = true};
    assert_int_equal(guest_exc_deliver(&v, &exc), KSEG0 + 0x180);
    assert_int_equal(vcpu_cp0_read(&v, CP0_EPC, 0), 0x2000);
    assert_true(vcpu_cp0_read(&v, CP0_CAUSE, 0) & CAUSE_BD);
    assert_int_equal(exc_code(&v), EXC_SYS);
    assert_false(vcpu_in_delay_slot(&v));

    /* Coprocessor Unusable carries CE. */
    vcpu_cp0_write(&v, CP0_STATUS, 0, 0);
    exc = (struct guest_exc){.code = EXC_CPU, .pc = 0x3000, .cop = 1};
    guest_exc_deliver(&v, &exc);
    assert_int_equal((vcpu_cp0_read(&v, CP0_CAUSE, 0) & CAUSE_CE_MASK) >> CAUSE_CE_SHIFT, 1);
    assert_false(vcpu_cp0_read(&v, CP0_CAUSE, 0) & CAUSE_BD);
    vcpu_fini(&v);
}

static void test_bev_and_ebase(void **state)
{
    (void)state;
    struct vcpu v = vcpu_with_status(CPU_MODEL_R10000, ST_BEV);
    struct guest_exc exc = {.code = EXC_RI, .pc = 0x4000};
    assert_int_equal(guest_exc_deliver(&v, &exc), 0xffffffffbfc00380ull);
    vcpu_fini(&v);

    v = vcpu_with_status(CPU_MODEL_MIPS64R2, 0);
    vcpu_cp0_write(&v, CP0_PRID, 1, 0x80010000ull); /* EBase */
    assert_int_equal(guest_exc_deliver(&v, &exc), 0xffffffff80010180ull);
    /* Cause.IV sends interrupts to EBase + 0x200. */
    vcpu_cp0_write(&v, CP0_STATUS, 0, 0);
    vcpu_cp0_write(&v, CP0_CAUSE, 0, CAUSE_IV);
    exc.code = EXC_INT;
    assert_int_equal(guest_exc_deliver(&v, &exc), 0xffffffff80010200ull);
    vcpu_fini(&v);
}

static void test_virtual_interrupts(void **state)
{
    (void)state;
    struct vcpu v = vcpu_with_status(CPU_MODEL_R10000, 0);
    vcpu_set_pc(&v, 0x5000);
    vcpu_set_irq(&v, 2, true); /* Cause.IP4 */
    assert_int_equal(guest_exc_pending_ip(&v), 1u << 4);
    assert_false(guest_exc_take_interrupt(&v)); /* IE off */
    vcpu_cp0_write(&v, CP0_STATUS, 0, ST_IE | (1u << (ST_IM_SHIFT + 3)));
    assert_false(guest_exc_take_interrupt(&v)); /* IP4 masked */
    vcpu_cp0_write(&v, CP0_STATUS, 0, ST_IE | ST_ERL | (1u << (ST_IM_SHIFT + 4)));
    assert_false(guest_exc_take_interrupt(&v)); /* ERL */
    vcpu_cp0_write(&v, CP0_STATUS, 0, ST_IE | ST_EXL | (1u << (ST_IM_SHIFT + 4)));
    assert_false(guest_exc_take_interrupt(&v)); /* EXL */
    vcpu_cp0_write(&v, CP0_STATUS, 0, ST_IE | (1u << (ST_IM_SHIFT + 4)));
    assert_true(guest_exc_take_interrupt(&v));
    assert_int_equal(vcpu_get_pc(&v), KSEG0 + 0x180);
    assert_int_equal(vcpu_cp0_read(&v, CP0_EPC, 0), 0x5000);
    assert_int_equal(exc_code(&v), EXC_INT);
    assert_false(guest_exc_take_interrupt(&v)); /* now EXL */
    vcpu_set_irq(&v, 2, false);

    /* The virtual timer on IP7, from the vCPU's own cycles. */
    vcpu_cp0_write(&v, CP0_STATUS, 0, ST_IE | (0x80u << ST_IM_SHIFT));
    vcpu_set_cycles(&v, 0);
    vcpu_cp0_write(&v, CP0_COMPARE, 0, 50);
    vcpu_set_cycles(&v, 99);
    assert_false(guest_exc_take_interrupt(&v));
    vcpu_set_cycles(&v, 100);
    assert_int_equal(guest_exc_pending_ip(&v), 0x80);
    assert_true(guest_exc_take_interrupt(&v));
    vcpu_fini(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlb_refill),
        cmocka_unit_test(test_xtlb_refill_and_xcontext),
        cmocka_unit_test(test_delay_slot_and_general),
        cmocka_unit_test(test_bev_and_ebase),
        cmocka_unit_test(test_virtual_interrupts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
