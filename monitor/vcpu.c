/*
 * vcpu.c - a virtual CPU's saved state. The registers live in a shadow struct
 * cpu created by cpu_create() and never attached to memory or run: its CP0 is
 * the guest's virtual CP0 and its TLB the virtual TLB, so every mask, reset
 * value and side effect is node/cp0.c's (issue 5: "emulated against the vCPU").
 * Only the monitor includes cpu_internal.h outside node/, for that reason.
 */
#include "vcpu.h"

#include <string.h>

#include "cpu_internal.h"
#include "disco_err.h"

int vcpu_init(struct vcpu *v, enum cpu_model model, bool big_endian, unsigned id)
{
    if (model != CPU_MODEL_R10000 && model != CPU_MODEL_MIPS64R2)
        return DISCO_EINVAL;
    struct cpu_config config = {
        .model = model,
        .big_endian = big_endian,
        .cpu_number = id,
        .exceptions_to_host = false, /* guest_exc delivers to the guest's vectors */
    };
    memset(v, 0, sizeof(*v));
    v->id = id;
    v->state = cpu_create(&config);
    return 0;
}

void vcpu_fini(struct vcpu *v)
{
    cpu_destroy(v->state);
    v->state = NULL;
}

void vcpu_set_cycles(struct vcpu *v, uint64_t cycles)
{
    v->state->cycles = cycles;
}

uint64_t vcpu_cycles(const struct vcpu *v)
{
    return v->state->cycles;
}

uint64_t vcpu_timer_cycle(const struct vcpu *v)
{
    return v->state->cp0.compare_cycle;
}

uint64_t vcpu_cp0_read(struct vcpu *v, unsigned reg, unsigned sel)
{
    return cp0_read(v->state, reg, sel);
}

void vcpu_cp0_write(struct vcpu *v, unsigned reg, unsigned sel, uint64_t value)
{
    cp0_write(v->state, reg, sel, value);
}

enum cpu_mode vcpu_mode(const struct vcpu *v)
{
    return cp0_mode(v->state);
}

uint64_t vcpu_get_gpr(const struct vcpu *v, unsigned reg)
{
    return cpu_get_gpr(v->state, reg);
}

void vcpu_set_gpr(struct vcpu *v, unsigned reg, uint64_t value)
{
    cpu_set_gpr(v->state, reg, value);
}

uint64_t vcpu_get_pc(const struct vcpu *v)
{
    return v->state->pc;
}

void vcpu_set_pc(struct vcpu *v, uint64_t pc)
{
    cpu_set_pc(v->state, pc);
}

bool vcpu_in_delay_slot(const struct vcpu *v)
{
    return v->state->delay_slot;
}

const struct tlb_entry *vcpu_tlb_entry(const struct vcpu *v, unsigned i)
{
    return i < TLB_ENTRIES ? &v->state->tlb.entry[i] : NULL;
}

void vcpu_set_irq(struct vcpu *v, unsigned line, bool level)
{
    cpu_set_irq(v->state, line, level);
}
