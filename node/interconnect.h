/*
 * interconnect.h - the network between node servers: protocol messages
 * batched per destination server and channel, over NNG PUSH/PULL sockets
 * (ipc, tcp, tls+tcp). Each server listens twice, one socket per channel
 * (requests, replies), so replies never queue behind requests; it dials
 * every peer twice. Sends never block: a batch NNG cannot take now waits
 * in our own queue, in order. Received batches are decoded with the
 * codec's hostile-input checks; rejected ones are counted and dropped.
 * Nodes of the same server never come here (the in-process transport is
 * the bare machine's local queue, bare_machine.c).
 */
#ifndef DISCO_NODE_INTERCONNECT_H
#define DISCO_NODE_INTERCONNECT_H

#include <stddef.h>
#include <stdint.h>

#include "coherence.h"
#include "interconnect_codec.h"
#include "net.h"

struct interconnect;

struct interconnect_stats {
    uint64_t batches_sent, msgs_sent;
    uint64_t batches_received, msgs_received;
    uint64_t send_deferred; /* batches NNG could not take at once (queued by us) */
    uint64_t rejected;      /* batches refused by the decoder */
    struct interconnect_codec_stats codec;
};

/*
 * Listens for this server. url_template: "ipc://PATH" (PATH-RANK-req and
 * PATH-RANK-rep are used) or "tcp://HOST:0" / "tls+tcp://HOST:0" (any free
 * port each). The URLs peers must dial are written to req_url and rep_url.
 */
int interconnect_create(const char *url_template, unsigned rank, const struct tls_files *tls,
                        struct interconnect **out, char *req_url, char *rep_url, size_t url_len,
                        char *err, size_t errlen) __attribute__((warn_unused_result));
/* Listens on exactly these two URLs (benchmarks, tests). */
int interconnect_create_at(const char *req_url, const char *rep_url, const struct tls_files *tls,
                           struct interconnect **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void interconnect_destroy(struct interconnect *ic);

/*
 * Dials every other server (server_count, req_url[i], rep_url[i]; self is
 * skipped). sender_node names us in batch headers; limits check input.
 */
int interconnect_connect(struct interconnect *ic, unsigned self, unsigned server_count,
                         const char *const *req_url, const char *const *rep_url,
                         uint32_t sender_node, const struct interconnect_limits *limits, char *err,
                         size_t errlen) __attribute__((warn_unused_result));

/* Queues one message for server `server` on its channel (sent at the next flush). */
void interconnect_queue(struct interconnect *ic, unsigned server, const struct coh_msg *msg);
/* Encodes queued messages into batches and hands them to NNG without blocking. */
void interconnect_flush(struct interconnect *ic);
/* True while batches wait in our own queue. */
int interconnect_backlog(const struct interconnect *ic);

/*
 * Takes one received batch of channel ch, if any, into out[0..cap)
 * (cap >= INTERCONNECT_MAX_BATCH_MSGS). Returns the number of messages
 * (0 when nothing is waiting or the batch was rejected).
 */
size_t interconnect_receive(struct interconnect *ic, enum coh_channel ch, struct coh_msg *out,
                            size_t cap);

/* Waits up to timeout_ms for a batch to arrive on either channel, or for
 * extra_fd (if >= 0) to become readable. */
void interconnect_wait(struct interconnect *ic, int timeout_ms, int extra_fd);

const struct interconnect_stats *interconnect_get_stats(const struct interconnect *ic);

#endif
