/*
 * interconnect.c - batched protocol messages between node servers over NNG
 * PUSH/PULL, one listener per channel, non-blocking sends with our own
 * overflow queue, hostile-input decoding (interconnect.h).
 */
#include "interconnect.h"

#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "log.h"
#include "xalloc.h"

#define CHANNELS 2

/* Batches waiting because NNG's queue was full, oldest first. */
struct backlog {
    nng_msg **msg;
    size_t head, count, cap;
};

struct peer {
    bool dialed;
    nng_socket push[CHANNELS];
    struct coh_outbox queued[CHANNELS]; /* messages of the round, not encoded yet */
    struct backlog backlog[CHANNELS];
    uint64_t sequence[CHANNELS];
};

struct interconnect {
    nng_socket pull[CHANNELS];
    const struct tls_files *tls;
    struct peer *peer;
    unsigned peers, self;
    uint32_t sender_node;
    struct interconnect_limits limits;
    uint8_t *buf; /* encoding scratch, INTERCONNECT_MAX_BATCH_BYTES */
    struct interconnect_stats stats;
};

static const char *const channel_suffix[CHANNELS] = {"req", "rep"};
static int ic_spin = -1; /* yields before sleeping in interconnect_wait (DISCO_IC_SPIN) */

static int listen_one(struct interconnect *ic, unsigned ch, const char *url_template, unsigned rank,
                      char *url, size_t url_len, char *err, size_t errlen)
{
    int nrv = nng_pull0_open(&ic->pull[ch]);
    if (nrv != 0) {
        snprintf(err, errlen, "interconnect socket: %s", nng_strerror(nrv));
        return DISCO_ENET;
    }
    bool ipc = strncmp(url_template, "ipc://", 6) == 0;
    if (ipc)
        snprintf(url, url_len, "%s-%u-%s", url_template, rank, channel_suffix[ch]);
    else
        snprintf(url, url_len, "%s", url_template);
    nng_listener l;
    int rv = net_listen(ic->pull[ch], url, ic->tls, INTERCONNECT_MAX_BATCH_BYTES, &l, err, errlen);
    if (rv != 0)
        return rv;
    if (!ipc) {
        /* "tcp://HOST:0": tell peers the port the system chose. */
        int port = 0;
        const char *colon = strrchr(url_template, ':');
        if (nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port) != 0 || colon == NULL) {
            snprintf(err, errlen, "cannot read the bound port of %s", url_template);
            return DISCO_ENET;
        }
        snprintf(url, url_len, "%.*s:%d", (int)(colon - url_template), url_template, port);
    }
    return DISCO_OK;
}

int interconnect_create(const char *url_template, unsigned rank, const struct tls_files *tls,
                        struct interconnect **out, char *req_url, char *rep_url, size_t url_len,
                        char *err, size_t errlen)
{
    struct interconnect *ic = xcalloc(1, sizeof *ic);
    ic->tls = tls;
    ic->buf = xmalloc(INTERCONNECT_MAX_BATCH_BYTES);
    int rv = listen_one(ic, COH_CHANNEL_REQUEST, url_template, rank, req_url, url_len, err, errlen);
    if (rv == 0)
        rv = listen_one(ic, COH_CHANNEL_REPLY, url_template, rank, rep_url, url_len, err, errlen);
    if (rv != 0) {
        interconnect_destroy(ic);
        return rv;
    }
    *out = ic;
    return DISCO_OK;
}

int interconnect_create_at(const char *req_url, const char *rep_url, const struct tls_files *tls,
                           struct interconnect **out, char *err, size_t errlen)
{
    struct interconnect *ic = xcalloc(1, sizeof *ic);
    ic->tls = tls;
    ic->buf = xmalloc(INTERCONNECT_MAX_BATCH_BYTES);
    const char *urls[CHANNELS] = {req_url, rep_url};
    for (unsigned c = 0; c < CHANNELS; c++) {
        int nrv = nng_pull0_open(&ic->pull[c]);
        int rv = nrv ? DISCO_ENET
                     : net_listen(ic->pull[c], urls[c], tls, INTERCONNECT_MAX_BATCH_BYTES, NULL,
                                  err, errlen);
        if (nrv)
            snprintf(err, errlen, "interconnect socket: %s", nng_strerror(nrv));
        if (rv != 0) {
            interconnect_destroy(ic);
            return rv;
        }
    }
    *out = ic;
    return DISCO_OK;
}

void interconnect_destroy(struct interconnect *ic)
{
    if (ic == NULL)
        return;
    for (unsigned c = 0; c < CHANNELS; c++)
        if (nng_socket_id(ic->pull[c]) > 0)
            nng_close(ic->pull[c]);
    for (unsigned p = 0; p < ic->peers; p++) {
        struct peer *peer = &ic->peer[p];
        for (unsigned c = 0; c < CHANNELS; c++) {
            if (peer->dialed)
                nng_close(peer->push[c]);
            coh_outbox_fini(&peer->queued[c]);
            struct backlog *b = &peer->backlog[c];
            for (size_t i = 0; i < b->count; i++)
                nng_msg_free(b->msg[(b->head + i) % b->cap]);
            free(b->msg);
        }
    }
    free(ic->peer);
    free(ic->buf);
    free(ic);
}

int interconnect_connect(struct interconnect *ic, unsigned self, unsigned server_count,
                         const char *const *req_url, const char *const *rep_url,
                         uint32_t sender_node, const struct interconnect_limits *limits, char *err,
                         size_t errlen)
{
    ic->self = self;
    ic->sender_node = sender_node;
    ic->limits = *limits;
    ic->peers = server_count;
    ic->peer = xcalloc(server_count, sizeof *ic->peer);
    for (unsigned p = 0; p < server_count; p++) {
        struct peer *peer = &ic->peer[p];
        for (unsigned c = 0; c < CHANNELS; c++)
            coh_outbox_init(&peer->queued[c]);
        if (p == self)
            continue;
        const char *urls[CHANNELS] = {req_url[p], rep_url[p]};
        for (unsigned c = 0; c < CHANNELS; c++) {
            if (urls[c] == NULL || urls[c][0] == '\0') {
                snprintf(err, errlen, "server %u has no interconnect address", p);
                return DISCO_EINVAL;
            }
            int nrv = nng_push0_open(&peer->push[c]);
            if (nrv != 0) {
                snprintf(err, errlen, "interconnect socket: %s", nng_strerror(nrv));
                return DISCO_ENET;
            }
            peer->dialed = true;
            nng_socket_set_int(peer->push[c], NNG_OPT_SENDBUF, 256);
            nng_socket_set_ms(peer->push[c], NNG_OPT_RECONNMINT, 10);
            nng_socket_set_ms(peer->push[c], NNG_OPT_RECONNMAXT, 200);
            int rv = net_dial(peer->push[c], urls[c], ic->tls, 0, err, errlen);
            if (rv != 0)
                return rv;
        }
    }
    return DISCO_OK;
}

void interconnect_queue(struct interconnect *ic, unsigned server, const struct coh_msg *msg)
{
    if (server >= ic->peers || server == ic->self)
        return;
    *coh_outbox_push(&ic->peer[server].queued[coh_msg_channel(msg->type)]) = *msg;
}

static void backlog_push(struct backlog *b, nng_msg *m)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        nng_msg **n = xcalloc(cap, sizeof *n);
        for (size_t i = 0; i < b->count; i++)
            n[i] = b->msg[(b->head + i) % b->cap];
        free(b->msg);
        b->msg = n;
        b->head = 0;
        b->cap = cap;
    }
    b->msg[(b->head + b->count++) % b->cap] = m;
}

/* Sends what waits in our queue, in order; stops at the first refusal. */
static void backlog_drain(struct interconnect *ic, nng_socket sock, struct backlog *b)
{
    while (b->count > 0) {
        nng_msg *m = b->msg[b->head];
        if (nng_sendmsg(sock, m, NNG_FLAG_NONBLOCK) != 0)
            return;
        ic->stats.batches_sent++;
        b->head = (b->head + 1) % b->cap;
        b->count--;
    }
}

static void send_batch(struct interconnect *ic, struct peer *peer, unsigned c,
                       const struct coh_msg *msgs, size_t n)
{
    struct interconnect_header h = {.sender = ic->sender_node, .sequence = peer->sequence[c]++};
    size_t len;
    if (interconnect_encode(&h, msgs, n, ic->buf, INTERCONNECT_MAX_BATCH_BYTES, &len) != 0) {
        log_error("interconnect: cannot encode a batch of %zu messages", n);
        return;
    }
    nng_msg *m;
    if (nng_msg_alloc(&m, 0) != 0 || nng_msg_append(m, ic->buf, len) != 0)
        abort(); /* out of memory, as xmalloc */
    ic->stats.msgs_sent += n;
    struct backlog *b = &peer->backlog[c];
    if (b->count == 0 && nng_sendmsg(peer->push[c], m, NNG_FLAG_NONBLOCK) == 0) {
        ic->stats.batches_sent++;
        return;
    }
    ic->stats.send_deferred++;
    backlog_push(b, m);
}

void interconnect_flush(struct interconnect *ic)
{
    for (unsigned p = 0; p < ic->peers; p++) {
        struct peer *peer = &ic->peer[p];
        if (!peer->dialed)
            continue;
        /* Requests first: a new miss is on someone's critical path, while
         * the replies of a round are mostly DONEs and acks nobody waits on. */
        for (unsigned c = 0; c < CHANNELS; c++) {
            backlog_drain(ic, peer->push[c], &peer->backlog[c]);
            struct coh_outbox *q = &peer->queued[c];
            /* A full batch of data messages is ~85 KB encoded, under the cap. */
            for (size_t i = 0; i < q->count; i += INTERCONNECT_MAX_BATCH_MSGS) {
                size_t n = q->count - i < INTERCONNECT_MAX_BATCH_MSGS ? q->count - i
                                                                      : INTERCONNECT_MAX_BATCH_MSGS;
                send_batch(ic, peer, c, q->msgs + i, n);
            }
            coh_outbox_clear(q);
        }
    }
}

int interconnect_backlog(const struct interconnect *ic)
{
    for (unsigned p = 0; p < ic->peers; p++)
        for (unsigned c = 0; c < CHANNELS; c++)
            if (ic->peer[p].backlog[c].count)
                return 1;
    return 0;
}

size_t interconnect_receive(struct interconnect *ic, enum coh_channel ch, struct coh_msg *out,
                            size_t cap)
{
    nng_msg *m;
    if (nng_recvmsg(ic->pull[ch], &m, NNG_FLAG_NONBLOCK) != 0)
        return 0;
    struct interconnect_header h;
    size_t count = 0;
    int rv = interconnect_decode(nng_msg_body(m), nng_msg_len(m), &ic->limits, &h, out, cap, &count,
                                 &ic->stats.codec);
    nng_msg_free(m);
    if (rv != 0) {
        if (ic->stats.rejected++ < 10) /* a hostile peer must not flood the log */
            log_warn("interconnect: batch rejected: %s", disco_strerror(rv));
        return 0;
    }
    /* A reply-channel batch may hold only replies, and the other way round. */
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (coh_msg_channel(out[i].type) != ch) {
            ic->stats.rejected++;
            continue;
        }
        out[kept++] = out[i];
    }
    ic->stats.batches_received++;
    ic->stats.msgs_received += kept;
    return kept;
}

void interconnect_wait(struct interconnect *ic, int timeout_ms, int extra_fd)
{
    if (ic_spin < 0) {
        const char *e = getenv("DISCO_IC_SPIN");
        ic_spin = e ? atoi(e) : 0;
    }
    struct pollfd fds[CHANNELS + 1];
    unsigned n = 0;
    for (unsigned c = 0; ic && c < CHANNELS; c++) {
        int fd = -1;
        nng_socket_get_int(ic->pull[c], NNG_OPT_RECVFD, &fd);
        fds[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
    }
    if (extra_fd >= 0)
        fds[n++] = (struct pollfd){.fd = extra_fd, .events = POLLIN};
    /* A reply usually follows within tens of microseconds: yield a few times
     * before sleeping, which saves the wake-up latency of a real sleep. */
    for (int spin = 0; spin < ic_spin; spin++) {
        if (poll(fds, n, 0) > 0)
            return;
        sched_yield();
    }
    poll(fds, n, timeout_ms);
}

const struct interconnect_stats *interconnect_get_stats(const struct interconnect *ic)
{
    return &ic->stats;
}
