/*
 * trap.c - what the test kernel does with a trap (tk_trap, called by
 * start.S with the saved frame): the timer interrupt, system calls and page
 * faults of user processes, the Reserved Instruction of the monitor-call
 * probe on bare hardware, and in a VM a cross-check of the vCPU register
 * page against the registers the trap saved (docs/monitor-calls.md).
 */
#include "tk.h"

#define VCPU_PAGE        0xffffffffbfd00000ull /* physical 0x1fd00000, KSEG1 */
#define VCPU_PAGE_STATUS 0x00
#define VCPU_PAGE_EPC    0x10

extern const char tk_mcall_insn[];
uint64_t tk_mcall(uint64_t number, int64_t *status);

unsigned tk_timer_interrupts;
unsigned tk_vcpu_checks, tk_vcpu_mismatches;

/* Compare = Count + slice; the write also acknowledges the timer interrupt. */
void tk_timer_arm(void)
{
    uint32_t now = (uint32_t)TK_MFC0(CP0_COUNT, 0);
    TK_MTC0(CP0_COMPARE, now + TK_SLICE_COUNTS);
}

/*
 * MCALL_PROBE: a VM answers $v0 = 0, $v1 = "DISC" and the ABI version; bare
 * hardware raises Reserved Instruction, which kernel_trap() skips with
 * $v0 = -1.
 */
bool tk_probe_monitor(void)
{
    int64_t status = -1;
    uint64_t value = tk_mcall(MCALL_PROBE, &status);
    return status == 0 && value == MCALL_MAGIC;
}

static uint64_t vcpu_page_read(unsigned offset)
{
    return *(volatile uint64_t *)(uintptr_t)(VCPU_PAGE + offset);
}

/* The page must show the Status and EPC the trap entry read with MFC0. */
static void vcpu_page_check(const struct tk_frame *f)
{
    tk_vcpu_checks++;
    if ((uint32_t)vcpu_page_read(VCPU_PAGE_STATUS) != (uint32_t)f->status ||
        vcpu_page_read(VCPU_PAGE_EPC) != f->epc)
        tk_vcpu_mismatches++;
}

static void kernel_trap(struct tk_frame *f, unsigned code)
{
    if (code == EXC_RI && f->epc == (uint64_t)(uintptr_t)tk_mcall_insn) {
        f->gpr[2] = (uint64_t)-1;
        f->epc += 4;
        return;
    }
    tk_panic("exception in kernel mode", f);
}

static void interrupt(struct tk_frame *f)
{
    if (!(f->cause & CAUSE_IP7))
        return; /* only the timer is enabled; anything else was a transient level */
    tk_timer_interrupts++;
    tk_timer_arm();
    proc_timer_tick();
}

void tk_trap(struct tk_frame *f)
{
    unsigned code = (f->cause >> 2) & 0x1f;
    if (tk_vm_mode)
        vcpu_page_check(f);
    if (!proc_in_user_mode(f)) {
        kernel_trap(f, code);
        return;
    }
    switch (code) {
    case EXC_INT: interrupt(f); break;
    case EXC_SYS: proc_syscall(f); break;
    case EXC_TLBL: proc_page_fault(f, false); break;
    case EXC_TLBS: proc_page_fault(f, true); break;
    case EXC_MOD: proc_kill("write to a read-only page", f); break;
    case EXC_ADEL:
    case EXC_ADES: proc_kill("address error", f); break;
    case EXC_RI: proc_kill("reserved instruction", f); break;
    case EXC_CPU:
        if (((f->cause >> 28) & 3) == 1)
            proc_fpu_claim(f);
        else
            proc_kill("coprocessor unusable", f);
        break;
    default: proc_kill("unexpected exception", f); break;
    }
}
