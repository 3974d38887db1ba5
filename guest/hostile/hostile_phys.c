/*
 * hostile_phys.c - a guest that reaches for physical memory it does not own:
 * loads, stores and instruction fetches through KSEG0, KSEG1 and XKPHYS at
 * addresses past any RAM it was given (256 MiB, just below 2 GiB, 1 GiB, the
 * top of a 40-bit physical space) and one past PABITS. Every access should
 * fault (bus error, or address error past PABITS); the handler counts the
 * faults and skips the access. It prints the faults per class and exits 0.
 * In a VM the monitor may stop it instead: both are acceptable.
 */
#include "hostile.h"

#define XKPHYS_UNCACHED 0x9000000000000000ull
#define XKPHYS_CACHED   0x9800000000000000ull

struct probe {
    const char *segment;
    uint64_t address;
    bool fetch; /* also jump there */
};

static const struct probe probes[] = {
    {"kseg0", KSEG0_BASE + 0x10000000u, false},
    {"kseg0", KSEG0_BASE + 0x1ff00000u, false},
    {"kseg1", KSEG1_BASE + 0x10000000u, true},
    {"kseg1", KSEG1_BASE + 0x1ff00000u, false},
    {"xkphys", XKPHYS_UNCACHED + 0x7ffff000u, true},
    {"xkphys", XKPHYS_UNCACHED + 0x40000000u, false},
    {"xkphys", XKPHYS_CACHED + 0x40000000u, false},
    {"xkphys", XKPHYS_UNCACHED + 0xfffffff000ull, true},
    {"xkphys past PABITS", XKPHYS_UNCACHED + 0x10000000000ull, false},
};

static volatile uint64_t fetch_target; /* where a probing jump went, 0 when none */
static unsigned faults;

static void probe_load32(uint64_t address)
{
    uint32_t value;
    __asm__ volatile("lw %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    (void)value;
}

static void probe_load64(uint64_t address)
{
    uint64_t value;
    __asm__ volatile("ld %0, 0(%1)" : "=r"(value) : "r"(address) : "memory");
    (void)value;
}

static void probe_store(uint64_t address)
{
    __asm__ volatile("sw $0, 0(%0)" ::"r"(address) : "memory");
}

/* JALR there: the fetch faults with EPC = the target, and the handler returns to $ra. */
static void probe_fetch(uint64_t address)
{
    fetch_target = address;
    __asm__ volatile(".set push\n\t.set noreorder\n\tjalr %0\n\tnop\n\t.set pop" ::"r"(address)
                     : "$31", "memory");
    fetch_target = 0;
}

/* Runs the accesses of one probe; returns how many there were. */
static unsigned probe_run(const struct probe *p)
{
    probe_load32(p->address);
    probe_load64(p->address + 8);
    probe_store(p->address + 16);
    if (!p->fetch)
        return 3;
    probe_fetch(p->address + 32);
    return 4;
}

static bool same_text(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

void hostile_main(void)
{
    /* KX: XKPHYS is reachable in kernel mode only with 64-bit kernel addressing. */
    __asm__ volatile("mtc0 %0, $12\n\tsll $0, $0, 3" ::"r"(ST_KX) : "memory");
    unsigned n = sizeof(probes) / sizeof(probes[0]);
    for (unsigned first = 0; first < n;) {
        unsigned accesses = 0, faults_before = faults, last = first;
        while (last < n && same_text(probes[last].segment, probes[first].segment))
            accesses += probe_run(&probes[last++]);
        tk_puts("hostile_phys: ");
        tk_puts(probes[first].segment);
        tk_puts(": ");
        tk_putdec(accesses);
        tk_puts(" accesses, ");
        tk_putdec(faults - faults_before);
        tk_puts(" faulted\n");
        first = last;
    }
    hostile_print_counts("hostile_phys:");
    tk_puts("hostile_phys: done\n");
}

void hostile_trap(struct tk_frame *f)
{
    faults++;
    f->status = HOSTILE_SAFE_STATUS;
    if (fetch_target && f->epc == fetch_target)
        f->epc = f->gpr[31];
    else
        hostile_skip(f);
}
