/*
 * coherence.h - the vocabulary of the directory protocol (docs/protocol.md).
 *
 * One protocol message, its types and channels, the outbox every handler
 * emits into, and the machine address map (which node homes a line). Shared
 * by the home directory (directory.c), the cache-side agent
 * (coherence_agent.c), the wire codec (interconnect_codec.c) and the tests.
 */
#ifndef DISCO_NODE_COHERENCE_H
#define DISCO_NODE_COHERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* FLASH and the R10000's secondary cache both use 128-byte lines. */
#define COH_LINE_BYTES 128u
#define COH_LINE_SHIFT 7u
#define COH_LINE_MASK  ((uint64_t)COH_LINE_BYTES - 1)

/*
 * Every message travels between one cache agent and one home directory; the
 * type fixes the direction and the channel. Requests and forwarded requests
 * use the request channel; everything that completes a transaction uses the
 * reply channel. Replies are always consumed without waiting, so a full
 * request channel can never stop a transaction from finishing.
 */
enum coh_msg_type {
    COH_MSG_NONE = 0,
    /* agent -> home, request channel */
    COH_GET,     /* read miss: wants a shared (or exclusive-clean) copy */
    COH_GETX,    /* write miss: wants an exclusive copy with data */
    COH_UPGRADE, /* write to a shared copy: wants ownership, data if needed */
    COH_PUT,     /* writeback of an owned line being evicted (data if dirty) */
    /* home -> agent, request channel (forwarded requests) */
    COH_INV,      /* drop your shared copy, answer INV_ACK */
    COH_RECALL_S, /* owner: send the line home and keep a shared copy */
    COH_RECALL_X, /* owner: send the line home and invalidate */
    /* home -> agent, reply channel */
    COH_DATA_S,  /* shared copy with data */
    COH_DATA_X,  /* exclusive copy with data (E after GET, M after GETX) */
    COH_GRANT_X, /* exclusive without data: the upgrade's own copy is valid */
    COH_NACK,    /* home busy on this line: send the same request again */
    COH_WB_ACK,  /* the PUT is done (or was stale and ignored) */
    /* agent -> home, reply channel */
    COH_INV_ACK,    /* shared copy dropped (or was not held) */
    COH_RECALL_ACK, /* answer to a recall, data if dirty */
    COH_DONE,       /* requester installed its DATA/GRANT: home may unblock */
    COH_MSG_TYPE_COUNT
};

enum coh_channel { COH_CHANNEL_REQUEST, COH_CHANNEL_REPLY };

/* Message flags. */
#define COH_FLAG_DATA        0x01u /* data[] is valid */
#define COH_FLAG_DIRTY       0x02u /* PUT / RECALL_ACK: data differs from memory */
#define COH_FLAG_KEEP_SHARED 0x04u /* RECALL_ACK: the old owner kept a shared copy */
#define COH_FLAG_ALL         0x07u

struct coh_msg {
    uint8_t type;  /* enum coh_msg_type */
    uint8_t flags; /* COH_FLAG_* */
    uint16_t reserved;
    uint32_t agent;       /* the cache agent (global CPU number) involved */
    uint32_t home;        /* the home node of line_addr */
    uint32_t cost_cycles; /* home-side cycles (occupancy, extra legs) to charge */
    uint64_t line_addr;   /* machine address, COH_LINE_BYTES aligned */
    uint8_t data[COH_LINE_BYTES];
};

/* A growable list of messages a handler appends to. Owned by the caller. */
struct coh_outbox {
    struct coh_msg *msgs;
    size_t count;
    size_t capacity;
};

void coh_outbox_init(struct coh_outbox *box);
void coh_outbox_fini(struct coh_outbox *box);
void coh_outbox_clear(struct coh_outbox *box);
/* Appends a message with every field but data[] zeroed and returns it
 * (data[] is meaningful only with COH_FLAG_DATA). Aborts on OOM. The
 * pointer is valid until the next push. */
struct coh_msg *coh_outbox_push(struct coh_outbox *box);
/* Removes message i by moving the last one into its place (order not kept). */
void coh_outbox_remove(struct coh_outbox *box, size_t i);

/*
 * The machine address map: node i homes [base + i*bank_bytes, base +
 * (i+1)*bank_bytes). Agents are numbered globally; agent a lives on node
 * a / cpus_per_node.
 */
struct coh_addr_map {
    uint64_t base;
    uint64_t bank_bytes; /* a multiple of COH_LINE_BYTES */
    uint32_t node_count;
    uint32_t cpus_per_node;
};

/* 0 if the map is usable, DISCO_EINVAL otherwise. */
int coh_map_check(const struct coh_addr_map *map);
/* True if paddr is machine memory; then *home is its home node. */
bool coh_map_home(const struct coh_addr_map *map, uint64_t paddr, uint32_t *home);
uint32_t coh_map_agent_node(const struct coh_addr_map *map, uint32_t agent);
uint32_t coh_map_agent_count(const struct coh_addr_map *map);

static inline uint64_t coh_line_of(uint64_t paddr)
{
    return paddr & ~COH_LINE_MASK;
}

enum coh_channel coh_msg_channel(unsigned type);
/* True for the types an agent sends to a home. */
bool coh_msg_to_home(unsigned type);
/* "GET", "DATA_S", ...; "?" for unknown values. */
const char *coh_msg_type_name(unsigned type);

#endif
