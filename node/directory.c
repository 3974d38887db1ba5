/*
 * directory.c - the home side of the protocol (see directory.h and
 * docs/protocol.md for the transition table).
 *
 * A line's stable state and sharer word live in two flat arrays (9 bytes a
 * line). Only busy lines have more: a transaction slot that remembers the
 * requester, the phase and the acknowledgements still awaited. Every
 * transaction ends with the requester's DONE, so no forwarded request for a
 * line can overtake the data that made its receiver a sharer or owner.
 */
#include "directory.h"

#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

#define STATE_MASK 0x3u
#define BUSY_BIT   0x4u

enum txn_phase {
    PHASE_FREE = 0,
    PHASE_WAIT_ACKS,   /* INVs sent; counting INV_ACKs */
    PHASE_WAIT_RECALL, /* RECALL sent to the owner; waiting for RECALL_ACK */
    PHASE_WAIT_DONE,   /* reply sent; waiting for the requester's DONE */
};

/* The kind of a transaction the home starts itself (dir_flush_line). */
#define KIND_FLUSH COH_MSG_NONE

struct txn {
    uint8_t phase;
    uint8_t kind; /* the request: COH_GET, COH_GETX, COH_UPGRADE or KIND_FLUSH */
    bool dataless;
    uint64_t line;         /* line index within the bank */
    uint32_t requester;    /* agent (SHARERS_NONE for a flush) */
    uint32_t owner;        /* WAIT_RECALL: the agent recalled from */
    uint32_t pending_acks; /* WAIT_ACKS */
    uint32_t cost_cycles;  /* accumulated home-side cost for the reply */
};

struct page_counter {
    uint32_t reads, writes;
    uint32_t top_count;
    uint32_t node[DIR_PAGE_TOP_NODES];
    uint32_t misses[DIR_PAGE_TOP_NODES];
};

struct directory {
    struct dir_config config;
    uint64_t bank_base; /* first machine address homed here */
    uint64_t line_count;
    uint32_t agent_count;
    uint8_t *state; /* per line: enum dir_state | BUSY_BIT */
    struct sharers *sharers;
    struct txn *txns; /* config.timing.dir_max_transactions slots */
    uint32_t busy_count;
    uint64_t page_count;
    struct page_counter *pages;
    struct dir_stats stats;
};

int dir_create(const struct dir_config *config, struct directory **out)
{
    if (coh_map_check(&config->map) || config->node_id >= config->map.node_count || !config->bank)
        return DISCO_EINVAL;
    uint32_t page_bytes = config->timing.page_bytes;
    if (page_bytes < COH_LINE_BYTES || (page_bytes & (page_bytes - 1)) ||
        config->timing.dir_max_transactions == 0)
        return DISCO_EINVAL;
    struct directory *d = xcalloc(1, sizeof(*d));
    d->config = *config;
    d->bank_base = config->map.base + (uint64_t)config->node_id * config->map.bank_bytes;
    d->line_count = config->map.bank_bytes / COH_LINE_BYTES;
    d->agent_count = coh_map_agent_count(&config->map);
    d->state = xcalloc(d->line_count, sizeof(*d->state));
    d->sharers = xcalloc(d->line_count, sizeof(*d->sharers));
    d->txns = xcalloc(config->timing.dir_max_transactions, sizeof(*d->txns));
    d->page_count = (config->map.bank_bytes + page_bytes - 1) / page_bytes;
    d->pages = xcalloc(d->page_count, sizeof(*d->pages));
    *out = d;
    return 0;
}

void dir_destroy(struct directory *d)
{
    if (!d)
        return;
    free(d->pages);
    free(d->txns);
    free(d->sharers);
    free(d->state);
    free(d);
}

unsigned dir_bytes_per_line(void)
{
    return sharers_bytes_per_line() + 1;
}

const struct dir_stats *dir_get_stats(const struct directory *d)
{
    return &d->stats;
}

uint32_t dir_busy_lines(const struct directory *d)
{
    return d->busy_count;
}

static bool line_index(const struct directory *d, uint64_t addr, uint64_t *index)
{
    if (addr < d->bank_base || addr - d->bank_base >= d->config.map.bank_bytes)
        return false;
    *index = (addr - d->bank_base) >> COH_LINE_SHIFT;
    return true;
}

static uint8_t *line_bytes(struct directory *d, uint64_t line)
{
    return d->config.bank + line * COH_LINE_BYTES;
}

static enum dir_state state_of(const struct directory *d, uint64_t line)
{
    return (enum dir_state)(d->state[line] & STATE_MASK);
}

static void set_state(struct directory *d, uint64_t line, enum dir_state s)
{
    d->state[line] = (uint8_t)((d->state[line] & BUSY_BIT) | s);
}

static uint32_t owner_of(const struct directory *d, uint64_t line)
{
    return sharers_next(&d->sharers[line], d->agent_count, 0);
}

static void set_owner(struct directory *d, uint64_t line, uint32_t agent)
{
    set_state(d, line, DIR_EXCLUSIVE);
    sharers_clear(&d->sharers[line]);
    sharers_add(&d->sharers[line], agent, d->agent_count);
}

/* ---- miss counters ---- */

static void count_miss(struct directory *d, uint64_t line, uint32_t agent, bool write)
{
    struct page_counter *p = &d->pages[(line * COH_LINE_BYTES) / d->config.timing.page_bytes];
    uint32_t node = coh_map_agent_node(&d->config.map, agent);
    if (write)
        p->writes++;
    else
        p->reads++;
    uint32_t min = 0;
    for (uint32_t i = 0; i < p->top_count; i++) {
        if (p->node[i] == node) {
            p->misses[i]++;
            return;
        }
        if (p->misses[i] < p->misses[min])
            min = i;
    }
    if (p->top_count < DIR_PAGE_TOP_NODES) {
        p->node[p->top_count] = node;
        p->misses[p->top_count++] = 1;
        return;
    }
    /* Space-saving: the new node inherits the smallest count plus one. */
    p->node[min] = node;
    p->misses[min]++;
}

int dir_page_misses(const struct directory *d, uint64_t addr, struct dir_page_misses *out)
{
    uint64_t line;
    if (!line_index(d, addr, &line))
        return DISCO_EINVAL;
    const struct page_counter *p = &d->pages[(line * COH_LINE_BYTES) / d->config.timing.page_bytes];
    memset(out, 0, sizeof(*out));
    out->read_misses = p->reads;
    out->write_misses = p->writes;
    out->top_count = p->top_count;
    memcpy(out->node, p->node, sizeof(out->node));
    memcpy(out->misses, p->misses, sizeof(out->misses));
    return 0;
}

void dir_reset_page_misses(struct directory *d)
{
    memset(d->pages, 0, d->page_count * sizeof(*d->pages));
}

int dir_line_info(const struct directory *d, uint64_t addr, struct dir_line_info *info)
{
    uint64_t line;
    if (!line_index(d, addr, &line))
        return DISCO_EINVAL;
    info->state = state_of(d, line);
    info->busy = (d->state[line] & BUSY_BIT) != 0;
    info->sharers = d->sharers[line];
    info->owner = info->state == DIR_EXCLUSIVE ? owner_of(d, line) : SHARERS_NONE;
    return 0;
}

int dir_purge_page(struct directory *d, uint64_t addr)
{
    uint64_t line;
    if (!line_index(d, addr, &line))
        return DISCO_EINVAL;
    uint64_t page = (line * COH_LINE_BYTES) / d->config.timing.page_bytes;
    uint64_t first = page * d->config.timing.page_bytes / COH_LINE_BYTES;
    uint64_t end = first + d->config.timing.page_bytes / COH_LINE_BYTES;
    if (end > d->line_count)
        end = d->line_count;
    for (uint64_t l = first; l < end; l++)
        if (d->state[l] & BUSY_BIT)
            return DISCO_EBUSY;
    for (uint64_t l = first; l < end; l++) {
        d->state[l] = DIR_UNOWNED;
        sharers_clear(&d->sharers[l]);
    }
    memset(&d->pages[page], 0, sizeof d->pages[page]);
    return 0;
}

/* ---- transactions ---- */

static struct txn *txn_find(struct directory *d, uint64_t line)
{
    for (uint32_t i = 0; i < d->config.timing.dir_max_transactions; i++)
        if (d->txns[i].phase != PHASE_FREE && d->txns[i].line == line)
            return &d->txns[i];
    return NULL;
}

static struct txn *txn_open(struct directory *d, uint64_t line, unsigned kind, uint32_t requester)
{
    for (uint32_t i = 0; i < d->config.timing.dir_max_transactions; i++) {
        struct txn *t = &d->txns[i];
        if (t->phase == PHASE_FREE) {
            *t = (struct txn){.line = line,
                              .kind = (uint8_t)kind,
                              .requester = requester,
                              .cost_cycles = d->config.timing.directory_occupancy_cycles};
            d->state[line] |= BUSY_BIT;
            d->busy_count++;
            return t;
        }
    }
    return NULL;
}

static void txn_close(struct directory *d, struct txn *t)
{
    d->state[t->line] &= (uint8_t)~BUSY_BIT;
    d->busy_count--;
    t->phase = PHASE_FREE;
}

static struct coh_msg *emit(struct directory *d, struct coh_outbox *out, unsigned type,
                            uint32_t agent, uint64_t line)
{
    struct coh_msg *m = coh_outbox_push(out);
    m->type = (uint8_t)type;
    m->agent = agent;
    m->home = d->config.node_id;
    m->line_addr = d->bank_base + line * COH_LINE_BYTES;
    return m;
}

static void emit_data(struct directory *d, struct coh_outbox *out, struct txn *t, unsigned type)
{
    struct coh_msg *m = emit(d, out, type, t->requester, t->line);
    m->cost_cycles = t->cost_cycles;
    if (type != COH_GRANT_X) {
        m->flags = COH_FLAG_DATA;
        memcpy(m->data, line_bytes(d, t->line), COH_LINE_BYTES);
    }
    t->phase = PHASE_WAIT_DONE;
}

/* Round trip of a forwarded request from the home to an agent and back. */
static uint32_t third_party_cycles(const struct directory *d, uint32_t agent)
{
    uint32_t node = coh_map_agent_node(&d->config.map, agent);
    return 2 * timing_leg_cycles(&d->config.timing, d->config.map.node_count, d->config.node_id,
                                 node) +
           d->config.timing.directory_occupancy_cycles;
}

static void send_recall(struct directory *d, struct coh_outbox *out, struct txn *t, uint32_t owner)
{
    unsigned type = t->kind == COH_GET ? COH_RECALL_S : COH_RECALL_X;
    emit(d, out, type, owner, t->line);
    t->owner = owner;
    t->phase = PHASE_WAIT_RECALL;
    t->cost_cycles += third_party_cycles(d, owner);
    d->stats.recalls++;
}

/* A flush ends with memory the only copy, and nobody to answer. */
static void finish_flush(struct directory *d, struct txn *t)
{
    set_state(d, t->line, DIR_UNOWNED);
    sharers_clear(&d->sharers[t->line]);
    d->stats.flushes++;
    txn_close(d, t);
}

/* Every other copy is gone: the requester becomes the owner. */
static void complete_exclusive(struct directory *d, struct coh_outbox *out, struct txn *t)
{
    if (t->kind == KIND_FLUSH) {
        finish_flush(d, t);
        return;
    }
    set_owner(d, t->line, t->requester);
    if (t->dataless)
        d->stats.dataless_grants++;
    emit_data(d, out, t, t->dataless ? COH_GRANT_X : COH_DATA_X);
}

/* GETX / UPGRADE / flush on a SHARED line: invalidate every other possible sharer. */
static void start_exclusive_from_shared(struct directory *d, struct coh_outbox *out, struct txn *t)
{
    struct sharers *s = &d->sharers[t->line];
    t->dataless = t->kind == COH_UPGRADE && sharers_contains_exact(s, t->requester, d->agent_count);
    uint32_t slowest = 0;
    for (uint32_t a = sharers_next(s, d->agent_count, 0); a != SHARERS_NONE;
         a = sharers_next(s, d->agent_count, a + 1)) {
        if (a == t->requester)
            continue;
        emit(d, out, COH_INV, a, t->line);
        t->pending_acks++;
        d->stats.invalidations++;
        uint32_t c = third_party_cycles(d, a);
        if (c > slowest)
            slowest = c;
    }
    /* The INVs go out in parallel: the farthest sharer sets the latency. */
    t->cost_cycles += slowest;
    if (t->pending_acks) {
        t->phase = PHASE_WAIT_ACKS;
        return;
    }
    complete_exclusive(d, out, t);
}

static int handle_put(struct directory *d, const struct coh_msg *in, uint64_t line,
                      struct coh_outbox *out)
{
    bool dirty = in->flags & COH_FLAG_DIRTY;
    if (dirty && !(in->flags & COH_FLAG_DATA)) {
        d->stats.protocol_errors++;
        return DISCO_EFORMAT;
    }
    if (state_of(d, line) == DIR_EXCLUSIVE && owner_of(d, line) == in->agent) {
        if (dirty)
            memcpy(line_bytes(d, line), in->data, COH_LINE_BYTES);
        set_state(d, line, DIR_UNOWNED);
        sharers_clear(&d->sharers[line]);
        d->stats.writebacks++;
    } else {
        /* The owner gave the line away to a recall after sending this PUT
         * (a crossing writeback): its data already reached memory. */
        d->stats.stale_puts++;
    }
    emit(d, out, COH_WB_ACK, in->agent, line)->cost_cycles =
        d->config.timing.directory_occupancy_cycles;
    return 0;
}

static int handle_request(struct directory *d, const struct coh_msg *in, uint64_t line,
                          struct coh_outbox *out)
{
    if (d->state[line] & BUSY_BIT) {
        d->stats.nacks++;
        emit(d, out, COH_NACK, in->agent, line);
        return 0;
    }
    if (in->type == COH_PUT)
        return handle_put(d, in, line, out);
    enum dir_state st = state_of(d, line);
    if (st == DIR_EXCLUSIVE && owner_of(d, line) == in->agent) {
        /* The owner never asks for its own line: a broken or stale peer. */
        return DISCO_EPROTO;
    }
    struct txn *t = txn_open(d, line, in->type, in->agent);
    if (!t) {
        d->stats.nacks_no_slot++;
        emit(d, out, COH_NACK, in->agent, line);
        return 0;
    }
    d->stats.requests++;
    count_miss(d, line, in->agent, in->type != COH_GET);
    if (st == DIR_EXCLUSIVE) {
        send_recall(d, out, t, owner_of(d, line));
    } else if (st == DIR_UNOWNED) {
        /* MESI: the only copy is handed out exclusive, even for a read. */
        set_owner(d, line, in->agent);
        emit_data(d, out, t, COH_DATA_X);
    } else if (in->type == COH_GET) {
        sharers_add(&d->sharers[line], in->agent, d->agent_count);
        emit_data(d, out, t, COH_DATA_S);
    } else {
        start_exclusive_from_shared(d, out, t);
    }
    return 0;
}

static int handle_recall_ack(struct directory *d, const struct coh_msg *in, struct txn *t,
                             struct coh_outbox *out)
{
    if (t->phase != PHASE_WAIT_RECALL || in->agent != t->owner)
        return DISCO_EPROTO;
    if ((in->flags & COH_FLAG_DIRTY) && !(in->flags & COH_FLAG_DATA))
        return DISCO_EPROTO;
    if (in->flags & COH_FLAG_DIRTY)
        memcpy(line_bytes(d, t->line), in->data, COH_LINE_BYTES);
    if (t->kind == COH_GET) {
        struct sharers *s = &d->sharers[t->line];
        sharers_clear(s);
        set_state(d, t->line, DIR_SHARED);
        if (in->flags & COH_FLAG_KEEP_SHARED)
            sharers_add(s, t->owner, d->agent_count);
        sharers_add(s, t->requester, d->agent_count);
        emit_data(d, out, t, COH_DATA_S);
    } else {
        complete_exclusive(d, out, t);
    }
    return 0;
}

static int handle_reply(struct directory *d, const struct coh_msg *in, uint64_t line,
                        struct coh_outbox *out)
{
    struct txn *t = (d->state[line] & BUSY_BIT) ? txn_find(d, line) : NULL;
    if (!t)
        return DISCO_EPROTO;
    switch (in->type) {
    case COH_INV_ACK:
        if (t->phase != PHASE_WAIT_ACKS)
            return DISCO_EPROTO;
        if (--t->pending_acks == 0)
            complete_exclusive(d, out, t);
        return 0;
    case COH_RECALL_ACK: return handle_recall_ack(d, in, t, out);
    case COH_DONE:
        if (t->phase != PHASE_WAIT_DONE || in->agent != t->requester)
            return DISCO_EPROTO;
        txn_close(d, t);
        return 0;
    default: return DISCO_EPROTO;
    }
}

int dir_handle(struct directory *d, const struct coh_msg *in, struct coh_outbox *out)
{
    uint64_t line;
    if (in->type >= COH_MSG_TYPE_COUNT || !coh_msg_to_home(in->type) ||
        in->home != d->config.node_id || (in->line_addr & COH_LINE_MASK) ||
        in->agent >= d->agent_count || !line_index(d, in->line_addr, &line) ||
        (in->flags & ~COH_FLAG_ALL)) {
        d->stats.protocol_errors++;
        return DISCO_EINVAL;
    }
    int rv = coh_msg_channel(in->type) == COH_CHANNEL_REQUEST ? handle_request(d, in, line, out)
                                                              : handle_reply(d, in, line, out);
    if (rv == DISCO_EPROTO)
        d->stats.protocol_errors++;
    return rv;
}

int dir_flush_line(struct directory *d, uint64_t addr, struct coh_outbox *out)
{
    uint64_t line;
    if (!line_index(d, addr, &line))
        return DISCO_EINVAL;
    if (d->state[line] & BUSY_BIT)
        return DISCO_EBUSY;
    enum dir_state st = state_of(d, line);
    if (st == DIR_UNOWNED)
        return 0;
    struct txn *t = txn_open(d, line, KIND_FLUSH, SHARERS_NONE);
    if (!t)
        return DISCO_EBUSY;
    if (st == DIR_EXCLUSIVE)
        send_recall(d, out, t, owner_of(d, line));
    else
        start_exclusive_from_shared(d, out, t);
    /* A SHARED line whose set was empty finishes at once. */
    return (d->state[line] & BUSY_BIT) ? DISCO_EBUSY : 0;
}
