/*
 * vm.c - the test kernel's memory: physical frames (a bump allocator over
 * physical 2-8 MiB), one two-level page table per process in the layout the
 * refill handler (start.S) walks, demand-zero pages, and the few TLB
 * operations the kernel needs (initialization, refreshing one entry after a
 * fault). Every frame is reached through KSEG0, never through the TLB.
 */
#include "tk.h"

#define FRAME_POOL_START 0x00200000u
#define FRAME_POOL_END   0x00800000u
#define DIR_SLOTS        1024u /* indexed by va[30:21] */
#define LEAF_PAIRS       256u  /* indexed by va[20:13]; two EntryLo words each */
#define ENTRYLO_CACHED   (3u << 3)
#define ENTRYLO_DIRTY    4u /* "writable" on MIPS */
#define ENTRYLO_VALID    2u
#define INDEX_PROBE_MISS 0x80000000u

uint64_t tk_refill_count;
uint64_t tk_cur_pgdir;
unsigned tk_page_faults;

static uint64_t next_frame = FRAME_POOL_START;
/* The leaf of every directory slot that maps nothing: all pairs invalid. */
static uint64_t zero_leaf[LEAF_PAIRS * 2] __attribute__((aligned(4096)));

static void zero_page(void *page)
{
    uint64_t *p = page;
    for (unsigned i = 0; i < PAGE_SIZE / 8; i += 4) {
        p[i] = 0;
        p[i + 1] = 0;
        p[i + 2] = 0;
        p[i + 3] = 0;
    }
}

/* A zeroed frame, as a KSEG0 pointer; NULL when the pool is exhausted. */
void *vm_alloc_frame(void)
{
    if (next_frame >= FRAME_POOL_END)
        return NULL;
    void *page = (void *)(uintptr_t)(KSEG0_BASE + next_frame);
    next_frame += PAGE_SIZE;
    zero_page(page);
    return page;
}

static uint64_t *leaf_of(uint32_t slot_value)
{
    return (uint64_t *)(intptr_t)(int32_t)slot_value; /* KSEG0 pointers sign-extend */
}

uint32_t *vm_new_directory(void)
{
    uint32_t *dir = vm_alloc_frame();
    if (!dir)
        return NULL;
    for (unsigned i = 0; i < DIR_SLOTS; i++)
        dir[i] = (uint32_t)(uintptr_t)zero_leaf;
    return dir;
}

/* The EntryLo word of user page va; with create, the leaf is allocated if missing. */
uint64_t *vm_pte(uint32_t *dir, uint32_t va, bool create)
{
    uint32_t *slot = &dir[(va >> 21) & (DIR_SLOTS - 1)];
    uint64_t *leaf = leaf_of(*slot);
    if (leaf == zero_leaf) {
        if (!create)
            return NULL;
        leaf = vm_alloc_frame();
        if (!leaf)
            return NULL;
        *slot = (uint32_t)(uintptr_t)leaf;
    }
    return &leaf[((va >> 13) & (LEAF_PAIRS - 1)) * 2 + ((va >> 12) & 1)];
}

/*
 * Maps a zeroed frame at va unless something is mapped there already.
 * Returns the frame's KSEG0 address, or NULL when memory ran out; *fresh
 * tells whether the frame is new.
 */
void *vm_map_zero(uint32_t *dir, uint32_t va, bool writable, bool *fresh)
{
    uint64_t *pte = vm_pte(dir, va, true);
    *fresh = false;
    if (!pte)
        return NULL;
    if (*pte & ENTRYLO_VALID)
        return (void *)(uintptr_t)vm_frame_kseg0(*pte);
    void *frame = vm_alloc_frame();
    if (!frame)
        return NULL;
    uint64_t paddr = (uint64_t)(uintptr_t)frame & 0x1fffffffu;
    *pte = (paddr >> 12) << 6 | ENTRYLO_CACHED | (writable ? ENTRYLO_DIRTY : 0) | ENTRYLO_VALID;
    *fresh = true;
    return frame;
}

uint64_t vm_frame_kseg0(uint64_t pte)
{
    return KSEG0_BASE + ((pte >> 6) << 12);
}

bool vm_pte_valid(uint64_t pte)
{
    return pte & ENTRYLO_VALID;
}

/* TLBP/TLBWI/TLBWR need the hazard barrier before the next CP0 read (MIPS64 PRA, ch. 9). */
static void tlb_probe(void)
{
    __asm__ volatile("tlbp\n\tsll $0, $0, 3" ::: "memory");
}

static void tlb_write_indexed(void)
{
    __asm__ volatile("tlbwi\n\tsll $0, $0, 3" ::: "memory");
}

/*
 * After a fault made a page present: the TLB holds the pair with that page
 * invalid (the refill loaded it so), so rewrite the entry in place. A pair
 * that is not in the TLB is left to the next refill.
 */
void vm_tlb_refresh(uint32_t *dir, unsigned asid, uint32_t va)
{
    uint64_t *even = vm_pte(dir, va & ~0x1fffu, false);
    if (!even)
        return;
    TK_DMTC0(CP0_ENTRYHI, (va & ~0x1fffu) | asid);
    tlb_probe();
    if (!(TK_MFC0(CP0_INDEX, 0) & INDEX_PROBE_MISS)) {
        TK_DMTC0(CP0_ENTRYLO0, even[0]);
        TK_DMTC0(CP0_ENTRYLO1, even[1]);
        tlb_write_indexed();
    }
    TK_DMTC0(CP0_ENTRYHI, asid);
}

void vm_set_asid(unsigned asid)
{
    TK_DMTC0(CP0_ENTRYHI, asid);
}

/* Config.M: only MIPS64 CPUs have Config1; the R10000 (MIPS IV) has bit 31 clear. */
bool vm_cpu_is_mips64(void)
{
    return TK_MFC0(CP0_CONFIG, 0) & 0x80000000u;
}

/* TLB size: Config1.MMUSize on MIPS64, else the R10000's 64. */
static unsigned tlb_entries(void)
{
    if (!vm_cpu_is_mips64())
        return 64;
    return ((TK_MFC0(CP0_CONFIG, 1) >> 25) & 0x3f) + 1;
}

/*
 * 4 KB pages, nothing wired, and every entry invalid with a distinct KSEG0
 * EntryHi, which can never match (KSEG0 is unmapped) nor duplicate another.
 */
void vm_init(void)
{
    TK_MTC0(CP0_PAGEMASK, 0);
    TK_MTC0(CP0_WIRED, 0);
    TK_DMTC0(CP0_ENTRYLO0, 0);
    TK_DMTC0(CP0_ENTRYLO1, 0);
    unsigned n = tlb_entries();
    for (unsigned i = 0; i < n; i++) {
        TK_MTC0(CP0_INDEX, i);
        TK_DMTC0(CP0_ENTRYHI, KSEG0_BASE + (uint64_t)i * 0x2000);
        tlb_write_indexed();
    }
    TK_DMTC0(CP0_ENTRYHI, 0);
}
