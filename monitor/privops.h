/*
 * privops.h - emulation of the guest kernel's privileged instructions against
 * a vCPU: MFC0/MTC0/DMFC0/DMTC0, TLBP/TLBR/TLBWI/TLBWR on the virtual TLB,
 * ERET, WAIT, CACHE (a no-op), DI/EI (mips64r2). Called by the monitor when
 * the CPU reports a privileged-instruction trap from the guest; the result
 * tells it what to do next (Disco paper, 4.2.1).
 */
#ifndef DISCO_MONITOR_PRIVOPS_H
#define DISCO_MONITOR_PRIVOPS_H

#include <stdbool.h>
#include <stdint.h>

#include "tlb.h"
#include "vcpu.h"

/* What the monitor does next. */
enum privop_action {
    PRIVOP_NEXT,      /* resume at pc + 4 (the vCPU's PC is already there) */
    PRIVOP_JUMP,      /* ERET: resume at result.pc in result.mode */
    PRIVOP_EXCEPTION, /* deliver result.exc_code (result.cop for CpU) with guest_exc */
    PRIVOP_IDLE,      /* WAIT with nothing pending: deschedule until an interrupt */
};

/* Side effects the monitor must propagate (bits of privop_result.effects). */
enum {
    PRIVOP_TLB_WRITTEN = 1u << 0, /* tlb_index/tlb_entry: rewrite it and flush shadow state */
    PRIVOP_TIMER = 1u << 1,       /* Count or Compare changed: re-arm vcpu_timer_cycle() */
    PRIVOP_ASID = 1u << 2,        /* EntryHi.ASID changed (MTC0 EntryHi or TLBR) */
    PRIVOP_STATUS = 1u << 3,      /* Status or Cause changed: check guest_exc_take_interrupt */
};

struct privop_result {
    enum privop_action action;
    unsigned effects;
    uint64_t pc;        /* PRIVOP_JUMP: where to resume */
    enum cpu_mode mode; /* PRIVOP_JUMP: the guest's mode after ERET */
    unsigned exc_code;  /* PRIVOP_EXCEPTION: Cause.ExcCode (EXC_RI, EXC_CPU) */
    unsigned cop;       /* PRIVOP_EXCEPTION with EXC_CPU: Cause.CE */
    unsigned tlb_index; /* PRIVOP_TLB_WRITTEN: the entry written */
    struct tlb_entry tlb_entry;
};

/*
 * Emulates insn, the instruction at the vCPU's PC. On PRIVOP_NEXT and
 * PRIVOP_IDLE the PC has advanced by 4 (a privileged instruction in a delay
 * slot resumes at the branch target); on PRIVOP_JUMP it is result.pc; on
 * PRIVOP_EXCEPTION nothing has changed (the monitor delivers it). The
 * privilege check is the guest's own: kernel mode or Status.CU0.
 */
void privop_execute(struct vcpu *v, uint32_t insn, struct privop_result *result);

#endif
