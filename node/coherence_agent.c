/*
 * coherence_agent.c - the cache-side protocol controller (see
 * coherence_agent.h and docs/protocol.md).
 *
 * Transient states live in a small buffer table (like the R10000's miss
 * handling registers): IS_D and IM_D wait for data, SM_A waits for an
 * upgrade, MI_A holds an evicted owned line until its WB_ACK, II_A is MI_A
 * after a recall already took the line. A fill's L2 way is reserved when
 * the request is sent, so a reply can always be installed.
 */
#include "coherence_agent.h"

#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

enum buf_state { BUF_FREE = 0, BUF_IS_D, BUF_IM_D, BUF_SM_A, BUF_MI_A, BUF_II_A };

struct miss_buffer {
    uint8_t state; /* enum buf_state */
    bool dirty;    /* MI_A: the held data differs from memory */
    uint32_t home;
    uint64_t line;                /* line address */
    uint32_t extra_cycles;        /* NACK round trips so far */
    struct cache_line *way;       /* IS_D/IM_D/SM_A: the L2 way the fill goes to */
    uint8_t data[COH_LINE_BYTES]; /* MI_A/II_A: the writeback data */
};

struct agent {
    struct agent_config config;
    uint32_t node;
    struct cache *l1i, *l1d, *l2;
    uint32_t buffer_count;
    struct miss_buffer *buffers;
    uint32_t outstanding;
    uint64_t stall_cycles; /* latency of completed misses not yet charged */
    struct agent_stats stats;
};

static int make_cache(uint32_t size, uint32_t ways, uint32_t hit, bool data, struct cache **out)
{
    struct cache_config cc = {
        .size_bytes = size, .ways = ways, .hit_cycles = hit, .with_data = data};
    return cache_create(&cc, out);
}

int agent_create(const struct agent_config *config, struct agent **out)
{
    const struct timing_params *t = &config->timing;
    if (coh_map_check(&config->map) || config->agent_id >= coh_map_agent_count(&config->map) ||
        t->agent_max_outstanding < 2)
        return DISCO_EINVAL;
    struct agent *a = xcalloc(1, sizeof(*a));
    a->config = *config;
    a->node = coh_map_agent_node(&config->map, config->agent_id);
    int rv;
    if ((rv = make_cache(t->l1i_size_bytes, t->l1i_ways, t->l1_hit_cycles, false, &a->l1i)) ||
        (rv = make_cache(t->l1d_size_bytes, t->l1d_ways, t->l1_hit_cycles, false, &a->l1d)) ||
        (rv = make_cache(t->l2_size_bytes, t->l2_ways, t->l2_hit_cycles, true, &a->l2))) {
        agent_destroy(a);
        return rv;
    }
    a->buffer_count = t->agent_max_outstanding;
    a->buffers = xcalloc(a->buffer_count, sizeof(*a->buffers));
    *out = a;
    return 0;
}

void agent_destroy(struct agent *a)
{
    if (!a)
        return;
    cache_destroy(a->l1i);
    cache_destroy(a->l1d);
    cache_destroy(a->l2);
    free(a->buffers);
    free(a);
}

uint32_t agent_outstanding(const struct agent *a)
{
    return a->outstanding;
}

const struct agent_stats *agent_get_stats(const struct agent *a)
{
    return &a->stats;
}

struct cache *agent_l1i(struct agent *a)
{
    return a->l1i;
}

struct cache *agent_l1d(struct agent *a)
{
    return a->l1d;
}

struct cache *agent_l2(struct agent *a)
{
    return a->l2;
}

enum cache_state agent_line_state(const struct agent *a, uint64_t paddr)
{
    struct cache_line *l = cache_lookup(a->l2, paddr);
    return l ? (enum cache_state)l->state : CACHE_INVALID;
}

/* ---- miss buffers ---- */

static struct miss_buffer *buffer_find(struct agent *a, uint64_t line)
{
    for (uint32_t i = 0; i < a->buffer_count; i++)
        if (a->buffers[i].state != BUF_FREE && a->buffers[i].line == line)
            return &a->buffers[i];
    return NULL;
}

static uint32_t buffers_free(const struct agent *a)
{
    return a->buffer_count - a->outstanding;
}

static struct miss_buffer *buffer_open(struct agent *a, uint64_t line, uint32_t home,
                                       enum buf_state state)
{
    for (uint32_t i = 0; i < a->buffer_count; i++) {
        struct miss_buffer *b = &a->buffers[i];
        if (b->state == BUF_FREE) {
            b->state = (uint8_t)state;
            b->dirty = false;
            b->home = home;
            b->line = line;
            b->extra_cycles = 0;
            b->way = NULL;
            a->outstanding++;
            return b;
        }
    }
    return NULL; /* callers check buffers_free() first */
}

static void buffer_close(struct agent *a, struct miss_buffer *b)
{
    b->state = BUF_FREE;
    a->outstanding--;
}

/* ---- sending ---- */

static struct coh_msg *emit(struct agent *a, struct coh_outbox *out, unsigned type, uint64_t line,
                            uint32_t home)
{
    struct coh_msg *m = coh_outbox_push(out);
    m->type = (uint8_t)type;
    m->agent = a->config.agent_id;
    m->home = home;
    m->line_addr = line;
    return m;
}

static unsigned request_type(const struct miss_buffer *b)
{
    switch (b->state) {
    case BUF_IS_D: return COH_GET;
    case BUF_IM_D: return COH_GETX;
    case BUF_SM_A: return COH_UPGRADE;
    default: return COH_PUT;
    }
}

/* Sends (or re-sends after a NACK) the request of a buffer. */
static void send_request(struct agent *a, struct miss_buffer *b, struct coh_outbox *out)
{
    struct coh_msg *m = emit(a, out, request_type(b), b->line, b->home);
    if (m->type == COH_PUT && b->dirty) {
        m->flags = COH_FLAG_DATA | COH_FLAG_DIRTY;
        memcpy(m->data, b->data, COH_LINE_BYTES);
    }
}

/* ---- losing lines ---- */

static void drop_from_l1(struct agent *a, uint64_t line)
{
    /* Inclusion: an L1 never holds what the L2 does not. */
    cache_invalidate(a->l1i, line);
    cache_invalidate(a->l1d, line);
    if (a->config.line_lost)
        a->config.line_lost(a->config.opaque, line);
}

/* Evicts an L2 victim: silent for SHARED (the home's sharer set becomes a
 * superset, answered by INV_ACK later), a PUT for an owned line. The caller
 * made sure a buffer is free. */
static void evict(struct agent *a, struct cache_line *v, struct coh_outbox *out)
{
    uint64_t line = v->addr;
    if (v->state == CACHE_EXCLUSIVE || v->state == CACHE_MODIFIED) {
        uint32_t home = 0;
        coh_map_home(&a->config.map, line, &home);
        struct miss_buffer *b = buffer_open(a, line, home, BUF_MI_A);
        b->dirty = v->state == CACHE_MODIFIED;
        memcpy(b->data, v->data, COH_LINE_BYTES);
        send_request(a, b, out);
        a->stats.writebacks++;
    }
    v->state = CACHE_INVALID;
    drop_from_l1(a, line);
}

/* ---- CPU accesses ---- */

static bool permits(enum agent_access_kind kind, const struct cache_line *l)
{
    return kind != AGENT_STORE || l->state == CACHE_EXCLUSIVE || l->state == CACHE_MODIFIED;
}

static void perform(enum agent_access_kind kind, struct cache_line *l, uint64_t paddr, void *buf,
                    unsigned size)
{
    unsigned off = (unsigned)(paddr & COH_LINE_MASK);
    if (kind == AGENT_STORE) {
        memcpy(l->data + off, buf, size);
        l->state = CACHE_MODIFIED; /* E -> M silently: E promised no other copy */
    } else {
        memcpy(buf, l->data + off, size);
    }
}

/* Starts a miss for a line not in (or not writable in) the L2. */
static void start_miss(struct agent *a, enum agent_access_kind kind, uint64_t line, uint32_t home,
                       struct cache_line *held, struct coh_outbox *out)
{
    if (held) { /* SHARED and a store: upgrade in place, the way stays put */
        if (buffers_free(a) < 1) {
            a->stats.stalls++;
            return;
        }
        struct miss_buffer *b = buffer_open(a, line, home, BUF_SM_A);
        b->way = held;
        held->pinned = true;
        a->stats.upgrades++;
        send_request(a, b, out);
        return;
    }
    struct cache_line *v = cache_victim(a->l2, line);
    bool owned_victim = v && (v->state == CACHE_EXCLUSIVE || v->state == CACHE_MODIFIED);
    if (!v || buffers_free(a) < (owned_victim ? 2u : 1u)) {
        a->stats.stalls++;
        return;
    }
    if (v->state != CACHE_INVALID)
        evict(a, v, out);
    struct miss_buffer *b = buffer_open(a, line, home, kind == AGENT_STORE ? BUF_IM_D : BUF_IS_D);
    v->addr = line; /* reserved: INVALID + pinned until the fill */
    v->pinned = true;
    b->way = v;
    send_request(a, b, out);
}

uint8_t *agent_line_data(struct agent *a, uint64_t paddr, enum agent_access_kind kind)
{
    struct cache_line *l = cache_lookup(a->l2, coh_line_of(paddr));
    if (l == NULL || !permits(kind, l) || l->pinned)
        return NULL;
    if (kind == AGENT_STORE)
        l->state = CACHE_MODIFIED;
    return l->data;
}

enum agent_status agent_access(struct agent *a, enum agent_access_kind kind, uint64_t paddr,
                               void *buf, unsigned size, struct coh_outbox *out, uint32_t *cycles)
{
    uint32_t home;
    uint64_t line = coh_line_of(paddr);
    *cycles = 0;
    if (size == 0 || size > COH_LINE_BYTES - (paddr & COH_LINE_MASK) ||
        !coh_map_home(&a->config.map, paddr, &home))
        return AGENT_BUS_ERROR;
    struct cache *l1 = kind == AGENT_FETCH ? a->l1i : a->l1d;
    struct cache_line *l2line = cache_lookup(a->l2, line);
    struct miss_buffer *b = buffer_find(a, line);
    if (l2line && permits(kind, l2line)) {
        if (cache_access(l1, line)) {
            a->stats.l1_hits++;
            *cycles = cache_hit_cycles(l1);
        } else {
            cache_fill(l1, cache_victim(l1, line), line, (enum cache_state)l2line->state);
            a->stats.l2_hits++;
            *cycles = cache_hit_cycles(a->l2);
        }
        cache_access(a->l2, line);
        perform(kind, l2line, paddr, buf, size);
        *cycles += (uint32_t)a->stall_cycles;
        a->stall_cycles = 0;
        a->stats.fetches += kind == AGENT_FETCH;
        a->stats.loads += kind == AGENT_LOAD;
        a->stats.stores += kind == AGENT_STORE;
        return AGENT_DONE;
    }
    if (!b) /* a buffer for the line means its request is already out */
        start_miss(a, kind, line, home, l2line, out);
    return AGENT_PENDING;
}

int agent_purge_line(struct agent *a, uint64_t paddr, bool *held)
{
    uint64_t line = coh_line_of(paddr);
    *held = false;
    if (buffer_find(a, line))
        return DISCO_EBUSY;
    struct cache_line *l = cache_lookup(a->l2, line);
    if (l == NULL)
        return 0;
    /* Unlike evict(): no PUT even for an owned line, the home forgets us itself. */
    *held = true;
    l->state = CACHE_INVALID;
    drop_from_l1(a, line);
    return 0;
}

/* ---- incoming messages ---- */

static uint32_t nack_cycles(const struct agent *a, uint32_t home)
{
    const struct timing_params *t = &a->config.timing;
    return 2 * timing_leg_cycles(t, a->config.map.node_count, a->node, home) +
           t->directory_occupancy_cycles;
}

static int handle_fill(struct agent *a, const struct coh_msg *in, struct miss_buffer *b,
                       struct coh_outbox *out)
{
    bool data = in->flags & COH_FLAG_DATA;
    enum cache_state st;
    if (in->type == COH_GRANT_X) {
        if (b->state != BUF_SM_A)
            return DISCO_EPROTO; /* only a still-valid shared copy may be upgraded dataless */
        st = CACHE_MODIFIED;
    } else if (!data) {
        return DISCO_EPROTO;
    } else if (in->type == COH_DATA_S) {
        if (b->state != BUF_IS_D)
            return DISCO_EPROTO;
        st = CACHE_SHARED;
    } else {
        /* DATA_X: a read gets E; a write (or a lost upgrade) gets M and the
         * store is performed when the CPU retries it. */
        st = b->state == BUF_IS_D ? CACHE_EXCLUSIVE : CACHE_MODIFIED;
    }
    struct cache_line *way = b->way;
    cache_fill(a->l2, way, b->line, st);
    if (data)
        memcpy(way->data, in->data, COH_LINE_BYTES);
    uint32_t latency =
        timing_miss_cycles(&a->config.timing, a->config.map.node_count, a->node, b->home) +
        in->cost_cycles + b->extra_cycles;
    a->stall_cycles += latency;
    a->stats.miss_cycles += latency;
    if (b->home == a->node)
        a->stats.local_misses++;
    else
        a->stats.remote_misses++;
    emit(a, out, COH_DONE, b->line, b->home);
    buffer_close(a, b);
    return 0;
}

static int handle_inv(struct agent *a, const struct coh_msg *in, struct miss_buffer *b,
                      struct coh_outbox *out)
{
    struct cache_line *l = cache_lookup(a->l2, in->line_addr);
    if (l && l->state != CACHE_SHARED)
        return DISCO_EPROTO; /* owners are recalled, never invalidated */
    if (b && b->state == BUF_MI_A)
        return DISCO_EPROTO;
    a->stats.invalidations++;
    if (l) {
        cache_invalidate(a->l2, in->line_addr);
        drop_from_l1(a, in->line_addr);
        if (b && b->state == BUF_SM_A) {
            /* The upgrade lost a race with another writer: it now needs
             * data, and the home will send it (docs/protocol.md). */
            b->state = BUF_IM_D;
            l->addr = in->line_addr;
            l->pinned = true;
        }
    }
    /* Also when nothing is held: the home's sharer set may be a superset. */
    emit(a, out, COH_INV_ACK, in->line_addr, in->home);
    return 0;
}

static int handle_recall(struct agent *a, const struct coh_msg *in, struct miss_buffer *b,
                         struct coh_outbox *out)
{
    struct cache_line *l = cache_lookup(a->l2, in->line_addr);
    struct coh_msg *m;
    if (b && b->state == BUF_MI_A) {
        /* A recall crossed our writeback: answer from the writeback buffer;
         * the PUT will be NACKed or acknowledged as stale. */
        m = emit(a, out, COH_RECALL_ACK, in->line_addr, in->home);
        m->flags = COH_FLAG_DATA | (b->dirty ? COH_FLAG_DIRTY : 0);
        memcpy(m->data, b->data, COH_LINE_BYTES);
        b->state = BUF_II_A;
        a->stats.recalls++;
        return 0;
    }
    if (!l || (l->state != CACHE_EXCLUSIVE && l->state != CACHE_MODIFIED))
        return DISCO_EPROTO;
    a->stats.recalls++;
    m = emit(a, out, COH_RECALL_ACK, in->line_addr, in->home);
    m->flags = COH_FLAG_DATA | (l->state == CACHE_MODIFIED ? COH_FLAG_DIRTY : 0);
    memcpy(m->data, l->data, COH_LINE_BYTES);
    if (in->type == COH_RECALL_S) {
        m->flags |= COH_FLAG_KEEP_SHARED;
        l->state = CACHE_SHARED;
        if (a->config.line_downgraded)
            a->config.line_downgraded(a->config.opaque, in->line_addr);
        /* The L1 copy stays; its state is read from the L2. */
    } else {
        cache_invalidate(a->l2, in->line_addr);
        drop_from_l1(a, in->line_addr);
    }
    return 0;
}

static int handle_message(struct agent *a, const struct coh_msg *in, struct coh_outbox *out)
{
    struct miss_buffer *b = buffer_find(a, in->line_addr);
    switch (in->type) {
    case COH_INV: return handle_inv(a, in, b, out);
    case COH_RECALL_S:
    case COH_RECALL_X: return handle_recall(a, in, b, out);
    case COH_DATA_S:
    case COH_DATA_X:
    case COH_GRANT_X:
        if (!b || b->state == BUF_MI_A || b->state == BUF_II_A)
            return DISCO_EPROTO;
        return handle_fill(a, in, b, out);
    case COH_NACK:
        if (!b)
            return DISCO_EPROTO;
        a->stats.nacks++;
        if (b->state == BUF_II_A) { /* the recall already did the writeback */
            buffer_close(a, b);
            return 0;
        }
        b->extra_cycles += nack_cycles(a, b->home);
        send_request(a, b, out);
        return 0;
    case COH_WB_ACK:
        if (!b || (b->state != BUF_MI_A && b->state != BUF_II_A))
            return DISCO_EPROTO;
        buffer_close(a, b);
        return 0;
    default: return DISCO_EPROTO;
    }
}

int agent_handle(struct agent *a, const struct coh_msg *in, struct coh_outbox *out)
{
    uint32_t home;
    if (in->type >= COH_MSG_TYPE_COUNT || in->type == COH_MSG_NONE || coh_msg_to_home(in->type) ||
        in->agent != a->config.agent_id || (in->line_addr & COH_LINE_MASK) ||
        !coh_map_home(&a->config.map, in->line_addr, &home) || home != in->home ||
        (in->flags & ~COH_FLAG_ALL)) {
        a->stats.protocol_errors++;
        return DISCO_EINVAL;
    }
    int rv = handle_message(a, in, out);
    if (rv)
        a->stats.protocol_errors++;
    return rv;
}
