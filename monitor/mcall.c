/*
 * mcall.c - the monitor call (docs/monitor-calls.md): one trapping
 * instruction, the call number in $v0, arguments in $a0-$a3, the status back
 * in $v0 and a value in $v1. Runs on the vCPU's shadow registers (mtrap.c
 * copies them in and out) and moves the PC past the call.
 */
#include "monitor_internal.h"

#include <stdio.h>

enum {
    MCALL_PROBE = 0,
    MCALL_PUTC = 1,
    MCALL_HALT = 2,
    MCALL_INFO = 3,
    MCALL_IDLE = 4,
};
enum { MCALL_OK = 0, MCALL_ENOSYS = -1, MCALL_EINVAL = -2 };
enum { REG_V0 = 2, REG_V1 = 3, REG_A0 = 4 };

static bool info_value(struct monitor_pcpu *p, struct mvcpu *vc, uint64_t key, uint64_t *value)
{
    switch (key) {
    case 0: *value = vc->vm->id; return true;
    case 1: *value = vc->v.id; return true;
    case 2: *value = vc->vm->nvcpu; return true;
    case 3: *value = vc->vm->memory_bytes; return true;
    case 4: *value = p->cpu->cycles; return true;
    case 5: *value = vc->instructions; return true;
    default: return false;
    }
}

void mcall_execute(struct monitor_pcpu *p, struct mvcpu *vc)
{
    struct vcpu *v = &vc->v;
    uint64_t number = vcpu_get_gpr(v, REG_V0), a0 = vcpu_get_gpr(v, REG_A0);
    int64_t status = MCALL_OK;
    uint64_t value = 0;
    switch (number) {
    case MCALL_PROBE: value = MCALL_MAGIC; break;
    case MCALL_PUTC: monitor_console_put(vc->vm, (uint8_t)a0); break;
    case MCALL_HALT: {
        char why[32];
        snprintf(why, sizeof why, "halt %u", (unsigned)(a0 & 0xff));
        monitor_vm_end(vc->vm, true, (int)(a0 & 0xff), why);
        break;
    }
    case MCALL_INFO:
        if (!info_value(p, vc, a0, &value))
            status = MCALL_EINVAL;
        break;
    case MCALL_IDLE: vc->idle = true; break;
    default: status = MCALL_ENOSYS; break;
    }
    vcpu_set_gpr(v, REG_V0, (uint64_t)status);
    vcpu_set_gpr(v, REG_V1, value);
    /* Past the call; in a delay slot, on to the branch's target. */
    struct cpu *s = v->state;
    if (s->delay_slot) {
        s->pc = s->branch_target;
        s->delay_slot = false;
    } else {
        s->pc += 4;
    }
}
