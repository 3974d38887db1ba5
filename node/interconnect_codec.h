/*
 * interconnect_codec.h - batches of protocol messages to and from the wire
 * (proto/interconnect.proto, protobuf-c).
 *
 * Encoding never fails on valid messages; decoding treats its input as
 * hostile: a size cap before parsing, then every field checked against the
 * machine's limits. Rejected batches are counted in a caller-owned stats
 * block and change nothing. Used by the node server's interconnect endpoint
 * and by the fuzz target tests/fuzz/fuzz_interconnect.c.
 */
#ifndef DISCO_NODE_INTERCONNECT_CODEC_H
#define DISCO_NODE_INTERCONNECT_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "coherence.h"

/* Bounds of one batch: a full batch of data messages is ~85 KB encoded. */
#define INTERCONNECT_MAX_BATCH_MSGS  512u
#define INTERCONNECT_MAX_BATCH_BYTES (128u * 1024u)

struct interconnect_header {
    uint32_t sender;   /* node id of the sender */
    uint64_t sequence; /* per sender-receiver pair */
};

/* What a receiver accepts. */
struct interconnect_limits {
    uint32_t node_count;  /* home ids must be below it */
    uint32_t agent_count; /* agent ids must be below it */
    size_t max_bytes;     /* 0 = INTERCONNECT_MAX_BATCH_BYTES */
};

struct interconnect_codec_stats {
    uint64_t batches_decoded;
    uint64_t msgs_decoded;
    uint64_t rejected_oversize;  /* input over max_bytes, or too many messages */
    uint64_t rejected_malformed; /* not a protobuf Batch */
    uint64_t rejected_fields;    /* parsed, but a field out of range */
};

/* Bytes interconnect_encode() will need for these messages. */
size_t interconnect_encoded_size(const struct interconnect_header *header,
                                 const struct coh_msg *msgs, size_t count);

/*
 * Encodes count messages (at most INTERCONNECT_MAX_BATCH_MSGS) into buf of
 * capacity bytes; *len gets the size. DISCO_ETOOBIG if they do not fit or
 * are too many, DISCO_EINVAL for a message with an invalid type.
 */
int interconnect_encode(const struct interconnect_header *header, const struct coh_msg *msgs,
                        size_t count, uint8_t *buf, size_t capacity, size_t *len)
    __attribute__((warn_unused_result));

/*
 * Decodes one batch into out[0..capacity). On success *count messages are
 * valid, with data zeroed where absent. Errors: DISCO_ETOOBIG (input or
 * message count over a limit), DISCO_EFORMAT (not a batch, or a field out of
 * range). stats may be NULL.
 */
int interconnect_decode(const uint8_t *buf, size_t len, const struct interconnect_limits *limits,
                        struct interconnect_header *header, struct coh_msg *out, size_t capacity,
                        size_t *count, struct interconnect_codec_stats *stats)
    __attribute__((warn_unused_result));

#endif
