/*
 * main.c - the test kernel's start-up and end: install the exception vectors
 * (its own refill handler and the general entry), initialize the TLB, tell
 * bare hardware from a Disco VM, create the user processes and start them;
 * when the last one exits, print the report and the verdict and stop the
 * machine through the console EXIT register.
 *
 * Output: every line is the same bare and in a VM except "tkernel: mode
 * ..." and the lines starting "tkernel: info" (timer interrupts, TLB
 * refills, page faults: they depend on the monitor and on timing), which
 * tests leave out of the comparison.
 */
#include "tk.h"

#define VECTOR_REFILL        0x000
#define VECTOR_XREFILL       0x080
#define VECTOR_GENERAL       0x180
#define VECTOR_INT           0x200 /* R2 with Cause.IV; unused, but safe */
#define MIN_TIMER_INTERRUPTS 10    /* preemption must really happen */

extern const char tk_refill_handler[], tk_refill_handler_end[];
extern const char tk_general_stub[], tk_general_stub_end[];
void tk_main(void);
void tk_nested_trap(uint64_t cause, uint64_t epc, uint64_t badvaddr);

bool tk_vm_mode;
uint32_t tk_in_trap; /* set by start.S while a trap is being handled */
static struct tk_frame boot_frame;

static void copy_vector(unsigned offset, const char *start, const char *end)
{
    memcpy((void *)(uintptr_t)(KSEG0_BASE + offset), start, (size_t)(end - start));
}

/*
 * Vectors at 0x80000000: the R10000's fixed base and the reset value of
 * EBase on MIPS64 R2. User addresses are 32-bit (UX = 0), so refills come
 * through 0x000; the copy at 0x080 serves a 64-bit refill all the same.
 */
static void install_vectors(void)
{
    copy_vector(VECTOR_REFILL, tk_refill_handler, tk_refill_handler_end);
    copy_vector(VECTOR_XREFILL, tk_refill_handler, tk_refill_handler_end);
    copy_vector(VECTOR_GENERAL, tk_general_stub, tk_general_stub_end);
    copy_vector(VECTOR_INT, tk_general_stub, tk_general_stub_end);
    /* Release 2 (Config.AR >= 1): EBase, which may only change while BEV is set (MIPS64 PRA). */
    if (vm_cpu_is_mips64() && ((TK_MFC0(CP0_CONFIG, 0) >> 10) & 7) >= 1)
        __asm__ volatile(".set push\n\t.set mips64r2\n\tmtc0 %0, $15, 1\n\tehb\n\t.set pop" ::"r"(
                             (uint64_t)(KSEG0_BASE & 0xfffff000u))
                         : "memory");
}

void tk_main(void)
{
    tk_cur_frame = &boot_frame;
    install_vectors();
    TK_MTC0(CP0_STATUS, 0); /* leave reset: BEV and ERL off, kernel mode, interrupts off */
    vm_init();
    tk_puts("tkernel: boot\n");
    tk_vm_mode = tk_probe_monitor();
    tk_puts(tk_vm_mode ? "tkernel: mode vm\n" : "tkernel: mode bare\n");
    proc_create_all();
    proc_start();
}

void tk_panic(const char *what, const struct tk_frame *f)
{
    tk_puts("tkernel: FAIL panic: ");
    tk_puts(what);
    if (f)
        tk_put_trap_registers(f->cause, f->epc, f->badvaddr);
    else
        tk_puts("\n");
    tk_exit(1);
}

void tk_nested_trap(uint64_t cause, uint64_t epc, uint64_t badvaddr)
{
    tk_puts("tkernel: FAIL panic: trap inside the kernel's trap handler");
    tk_put_trap_registers(cause, epc, badvaddr);
    tk_exit(1);
}

static void info_line(void)
{
    tk_puts("tkernel: info timer interrupts ");
    tk_putdec(tk_timer_interrupts);
    tk_puts(", context switches ");
    tk_putdec(tk_preemptions);
    tk_puts(", tlb refills ");
    tk_putdec(tk_refill_count);
    tk_puts(", page faults ");
    tk_putdec(tk_page_faults);
    tk_puts(", fpu switches ");
    tk_putdec(tk_fpu_switches);
    tk_puts(", vcpu page checks ");
    tk_putdec(tk_vcpu_checks);
    tk_puts("\n");
}

void tk_finish(void)
{
    unsigned failures = proc_report();
    info_line();
    if (tk_timer_interrupts < MIN_TIMER_INTERRUPTS) {
        tk_puts("tkernel: check failed: the timer never preempted anyone\n");
        failures++;
    }
    if (tk_vcpu_mismatches) {
        tk_puts("tkernel: check failed: the vCPU register page disagrees with MFC0\n");
        failures++;
    }
    if (failures) {
        tk_puts("tkernel: FAIL ");
        tk_putdec(failures);
        tk_puts(" checks\n");
        tk_exit(1);
    }
    tk_puts("tkernel: PASS\n");
    tk_exit(0);
}
