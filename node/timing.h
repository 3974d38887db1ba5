/*
 * timing.h - the one table of sizes and latencies of the simulated memory
 * system (caches, memory, interconnect, directory), with units in the names.
 *
 * Defaults follow the R10000 and FLASH figures; each field names its source
 * and docs/protocol.md explains the model. The cache agent and the home
 * directory read it to charge simulated cycles; the node server fills it
 * from its configuration.
 */
#ifndef DISCO_NODE_TIMING_H
#define DISCO_NODE_TIMING_H

#include <stdint.h>

struct timing_params {
    uint32_t cpu_clock_mhz; /* 200: FLASH's R10000 ran at about 200 MHz (REFERENCE.md) */

    /* Caches (R10000 user's manual, ch. 1: 32 KB 2-way split L1, 512 KB-16 MB
     * 2-way unified L2; FLASH used 1-4 MB). Lines are COH_LINE_BYTES (128). */
    uint32_t l1i_size_bytes; /* 32768 */
    uint32_t l1i_ways;       /* 2 */
    uint32_t l1d_size_bytes; /* 32768 */
    uint32_t l1d_ways;       /* 2 */
    uint32_t l2_size_bytes;  /* 1 MiB */
    uint32_t l2_ways;        /* 2 */
    uint32_t l1_hit_cycles;  /* 1: the R10000's 2-cycle load-use, one cycle overlapped */
    uint32_t l2_hit_cycles;  /* 10: R10000 secondary cache refill of an L1 line, 8-10+ cycles */

    /* Memory and interconnect (cycles of the CPU clock). A miss served by the
     * local home costs local_miss_cycles; a remote one adds remote_base_cycles
     * and 2 * hops * hop_cycles. With the defaults a 1-hop miss is 3.3x local
     * and a 4-hop one 5.3x: FLASH's remote latency was 3-5x local. */
    uint32_t local_miss_cycles;          /* 60: ~300 ns local miss at 200 MHz (check) */
    uint32_t remote_base_cycles;         /* 100: two network-interface crossings */
    uint32_t hop_cycles;                 /* 20: one router hop, one way (~100 ns) */
    uint32_t directory_occupancy_cycles; /* 10: MAGIC handler time per message handled */

    /* Directory and agent bookkeeping. */
    uint32_t page_bytes;            /* 4096: the page the miss counters count (Disco's pages) */
    uint32_t dir_max_transactions;  /* 64: lines a home can have busy at once; more are NACKed */
    uint32_t agent_max_outstanding; /* 16: an agent's miss/writeback buffers (R10000 had 4 MSHRs
                                       plus a writeback buffer; we allow more for batching) */
};

/* Fills in the defaults above. */
void timing_defaults(struct timing_params *params);

/* Router hops between two nodes on a 2-D mesh of node_count nodes (row-major,
 * side = ceil(sqrt(node_count))); 0 for the same node. */
uint32_t timing_hops(uint32_t node_count, uint32_t from, uint32_t to);

/* One-way network latency between two nodes: 0 on the same node, else
 * remote_base_cycles / 2 + hops * hop_cycles. */
uint32_t timing_leg_cycles(const struct timing_params *params, uint32_t node_count, uint32_t from,
                           uint32_t to);

/* The cost of a miss from requester_node served by home with no third party:
 * local_miss_cycles + both legs. */
uint32_t timing_miss_cycles(const struct timing_params *params, uint32_t node_count,
                            uint32_t requester_node, uint32_t home);

#endif
