/*
 * directory.h - the home directory of one node's memory bank.
 *
 * Per 128-byte line: a stable state (UNOWNED, SHARED, EXCLUSIVE), a busy bit
 * and the sharer set (sharers.h); per 4 KB page: cache-miss counters by
 * requesting node, which Disco's NUMA policy reads (FLASH's MAGIC counted
 * misses per page the same way). An event-driven state machine: dir_handle()
 * takes one message and appends what it sends to a caller-supplied outbox;
 * no I/O, no blocking. Lines with a transaction in flight are busy and NACK
 * new requests (docs/protocol.md). Called by the node server's interconnect
 * loop and by tests/node/test_directory.c and the protocol simulation.
 */
#ifndef DISCO_NODE_DIRECTORY_H
#define DISCO_NODE_DIRECTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "coherence.h"
#include "sharers.h"
#include "timing.h"

enum dir_state {
    DIR_UNOWNED = 0, /* memory is the only copy */
    DIR_SHARED,      /* memory up to date, the sharers may hold clean copies */
    DIR_EXCLUSIVE,   /* one owner holds it E or M; memory may be stale */
};

struct dir_config {
    uint32_t node_id;
    struct coh_addr_map map;
    uint8_t *bank;               /* map.bank_bytes of memory; not owned, outlives the directory */
    struct timing_params timing; /* costs charged into replies; page_bytes, max transactions */
};

struct dir_line_info {
    enum dir_state state;
    bool busy;              /* a transaction is in flight */
    struct sharers sharers; /* SHARED: the sharers; EXCLUSIVE: the owner */
    uint32_t owner;         /* EXCLUSIVE only */
};

/* Miss counts of one page: reads and writes from all nodes, and the nodes
 * with the most misses (space-saving top-k: exact while at most
 * DIR_PAGE_TOP_NODES nodes miss on the page; beyond that a node's count may
 * be overestimated, by at most the smallest count listed). */
#define DIR_PAGE_TOP_NODES 4
struct dir_page_misses {
    uint32_t read_misses;
    uint32_t write_misses; /* GETX and UPGRADE */
    uint32_t top_count;    /* valid entries of node[] and misses[] */
    uint32_t node[DIR_PAGE_TOP_NODES];
    uint32_t misses[DIR_PAGE_TOP_NODES];
};

struct dir_stats {
    uint64_t requests;        /* GET/GETX/UPGRADE accepted */
    uint64_t nacks;           /* requests refused because the line was busy */
    uint64_t nacks_no_slot;   /* refused because every transaction slot was in use */
    uint64_t writebacks;      /* PUTs accepted (dirty or clean) */
    uint64_t stale_puts;      /* PUTs from a cache that no longer owned the line */
    uint64_t invalidations;   /* INVs sent */
    uint64_t recalls;         /* RECALL_S / RECALL_X sent */
    uint64_t dataless_grants; /* upgrades answered without data */
    uint64_t flushes;         /* dir_flush_line() transactions completed */
    uint64_t protocol_errors; /* messages refused (bad field or unexpected in state) */
};

struct directory;

/* DISCO_EINVAL if the configuration is unusable. */
int dir_create(const struct dir_config *config, struct directory **out)
    __attribute__((warn_unused_result));
void dir_destroy(struct directory *dir);

/*
 * Handles one message addressed to this home. Appends replies and forwarded
 * requests to out (the caller owns both). Returns 0, DISCO_EINVAL for a
 * message that is not for this home or has bad fields, DISCO_EPROTO for one
 * the line's state does not expect; refused messages are counted and change
 * nothing.
 */
int dir_handle(struct directory *dir, const struct coh_msg *in, struct coh_outbox *out)
    __attribute__((warn_unused_result));

/*
 * Makes memory the only copy of the line holding addr, for DMA and page
 * copies (Disco's migration and replication): INVs every sharer or recalls
 * the owner. Returns 0 when the line is UNOWNED and not busy: until the
 * caller's next dir_handle() it may read or write the bank bytes directly.
 * Returns DISCO_EBUSY while a transaction (this flush or another) is in
 * flight: handle more messages and call again. DISCO_EINVAL if not homed
 * here. Requests after a 0 can bring copies back, so the caller must have
 * stopped CPU access to the page first (TLB shootdown) when it matters.
 */
int dir_flush_line(struct directory *dir, uint64_t addr, struct coh_outbox *out)
    __attribute__((warn_unused_result));

/*
 * Makes every line of the page holding addr UNOWNED with no sharer and zeroes
 * the page's miss counters, without any message: for a machine page whose
 * data is dead (a destroyed VM's), after the caller purged it from every
 * cache that could hold it (agent_purge_line). DISCO_EBUSY, nothing changed,
 * if a line of the page has a transaction in flight; DISCO_EINVAL if the
 * page is not homed here.
 */
int dir_purge_page(struct directory *dir, uint64_t addr) __attribute__((warn_unused_result));

/* State of the line holding addr; DISCO_EINVAL if this node is not its home. */
int dir_line_info(const struct directory *dir, uint64_t addr, struct dir_line_info *info)
    __attribute__((warn_unused_result));
/* Miss counters of the page holding addr; DISCO_EINVAL if not homed here. */
int dir_page_misses(const struct directory *dir, uint64_t addr, struct dir_page_misses *out)
    __attribute__((warn_unused_result));
/* Zeroes every page's counters (Disco resets them after each policy pass). */
void dir_reset_page_misses(struct directory *dir);

const struct dir_stats *dir_get_stats(const struct directory *dir);
/* Transactions in flight (0 when the home is quiescent). */
uint32_t dir_busy_lines(const struct directory *dir);
/* Directory bytes per 128-byte line: the sharer word plus the state byte. */
unsigned dir_bytes_per_line(void);

#endif
