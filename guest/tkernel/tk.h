/*
 * tk.h - the test kernel's internal interface: the trap frame, CP0 access,
 * console output (console.c), physical frames and page tables (vm.c),
 * processes, scheduling and system calls (proc.c), the trap dispatcher
 * (trap.c) and the independent checks of the results (verify.c).
 */
#ifndef TK_H
#define TK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console.h"
#include "fmt.h"
#include "tk_asm.h"
#include "tk_params.h"

#define KSEG0_BASE   0xffffffff80000000ull
#define KSEG1_BASE   0xffffffffa0000000ull
#define PAGE_SIZE    4096u
#define TK_PROCS_MAX 6

/* Registers saved at every trap; the handler may change any of them before the ERET. */
struct tk_frame {
    uint64_t gpr[32];
    uint64_t hi, lo, epc, status, cause, badvaddr;
};
_Static_assert(sizeof(struct tk_frame) == FRAME_BYTES, "tk_frame layout is shared with start.S");

#define TK_MFC0(reg, sel)                                                                          \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile(".set push\n\t.set mips64\n\tmfc0 %0, $%1, %2\n\t.set pop"                \
                         : "=r"(v_)                                                                \
                         : "i"(reg), "i"(sel));                                                    \
        v_;                                                                                        \
    })
#define TK_DMFC0(reg)                                                                              \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("dmfc0 %0, $%1" : "=r"(v_) : "i"(reg));                                   \
        v_;                                                                                        \
    })
#define TK_MTC0(reg, value)                                                                        \
    __asm__ volatile("mtc0 %0, $%1\n\tsll $0, $0, 3"                                               \
                     :                                                                             \
                     : "r"((uint64_t)(value)), "i"(reg)                                            \
                     : "memory")
#define TK_DMTC0(reg, value)                                                                       \
    __asm__ volatile("dmtc0 %0, $%1\n\tsll $0, $0, 3"                                              \
                     :                                                                             \
                     : "r"((uint64_t)(value)), "i"(reg)                                            \
                     : "memory")

/* vm.c: frames, per-process page tables, demand-zero faults, the TLB. */
extern uint64_t tk_refill_count; /* counted by the refill handler (start.S) */
extern uint64_t tk_cur_pgdir;    /* the running process's directory, read by the refill handler */
extern unsigned tk_page_faults;
void vm_init(void);
void *vm_alloc_frame(void);
uint32_t *vm_new_directory(void);
uint64_t *vm_pte(uint32_t *dir, uint32_t va, bool create);
void *vm_map_zero(uint32_t *dir, uint32_t va, bool writable, bool *fresh);
bool vm_pte_valid(uint64_t pte);
void vm_tlb_refresh(uint32_t *dir, unsigned asid, uint32_t va);
void vm_set_asid(unsigned asid);
bool vm_cpu_is_mips64(void);
uint64_t vm_frame_kseg0(uint64_t pte);

/* proc.c: processes, the round-robin scheduler, system calls. */
struct proc;
extern struct tk_frame *tk_cur_frame; /* where start.S saves and restores registers */
extern bool tk_vm_mode;
void proc_create_all(void);
__attribute__((noreturn)) void proc_start(void);
void proc_timer_tick(void);
void proc_syscall(struct tk_frame *f);
void proc_page_fault(struct tk_frame *f, bool write);
void proc_kill(const char *reason, struct tk_frame *f);
void proc_fpu_claim(struct tk_frame *f);
extern unsigned tk_fpu_switches;
bool proc_in_user_mode(const struct tk_frame *f);
unsigned proc_report(void);
extern unsigned tk_preemptions;

/* trap.c */
void tk_trap(struct tk_frame *f);
bool tk_probe_monitor(void);
void tk_timer_arm(void);
extern unsigned tk_timer_interrupts;
extern unsigned tk_vcpu_checks, tk_vcpu_mismatches;

/* verify.c: the expected result lines, computed by the kernel on its own. */
void verify_expected_line(const char *program, unsigned pid, struct line *l);

/* main.c */
__attribute__((noreturn)) void tk_panic(const char *what, const struct tk_frame *f);
__attribute__((noreturn)) void tk_finish(void);

#endif
