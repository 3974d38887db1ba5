/*
 * tlb.h - the R4000-style joint TLB (64 entries of even/odd page pairs,
 * page sizes 4 KB-16 MB, ASIDs, global bit) and virtual address translation
 * for every MIPS64 segment (useg/xuseg, ksseg/xsseg, kseg0/1, kseg3, xkphys,
 * xkseg, ckseg*), with the 32/64-bit segment enables (UX/SX/KX).
 */
#ifndef DISCO_NODE_TLB_H
#define DISCO_NODE_TLB_H

#include <stdbool.h>
#include <stdint.h>

struct cpu;

#define TLB_ENTRIES 64

enum mem_access { ACCESS_LOAD = 0, ACCESS_STORE = 1, ACCESS_FETCH = 2 };

struct tlb_entry {
    uint64_t mask; /* PageMask */
    uint64_t vpn2; /* EntryHi VPN2 and R fields, masked */
    uint8_t asid;
    bool global;
    uint64_t lo[2]; /* EntryLo0/1: PFN, C, D, V */
};

struct tlb {
    struct tlb_entry entry[TLB_ENTRIES];
};

/* Result of a translation. */
struct translation {
    uint64_t paddr;
    /* Bytes mapped contiguously around paddr (>= 4096), for host-side caching. */
    uint64_t page_size;
    bool cached;   /* cache attribute: false for kseg1/uncached xkphys/C=2 */
    bool writable; /* a store would succeed (D bit, or unmapped segment) */
};

/*
 * Translates vaddr for the current mode and ASID. Returns 0 and fills *out,
 * or raises the architectural exception (address error, TLB refill/XTLB
 * refill, invalid, modified) through cpu_raise_address() and returns 1.
 */
int tlb_translate(struct cpu *cpu, uint64_t vaddr, enum mem_access access, struct translation *out);

/* TLBP / TLBR / TLBWI / TLBWR against CP0 Index/EntryHi/EntryLo/PageMask. */
void tlb_probe(struct cpu *cpu);
void tlb_read(struct cpu *cpu);
void tlb_write_indexed(struct cpu *cpu);
void tlb_write_random(struct cpu *cpu);

#endif
