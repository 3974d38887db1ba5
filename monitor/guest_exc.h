/*
 * guest_exc.h - delivering exceptions and interrupts to the guest's own
 * vectors through the virtual CP0: EPC/BD, Cause.ExcCode/CE, BadVAddr,
 * Context/XContext/EntryHi for TLB exceptions, EXL, and the vector (refill,
 * XTLB refill, general, interrupt with IV; BEV; EBase on Release 2). Called
 * by the monitor when it reflects a trap, a TLB miss or a virtual interrupt.
 */
#ifndef DISCO_MONITOR_GUEST_EXC_H
#define DISCO_MONITOR_GUEST_EXC_H

#include <stdbool.h>
#include <stdint.h>

#include "vcpu.h"

/* An exception to reflect, as the hardware (struct cpu_exception) or privops reported it. */
struct guest_exc {
    unsigned code;     /* Cause.ExcCode (EXC_* in cp0.h) */
    uint64_t pc;       /* the faulting instruction */
    bool delay_slot;   /* it sat in a branch delay slot: EPC = pc - 4, Cause.BD */
    bool has_badvaddr; /* address error or TLB exception: set BadVAddr (and TLB registers) */
    uint64_t badvaddr; /* the faulting virtual address */
    bool tlb_refill;   /* no matching TLB entry: the (X)TLB refill vector unless EXL */
    unsigned cop;      /* Cause.CE for Coprocessor Unusable */
};

/*
 * Enters the guest's exception handler: updates the virtual CP0 exactly as
 * the hardware would (node/exception.c) and sets the vCPU's PC to the
 * vector. Returns that vector address. An unknown code is delivered as is:
 * the guest's handler sees it in Cause; codes above 31 are masked to 5 bits.
 */
uint64_t guest_exc_deliver(struct vcpu *v, const struct guest_exc *exc);

/* Cause.IP7..0 the guest would see now: lines, the virtual timer (IP7), software bits. */
unsigned guest_exc_pending_ip(struct vcpu *v);

/*
 * Takes a pending virtual interrupt if Status allows (IE set, EXL and ERL
 * clear, the line unmasked in IM): delivers EXC_INT at the vCPU's current PC
 * and returns true. Otherwise changes nothing and returns false.
 */
bool guest_exc_take_interrupt(struct vcpu *v);

#endif
