/*
 * mtrap.c - the monitor's trap paths (paper, 4.2.1-4.2.2): what happens
 * when the physical CPU running a vCPU stops on an exception. Privileged
 * instructions are emulated against the vCPU (privops.c), monitor calls
 * dispatched (mcall.c), hardware TLB misses refilled from the second-level
 * TLB or from the guest's TLB composed with the pmap, and everything else
 * reflected to the guest's own vectors (guest_exc.c). Each path charges its
 * simulated cycles from the cost table (costs.c).
 */
#include <stdio.h>
#include <string.h>

#include "guest_exc.h"
#include "monitor_internal.h"
#include "privops.h"

#define VPN2_LOW_MASK 0x1fffull
#define ENTRYLO_V     2ull
#define ENTRYLO_D     4ull

/* ---- registers between the CPU and the shadow ---- */

void mtrap_sync_in(struct monitor_pcpu *p, struct mvcpu *vc)
{
    struct cpu *cpu = p->cpu, *s = vc->v.state;
    memcpy(s->gpr, cpu->gpr, 32 * sizeof s->gpr[0]);
    s->hi = cpu->hi;
    s->lo = cpu->lo;
    s->pc = cpu->pc;
    s->delay_slot = cpu->delay_slot;
    s->branch_target = cpu->branch_target;
}

void mtrap_sync_out(struct monitor_pcpu *p, struct mvcpu *vc)
{
    struct cpu *cpu = p->cpu, *s = vc->v.state;
    memcpy(cpu->gpr, s->gpr, 32 * sizeof cpu->gpr[0]);
    cpu->gpr[0] = 0;
    cpu->hi = s->hi;
    cpu->lo = s->lo;
    cpu->pc = s->pc;
    cpu->delay_slot = s->delay_slot;
    cpu->branch_target = s->branch_target;
    cpu->skip_slot = false;
}

/*
 * The physical Status for the guest's virtual mode: its kernel runs in
 * supervisor mode (the assist gives it the kernel segments), its user mode in
 * user mode; interrupts are the monitor's (IE clear), COP0 always traps (CU0
 * clear); segment enables, the FPU enable and FR follow the guest.
 */
void mtrap_apply_mode(struct monitor_pcpu *p, struct mvcpu *vc)
{
    struct cpu *cpu = p->cpu;
    const struct cp0 *g = &vc->v.state->cp0;
    uint64_t ksu = (vcpu_mode(&vc->v) == MODE_KERNEL ? MODE_SUPERVISOR : MODE_USER) << ST_KSU_SHIFT;
    uint64_t status = ksu | (g->status & (ST_UX | ST_SX | ST_KX | ST_CU1 | ST_FR | ST_XX));
    uint64_t old = cpu->cp0.status;
    if (status != old) {
        cpu->cp0.status = status;
        cp0_status_changed(cpu, old);
    }
    uint64_t asid = g->entryhi & 0xff;
    if ((cpu->cp0.entryhi & 0xff) != asid) {
        cpu->cp0.entryhi = (cpu->cp0.entryhi & ~0xffull) | asid;
        cpu_ftlb_flush(cpu);
    }
    /* RDHWR in user (and supervisor) mode is governed by HWREna; ULR reads UserLocal. */
    cpu->cp0.hwrena = g->hwrena;
    cpu->cp0.userlocal = g->userlocal;
}

/* ---- the hardware TLB: only the monitor writes it, with machine addresses ---- */

static uint64_t vpn2_mask(const struct cpu *cpu)
{
    return (3ull << 62) | (((1ull << cpu->cp0.segbits) - 1) & ~VPN2_LOW_MASK);
}

static void hw_entry_clear(struct cpu *cpu, unsigned i)
{
    struct tlb_entry *e = &cpu->tlb.entry[i];
    memset(e, 0, sizeof *e);
    /* A kseg0 VPN2 never matches (kseg0 is unmapped), as cp0_reset does. */
    e->vpn2 = 0xffffffff80000000ull + ((uint64_t)i << 13);
}

void mtrap_flush_hw_tlb(struct monitor_pcpu *p)
{
    for (unsigned i = 0; i < TLB_ENTRIES; i++)
        hw_entry_clear(p->cpu, i);
    cpu_ftlb_flush(p->cpu);
}

static uint64_t entry_span(const struct tlb_entry *e)
{
    return (e->mask | VPN2_LOW_MASK) + 1;
}

/* Drops the hardware entries overlapping [base, base + size) (any ASID). */
static void hw_drop_range(struct monitor_pcpu *p, uint64_t base, uint64_t size)
{
    struct cpu *cpu = p->cpu;
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        struct tlb_entry *e = &cpu->tlb.entry[i];
        uint64_t span = entry_span(e);
        if (e->vpn2 < base + size && base < e->vpn2 + span) {
            cpu_ftlb_flush_range(cpu, e->vpn2, span);
            hw_entry_clear(cpu, i);
        }
    }
}

/* Puts the composed 4 KB translation e of vaddr into the hardware TLB (one half of a pair). */
static void hw_fill(struct monitor_pcpu *p, uint64_t vaddr, uint8_t asid,
                    const struct l2tlb_entry *e)
{
    struct cpu *cpu = p->cpu;
    uint64_t vpn2 = vaddr & vpn2_mask(cpu);
    unsigned half = (vaddr >> 12) & 1;
    uint64_t lo = (e->machine >> 12) << 6 | (uint64_t)(e->cached ? 3 : 2) << 3 | ENTRYLO_V |
                  (e->writable ? ENTRYLO_D : 0);
    int slot = -1;
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        const struct tlb_entry *h = &cpu->tlb.entry[i];
        if (h->mask == 0 && h->vpn2 == vpn2 && h->global == e->global &&
            (h->global || h->asid == asid)) {
            slot = (int)i;
            break;
        }
    }
    if (slot < 0) {
        slot = (int)(p->tlb_next++ % TLB_ENTRIES);
        struct tlb_entry *old = &cpu->tlb.entry[slot];
        cpu_ftlb_flush_range(cpu, old->vpn2, entry_span(old));
        hw_entry_clear(cpu, (unsigned)slot);
        old->vpn2 = vpn2;
        old->asid = asid;
        old->global = e->global;
    }
    cpu->tlb.entry[slot].lo[half] = lo;
    cpu_ftlb_flush_range(cpu, vpn2, VPN2_LOW_MASK + 1);
}

/*
 * The other 4 KB half of the pair, if the second-level TLB has it with the
 * same G bit: one refill then serves both pages, as a guest's own refill of
 * an EntryLo0/EntryLo1 pair would.
 */
static void hw_fill_buddy(struct monitor_pcpu *p, struct mvcpu *vc, uint64_t vaddr, uint8_t asid,
                          bool global)
{
    if (!vc->l2)
        return;
    uint64_t buddy = vaddr ^ 0x1000;
    const struct l2tlb_entry *e = l2tlb_peek(vc->l2, buddy, asid);
    if (e && e->global == global)
        hw_fill(p, buddy, asid, e);
}

/* ---- reflecting exceptions to the guest ---- */

static bool has_badvaddr(unsigned code)
{
    return code == EXC_MOD || code == EXC_TLBL || code == EXC_TLBS || code == EXC_ADEL ||
           code == EXC_ADES;
}

/* Delivers exc to the guest's vector; the registers are in the CPU. */
static void reflect(struct monitor_pcpu *p, struct mvcpu *vc, const struct guest_exc *exc)
{
    struct vm *vm = vc->vm;
    /* A handler that faults on its own first instruction loops forever: end the VM. */
    vc->vector_faults = exc->pc == vc->last_vector ? vc->vector_faults + 1 : 0;
    if (vc->vector_faults >= VECTOR_FAULT_LIMIT) {
        char why[160];
        snprintf(why, sizeof why,
                 "vCPU %u: the guest's exception vector 0x%llx itself faults (exception %u), "
                 "%u times in a row",
                 vc->v.id, (unsigned long long)exc->pc, exc->code, vc->vector_faults);
        monitor_vm_end(vm, false, 0, why);
        return;
    }
    mtrap_sync_in(p, vc);
    vcpu_set_cycles(&vc->v, p->cpu->cycles);
    vc->last_vector = guest_exc_deliver(&vc->v, exc);
    mtrap_sync_out(p, vc);
    mtrap_apply_mode(p, vc);
    vm->stats.reflected++;
    monitor_charge(vm, p->cpu, COST_EXCEPTION_REFLECT, costs_cycles(COST_EXCEPTION_REFLECT));
}

static void reflect_hw(struct monitor_pcpu *p, struct mvcpu *vc, const struct cpu_exception *x,
                       unsigned code, bool refill)
{
    struct guest_exc g = {.code = code,
                          .pc = x->pc,
                          .delay_slot = x->delay_slot,
                          .has_badvaddr = has_badvaddr(code),
                          .badvaddr = x->badvaddr,
                          .tlb_refill = refill,
                          .cop = x->cop};
    reflect(p, vc, &g);
}

bool mtrap_take_interrupt(struct monitor_pcpu *p, struct mvcpu *vc)
{
    const struct cp0 *g = &vc->v.state->cp0;
    if ((g->status & (ST_IE | ST_EXL | ST_ERL)) != ST_IE)
        return false;
    unsigned im = (unsigned)(g->status >> ST_IM_SHIFT) & 0xff;
    if ((guest_exc_pending_ip(&vc->v) & im) == 0)
        return false;
    mtrap_sync_in(p, vc);
    if (!guest_exc_take_interrupt(&vc->v))
        return false;
    mtrap_sync_out(p, vc);
    mtrap_apply_mode(p, vc);
    vc->idle = false;
    monitor_charge(vc->vm, p->cpu, COST_EXCEPTION_REFLECT, costs_cycles(COST_EXCEPTION_REFLECT));
    return true;
}

/* ---- TLB misses ---- */

/* The guest TLB entry mapping vaddr under asid, or -1 (tlb.c's match rule on the shadow). */
static int guest_tlb_find(const struct mvcpu *vc, uint64_t vaddr, uint8_t asid)
{
    const struct cpu *s = vc->v.state;
    uint64_t mask = vpn2_mask(s);
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        const struct tlb_entry *e = &s->tlb.entry[i];
        if ((vaddr & mask & ~e->mask) == e->vpn2 && (e->global || e->asid == asid))
            return (int)i;
    }
    return -1;
}

static void tlb_fault(struct monitor_pcpu *p, struct mvcpu *vc, const struct cpu_exception *x)
{
    struct vm *vm = vc->vm;
    struct cpu *cpu = p->cpu;
    uint64_t vaddr = x->badvaddr;
    bool store = x->code == EXC_TLBS || x->code == EXC_MOD;
    uint8_t asid = (uint8_t)vc->v.state->cp0.entryhi;
    vm->stats.tlb_misses++;
    /* The faulting instruction runs again: it was not a guest instruction retired. */
    if (vm->stats.instructions > 0)
        vm->stats.instructions--;

    if (vc->l2) {
        const struct l2tlb_entry *e = l2tlb_lookup(vc->l2, vaddr, asid);
        if (e && (!store || e->writable)) {
            vm->stats.l2tlb_hits++;
            bool global = e->global;
            hw_fill(p, vaddr, asid, e);
            hw_fill_buddy(p, vc, vaddr, asid, global);
            monitor_charge(vm, cpu, COST_L2TLB_HIT_REFILL, costs_cycles(COST_L2TLB_HIT_REFILL));
            return;
        }
        vm->stats.l2tlb_misses++;
    }

    unsigned tlb_code = store ? EXC_TLBS : EXC_TLBL;
    int gi = guest_tlb_find(vc, vaddr, asid);
    if (gi < 0) {
        reflect_hw(p, vc, x, tlb_code, true);
        return;
    }
    const struct tlb_entry *ge = &vc->v.state->tlb.entry[gi];
    uint64_t page_size = ((ge->mask | VPN2_LOW_MASK) + 1) >> 1;
    uint64_t lo = ge->lo[(vaddr & page_size) != 0];
    if (!(lo & ENTRYLO_V)) {
        reflect_hw(p, vc, x, tlb_code, false);
        return;
    }
    if (store && !(lo & ENTRYLO_D)) {
        reflect_hw(p, vc, x, EXC_MOD, false);
        return;
    }
    const struct cpu *s = vc->v.state;
    uint64_t pfn = (lo >> 6) & ((1ull << (s->cp0.pabits - 12)) - 1);
    uint64_t gpaddr = ((pfn << 12) & ~(page_size - 1)) | (vaddr & (page_size - 1));
    bool writable, device;
    uint64_t machine;
    if (monitor_guest_phys(p, vc, gpaddr, &writable, &device, &machine) != 0) {
        /* The guest mapped memory it does not have: a bus error, as on hardware. */
        if (vm->status.state == VM_RUNNING)
            reflect_hw(p, vc, x, x->pc == vaddr ? EXC_IBE : EXC_DBE, false);
        return;
    }
    unsigned cca = (lo >> 3) & 7;
    struct l2tlb_entry e = {.vpage = vaddr & ~0xfffull,
                            .machine = machine,
                            .asid = ge->asid,
                            .global = ge->global,
                            .writable = (lo & ENTRYLO_D) && writable,
                            .cached = cca != 2 && cca != 7 && !device,
                            .valid = true};
    if (vc->l2 && !device)
        l2tlb_insert(vc->l2, &e);
    uint64_t ram_off;
    if (!device && monitor_ram_offset(vm, gpaddr, &ram_off)) {
        /* Who maps this physical page, for a later shoot-down from the machine side
         * (migration, replication); a refill of the same mapping is recorded once. */
        struct pmap_backmap b = {.vcpu = vc->v.id, .vpage = e.vpage, .asid = e.asid};
        if (pmap_backmap_add(vm->pmap, ram_off, &b) != 0)
            monitor_vm_end(vm, false, 0, "internal: back-map of a mapped page refused");
    }
    hw_fill(p, vaddr, asid, &e);
    hw_fill_buddy(p, vc, vaddr, asid, e.global);
    monitor_charge(vm, cpu, COST_TLB_MISS_EMULATE, costs_cycles(COST_TLB_MISS_EMULATE));
}

/*
 * A guest TLB entry was written. The hardware TLB keeps nothing derived from
 * the old or the new entry. The second-level TLB is what makes a VM's TLB
 * look larger than 64 entries (paper, 4.2.2): a random replacement (TLBWR)
 * only drops what the new entry covers, so translations the guest evicted
 * still refill from it. An indexed write (TLBWI) is how kernels invalidate:
 * it drops the old entry's range, all of the old ASID's translations when it
 * writes an invalid entry (the guest may be retiring that ASID), and
 * everything when it writes an invalid entry at the first non-wired index
 * (the start of a flush-all loop, which is what precedes ASID reuse).
 */
static void tlb_written(struct monitor_pcpu *p, struct mvcpu *vc, bool indexed,
                        const struct tlb_entry *old, const struct tlb_entry *neu, unsigned index)
{
    hw_drop_range(p, old->vpn2, entry_span(old));
    hw_drop_range(p, neu->vpn2, entry_span(neu));
    if (!vc->l2)
        return;
    l2tlb_invalidate_range(vc->l2, neu->vpn2, entry_span(neu));
    if (!indexed)
        return;
    l2tlb_invalidate_range(vc->l2, old->vpn2, entry_span(old));
    bool invalidating = !((neu->lo[0] | neu->lo[1]) & ENTRYLO_V);
    if (!invalidating)
        return;
    if (old->global || index == vc->v.state->cp0.wired)
        l2tlb_invalidate_all(vc->l2);
    else
        l2tlb_invalidate_asid(vc->l2, old->asid);
}

/*
 * TLBP that finds nothing in the virtual TLB: the kernel is about to change
 * a page it may have evicted from its TLB, so a translation the second-level
 * TLB still holds for that pair must go.
 */
static void probed(struct mvcpu *vc)
{
    const struct cpu *s = vc->v.state;
    if (vc->l2 && (s->cp0.index & 0x80000000u))
        l2tlb_invalidate_range(vc->l2, s->cp0.entryhi & vpn2_mask(s), VPN2_LOW_MASK + 1);
}

/* ---- privileged instructions and monitor calls ---- */

static enum monitor_action privop_cost(uint32_t insn)
{
    if ((insn >> 26) != 0x10)
        return COST_PRIVOP_OTHER; /* CACHE */
    unsigned rs = (insn >> 21) & 0x1f;
    if (rs == 0x00 || rs == 0x01)
        return COST_PRIVOP_MFC0;
    if (rs == 0x04 || rs == 0x05)
        return COST_PRIVOP_MTC0;
    if (!(rs & 0x10))
        return COST_PRIVOP_OTHER;
    switch (insn & 0x3f) {
    case 0x01: return COST_PRIVOP_TLBR;
    case 0x02:
    case 0x06: return COST_PRIVOP_TLBWRITE;
    case 0x08: return COST_PRIVOP_TLBP;
    case 0x18: return COST_PRIVOP_ERET;
    default: return COST_PRIVOP_OTHER;
    }
}

static void privileged(struct monitor_pcpu *p, struct mvcpu *vc, const struct cpu_exception *x)
{
    struct vm *vm = vc->vm;
    struct cpu *cpu = p->cpu;
    uint32_t insn = x->insn;
    mtrap_sync_in(p, vc);
    vcpu_set_cycles(&vc->v, cpu->cycles);
    struct cpu *s = vc->v.state;
    bool guest_kernel = vcpu_mode(&vc->v) == MODE_KERNEL || (s->cp0.status & ST_CU0);
    if (insn == MCALL_INSN && guest_kernel) {
        vm->stats.monitor_calls++;
        monitor_charge(vm, cpu, COST_MONITOR_CALL, costs_cycles(COST_MONITOR_CALL));
        mcall_execute(p, vc);
        mtrap_sync_out(p, vc);
        return;
    }
    /* The entries a TLBWI or TLBWR may replace, before they change. */
    struct tlb_entry before[2] = {s->tlb.entry[s->cp0.index & (TLB_ENTRIES - 1)],
                                  s->tlb.entry[s->cp0.random_seed & (TLB_ENTRIES - 1)]};
    unsigned idx_before[2] = {(unsigned)(s->cp0.index & (TLB_ENTRIES - 1)),
                              (unsigned)(s->cp0.random_seed & (TLB_ENTRIES - 1))};
    struct privop_result r;
    privop_execute(&vc->v, insn, &r);
    vm->stats.privops++;
    enum monitor_action cost = privop_cost(insn);
    monitor_charge(vm, cpu, cost, costs_cycles(cost));
    switch (r.action) {
    case PRIVOP_NEXT: break;
    case PRIVOP_JUMP: cpu->cp0.llbit = false; break; /* ERET ends any LL sequence */
    case PRIVOP_IDLE: vc->idle = true; break;
    case PRIVOP_EXCEPTION: {
        struct guest_exc g = {
            .code = r.exc_code, .pc = s->pc, .delay_slot = s->delay_slot, .cop = r.cop};
        guest_exc_deliver(&vc->v, &g);
        vm->stats.reflected++;
        monitor_charge(vm, cpu, COST_EXCEPTION_REFLECT, costs_cycles(COST_EXCEPTION_REFLECT));
        break;
    }
    }
    if (r.effects & PRIVOP_TLB_WRITTEN) {
        const struct tlb_entry *old = r.tlb_index == idx_before[0] ? &before[0] : &before[1];
        tlb_written(p, vc, cost == COST_PRIVOP_TLBWRITE && (insn & 0x3f) == 0x02, old, &r.tlb_entry,
                    r.tlb_index);
    } else if (cost == COST_PRIVOP_TLBP) {
        probed(vc);
    }
    mtrap_sync_out(p, vc);
    mtrap_apply_mode(p, vc);
}

void mtrap_handle(struct monitor_pcpu *p, struct mvcpu *vc, const struct cpu_exception *x)
{
    struct vm *vm = vc->vm;
    if (vm->status.state != VM_RUNNING)
        return;
    vm->stats.traps++;
    monitor_charge(vm, p->cpu, COST_TRAP_ENTRY_EXIT, costs_cycles(COST_TRAP_ENTRY_EXIT));
    switch (x->code) {
    case EXC_MOD:
    case EXC_TLBL:
    case EXC_TLBS: tlb_fault(p, vc, x); break;
    case EXC_CPU:
        if (x->cop == 0)
            privileged(p, vc, x);
        else
            reflect_hw(p, vc, x, EXC_CPU, false);
        break;
    case 30: /* a cache error: the machine's, not the guest's */
        monitor_vm_end(vm, false, 0, "cache error");
        break;
    default: reflect_hw(p, vc, x, x->code, false); break;
    }
}
