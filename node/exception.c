/*
 * exception.c - exception entry for the simulated MIPS64 CPU: the cpu_raise*()
 * family declared in cp0.h. In system mode it does what the hardware does
 * (EPC/BD, Cause, EXL, BadVAddr/Context/XContext/EntryHi, the vector chosen
 * by BEV/EBase/EXL/the address's segment); with exceptions_to_host it only
 * records the event and stops cpu_run() so the host can emulate and resume.
 */
#include "cp0.h"

#include "cpu_internal.h"

#define VECTOR_REFILL      0x000
#define VECTOR_XREFILL     0x080
#define VECTOR_CACHE_ERROR 0x100
#define VECTOR_GENERAL     0x180
#define VECTOR_INTERRUPT   0x200
#define BEV_BASE           0xffffffffbfc00200ull
#define R10000_BASE        0xffffffff80000000ull

/* Base of the exception vectors: the boot ROM while BEV is set, else EBase (R2) or kseg0. */
static uint64_t vector_base(const struct cpu *cpu)
{
    if (cpu->cp0.status & ST_BEV)
        return BEV_BASE;
    if (cpu->is_r2)
        return (uint64_t)(int64_t)(int32_t)(cpu->cp0.ebase & 0xfffff000u);
    return R10000_BASE;
}

/*
 * A refill of a 64-bit segment goes to the XTLB refill vector: the segment is
 * the address's region bits, each enabled by its own Status bit (UX for
 * xuseg, SX for xsseg, KX for kernel addresses).
 */
static unsigned refill_vector(const struct cpu *cpu, uint64_t vaddr)
{
    static const uint32_t enable[4] = {ST_UX, ST_SX, 0, ST_KX};
    return (cpu->cp0.status & enable[vaddr >> 62]) ? VECTOR_XREFILL : VECTOR_REFILL;
}

static void record_for_host(struct cpu *cpu, unsigned code, uint64_t badvaddr, unsigned cop,
                            bool refill)
{
    cpu->last_exception = (struct cpu_exception){
        .code = code,
        .pc = cpu->pc,
        .delay_slot = cpu->delay_slot,
        .badvaddr = badvaddr,
        .cop = cop,
        .tlb_refill = refill,
    };
    /* The word is informative only (the host emulates from it); a fetch fault has none. */
    uint32_t insn;
    if (cpu_peek_insn(cpu, cpu->pc, &insn) == 0)
        cpu->last_exception.insn = insn;
    cpu->stop_requested = true;
    cpu->stop_reason = CPU_STOP_EXCEPTION;
    cpu->exception_raised = true;
}

/* The common entry sequence of every exception but cache errors (MIPS64 PRA, general exception
 * processing). */
static void enter(struct cpu *cpu, unsigned code, unsigned cop, bool refill, uint64_t badvaddr)
{
    if (cpu->exceptions_to_host) {
        record_for_host(cpu, code, badvaddr, cop, refill);
        return;
    }
    struct cp0 *c = &cpu->cp0;
    uint64_t old_status = c->status;
    unsigned offset = VECTOR_GENERAL;
    c->cause = (c->cause & ~(uint64_t)(CAUSE_EXC_MASK | CAUSE_CE_MASK)) | code << CAUSE_EXC_SHIFT |
               (uint64_t)cop << CAUSE_CE_SHIFT;
    /* With EXL already set, EPC and BD keep the first exception's values and a refill goes to the
     * general vector. */
    if (!(old_status & ST_EXL)) {
        c->epc = cpu->delay_slot ? cpu->pc - 4 : cpu->pc;
        c->cause = cpu->delay_slot ? c->cause | CAUSE_BD : c->cause & ~CAUSE_BD;
        if (refill)
            offset = refill_vector(cpu, badvaddr);
    }
    if (code == EXC_INT && cpu->is_r2 && (c->cause & CAUSE_IV))
        offset = VECTOR_INTERRUPT;
    c->status |= ST_EXL;
    cpu->pc = vector_base(cpu) + offset;
    cpu->delay_slot = false;
    cpu->skip_slot = false;
    cpu->exception_raised = true;
    cp0_status_changed(cpu, old_status);
}

void cpu_raise(struct cpu *cpu, unsigned code)
{
    enter(cpu, code, 0, false, 0);
}

/* BadVAddr always; for TLB exceptions also the faulting page in Context, XContext and EntryHi. */
static void record_address(struct cpu *cpu, unsigned code, uint64_t vaddr)
{
    struct cp0 *c = &cpu->cp0;
    c->badvaddr = vaddr;
    if (code != EXC_MOD && code != EXC_TLBL && code != EXC_TLBS)
        return;
    unsigned segbits = c->segbits;
    uint64_t vpn2 = (vaddr >> 13) & ((1ull << (segbits - 13)) - 1);
    c->context = (c->context & ~0x7fffffull) | ((vpn2 & 0x7ffff) << 4);
    uint64_t ptebase_mask = ~0ull << (segbits - 7);
    c->xcontext = (c->xcontext & ptebase_mask) | (vaddr >> 62) << (segbits - 9) | vpn2 << 4;
    uint64_t vpn2_mask = (3ull << 62) | (((1ull << segbits) - 1) & ~0x1fffull);
    uint64_t old_asid = c->entryhi & 0xff;
    c->entryhi = (vaddr & vpn2_mask) | old_asid;
}

void cpu_raise_address(struct cpu *cpu, unsigned code, uint64_t badvaddr, bool tlb_refill)
{
    if (!cpu->exceptions_to_host)
        record_address(cpu, code, badvaddr);
    enter(cpu, code, 0, tlb_refill, badvaddr);
}

void cpu_raise_cop_unusable(struct cpu *cpu, unsigned cop)
{
    enter(cpu, EXC_CPU, cop & 3, false, 0);
}

void cpu_raise_cache_error(struct cpu *cpu)
{
    if (cpu->exceptions_to_host) {
        record_for_host(cpu, 30, 0, 0, false);
        return;
    }
    /* Cache errors set ERL, save ErrorEPC and run uncached: kseg1 base + 0x100 (MIPS64 PRA, cache
     * error exception).
     */
    struct cp0 *c = &cpu->cp0;
    uint64_t old_status = c->status;
    c->errorepc = cpu->delay_slot ? cpu->pc - 4 : cpu->pc;
    c->cause = cpu->delay_slot ? c->cause | CAUSE_BD : c->cause & ~CAUSE_BD;
    c->status |= ST_ERL;
    uint64_t base = vector_base(cpu);
    if (!(old_status & ST_BEV))
        base = (base & ~0x20000000ull) | 0x20000000ull; /* the kseg1 alias of the base */
    cpu->pc = base + VECTOR_CACHE_ERROR;
    cpu->delay_slot = false;
    cpu->skip_slot = false;
    cpu->exception_raised = true;
    cp0_status_changed(cpu, old_status);
}
