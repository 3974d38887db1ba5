/*
 * privops.c - privileged instructions of a guest, emulated against its vCPU.
 * Registers go through cp0_read/cp0_write and the TLB instructions through
 * node/tlb.c on the vCPU's shadow struct cpu, so masks and side effects are
 * the hardware model's (docs/cpu.md "CP0 and TLB"). Dispatch is two
 * designated-initializer tables: the rs field of COP0, then funct of CO.
 */
#include "privops.h"

#include <stddef.h>

#include "cpu_internal.h"

#define OPCODE_COP0  0x10u
#define OPCODE_CACHE 0x2fu
#define COP0_CO      0x10u /* rs with bit 4 set: the CO group, function in bits 5:0 */

typedef void (*privop_fn)(struct vcpu *v, uint32_t insn, struct privop_result *r);

static unsigned field_rt(uint32_t insn)
{
    return (insn >> 16) & 31;
}

static unsigned field_rd(uint32_t insn)
{
    return (insn >> 11) & 31;
}

static uint64_t sext32(uint64_t value)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)value;
}

static void raise_ri(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)v;
    (void)insn;
    r->action = PRIVOP_EXCEPTION;
    r->exc_code = EXC_RI;
}

static void op_mfc0(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)r;
    vcpu_set_gpr(v, field_rt(insn), sext32(cp0_read(v->state, field_rd(insn), insn & 7)));
}

static void op_dmfc0(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)r;
    vcpu_set_gpr(v, field_rt(insn), cp0_read(v->state, field_rd(insn), insn & 7));
}

/* The effects a CP0 write has beyond the register itself. */
static unsigned write_effects(unsigned rd, unsigned sel)
{
    if (sel != 0)
        return 0;
    switch (rd) {
    case CP0_COUNT:
    case CP0_COMPARE: return PRIVOP_TIMER | PRIVOP_STATUS; /* Compare also clears TI */
    case CP0_STATUS:
    case CP0_CAUSE: return PRIVOP_STATUS;
    default: return 0;
    }
}

static void write_cp0(struct vcpu *v, uint32_t insn, uint64_t value, struct privop_result *r)
{
    unsigned rd = field_rd(insn), sel = insn & 7;
    uint64_t old_asid = v->state->cp0.entryhi & 0xff;
    cp0_write(v->state, rd, sel, value);
    r->effects |= write_effects(rd, sel);
    if ((v->state->cp0.entryhi & 0xff) != old_asid)
        r->effects |= PRIVOP_ASID;
}

static void op_mtc0(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    write_cp0(v, insn, sext32(vcpu_get_gpr(v, field_rt(insn))), r);
}

static void op_dmtc0(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    write_cp0(v, insn, vcpu_get_gpr(v, field_rt(insn)), r);
}

/* DI/EI (Release 2 MFMC0): rt receives the old Status, then IE is cleared or set. */
static void op_mfmc0(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    if (!v->state->is_r2 || field_rd(insn) != CP0_STATUS || (insn & 0x7df) != 0) {
        raise_ri(v, insn, r);
        return;
    }
    struct cp0 *c = &v->state->cp0;
    uint64_t old = c->status;
    vcpu_set_gpr(v, field_rt(insn), sext32(old));
    c->status = (insn & 0x20) ? old | ST_IE : old & ~(uint64_t)ST_IE;
    cp0_status_changed(v->state, old);
    r->effects |= PRIVOP_STATUS;
}

/* RDPGPR/WRPGPR (Release 2): no shadow register sets, so a move within the current set. */
static void op_pgpr(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    if (!v->state->is_r2) {
        raise_ri(v, insn, r);
        return;
    }
    vcpu_set_gpr(v, field_rd(insn), vcpu_get_gpr(v, field_rt(insn)));
}

static void op_tlbr(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)insn;
    uint64_t old_asid = v->state->cp0.entryhi & 0xff;
    tlb_read(v->state);
    if ((v->state->cp0.entryhi & 0xff) != old_asid)
        r->effects |= PRIVOP_ASID;
}

static void report_written(struct vcpu *v, unsigned index, struct privop_result *r)
{
    r->effects |= PRIVOP_TLB_WRITTEN;
    r->tlb_index = index;
    r->tlb_entry = v->state->tlb.entry[index];
}

static void op_tlbwi(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)insn;
    tlb_write_indexed(v->state);
    report_written(v, (unsigned)(v->state->cp0.index & (TLB_ENTRIES - 1)), r);
}

static void op_tlbwr(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)insn;
    const struct cp0 *c = &v->state->cp0;
    /* The entry tlb_write_random() will pick: Random, brought back into [Wired, 63]. */
    uint64_t index = c->random_seed;
    if (index < c->wired || index >= TLB_ENTRIES)
        index = TLB_ENTRIES - 1;
    tlb_write_random(v->state);
    report_written(v, (unsigned)index, r);
}

static void op_tlbp(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)insn;
    (void)r;
    tlb_probe(v->state);
}

/* ERET: ErrorEPC and ERL first, else EPC and EXL (MIPS64 PRA, ERET); clears LLbit. */
static void op_eret(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)insn;
    struct cp0 *c = &v->state->cp0;
    uint64_t old = c->status;
    uint64_t target;
    if (old & ST_ERL) {
        target = c->errorepc;
        c->status &= ~(uint64_t)ST_ERL;
    } else {
        target = c->epc;
        c->status &= ~(uint64_t)ST_EXL;
    }
    c->llbit = false;
    cp0_status_changed(v->state, old);
    vcpu_set_pc(v, target);
    r->action = PRIVOP_JUMP;
    r->pc = target;
    r->mode = cp0_mode(v->state);
    r->effects |= PRIVOP_STATUS;
}

/* WAIT: a no-op when an enabled interrupt is already pending, else the vCPU idles. */
static void op_wait(struct vcpu *v, uint32_t insn, struct privop_result *r)
{
    (void)insn;
    const struct cp0 *c = &v->state->cp0;
    uint64_t ip = (cp0_read(v->state, CP0_CAUSE, 0) >> CAUSE_IP_SHIFT) & 0xff;
    if ((ip & (c->status >> ST_IM_SHIFT) & 0xff) == 0) {
        r->action = PRIVOP_IDLE;
        v->idle = true;
    }
}

static const privop_fn rs_table[32] = {
    [0x00] = op_mfc0, [0x01] = op_dmfc0, [0x04] = op_mtc0,  [0x05] = op_dmtc0,
    [0x0a] = op_pgpr, [0x0e] = op_pgpr,  [0x0b] = op_mfmc0,
};

static const privop_fn co_table[64] = {
    [0x01] = op_tlbr, [0x02] = op_tlbwi, [0x06] = op_tlbwr,
    [0x08] = op_tlbp, [0x18] = op_eret,  [0x20] = op_wait,
};

static privop_fn decode(uint32_t insn)
{
    unsigned opcode = insn >> 26, rs = (insn >> 21) & 31;
    if (opcode == OPCODE_CACHE)
        return NULL; /* the caches are not modelled at this level: a no-op */
    if (opcode != OPCODE_COP0)
        return raise_ri;
    privop_fn fn = (rs & COP0_CO) ? co_table[insn & 0x3f] : rs_table[rs];
    return fn ? fn : raise_ri;
}

/* The instruction after the one at the vCPU's PC, honouring a pending branch. */
static void advance(struct vcpu *v)
{
    struct cpu *cpu = v->state;
    uint64_t next = cpu->delay_slot ? cpu->branch_target : cpu->pc + 4;
    vcpu_set_pc(v, next);
}

void privop_execute(struct vcpu *v, uint32_t insn, struct privop_result *result)
{
    *result = (struct privop_result){.action = PRIVOP_NEXT};
    privop_fn fn = decode(insn);
    if (fn == raise_ri) {
        raise_ri(v, insn, result);
        return;
    }
    /* CP0 (and CACHE) are usable in the guest's kernel mode or with CU0 (MIPS64 PRA). */
    if (vcpu_mode(v) != MODE_KERNEL && !(v->state->cp0.status & ST_CU0)) {
        result->action = PRIVOP_EXCEPTION;
        result->exc_code = EXC_CPU;
        result->cop = 0;
        return;
    }
    if (fn)
        fn(v, insn, result);
    if (result->action == PRIVOP_NEXT || result->action == PRIVOP_IDLE)
        advance(v);
}
