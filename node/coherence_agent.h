/*
 * coherence_agent.h - one CPU's caches and the cache side of the protocol.
 *
 * Owns a split L1 (tag-only, for timing) kept inclusive in a unified L2 that
 * holds the data and the MESI state, plus a few miss/writeback buffers for
 * lines in transition. A CPU access that hits completes at once; one that
 * misses sends GET/GETX/UPGRADE and returns AGENT_PENDING, and the CPU
 * restarts the instruction once the line has arrived (agent_handle() on the
 * reply). Incoming INV/RECALL are answered at once, whatever the CPU is
 * doing. No I/O: every message goes to a caller-supplied outbox. Called by
 * the node server's CPU memory path and interconnect loop, and by tests.
 */
#ifndef DISCO_NODE_COHERENCE_AGENT_H
#define DISCO_NODE_COHERENCE_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "cache.h"
#include "coherence.h"
#include "timing.h"

struct agent_config {
    uint32_t agent_id; /* global CPU number; lives on node agent_id / cpus_per_node */
    struct coh_addr_map map;
    struct timing_params timing; /* cache geometry and latencies */
    /* Called whenever this cache loses a line (invalidated, recalled
     * exclusive, evicted): the CPU clears its LL bit if it matches
     * (MIPS LL/SC: an SC fails once the line may have been written). */
    void (*line_lost)(void *opaque, uint64_t line_addr);
    /* Optional: the line stays readable but is no longer writable (a
     * RECALL_S took ownership away): the CPU drops its direct write access. */
    void (*line_downgraded)(void *opaque, uint64_t line_addr);
    void *opaque;
};

enum agent_access_kind { AGENT_FETCH, AGENT_LOAD, AGENT_STORE };

enum agent_status {
    AGENT_DONE,      /* performed; *cycles says what it cost */
    AGENT_PENDING,   /* a miss is in progress: retry the same access later */
    AGENT_BUS_ERROR, /* not machine memory, or crosses a 128-byte line */
};

struct agent_stats {
    uint64_t fetches, loads, stores;
    uint64_t l1_hits, l2_hits;
    uint64_t local_misses, remote_misses; /* completed fills, by home */
    uint64_t upgrades;                    /* UPGRADE requests sent */
    uint64_t miss_cycles;                 /* sum of the latencies of completed misses */
    uint64_t writebacks;                  /* PUTs sent (dirty or clean) */
    uint64_t nacks;                       /* NACKs received (each one a retry) */
    uint64_t invalidations;               /* INVs received */
    uint64_t recalls;                     /* RECALL_S/RECALL_X received */
    uint64_t stalls;                      /* accesses refused for lack of a buffer or way */
    uint64_t protocol_errors;             /* messages refused */
};

struct agent;

/* DISCO_EINVAL for an unusable map or cache geometry. */
int agent_create(const struct agent_config *config, struct agent **out)
    __attribute__((warn_unused_result));
void agent_destroy(struct agent *agent);

/*
 * One CPU access of size bytes (1..128, within one line) at machine address
 * paddr: FETCH/LOAD copy the bytes to buf, STORE copies buf into the line
 * (memory byte order; the CPU handles endianness). Requests it sends are
 * appended to out. On AGENT_DONE *cycles is the cost to charge, including
 * the latency of the miss that brought the line in.
 */
enum agent_status agent_access(struct agent *agent, enum agent_access_kind kind, uint64_t paddr,
                               void *buf, unsigned size, struct coh_outbox *out, uint32_t *cycles);

/*
 * Handles one message addressed to this agent; answers go to out. Returns
 * 0, DISCO_EINVAL for a message with bad fields or not for this agent, or
 * DISCO_EPROTO for one the line's state does not expect (refused, counted,
 * nothing changed).
 */
int agent_handle(struct agent *agent, const struct coh_msg *in, struct coh_outbox *out)
    __attribute__((warn_unused_result));

/*
 * The L2 bytes of the line holding paddr if the line is held with the
 * permission kind needs (a store needs MODIFIED: an EXCLUSIVE line is made
 * MODIFIED now, as the store would), else NULL. The CPU reads and writes
 * them directly (its fast path) until line_lost or line_downgraded says
 * otherwise; such accesses bypass the L1 tags and statistics.
 */
uint8_t *agent_line_data(struct agent *agent, uint64_t paddr, enum agent_access_kind kind);

/*
 * Forgets the line holding paddr at every level WITHOUT writeback or message:
 * its data is dead (a machine page of a destroyed VM that the monitor is
 * about to reuse). line_lost is called so the CPU's fast path and LL bit
 * forget it too. The caller resets the home directory's entry
 * (dir_purge_page). *held says whether the L2 had it. DISCO_EBUSY, nothing
 * changed, while a transaction for the line is in flight.
 */
int agent_purge_line(struct agent *agent, uint64_t paddr, bool *held)
    __attribute__((warn_unused_result));

/* Lines with a transaction in flight (0 when quiescent). */
uint32_t agent_outstanding(const struct agent *agent);
/* The MESI state the L2 holds addr in (CACHE_INVALID if absent). */
enum cache_state agent_line_state(const struct agent *agent, uint64_t paddr);
const struct agent_stats *agent_get_stats(const struct agent *agent);
/* The cache arrays, for statistics and tests. */
struct cache *agent_l1i(struct agent *agent);
struct cache *agent_l1d(struct agent *agent);
struct cache *agent_l2(struct agent *agent);

#endif
