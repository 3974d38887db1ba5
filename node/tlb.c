/*
 * tlb.c - the joint TLB of the simulated MIPS64 CPU and virtual-to-physical
 * translation for every segment of the MIPS64 privileged architecture
 * (R4000/R10000 user manuals, the MIPS64 PRA (vol. III), chapter on the MMU). The interpreter's
 * slow memory path calls tlb_translate() in system mode; the TLB
 * instructions (TLBP/TLBR/TLBWI/TLBWR) arrive through cp0_execute().
 */
#include "tlb.h"

#include <stddef.h>

#include "cpu_internal.h"

#define PAGE_SHIFT      12
#define VPN2_LOW_MASK   0x1fffull /* bits below VPN2: the even/odd bit and the offset */
#define ENTRYLO_G       1ull
#define ENTRYLO_V       2ull
#define ENTRYLO_D       4ull
#define ENTRYLO_C_SHIFT 3

/* Cache attributes that bypass the caches (uncached, R10000 uncached accelerated). */
static bool cca_cached(unsigned cca)
{
    return cca != 2 && cca != 7;
}

/* The EntryHi bits that take part in a match: R (63:62) and VPN2 (SEGBITS-1:13). */
static uint64_t vpn2_mask(const struct cpu *cpu)
{
    return (3ull << 62) | (((1ull << cpu->cp0.segbits) - 1) & ~VPN2_LOW_MASK);
}

static bool entry_matches(const struct cpu *cpu, const struct tlb_entry *e, uint64_t vaddr,
                          uint8_t asid)
{
    return (vaddr & vpn2_mask(cpu) & ~e->mask) == e->vpn2 && (e->global || e->asid == asid);
}

/* Index of the entry mapping vaddr under asid, or -1. */
static int tlb_lookup(const struct cpu *cpu, uint64_t vaddr, uint8_t asid)
{
    for (int i = 0; i < TLB_ENTRIES; i++)
        if (entry_matches(cpu, &cpu->tlb.entry[i], vaddr, asid))
            return i;
    return -1;
}

static int address_error(struct cpu *cpu, uint64_t vaddr, enum mem_access access)
{
    cpu_raise_address(cpu, access == ACCESS_STORE ? EXC_ADES : EXC_ADEL, vaddr, false);
    return 1;
}

static int unmapped(struct translation *out, uint64_t paddr, bool cached)
{
    out->paddr = paddr;
    out->page_size = 1ull << PAGE_SHIFT;
    out->cached = cached;
    out->writable = true;
    return 0;
}

/*
 * An unmapped kernel segment. Under the virtualization assist the address is
 * the guest's physical one and the monitor gives the machine address; a
 * refusal is a bus error for the host (the monitor reflects it or emulates
 * a device).
 */
static int kernel_unmapped(struct cpu *cpu, uint64_t vaddr, uint64_t paddr, bool cached,
                           enum mem_access access, struct translation *out)
{
    if (cpu->virt_phys == NULL)
        return unmapped(out, paddr, cached);
    if (cpu->virt_phys(cpu->virt_opaque, paddr, cached, access, out) == 0)
        return 0;
    cpu_raise_address(cpu, access == ACCESS_FETCH ? EXC_IBE : EXC_DBE, vaddr, false);
    return 1;
}

/* The mode that decides segment access: the assist gives supervisor mode the kernel's view. */
static enum cpu_mode segment_mode(const struct cpu *cpu)
{
    enum cpu_mode mode = cp0_mode(cpu);
    return mode == MODE_SUPERVISOR && cpu->virt_phys ? MODE_KERNEL : mode;
}

/* A mapped segment: the TLB decides (refill, invalid, modified or a physical address). */
static int mapped(struct cpu *cpu, uint64_t vaddr, enum mem_access access, struct translation *out)
{
    unsigned tlb_code = access == ACCESS_STORE ? EXC_TLBS : EXC_TLBL;
    int i = tlb_lookup(cpu, vaddr, (uint8_t)cpu->cp0.entryhi);
    if (i < 0) {
        cpu_raise_address(cpu, tlb_code, vaddr, true);
        return 1;
    }
    const struct tlb_entry *e = &cpu->tlb.entry[i];
    uint64_t page_size = ((e->mask | VPN2_LOW_MASK) + 1) >> 1;
    uint64_t lo = e->lo[(vaddr & page_size) != 0];
    if (!(lo & ENTRYLO_V)) {
        cpu_raise_address(cpu, tlb_code, vaddr, false);
        return 1;
    }
    if (access == ACCESS_STORE && !(lo & ENTRYLO_D)) {
        cpu_raise_address(cpu, EXC_MOD, vaddr, false);
        return 1;
    }
    uint64_t pfn = (lo >> 6) & ((1ull << (cpu->cp0.pabits - PAGE_SHIFT)) - 1);
    out->paddr = ((pfn << PAGE_SHIFT) & ~(page_size - 1)) | (vaddr & (page_size - 1));
    out->page_size = page_size;
    out->cached = cca_cached((lo >> ENTRYLO_C_SHIFT) & 7);
    out->writable = (lo & ENTRYLO_D) != 0;
    return 0;
}

/* The 32-bit compatibility segments: sign-extended 32-bit addresses (MIPS64 PRA, compatibility
 * segments). */
static int translate_compat(struct cpu *cpu, uint64_t vaddr, enum mem_access access,
                            struct translation *out)
{
    uint32_t a = (uint32_t)vaddr;
    enum cpu_mode mode = segment_mode(cpu);
    if (a < 0x80000000u) {
        /* With ERL set, kuseg is unmapped and uncached so error handlers can run without a TLB. */
        if (cpu->cp0.status & ST_ERL)
            return unmapped(out, a, false);
        return mapped(cpu, vaddr, access, out);
    }
    if (mode == MODE_SUPERVISOR && a >= 0xc0000000u && a < 0xe0000000u)
        return mapped(cpu, vaddr, access, out); /* sseg */
    if (mode != MODE_KERNEL)
        return address_error(cpu, vaddr, access);
    if (a < 0xa0000000u)
        return kernel_unmapped(cpu, vaddr, a - 0x80000000u, cca_cached(cpu->cp0.config & 7), access,
                               out); /* kseg0 */
    if (a < 0xc0000000u)
        return kernel_unmapped(cpu, vaddr, a - 0xa0000000u, false, access, out); /* kseg1 */
    return mapped(cpu, vaddr, access, out);                                      /* ksseg, kseg3 */
}

int tlb_translate(struct cpu *cpu, uint64_t vaddr, enum mem_access access, struct translation *out)
{
    if ((uint64_t)(int64_t)(int32_t)vaddr == vaddr)
        return translate_compat(cpu, vaddr, access, out);

    uint64_t status = cpu->cp0.status;
    enum cpu_mode mode = segment_mode(cpu);
    uint64_t offset = vaddr & ((1ull << 62) - 1);
    bool in_segment = (offset >> cpu->cp0.segbits) == 0;
    switch (vaddr >> 62) {
    /* Each 64-bit segment is enabled by its own bit, whatever the mode (MIPS64 PRA, 64-bit address
     * spaces). */
    case 0: /* xuseg / xkuseg */
        if (!(status & ST_UX) || !in_segment)
            return address_error(cpu, vaddr, access);
        return mapped(cpu, vaddr, access, out);
    case 1: /* xsseg / xksseg */
        if (mode == MODE_USER || !(status & ST_SX) || !in_segment)
            return address_error(cpu, vaddr, access);
        return mapped(cpu, vaddr, access, out);
    case 2: { /* xkphys: bits 61:59 are the cache attribute, the rest physical */
        uint64_t paddr = vaddr & ((1ull << 59) - 1);
        if (mode != MODE_KERNEL || !(status & ST_KX) || (paddr >> cpu->cp0.pabits) != 0)
            return address_error(cpu, vaddr, access);
        return kernel_unmapped(cpu, vaddr, paddr, cca_cached((vaddr >> 59) & 7), access, out);
    }
    default: /* xkseg (ckseg* were handled as compatibility addresses) */
        if (mode != MODE_KERNEL || !(status & ST_KX) || !in_segment)
            return address_error(cpu, vaddr, access);
        return mapped(cpu, vaddr, access, out);
    }
}

void tlb_probe(struct cpu *cpu)
{
    int i = tlb_lookup(cpu, cpu->cp0.entryhi, (uint8_t)cpu->cp0.entryhi);
    /* Miss: P (bit 31) set, the index field is undefined by the architecture; we leave 0. */
    cpu->cp0.index = i < 0 ? 0x80000000u : (unsigned)i;
}

void tlb_read(struct cpu *cpu)
{
    const struct tlb_entry *e = &cpu->tlb.entry[cpu->cp0.index & (TLB_ENTRIES - 1)];
    uint64_t g = e->global ? ENTRYLO_G : 0;
    uint64_t old_asid = cpu->cp0.entryhi & 0xff;
    cpu->cp0.pagemask = e->mask;
    cpu->cp0.entryhi = e->vpn2 | e->asid;
    cpu->cp0.entrylo0 = e->lo[0] | g;
    cpu->cp0.entrylo1 = e->lo[1] | g;
    if (old_asid != e->asid)
        cpu_ftlb_flush(cpu);
}

static void write_entry(struct cpu *cpu, unsigned i)
{
    const struct cp0 *c = &cpu->cp0;
    struct tlb_entry *e = &cpu->tlb.entry[i];
    e->mask = c->pagemask;
    e->vpn2 = c->entryhi & vpn2_mask(cpu) & ~c->pagemask;
    e->asid = (uint8_t)c->entryhi;
    /* The entry is global only if both halves say so (R4000 manual, TLBWI). */
    e->global = (c->entrylo0 & c->entrylo1 & ENTRYLO_G) != 0;
    /* PFN bits inside the page (large pages) are dropped, as TLBWI's pseudo-code and QEMU do. */
    uint64_t keep = ~(ENTRYLO_G | c->pagemask >> 7);
    e->lo[0] = c->entrylo0 & keep;
    e->lo[1] = c->entrylo1 & keep;
    cpu_ftlb_flush(cpu);
}

void tlb_write_indexed(struct cpu *cpu)
{
    write_entry(cpu, cpu->cp0.index & (TLB_ENTRIES - 1));
}

void tlb_write_random(struct cpu *cpu)
{
    struct cp0 *c = &cpu->cp0;
    if (c->random_seed < c->wired || c->random_seed >= TLB_ENTRIES)
        c->random_seed = TLB_ENTRIES - 1;
    write_entry(cpu, (unsigned)c->random_seed);
    /* Random counts down from 63 to Wired and wraps, so wired entries are never replaced. */
    c->random_seed = c->random_seed > c->wired ? c->random_seed - 1 : TLB_ENTRIES - 1;
}
