/*
 * cp0.c - the System Control Coprocessor of the simulated MIPS64 CPU: reset
 * state of both models, MFC0/MTC0/DMFC0/DMTC0 with each register's writable
 * mask and side effects, the COP0 instructions (TLB ops, ERET, WAIT, DI/EI),
 * CACHE, and the Count/Compare timer and interrupt delivery. Called by the
 * interpreter; the register layouts follow the R10000 user manual (r10000)
 * and the MIPS64 Release 2 PRA (mips64r2). docs/cpu.md lists the choices.
 */
#include "cp0.h"

#include <string.h>

#include "cpu_internal.h"

/* PRId: R10000 rev 2.6; for R2 a MIPS 5KE (company MIPS, imp 0x89), which Linux's cpu_probe knows.
 */
#define PRID_R10000 0x00000926u
#define PRID_5KE    0x00018900u

/*
 * R10000 Config (Linux mipsregs.h R10K_CONF_*): 32 KB I and D caches
 * (IC/DC = 3: 2^(12+3)), a 2 MB secondary cache (SS = 2: 512 KB << 2) with
 * 128-byte lines (SB), K0 = 3 (cacheable noncoherent).
 */
#define R10K_CONFIG ((3u << 29) | (3u << 26) | (2u << 16) | (1u << 13) | 3u)
#define CONFIG_BE   (1u << 15)
/* MIPS64 Config0: M, AT = 2 (MIPS64, all segments), AR = 1 (Release 2), MT = 1 (TLB), K0 = 3. */
#define R2_CONFIG0 ((1u << 31) | (2u << 13) | (1u << 10) | (1u << 7) | 3u)
/*
 * Config1: M, MMU size 64, I and D caches of 32 KB each (IS/DS = 2: 256 sets,
 * IL/DL = 4: 32-byte lines, IA/DA = 3: 4-way), FP present.
 */
#define R2_CONFIG1                                                                                 \
    ((1u << 31) | (63u << 25) | (2u << 22) | (4u << 19) | (3u << 16) | (2u << 13) | (4u << 10) |   \
     (3u << 7) | 1u)
#define R2_CONFIG2     (1u << 31) /* M: Config3 follows; no secondary cache described */
#define R2_CONFIG3     (1u << 13) /* ULRI: UserLocal implemented */
#define INTCTL_IPTI    (7u << 29) /* the timer interrupt is IP7 */
#define INTCTL_VS_MASK (0x1fu << 5)
#define CAUSE_IP_TIMER (1u << 15) /* IP7 */
#define CAUSE_SW_IP    (3u << 8)

/* Status bits software may write: MIPS IV also has XX (bit 31); RE and TS are fixed at 0. */
static uint64_t status_mask(const struct cpu *cpu)
{
    uint32_t common = ST_IE | ST_EXL | ST_ERL | ST_KSU_MASK | ST_UX | ST_SX | ST_KX |
                      (0xffu << ST_IM_SHIFT) | (7u << 16) | ST_NMI | ST_SR | ST_BEV | ST_FR |
                      ST_CU0 | ST_CU1 | ST_XX;
    return cpu->is_r2 ? common | (1u << 27) /* RP */ : common;
}

static uint64_t sext32(uint64_t value)
{
    return (uint64_t)(int64_t)(int32_t)(uint32_t)value;
}

static enum cpu_mode mode_of(uint64_t status)
{
    if (status & (ST_EXL | ST_ERL))
        return MODE_KERNEL;
    switch ((status & ST_KSU_MASK) >> ST_KSU_SHIFT) {
    case 0: return MODE_KERNEL;
    case 1: return MODE_SUPERVISOR;
    default: /* KSU = 3 is reserved; treat it as the least privileged mode */ return MODE_USER;
    }
}

enum cpu_mode cp0_mode(const struct cpu *cpu)
{
    return mode_of(cpu->cp0.status);
}

static uint32_t count_now(const struct cpu *cpu)
{
    return (uint32_t)((cpu->cycles >> 1) + cpu->cp0.count_offset);
}

/* The first cycle after now at which Count equals Compare (a full wrap if it does now). */
static uint64_t next_compare_cycle(const struct cpu *cpu)
{
    uint64_t delta = (uint32_t)((uint32_t)cpu->cp0.compare - count_now(cpu));
    if (delta == 0)
        delta = 1ull << 32;
    return ((cpu->cycles >> 1) + delta) << 1;
}

static void timer_reschedule(struct cpu *cpu)
{
    cpu->cp0.compare_cycle = next_compare_cycle(cpu);
    cpu->next_event_cycle = cpu->cp0.compare_cycle;
    cpu->irq_dirty = true;
}

/*
 * Sets Cause.TI once Count has reached Compare and schedules the next match.
 * Called at the event cycle by the interpreter and on every read of Cause, so
 * a kernel polling Cause (Linux's c0_compare_int_usable) sees TI on time.
 */
static void timer_update(struct cpu *cpu)
{
    struct cp0 *c = &cpu->cp0;
    if (cpu->cycles >= c->compare_cycle) {
        c->cause |= CAUSE_TI;
        c->compare_cycle = next_compare_cycle(cpu);
        cpu->irq_dirty = true;
    }
    cpu->next_event_cycle = c->compare_cycle;
}

/* Cause.IP7..2 from the external lines and the timer (the timer shares IP7, as on the R4000). */
static void update_cause_ip(struct cpu *cpu)
{
    struct cp0 *c = &cpu->cp0;
    uint64_t ip = (uint64_t)(cpu->irq_lines & 0x3f) << 10;
    if (c->cause & CAUSE_TI)
        ip |= CAUSE_IP_TIMER;
    c->cause = (c->cause & ~(0xfcull << CAUSE_IP_SHIFT)) | ip;
}

void cp0_status_changed(struct cpu *cpu, uint64_t old_status)
{
    uint64_t now = cpu->cp0.status;
    uint32_t translation_bits = ST_KSU_MASK | ST_EXL | ST_ERL | ST_UX | ST_SX | ST_KX;
    uint64_t changed = old_status ^ now;
    /* The fast TLB caches translations of one mode: drop them when the mode or a segment changes.
     */
    if ((changed & (ST_ERL | ST_UX | ST_SX | ST_KX)) ||
        ((changed & translation_bits) && mode_of(old_status) != mode_of(now)))
        cpu_ftlb_flush(cpu);
    cpu->irq_dirty = true;
}

static void reset_tlb(struct cpu *cpu)
{
    /*
     * The TLB's reset contents are undefined; give every entry a distinct
     * kseg0 VPN2, which can never match (kseg0 is unmapped), so a program
     * that has not written the TLB sees refills rather than stray hits.
     */
    for (unsigned i = 0; i < TLB_ENTRIES; i++) {
        struct tlb_entry *e = &cpu->tlb.entry[i];
        memset(e, 0, sizeof(*e));
        e->vpn2 = 0xffffffff80000000ull + ((uint64_t)i << 13);
    }
}

void cp0_reset(struct cpu *cpu)
{
    struct cp0 *c = &cpu->cp0;
    bool r2 = cpu->model == CPU_MODEL_MIPS64R2;
    memset(c, 0, sizeof(*c));
    /* R10000: 44-bit segments, 40-bit physical addresses; the R2 model: 40 and 40. */
    c->segbits = r2 ? 40 : 44;
    c->pabits = 40;
    c->status = ST_BEV | ST_ERL;
    c->random_seed = TLB_ENTRIES - 1;
    c->prid = r2 ? PRID_5KE : PRID_R10000;
    c->config = r2 ? R2_CONFIG0 : R10K_CONFIG;
    c->config1 = r2 ? R2_CONFIG1 : 0;
    c->config2 = r2 ? R2_CONFIG2 : 0;
    c->config3 = r2 ? R2_CONFIG3 : 0;
    c->ebase = 0x80000000u;
    c->intctl = r2 ? INTCTL_IPTI : 0;
    reset_tlb(cpu);
    timer_reschedule(cpu);
}

/* Release 2 registers at a non-zero select; *is32 says whether to sign-extend. */
static uint64_t read_r2_extra(struct cpu *cpu, unsigned reg, unsigned sel, bool *is32)
{
    const struct cp0 *c = &cpu->cp0;
    *is32 = true;
    switch (reg << 3 | sel) {
    case CP0_CONTEXT << 3 | 2: *is32 = false; return c->userlocal;
    case CP0_PAGEMASK << 3 | 1: return c->pagegrain;
    case CP0_STATUS << 3 | 1: return c->intctl;
    case CP0_STATUS << 3 | 2: return c->srsctl;
    case CP0_PRID << 3 | 1: return (c->ebase & 0xfffff000u) | (cpu->cpu_number & 0x3ff);
    case CP0_CONFIG << 3 | 1: return c->config1;
    case CP0_CONFIG << 3 | 2: return c->config2;
    case CP0_CONFIG << 3 | 3: return c->config3;
    case CP0_DESAVE << 3 | 2:
    case CP0_DESAVE << 3 | 3: *is32 = false; return c->kscratch[sel - 2];
    default: return 0;
    }
}

/* Select-0 registers that are 64 bits wide; the others are 32-bit and read sign-extended. */
#define WIDE_REGISTERS                                                                             \
    (1u << CP0_ENTRYLO0 | 1u << CP0_ENTRYLO1 | 1u << CP0_CONTEXT | 1u << CP0_BADVADDR |            \
     1u << CP0_ENTRYHI | 1u << CP0_EPC | 1u << CP0_LLADDR | 1u << CP0_WATCHLO |                    \
     1u << CP0_XCONTEXT | 1u << CP0_ERROREPC | 1u << CP0_DESAVE)

/* A select-0 register as stored, before sign extension. */
static uint64_t read_raw(struct cpu *cpu, unsigned reg)
{
    struct cp0 *c = &cpu->cp0;
    switch (reg) {
    case CP0_INDEX: return c->index;
    case CP0_RANDOM: return c->random_seed;
    case CP0_ENTRYLO0: return c->entrylo0;
    case CP0_ENTRYLO1: return c->entrylo1;
    case CP0_CONTEXT: return c->context;
    case CP0_PAGEMASK: return c->pagemask;
    case CP0_WIRED: return c->wired;
    case CP0_HWRENA: return cpu->is_r2 ? c->hwrena : 0;
    case CP0_BADVADDR: return c->badvaddr;
    case CP0_COUNT: return count_now(cpu);
    case CP0_ENTRYHI: return c->entryhi;
    case CP0_COMPARE: return c->compare;
    case CP0_STATUS: return c->status;
    case CP0_CAUSE:
        timer_update(cpu);
        update_cause_ip(cpu);
        /* TI and IV are Release 2 fields; the R10000 reads them as 0. */
        return cpu->is_r2 ? c->cause : c->cause & ~(uint64_t)(CAUSE_TI | CAUSE_IV);
    case CP0_EPC: return c->epc;
    case CP0_PRID: return c->prid;
    case CP0_CONFIG: return (c->config & ~CONFIG_BE) | (cpu->big_endian ? CONFIG_BE : 0);
    case CP0_LLADDR: return c->lladdr;
    case CP0_WATCHLO: return c->watchlo;
    case CP0_WATCHHI: return c->watchhi;
    case CP0_XCONTEXT: return c->xcontext;
    case CP0_ECC: return c->ecc;
    case CP0_CACHEERR: return c->cacheerr;
    case CP0_TAGLO: return c->taglo;
    case CP0_TAGHI: return c->taghi;
    case CP0_ERROREPC: return c->errorepc;
    case CP0_DESAVE: return c->kscratch[0];
    default: return 0; /* unimplemented registers read 0 */
    }
}

uint64_t cp0_read(struct cpu *cpu, unsigned reg, unsigned sel)
{
    bool is32 = true;
    uint64_t v;
    if (sel != 0) {
        v = cpu->is_r2 ? read_r2_extra(cpu, reg, sel, &is32) : 0;
    } else {
        v = read_raw(cpu, reg & 31);
        is32 = !((WIDE_REGISTERS >> (reg & 31)) & 1);
    }
    return is32 ? sext32(v) : v;
}

/*
 * PageMask: keep only a legal mask (pairs of ones from bit 13 up, 4 KB to
 * 16 MB pages). The architecture leaves other values undefined; using the
 * largest legal mask they contain keeps the TLB's even/odd logic sound.
 */
static uint64_t legal_pagemask(uint64_t value)
{
    uint64_t mask = 0;
    for (unsigned bit = 13; bit < 25; bit += 2) {
        uint64_t pair = 3ull << bit;
        if ((value & pair) != pair)
            break;
        mask |= pair;
    }
    return mask;
}

static void write_entryhi(struct cpu *cpu, uint64_t value)
{
    struct cp0 *c = &cpu->cp0;
    uint64_t mask = (3ull << 62) | (((1ull << c->segbits) - 1) & ~0x1fffull) | 0xff;
    uint64_t old = c->entryhi;
    c->entryhi = value & mask;
    if ((old ^ c->entryhi) & 0xff)
        cpu_ftlb_flush(cpu);
}

static void write_status(struct cpu *cpu, uint64_t value)
{
    struct cp0 *c = &cpu->cp0;
    uint64_t old = c->status;
    uint64_t mask = status_mask(cpu);
    c->status = (old & ~mask) | (value & mask);
    cp0_status_changed(cpu, old);
}

static void write_cause(struct cpu *cpu, uint64_t value)
{
    struct cp0 *c = &cpu->cp0;
    uint64_t mask = CAUSE_SW_IP | (cpu->is_r2 ? CAUSE_IV : 0);
    c->cause = (c->cause & ~mask) | (value & mask);
    cpu->irq_dirty = true;
}

static void write_r2_extra(struct cpu *cpu, unsigned reg, unsigned sel, uint64_t value)
{
    struct cp0 *c = &cpu->cp0;
    switch (reg << 3 | sel) {
    case CP0_CONTEXT << 3 | 2: c->userlocal = value; break;
    case CP0_STATUS << 3 | 1:
        c->intctl = (c->intctl & ~(uint64_t)INTCTL_VS_MASK) | (value & INTCTL_VS_MASK);
        break;
    case CP0_PRID << 3 | 1: /* EBase: bits 31:30 are fixed at 10, CPUNum is read-only */
        c->ebase = 0x80000000u | (value & 0x3ffff000u);
        break;
    case CP0_DESAVE << 3 | 2:
    case CP0_DESAVE << 3 | 3: c->kscratch[sel - 2] = value; break;
    default: break; /* read-only or unimplemented */
    }
}

void cp0_write(struct cpu *cpu, unsigned reg, unsigned sel, uint64_t value)
{
    struct cp0 *c = &cpu->cp0;
    uint64_t entrylo_mask = (((1ull << (c->pabits - 12)) - 1) << 6) | 0x3f;
    if (sel != 0) {
        if (cpu->is_r2)
            write_r2_extra(cpu, reg, sel, value);
        return;
    }
    switch (reg) {
    case CP0_INDEX: c->index = (c->index & 0x80000000u) | (value & (TLB_ENTRIES - 1)); break;
    case CP0_ENTRYLO0: c->entrylo0 = value & entrylo_mask; break;
    case CP0_ENTRYLO1: c->entrylo1 = value & entrylo_mask; break;
    case CP0_CONTEXT: c->context = (c->context & 0x7fffffull) | (value & ~0x7fffffull); break;
    case CP0_PAGEMASK: c->pagemask = legal_pagemask(value); break;
    case CP0_WIRED:
        c->wired = value & (TLB_ENTRIES - 1);
        c->random_seed = TLB_ENTRIES - 1;
        break;
    case CP0_HWRENA:
        if (cpu->is_r2)
            c->hwrena = value & 0x2000000fu;
        break;
    case CP0_COUNT:
        c->count_offset = (uint32_t)((uint32_t)value - (uint32_t)(cpu->cycles >> 1));
        timer_reschedule(cpu);
        break;
    case CP0_ENTRYHI: write_entryhi(cpu, value); break;
    case CP0_COMPARE:
        /* Writing Compare acknowledges the timer interrupt (MIPS64 PRA, the Compare register). */
        c->compare = (uint32_t)value;
        c->cause &= ~(uint64_t)CAUSE_TI;
        timer_reschedule(cpu);
        break;
    case CP0_STATUS: write_status(cpu, value); break;
    case CP0_CAUSE: write_cause(cpu, value); break;
    case CP0_EPC: c->epc = value; break;
    case CP0_CONFIG: c->config = (c->config & ~7ull) | (value & 7); break;
    case CP0_WATCHLO: c->watchlo = value; break;
    case CP0_WATCHHI: c->watchhi = (uint32_t)value; break;
    case CP0_XCONTEXT: {
        uint64_t ptebase = ~0ull << (c->segbits - 7);
        c->xcontext = (c->xcontext & ~ptebase) | (value & ptebase);
        break;
    }
    case CP0_ECC: c->ecc = value & 0xff; break;
    case CP0_TAGLO: c->taglo = (uint32_t)value; break;
    case CP0_TAGHI: c->taghi = (uint32_t)value; break;
    case CP0_ERROREPC: c->errorepc = value; break;
    case CP0_DESAVE: c->kscratch[0] = value; break;
    default: break; /* read-only (Random, BadVAddr, PRId, LLAddr, CacheErr) or unimplemented */
    }
}

/* CP0 is usable in kernel mode, or in any mode with Status.CU0 set. */
static bool cp0_usable(const struct cpu *cpu)
{
    return cp0_mode(cpu) == MODE_KERNEL || (cpu->cp0.status & ST_CU0);
}

static void set_gpr(struct cpu *cpu, unsigned reg, uint64_t value)
{
    if (reg != 0)
        cpu->gpr[reg] = value;
}

static int eret(struct cpu *cpu)
{
    struct cp0 *c = &cpu->cp0;
    uint64_t old = c->status;
    if (old & ST_ERL) {
        cpu->pc = c->errorepc;
        c->status &= ~(uint64_t)ST_ERL;
    } else {
        cpu->pc = c->epc;
        c->status &= ~(uint64_t)ST_EXL;
    }
    c->llbit = false;
    cpu->delay_slot = false;
    cpu->skip_slot = false;
    cp0_status_changed(cpu, old);
    return 1;
}

static bool interrupt_pending(struct cpu *cpu)
{
    update_cause_ip(cpu);
    return ((cpu->cp0.cause & cpu->cp0.status) >> CAUSE_IP_SHIFT & 0xff) != 0;
}

/*
 * WAIT: with an enabled interrupt line already asserted the instruction is a
 * no-op; otherwise the CPU stops and cpu_run() returns CPU_STOP_WAIT. The PC
 * has moved past the WAIT, so the interrupt, once taken, returns after it.
 */
static int wait(struct cpu *cpu)
{
    if (!interrupt_pending(cpu)) {
        cpu->stop_requested = true;
        cpu->stop_reason = CPU_STOP_WAIT;
    }
    return 0;
}

/* DI/EI (Release 2 MFMC0): rt receives the old Status, then IE is cleared or set. */
static int di_ei(struct cpu *cpu, uint32_t insn)
{
    if (!cpu->is_r2 || ((insn >> 11) & 31) != CP0_STATUS || (insn & 0x7df) != 0) {
        cpu_raise(cpu, EXC_RI);
        return 1;
    }
    uint64_t old = cpu->cp0.status;
    set_gpr(cpu, (insn >> 16) & 31, sext32(old));
    if (insn & 0x20)
        cpu->cp0.status |= ST_IE;
    else
        cpu->cp0.status &= ~(uint64_t)ST_IE;
    cp0_status_changed(cpu, old);
    return 0;
}

/* The CO group: bit 25 set, function in bits 5:0. */
static int execute_co(struct cpu *cpu, uint32_t insn)
{
    switch (insn & 0x3f) {
    case 0x01: tlb_read(cpu); return 0;
    case 0x02: tlb_write_indexed(cpu); return 0;
    case 0x06: tlb_write_random(cpu); return 0;
    case 0x08: tlb_probe(cpu); return 0;
    case 0x18: return eret(cpu);
    case 0x20: return wait(cpu);
    default: cpu_raise(cpu, EXC_RI); return 1;
    }
}

int cp0_execute(struct cpu *cpu, uint32_t insn)
{
    if (!cp0_usable(cpu)) {
        cpu_raise_cop_unusable(cpu, 0);
        return 1;
    }
    unsigned rs = (insn >> 21) & 31, rt = (insn >> 16) & 31, rd = (insn >> 11) & 31;
    unsigned sel = insn & 7;
    if (rs & 0x10)
        return execute_co(cpu, insn);
    switch (rs) {
    case 0x00: /* MFC0 */ set_gpr(cpu, rt, sext32(cp0_read(cpu, rd, sel))); return 0;
    case 0x01: /* DMFC0 */ set_gpr(cpu, rt, cp0_read(cpu, rd, sel)); return 0;
    case 0x04: /* MTC0 */ cp0_write(cpu, rd, sel, sext32(cpu->gpr[rt])); return 0;
    case 0x05: /* DMTC0 */ cp0_write(cpu, rd, sel, cpu->gpr[rt]); return 0;
    case 0x0a: /* RDPGPR: no shadow register sets, so the current set */
    case 0x0e: /* WRPGPR */
        if (!cpu->is_r2)
            break;
        set_gpr(cpu, rd, cpu->gpr[rt]);
        return 0;
    case 0x0b: return di_ei(cpu, insn);
    default: break;
    }
    cpu_raise(cpu, EXC_RI);
    return 1;
}

int cp0_cache(struct cpu *cpu, uint32_t insn)
{
    /* The caches are not modelled at this level: every operation is a no-op once permitted. */
    if (!cp0_usable(cpu)) {
        cpu_raise_cop_unusable(cpu, 0);
        return 1;
    }
    return 0;
}

int cp0_check_interrupts(struct cpu *cpu)
{
    timer_update(cpu);
    cpu->irq_dirty = false;
    uint64_t status = cpu->cp0.status;
    if ((status & (ST_IE | ST_EXL | ST_ERL)) != ST_IE || !interrupt_pending(cpu))
        return 0;
    cpu_raise(cpu, EXC_INT);
    return 1;
}
