/*
 * k_modes.c - kernel test: ERET into user and supervisor mode and back by
 * SYSCALL (Status.KSU/EXL as the handler sees them), Coprocessor Unusable
 * for CP0 in user mode unless CU0 is set, interrupts taken in user mode,
 * ERET from EXL (to EPC) and from ERL (to ErrorEPC).
 */
#include "kt.h"

static volatile uint64_t seen_code, seen_cause, seen_status, seen_epc;

static void record_and_skip(struct kt_frame *f)
{
    seen_code = KT_EXC(f->cause);
    seen_cause = f->cause;
    seen_status = f->status;
    seen_epc = f->epc;
    f->epc += 4;
}

static void test_user_and_supervisor(void)
{
    uint64_t v = kt_run_mapped(kt_user_syscall, KT_ST_KSU_USER, 0);
    kt_check_eq(v, 0x600d, "user routine ran and returned its value");
    kt_check_eq(KT_EXC(kt_last.cause), EXC_SYS, "it came back by SYSCALL");
    kt_check_eq(kt_last.status & 0x1f, KT_ST_KSU_USER | KT_ST_EXL, "Status at SYSCALL: user, EXL");
    kt_check_eq(kt_last.epc >> 20, KT_USER_VA >> 20, "EPC is the user address");
    kt_check_eq(KT_MFC0(12) & 0x1f, 0, "kernel mode again, EXL clear");
    v = kt_run_mapped(kt_user_syscall, KT_ST_KSU_SUPER, 0);
    kt_check_eq(v, 0x600d, "supervisor routine ran");
    kt_check_eq(kt_last.status & 0x1f, KT_ST_KSU_SUPER | KT_ST_EXL,
                "Status at SYSCALL: supervisor");
}

static void test_cp0_unusable(void)
{
    kt_set_handler(record_and_skip);
    seen_code = 99;
    kt_run_mapped(kt_user_mfc0, KT_ST_KSU_USER, 0);
    kt_check_eq(seen_code, EXC_CPU, "user MFC0 without CU0: Coprocessor Unusable");
    kt_check_eq((seen_cause >> 28) & 3, 0, "Cause.CE = 0");
    seen_code = 99;
    kt_run_mapped(kt_user_mfc0, KT_ST_KSU_SUPER, 0);
    kt_check_eq(seen_code, EXC_CPU, "supervisor MFC0 without CU0: Coprocessor Unusable");
    seen_code = 99;
    uint64_t v = kt_run_mapped(kt_user_mfc0, KT_ST_KSU_USER | KT_ST_CU0, 0);
    kt_check_eq(seen_code, 99, "user MFC0 with CU0: no exception");
    kt_check_eq(v, KT_ST_KSU_USER | KT_ST_CU0, "and it reads the user-mode Status");
}

static void software_interrupt(struct kt_frame *f)
{
    seen_code = KT_EXC(f->cause);
    seen_status = f->status;
    seen_epc = f->epc;
    KT_MTC0(13, 0); /* drop IP0 */
    f->gpr[6] = 0;  /* a2 = 0 ends kt_user_loop */
}

static void test_interrupt_in_user_mode(void)
{
    kt_set_handler(software_interrupt);
    KT_MTC0(13, 1u << 8); /* IP0: software interrupt, pending from now on */
    uint64_t v = kt_run_mapped(kt_user_loop, KT_ST_KSU_USER | KT_ST_IE | KT_ST_IM(0), 1);
    kt_check_eq(v, 0x100, "user loop ended by the interrupt handler");
    kt_check_eq(seen_code, EXC_INT, "software interrupt taken in user mode");
    kt_check_eq(seen_status & 0x1f, KT_ST_KSU_USER | KT_ST_IE | KT_ST_EXL,
                "Status at the interrupt");
    kt_check_eq(seen_epc >> 20, KT_USER_VA >> 20, "EPC in the user routine");
    KT_MTC0(12, 0);
}

static void test_eret(void)
{
    uint64_t tmp, target;
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "lui %1, %%hi(1f)\n\t"
                     "addiu %1, %1, %%lo(1f)\n\t"
                     "dmtc0 %1, $14\n\t"
                     "li %0, 2\n\t"
                     "mtc0 %0, $12\n\t"
                     "nop\n\t"
                     "eret\n\t"
                     "nop\n\t"
                     "li %0, 0x666\n"
                     "1:\n\t.set pop"
                     : "=&r"(tmp), "=&r"(target)
                     :
                     : "memory");
    kt_check_eq(tmp, 2, "ERET from EXL jumped to EPC (no fall-through)");
    kt_check_eq(KT_MFC0(12) & 7, 0, "ERET cleared EXL");
    __asm__ volatile(".set push\n\t.set noreorder\n\t"
                     "lui %1, %%hi(1f)\n\t"
                     "addiu %1, %1, %%lo(1f)\n\t"
                     "dmtc0 %1, $30\n\t"
                     "li %0, 6\n\t"
                     "mtc0 %0, $12\n\t"
                     "nop\n\t"
                     "eret\n\t"
                     "nop\n\t"
                     "li %0, 0x666\n"
                     "1:\n\t.set pop"
                     : "=&r"(tmp), "=&r"(target)
                     :
                     : "memory");
    kt_check_eq(tmp, 6, "ERET with ERL jumped to ErrorEPC");
    kt_check_eq(KT_MFC0(12) & 7, KT_ST_EXL, "ERET cleared ERL only");
    KT_MTC0(12, 0);
}

void kt_main(void)
{
    test_user_and_supervisor();
    test_cp0_unusable();
    test_interrupt_in_user_mode();
    test_eret();
}
