/*
 * vcpu.h - a Disco virtual CPU's saved state: GPRs, HI/LO, PC and delay-slot
 * state, FPU registers, the virtual CP0 and the virtual TLB. The state is
 * kept in a shadow struct cpu that is never run, so the monitor emulates the
 * guest's privileged registers with exactly the masks and side effects of
 * node/cp0.c. Owned by the monitor (one per vCPU); used by privops, guest_exc.
 */
#ifndef DISCO_MONITOR_VCPU_H
#define DISCO_MONITOR_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "cp0.h"
#include "cpu.h"
#include "tlb.h"

struct vcpu {
    unsigned id;       /* vCPU number within its VM: the guest's EBase.CPUNum */
    struct cpu *state; /* shadow CPU: registers, virtual CP0 and TLB; owned */
    bool idle;         /* the guest executed WAIT with nothing pending */
};

/*
 * Puts v in the reset state of the model (node/cp0.c's cp0_reset: BEV and
 * ERL set, PC at the boot vector, Random = 63, PRId/Config of the model).
 * Returns 0 or DISCO_EINVAL for an unknown model. Undo with vcpu_fini().
 */
int vcpu_init(struct vcpu *v, enum cpu_model model, bool big_endian, unsigned id);
void vcpu_fini(struct vcpu *v);

/* The vCPU's own cycle count: Count is derived from it (Count = cycles / 2 + offset). */
void vcpu_set_cycles(struct vcpu *v, uint64_t cycles);
uint64_t vcpu_cycles(const struct vcpu *v);
/* The cycle at which virtual Count next equals Compare (when to post the timer). */
uint64_t vcpu_timer_cycle(const struct vcpu *v);

/* Virtual CP0 as DMFC0/DMTC0 see it (no privilege check). */
uint64_t vcpu_cp0_read(struct vcpu *v, unsigned reg, unsigned sel);
void vcpu_cp0_write(struct vcpu *v, unsigned reg, unsigned sel, uint64_t value);

/* The guest's own privilege mode from the virtual Status (KSU/EXL/ERL). */
enum cpu_mode vcpu_mode(const struct vcpu *v);

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg);
void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t value);
uint64_t vcpu_get_pc(const struct vcpu *v);
/* Sets the next instruction; clears any pending delay slot. */
void vcpu_set_pc(struct vcpu *v, uint64_t pc);
bool vcpu_in_delay_slot(const struct vcpu *v);

/* Entry i (0..63) of the virtual TLB, or NULL if out of range. */
const struct tlb_entry *vcpu_tlb_entry(const struct vcpu *v, unsigned i);

/* Raises or lowers virtual external interrupt line 0..5 (Cause.IP2..IP7). */
void vcpu_set_irq(struct vcpu *v, unsigned line, bool level);

#endif
