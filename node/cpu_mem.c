/*
 * cpu_mem.c - the CPU's memory path: the host-side fast translation cache
 * (ftlb), the slow path behind it (user address space in flash-run, TLB +
 * physical bus in system mode, devices never cached), byte order, and the
 * cache of pre-decoded code pages that stores into code must invalidate.
 * Called by the interpreter (cpu_exec.c), the FPU and CP0 through cpu_load/
 * cpu_store, and by whoever changes translations (cpu_ftlb_flush).
 */
#include <string.h>

#include "bus.h"
#include "cpu_decode.h"
#include "cpu_internal.h"
#include "uspace.h"
#include "xalloc.h"

#define CODE_PAGES 512 /* decoded pages kept per CPU (8 MB of host memory) */
#define CODE_HASH  1024

struct code_cache {
    struct code_page *hash[CODE_HASH];
    unsigned next_victim;
    const void *decode_handler, *page_end_handler;
    struct code_page pages[CODE_PAGES];
};

static bool guest_swaps(const struct cpu *cpu)
{
    return cpu->big_endian != HOST_BIG_ENDIAN;
}

/* Instruction entries: always by 4 KB page. */
static struct ftlb_entry *ftlb_entry_for(struct cpu *cpu, uint64_t vaddr)
{
    return &cpu->ftlb[(vaddr >> 12) & (FTLB_SIZE - 1)];
}

/* Data entries: by page, or by 128-byte line in coherent mode. */
static struct ftlb_entry *ftlb_data_entry(struct cpu *cpu, uint64_t vaddr)
{
    return &cpu->ftlb[(vaddr >> cpu->ftlb_shift) & (FTLB_SIZE - 1)];
}

/* Remembers an entry about to be filled, so a flush need not clear them all. */
static void ftlb_note_fill(struct cpu *cpu, struct ftlb_entry *e)
{
    if (!e->listed) {
        e->listed = true;
        cpu->ftlb_used[cpu->ftlb_used_count++] = (uint16_t)(e - cpu->ftlb);
    }
}

/* ---- decoded code pages ---- */

static struct code_cache *code_cache(struct cpu *cpu)
{
    if (!cpu->code)
        cpu->code = xcalloc(1, sizeof(struct code_cache));
    return cpu->code;
}

static unsigned code_hash(const uint8_t *host_page)
{
    return (unsigned)((uintptr_t)host_page >> 12) & (CODE_HASH - 1);
}

static struct code_page *code_find(struct code_cache *cache, const uint8_t *host_page)
{
    for (struct code_page *p = cache->hash[code_hash(host_page)]; p; p = p->hash_next)
        if (p->host == host_page)
            return p;
    return NULL;
}

/* Forgets a decoded page: nothing may reach it through the ftlb any more. */
static void code_drop(struct cpu *cpu, struct code_page *page)
{
    struct code_page **link = &cpu->code->hash[code_hash(page->host)];
    while (*link != page)
        link = &(*link)->hash_next;
    *link = page->hash_next;
    for (unsigned i = 0; i < cpu->ftlb_used_count; i++) {
        struct ftlb_entry *e = &cpu->ftlb[cpu->ftlb_used[i]];
        if (e->code == page) {
            e->code = NULL;
            e->tag_fetch = FTLB_NONE;
        }
    }
    page->host = NULL;
    cpu->resync = true;
}

/*
 * A new decoded page for host_page. Stores to it must now take the slow path
 * (which drops the decoded page), so every write tag that reaches it goes.
 */
static struct code_page *code_new(struct cpu *cpu, const uint8_t *host_page)
{
    struct code_cache *cache = cpu->code;
    struct code_page *page = &cache->pages[cache->next_victim];
    cache->next_victim = (cache->next_victim + 1) % CODE_PAGES;
    if (page->host)
        code_drop(cpu, page);
    page->host = host_page;
    for (unsigned i = 0; i < CODE_PAGE_INSNS; i++)
        page->insn[i].handler = cache->decode_handler;
    page->insn[CODE_PAGE_INSNS].handler = cache->page_end_handler;
    unsigned h = code_hash(host_page);
    page->hash_next = cache->hash[h];
    cache->hash[h] = page;
    for (unsigned i = 0; i < cpu->ftlb_used_count; i++) {
        struct ftlb_entry *e = &cpu->ftlb[cpu->ftlb_used[i]];
        if (e->tag_write != FTLB_NONE && e->tag_write + e->host_minus_vaddr == (uintptr_t)host_page)
            e->tag_write = FTLB_NONE;
    }
    return page;
}

void cpu_code_set_handlers(struct cpu *cpu, const void *decode, const void *page_end)
{
    struct code_cache *cache = code_cache(cpu);
    cache->decode_handler = decode;
    cache->page_end_handler = page_end;
}

void cpu_code_invalidate(struct cpu *cpu, const uint8_t *host, uint64_t len)
{
    if (!cpu->code)
        return;
    for (unsigned i = 0; i < CODE_PAGES; i++) {
        struct code_page *p = &cpu->code->pages[i];
        if (p->host && p->host < host + len && host < p->host + 4096)
            code_drop(cpu, p);
    }
}

static void code_drop_all(struct cpu *cpu)
{
    if (!cpu->code)
        return;
    memset(cpu->code->hash, 0, sizeof(cpu->code->hash));
    for (unsigned i = 0; i < CODE_PAGES; i++)
        cpu->code->pages[i].host = NULL;
}

static void ftlb_clear(struct ftlb_entry *e)
{
    e->tag_read = e->tag_write = e->tag_fetch = FTLB_NONE;
    e->code = NULL;
    e->listed = false;
}

/*
 * Called on every guest TLB write and mode change in system mode, so it
 * clears only the entries filled since the last flush.
 */
void cpu_ftlb_flush(struct cpu *cpu)
{
    if (!cpu->ftlb_initialized) {
        for (unsigned i = 0; i < FTLB_SIZE; i++)
            ftlb_clear(&cpu->ftlb[i]);
        cpu->ftlb_initialized = true;
    }
    for (unsigned i = 0; i < cpu->ftlb_used_count; i++)
        ftlb_clear(&cpu->ftlb[cpu->ftlb_used[i]]);
    cpu->ftlb_used_count = 0;
    cpu->fetch_vline = FTLB_NONE;
    /* flash-run flushes only when mappings change: host pages may be reused. */
    if (cpu->uspace)
        code_drop_all(cpu);
    cpu->resync = true;
}

static bool tag_in_range(uint64_t tag, uint64_t vaddr, uint64_t size)
{
    return tag != FTLB_NONE && tag - vaddr < size;
}

void cpu_ftlb_drop_line(struct cpu *cpu, uint64_t line_paddr, bool lost)
{
    /* One line is one entry per virtual alias; the used list is short. */
    for (unsigned i = 0; i < cpu->ftlb_used_count; i++) {
        struct ftlb_entry *e = &cpu->ftlb[cpu->ftlb_used[i]];
        if (e->pline != line_paddr)
            continue;
        e->tag_write = FTLB_NONE;
        if (lost)
            e->tag_read = FTLB_NONE;
    }
    if (lost && cpu->fetch_pline == line_paddr)
        cpu->fetch_vline = FTLB_NONE;
}

/* Clears e's tags that fall in [vaddr, vaddr + size). */
static void ftlb_clear_in_range(struct ftlb_entry *e, uint64_t vaddr, uint64_t size)
{
    if (tag_in_range(e->tag_read, vaddr, size))
        e->tag_read = FTLB_NONE;
    if (tag_in_range(e->tag_write, vaddr, size))
        e->tag_write = FTLB_NONE;
    if (tag_in_range(e->tag_fetch, vaddr, size)) {
        e->tag_fetch = FTLB_NONE;
        e->code = NULL;
    }
}

void cpu_ftlb_flush_range(struct cpu *cpu, uint64_t vaddr, uint64_t size)
{
    vaddr &= FTLB_PAGE_MASK;
    uint64_t data_slots = size >> cpu->ftlb_shift;
    if (size > 0 && data_slots < cpu->ftlb_used_count && data_slots < FTLB_SIZE) {
        /* A small range (the monitor's 8 KB pairs): visit only the slots it hashes to. */
        for (uint64_t a = vaddr; a - vaddr < size; a += 1ull << cpu->ftlb_shift)
            ftlb_clear_in_range(ftlb_data_entry(cpu, a), vaddr, size);
        for (uint64_t a = vaddr; a - vaddr < size; a += 1ull << 12)
            ftlb_clear_in_range(ftlb_entry_for(cpu, a), vaddr, size);
        cpu->fetch_vline = FTLB_NONE;
        cpu->resync = true;
        return;
    }
    for (unsigned i = 0; i < cpu->ftlb_used_count; i++) {
        struct ftlb_entry *e = &cpu->ftlb[cpu->ftlb_used[i]];
        if (tag_in_range(e->tag_read, vaddr, size))
            e->tag_read = FTLB_NONE;
        if (tag_in_range(e->tag_write, vaddr, size))
            e->tag_write = FTLB_NONE;
        if (tag_in_range(e->tag_fetch, vaddr, size)) {
            e->tag_fetch = FTLB_NONE;
            e->code = NULL;
        }
    }
    cpu->fetch_vline = FTLB_NONE;
    cpu->resync = true;
}

/* ---- the slow path ---- */

/*
 * Where a later cache model charges its miss costs: every access that misses
 * the ftlb, and every uncached or device access, passes through here.
 */
static inline void charge_slow_access(struct cpu *cpu, uint64_t paddr, enum mem_access access)
{
    (void)cpu;
    (void)paddr;
    (void)access;
}

/* ---- coherent mode: machine memory through the cache agent ---- */

/* The I/O hole shadows machine memory (docs/bare-metal.md). */
#define IO_HOLE_BASE  0x1fc00000ull
#define IO_HOLE_LIMIT 0x20000000ull

static bool coherent_paddr(const struct cpu *cpu, uint64_t paddr)
{
    return cpu->coherent && paddr >= cpu->coh.base && paddr < cpu->coh.limit &&
           !(paddr >= IO_HOLE_BASE && paddr < IO_HOLE_LIMIT);
}

/*
 * One access through the agent. Returns 0 when done (cycles charged beyond
 * the one an L1 hit overlaps with the pipeline), 1 after raising a bus
 * error, or 1 with mem_stalled set when the line is on its way: the
 * interpreter then leaves cpu_run() with CPU_STOP_MEMORY and pc still at the
 * instruction, which restarts from scratch (no architectural effect yet).
 */
static int coherent_access(struct cpu *cpu, unsigned kind, uint64_t paddr, void *buf, unsigned size)
{
    uint32_t cycles = 0;
    enum cpu_mem_status st = cpu->coh.access(cpu->coh.opaque, kind, paddr, buf, size, &cycles);
    if (st == CPU_MEM_DONE) {
        if (cycles > 1)
            cpu->cycles += cycles - 1;
        return 0;
    }
    if (st == CPU_MEM_PENDING) {
        cpu->mem_stalled = true;
        cpu->exception_raised = true;
        return 1;
    }
    cpu_raise(cpu, kind == 0 ? EXC_IBE : EXC_DBE);
    return 1;
}

/*
 * After an access the agent performed: let later accesses to the line go
 * straight to the agent's copy (the interpreter's inline fast path) while
 * the line stays held with this permission. Loads get read access, stores
 * read and write access (the line is MODIFIED then).
 */
static void coherent_fill(struct cpu *cpu, uint64_t vaddr, uint64_t paddr, bool store)
{
    if (!cpu->coh.line_data)
        return;
    uint8_t *line = cpu->coh.line_data(cpu->coh.opaque, store ? 2 : 1, paddr);
    if (!line)
        return;
    uint64_t vline = vaddr & ~(uint64_t)127, pline = paddr & ~(uint64_t)127;
    struct ftlb_entry *e = ftlb_data_entry(cpu, vaddr);
    ftlb_note_fill(cpu, e);
    if (e->pline != pline || e->tag_read != vline)
        e->tag_read = e->tag_write = FTLB_NONE;
    e->pline = pline;
    e->host_minus_vaddr = (uintptr_t)line - (uintptr_t)vline;
    e->tag_read = vline;
    if (store)
        e->tag_write = vline;
}

/* A user-mode fault, coded as Linux sees it from the hardware. */
static void raise_user_fault(struct cpu *cpu, uint64_t vaddr, enum mem_access access)
{
    bool store = access == ACCESS_STORE;
    if (vaddr >= USPACE_LIMIT) {
        cpu_raise_address(cpu, store ? EXC_ADES : EXC_ADEL, vaddr, false);
        return;
    }
    int prot = uspace_page_prot(cpu->uspace, vaddr);
    if (store && prot >= 0)
        cpu_raise_address(cpu, EXC_MOD, vaddr, false);
    else
        cpu_raise_address(cpu, store ? EXC_TLBS : EXC_TLBL, vaddr, prot < 0);
}

/* What a data access resolved to. */
struct target {
    uint8_t *host;  /* RAM, or NULL for a device or coherent memory */
    uint64_t paddr; /* for devices and coherent memory */
    bool coherent;  /* machine memory behind the cache agent */
    bool cacheable; /* coherent: the ftlb may point at the line (cached, writable for stores) */
};

/*
 * Translates vaddr for a data access of this size, raising the guest
 * exception on failure (returns 1). Fills the ftlb when the page may be
 * cached on the host side.
 */
static int resolve(struct cpu *cpu, uint64_t vaddr, unsigned size, enum mem_access access,
                   struct target *out)
{
    bool store = access == ACCESS_STORE;
    if (vaddr & (size - 1)) {
        cpu_raise_address(cpu, store ? EXC_ADES : EXC_ADEL, vaddr, false);
        return 1;
    }
    uint64_t vpage = vaddr & FTLB_PAGE_MASK;
    uint8_t *host_page = NULL;
    bool cacheable = true;
    if (cpu->uspace) {
        uint64_t page_vaddr;
        uint8_t *host = uspace_translate(cpu->uspace, vaddr, access, &page_vaddr);
        if (!host) {
            raise_user_fault(cpu, vaddr, access);
            return 1;
        }
        host_page = host - (vaddr & 0xfff);
    } else {
        struct translation tr;
        if (!cpu->bus || tlb_translate(cpu, vaddr, access, &tr) != 0) {
            if (!cpu->bus)
                cpu_raise(cpu, EXC_DBE);
            return 1;
        }
        charge_slow_access(cpu, tr.paddr, access);
        out->coherent = coherent_paddr(cpu, tr.paddr);
        if (out->coherent) {
            /* The agent decides; the ftlb may then point at its line. */
            out->host = NULL;
            out->paddr = tr.paddr;
            out->cacheable = tr.cached && (!store || tr.writable);
            return 0;
        }
        uint64_t avail;
        uint64_t ppage = tr.paddr & FTLB_PAGE_MASK;
        uint8_t *ram = bus_ram(cpu->bus, ppage, &avail);
        if (!ram || avail < 4096) {
            out->host = NULL;
            out->paddr = tr.paddr;
            return 0;
        }
        host_page = ram;
        cacheable = tr.cached && (!store || tr.writable);
    }
    out->host = host_page + (vaddr & 0xfff);
    if (store && cpu->code) {
        struct code_page *code = code_find(cpu->code, host_page);
        if (code)
            code_drop(cpu, code); /* self-modifying code: decode it again */
    }
    if (!cacheable)
        return 0;
    struct ftlb_entry *e = ftlb_data_entry(cpu, vaddr);
    uintptr_t delta = (uintptr_t)host_page - (uintptr_t)vpage;
    ftlb_note_fill(cpu, e);
    if (store) {
        if (e->tag_read != vpage)
            e->tag_read = FTLB_NONE;
        e->tag_write = vpage;
    } else {
        if (e->tag_write != vpage)
            e->tag_write = FTLB_NONE;
        e->tag_read = vpage;
    }
    e->host_minus_vaddr = delta;
    return 0;
}

int cpu_load(struct cpu *cpu, uint64_t vaddr, unsigned size, uint64_t *value)
{
    const struct ftlb_entry *e = ftlb_data_entry(cpu, vaddr);
    if (e->tag_read == (vaddr & (cpu->ftlb_tag_mask | (size - 1)))) {
        *value = host_load(vaddr + e->host_minus_vaddr, size, guest_swaps(cpu));
        cpu->last_line = e->pline; /* for LL (coherent mode) */
        return 0;
    }
    struct target t = {0};
    if (resolve(cpu, vaddr, size, ACCESS_LOAD, &t) != 0)
        return 1;
    if (t.coherent) {
        uint8_t buf[8];
        if (coherent_access(cpu, 1, t.paddr, buf, size) != 0)
            return 1;
        cpu->last_line = t.paddr & ~(uint64_t)127;
        if (t.cacheable)
            coherent_fill(cpu, vaddr, t.paddr, false);
        *value = host_load((uintptr_t)buf, size, guest_swaps(cpu));
        return 0;
    }
    if (t.host) {
        *value = host_load((uintptr_t)t.host, size, guest_swaps(cpu));
        return 0;
    }
    if (bus_read_device(cpu->bus, t.paddr, size, value) != 0) {
        cpu_raise(cpu, EXC_DBE);
        return 1;
    }
    return 0;
}

int cpu_store(struct cpu *cpu, uint64_t vaddr, unsigned size, uint64_t value)
{
    const struct ftlb_entry *e = ftlb_data_entry(cpu, vaddr);
    if (e->tag_write == (vaddr & (cpu->ftlb_tag_mask | (size - 1)))) {
        host_store(vaddr + e->host_minus_vaddr, size, value, guest_swaps(cpu));
        return 0;
    }
    struct target t = {0};
    if (resolve(cpu, vaddr, size, ACCESS_STORE, &t) != 0)
        return 1;
    if (t.coherent) {
        uint8_t buf[8];
        host_store((uintptr_t)buf, size, value, guest_swaps(cpu));
        if (coherent_access(cpu, 2, t.paddr, buf, size) != 0)
            return 1;
        if (t.cacheable)
            coherent_fill(cpu, vaddr, t.paddr, true);
        return 0;
    }
    if (t.host) {
        host_store((uintptr_t)t.host, size, value, guest_swaps(cpu));
        return 0;
    }
    if (bus_write_device(cpu->bus, t.paddr, size, value) != 0) {
        cpu_raise(cpu, EXC_DBE);
        return 1;
    }
    return 0;
}

/* ---- instruction fetch ---- */

int cpu_fetch_slow(struct cpu *cpu, uint64_t pc, struct code_page **page, uint32_t *word)
{
    if (pc & 3) {
        cpu_raise_address(cpu, EXC_ADEL, pc, false);
        return 1;
    }
    if (cpu->fetch_vline == (pc & ~(uint64_t)127)) {
        /* Coherent mode, the line we fetch from: still held (else dropped). */
        *word = (uint32_t)host_load((uintptr_t)(cpu->fetch_host + (pc & 127)), 4, guest_swaps(cpu));
        return 2;
    }
    const uint8_t *host_page;
    if (cpu->uspace) {
        uint64_t page_vaddr;
        uint8_t *host = uspace_translate(cpu->uspace, pc, ACCESS_FETCH, &page_vaddr);
        if (!host) {
            raise_user_fault(cpu, pc, ACCESS_FETCH);
            return 1;
        }
        host_page = host - (pc & 0xfff);
    } else {
        struct translation tr;
        if (!cpu->bus) {
            cpu_raise(cpu, EXC_IBE);
            return 1;
        }
        if (tlb_translate(cpu, pc, ACCESS_FETCH, &tr) != 0)
            return 1;
        charge_slow_access(cpu, tr.paddr, ACCESS_FETCH);
        if (coherent_paddr(cpu, tr.paddr)) {
            /* One instruction at a time through the agent's L1 I (no decoded
             * page: its bytes could change under another CPU's store). */
            uint8_t buf[4];
            if (coherent_access(cpu, 0, tr.paddr, buf, 4) != 0)
                return 1;
            *word = (uint32_t)host_load((uintptr_t)buf, 4, guest_swaps(cpu));
            cpu->last_fetch_pc = pc;
            cpu->last_fetch_word = *word;
            const uint8_t *line = tr.cached && cpu->coh.line_data
                                      ? cpu->coh.line_data(cpu->coh.opaque, 0, tr.paddr)
                                      : NULL;
            if (line) {
                cpu->fetch_vline = pc & ~(uint64_t)127;
                cpu->fetch_pline = tr.paddr & ~(uint64_t)127;
                cpu->fetch_host = line;
            }
            return 2;
        }
        uint64_t avail;
        uint8_t *ram = bus_ram(cpu->bus, tr.paddr & FTLB_PAGE_MASK, &avail);
        if (!ram || avail < 4096 || !tr.cached) {
            uint64_t v;
            if (ram) {
                v = host_load((uintptr_t)(ram + (tr.paddr & 0xfff)), 4, guest_swaps(cpu));
            } else if (bus_read_device(cpu->bus, tr.paddr, 4, &v) != 0) {
                cpu_raise(cpu, EXC_IBE);
                return 1;
            }
            *word = (uint32_t)v;
            return 2;
        }
        host_page = ram;
    }
    struct code_cache *cache = code_cache(cpu);
    struct code_page *p = code_find(cache, host_page);
    if (!p)
        p = code_new(cpu, host_page);
    struct ftlb_entry *e = ftlb_entry_for(cpu, pc);
    ftlb_note_fill(cpu, e);
    e->tag_fetch = pc & FTLB_PAGE_MASK;
    e->code = p;
    *page = p;
    return 0;
}

int cpu_peek_insn(struct cpu *cpu, uint64_t vaddr, uint32_t *word)
{
    if (vaddr & 3)
        return 1;
    const uint8_t *host = NULL;
    const struct ftlb_entry *e = ftlb_entry_for(cpu, vaddr);
    if (e->tag_fetch == (vaddr & FTLB_PAGE_MASK) && e->code && e->code->host) {
        host = e->code->host + (vaddr & 0xfff);
    } else if (cpu->coherent && cpu->fetch_host && (vaddr & ~(uint64_t)127) == cpu->fetch_vline) {
        /* Coherent mode fetches line by line: the line just executed from is still held. */
        host = cpu->fetch_host + (vaddr & 127);
    } else if (cpu->coherent && cpu->last_fetch_pc == vaddr) {
        *word = cpu->last_fetch_word; /* fetched one by one (no fast path): the last word */
        return 0;
    } else if (cpu->uspace) {
        uint64_t page_vaddr;
        host = uspace_translate(cpu->uspace, vaddr, ACCESS_FETCH, &page_vaddr);
    }
    if (!host)
        return 1;
    *word = (uint32_t)host_load((uintptr_t)host, 4, guest_swaps(cpu));
    return 0;
}
