/*
 * interconnect_codec.c - protobuf-c encode/decode of message batches with
 * the bounds and field checks of interconnect_codec.h.
 *
 * protobuf-c accepts some truncated input and checks no value ranges, so
 * every decoded field is validated here before a coh_msg is produced.
 */
#include "interconnect_codec.h"

#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "interconnect.pb-c.h"
#include "xalloc.h"

typedef Disco__Interconnect__CohMsg wire_msg;
typedef Disco__Interconnect__Batch wire_batch;

static bool type_valid(uint32_t type)
{
    return type > COH_MSG_NONE && type < COH_MSG_TYPE_COUNT;
}

/* Builds the wire form of a batch; the caller frees *parts (one block). */
static void to_wire(const struct interconnect_header *header, const struct coh_msg *msgs,
                    size_t count, wire_batch *batch, wire_msg **parts_out)
{
    wire_msg *parts = xcalloc(count ? count : 1, sizeof(*parts) + sizeof(wire_msg *));
    wire_msg **ptrs = (wire_msg **)(parts + (count ? count : 1));
    disco__interconnect__batch__init(batch);
    batch->has_sender = 1;
    batch->sender = header->sender;
    batch->has_sequence = 1;
    batch->sequence = header->sequence;
    for (size_t i = 0; i < count; i++) {
        const struct coh_msg *m = &msgs[i];
        wire_msg *w = &parts[i];
        disco__interconnect__coh_msg__init(w);
        w->type = m->type;
        w->has_flags = m->flags != 0;
        w->flags = m->flags;
        w->agent = m->agent;
        w->home = m->home;
        w->line_addr = m->line_addr;
        w->has_cost_cycles = m->cost_cycles != 0;
        w->cost_cycles = m->cost_cycles;
        if (m->flags & COH_FLAG_DATA) {
            w->has_data = 1;
            w->data.len = COH_LINE_BYTES;
            w->data.data = (uint8_t *)m->data;
        }
        ptrs[i] = w;
    }
    batch->n_coh = count;
    batch->coh = ptrs;
    *parts_out = parts;
}

size_t interconnect_encoded_size(const struct interconnect_header *header,
                                 const struct coh_msg *msgs, size_t count)
{
    wire_batch batch;
    wire_msg *parts;
    to_wire(header, msgs, count, &batch, &parts);
    size_t n = disco__interconnect__batch__get_packed_size(&batch);
    free(parts);
    return n;
}

int interconnect_encode(const struct interconnect_header *header, const struct coh_msg *msgs,
                        size_t count, uint8_t *buf, size_t capacity, size_t *len)
{
    if (count > INTERCONNECT_MAX_BATCH_MSGS)
        return DISCO_ETOOBIG;
    for (size_t i = 0; i < count; i++)
        if (!type_valid(msgs[i].type) || (msgs[i].flags & ~COH_FLAG_ALL))
            return DISCO_EINVAL;
    wire_batch batch;
    wire_msg *parts;
    to_wire(header, msgs, count, &batch, &parts);
    size_t n = disco__interconnect__batch__get_packed_size(&batch);
    int rv = 0;
    if (n > capacity)
        rv = DISCO_ETOOBIG;
    else
        *len = disco__interconnect__batch__pack(&batch, buf);
    free(parts);
    return rv;
}

static int from_wire(const wire_msg *w, const struct interconnect_limits *limits, struct coh_msg *m)
{
    uint32_t flags = w->has_flags ? w->flags : 0;
    if (!type_valid(w->type) || (flags & ~COH_FLAG_ALL) || w->home >= limits->node_count ||
        w->agent >= limits->agent_count || (w->line_addr & COH_LINE_MASK))
        return DISCO_EFORMAT;
    bool has_data = w->has_data && w->data.len > 0;
    if (has_data != ((flags & COH_FLAG_DATA) != 0))
        return DISCO_EFORMAT;
    if (has_data && w->data.len != COH_LINE_BYTES)
        return DISCO_EFORMAT;
    m->type = (uint8_t)w->type;
    m->flags = (uint8_t)flags;
    m->reserved = 0;
    m->agent = w->agent;
    m->home = w->home;
    m->cost_cycles = w->has_cost_cycles ? w->cost_cycles : 0;
    m->line_addr = w->line_addr;
    if (has_data)
        memcpy(m->data, w->data.data, COH_LINE_BYTES);
    else
        memset(m->data, 0, COH_LINE_BYTES);
    return 0;
}

static int decode_batch(const wire_batch *b, const struct interconnect_limits *limits,
                        struct interconnect_header *header, struct coh_msg *out, size_t capacity,
                        size_t *count, struct interconnect_codec_stats *stats)
{
    if (b->n_coh > capacity || b->n_coh > INTERCONNECT_MAX_BATCH_MSGS) {
        stats->rejected_oversize++;
        return DISCO_ETOOBIG;
    }
    if (b->has_sender && b->sender >= limits->node_count) {
        stats->rejected_fields++;
        return DISCO_EFORMAT;
    }
    for (size_t i = 0; i < b->n_coh; i++) {
        if (from_wire(b->coh[i], limits, &out[i])) {
            stats->rejected_fields++;
            return DISCO_EFORMAT;
        }
    }
    header->sender = b->has_sender ? b->sender : 0;
    header->sequence = b->has_sequence ? b->sequence : 0;
    *count = b->n_coh;
    stats->batches_decoded++;
    stats->msgs_decoded += b->n_coh;
    return 0;
}

int interconnect_decode(const uint8_t *buf, size_t len, const struct interconnect_limits *limits,
                        struct interconnect_header *header, struct coh_msg *out, size_t capacity,
                        size_t *count, struct interconnect_codec_stats *stats)
{
    struct interconnect_codec_stats scratch;
    if (!stats)
        stats = &scratch;
    size_t max = limits->max_bytes ? limits->max_bytes : INTERCONNECT_MAX_BATCH_BYTES;
    *count = 0;
    if (len > max) {
        stats->rejected_oversize++;
        return DISCO_ETOOBIG;
    }
    /* Batch has no recursive fields, so unpacking is bounded by len. */
    wire_batch *b = disco__interconnect__batch__unpack(NULL, len, buf);
    if (!b) {
        stats->rejected_malformed++;
        return DISCO_EFORMAT;
    }
    int rv = decode_batch(b, limits, header, out, capacity, count, stats);
    disco__interconnect__batch__free_unpacked(b, NULL);
    if (rv)
        *count = 0;
    return rv;
}
