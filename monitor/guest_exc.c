/*
 * guest_exc.c - reflecting exceptions and interrupts into a guest. The vCPU's
 * shadow struct cpu is in system mode (exceptions_to_host false), so the
 * hardware entry sequence of node/exception.c applies to it unchanged: the
 * guest sees the same EPC/BD, Cause, BadVAddr/Context/XContext/EntryHi and
 * vectors as it would on bare hardware (Disco paper, 4.2.1).
 */
#include "guest_exc.h"

#include "cpu_internal.h"

uint64_t guest_exc_deliver(struct vcpu *v, const struct guest_exc *exc)
{
    struct cpu *cpu = v->state;
    unsigned code = exc->code & 31;
    cpu->pc = exc->pc;
    cpu->delay_slot = exc->delay_slot;
    cpu->skip_slot = false;
    if (code == EXC_CPU)
        cpu_raise_cop_unusable(cpu, exc->cop);
    else if (exc->has_badvaddr)
        cpu_raise_address(cpu, code, exc->badvaddr, exc->tlb_refill);
    else
        cpu_raise(cpu, code);
    cpu->exception_raised = false; /* nothing runs this CPU: no interpreter to consume it */
    v->idle = false;
    return cpu->pc;
}

unsigned guest_exc_pending_ip(struct vcpu *v)
{
    /* Reading Cause brings TI and IP7..2 up to date with the vCPU's cycle count (cp0.c). */
    return (unsigned)(cp0_read(v->state, CP0_CAUSE, 0) >> CAUSE_IP_SHIFT) & 0xff;
}

bool guest_exc_take_interrupt(struct vcpu *v)
{
    uint64_t status = v->state->cp0.status;
    if ((status & (ST_IE | ST_EXL | ST_ERL)) != ST_IE)
        return false;
    unsigned enabled = guest_exc_pending_ip(v) & (unsigned)(status >> ST_IM_SHIFT) & 0xff;
    if (enabled == 0)
        return false;
    struct guest_exc exc = {
        .code = EXC_INT,
        .pc = v->state->pc,
        .delay_slot = v->state->delay_slot,
    };
    guest_exc_deliver(v, &exc);
    return true;
}
