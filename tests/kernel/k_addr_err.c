/*
 * k_addr_err.c - kernel test: address errors: misaligned loads and stores
 * (AdEL/AdES with BadVAddr), a jump to a misaligned address (fetch AdEL,
 * EPC = BadVAddr = the target), user and supervisor access to kernel
 * segments, 64-bit segments with their enables clear, xkphys with KX set
 * (cached and uncached aliases of kseg0 data) and a physical address beyond
 * the implemented PABITS.
 */
#include "kt.h"

static volatile uint64_t word = 0x0123456789abcdefull;

/* Fetch address error: resume at the caller of the bad jump (ra). */
static void return_to_ra(struct kt_frame *f)
{
    f->epc = f->gpr[31];
}

static void test_misaligned(void)
{
    kt_set_handler(kt_skip_handler);
    uint64_t before = kt_last.count;
    volatile uint8_t *base = (volatile uint8_t *)&word;
    uint64_t tmp;
    /* Explicit instructions: the compiler would split a misaligned access it can see. */
    __asm__ volatile("lw %0, 2(%1)" : "=r"(tmp) : "r"(base) : "memory");
    kt_check_eq(KT_EXC(kt_last.cause), EXC_ADEL, "misaligned lw: AdEL");
    kt_check_eq(kt_last.badvaddr, (uint64_t)(uintptr_t)(base + 2), "BadVAddr of misaligned lw");
    __asm__ volatile("sd $0, 4(%0)" ::"r"(base) : "memory");
    kt_check_eq(KT_EXC(kt_last.cause), EXC_ADES, "misaligned sd: AdES");
    kt_check_eq(word, 0x0123456789abcdefull, "misaligned store did not write");
    kt_check_eq(kt_last.count - before, 2, "two exceptions");
    kt_set_handler(return_to_ra);
    uint64_t target = (uint64_t)(uintptr_t)&return_to_ra + 2;
    __asm__ volatile("jalr %0\n\tnop" ::"r"(target) : "ra", "memory");
    kt_check_eq(KT_EXC(kt_last.cause), EXC_ADEL, "jump to a misaligned address: AdEL");
    kt_check_eq(kt_last.badvaddr, target, "BadVAddr is the bad PC");
    kt_check_eq(kt_last.epc, target, "EPC is the bad PC");
}

static void test_user_and_supervisor(void)
{
    kt_set_handler(kt_skip_handler);
    uint64_t before = kt_last.count;
    kt_run_mapped(kt_user_load, KT_ST_KSU_USER, KT_KSEG0 + 0x100);
    kt_check_eq(KT_EXC(kt_last.cause), EXC_SYS, "user routine came back by syscall");
    kt_check_eq(kt_last.count - before, 2, "after one address error");
    kt_run_mapped(kt_user_store, KT_ST_KSU_USER, KT_KSEG1 + 0x1000);
    kt_check_eq(kt_last.count - before, 4, "user store to kseg1 faulted too");
    kt_run_mapped(kt_user_load, KT_ST_KSU_SUPER, 0xffffffffe0000000ull);
    kt_check_eq(kt_last.count - before, 6, "supervisor load from kseg3 faulted");
    kt_check_eq(KT_MFC0(12) & 0x18, 0, "back in kernel mode");
}

static volatile uint64_t fault_code, fault_badvaddr, fault_status; /* written by the handler */

static void record_and_skip(struct kt_frame *f)
{
    fault_code = KT_EXC(f->cause);
    fault_badvaddr = f->badvaddr;
    fault_status = f->status;
    f->epc += 4;
}

static void test_user_fault_details(void)
{
    kt_set_handler(record_and_skip);
    kt_run_mapped(kt_user_load, KT_ST_KSU_USER, KT_KSEG0 + 0x100);
    kt_check_eq(fault_code, EXC_ADEL, "user load from kseg0: AdEL");
    kt_check_eq(fault_badvaddr, KT_KSEG0 + 0x100, "its BadVAddr");
    kt_check_eq(fault_status & 0x1a, KT_ST_KSU_USER | KT_ST_EXL, "Status: KSU=user, EXL set");
    kt_run_mapped(kt_user_store, KT_ST_KSU_USER, 0x0000000100000000ull);
    kt_check_eq(fault_code, EXC_ADES, "user store to xuseg with UX clear: AdES");
}

static void test_64bit_segments(void)
{
    kt_set_handler(record_and_skip);
    uint64_t xkphys_cached = 0x9800000000000000ull | kt_paddr((const void *)&word);
    uint64_t xkphys_uncached = 0x9000000000000000ull | kt_paddr((const void *)&word);
    fault_code = 99;
    (void)*(volatile uint64_t *)xkphys_cached;
    kt_check_eq(fault_code, EXC_ADEL, "xkphys with KX clear: AdEL");
    KT_MTC0(12, KT_ST_KX);
    fault_code = 99;
    kt_check_eq(*(volatile uint64_t *)xkphys_cached, word, "xkphys cached alias with KX");
    kt_check_eq(*(volatile uint64_t *)xkphys_uncached, word, "xkphys uncached alias with KX");
    kt_check_eq(fault_code, 99, "no exception for them");
    (void)*(volatile uint64_t *)0x9800010000000000ull;
    kt_check_eq(fault_code, EXC_ADEL, "xkphys beyond PABITS: AdEL");
    fault_code = 99;
    (void)*(volatile uint64_t *)0x4000000000000000ull;
    kt_check_eq(fault_code, EXC_ADEL, "xsseg with SX clear: AdEL");
    KT_MTC0(12, 0);
}

void kt_main(void)
{
    test_misaligned();
    test_user_and_supervisor();
    test_user_fault_details();
    test_64bit_segments();
}
