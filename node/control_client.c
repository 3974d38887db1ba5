/* control_client.c - node server registration and heartbeats over NNG REQ. */
#include "control_client.h"

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_version.h"
#include "disco_err.h"
#include "pbcodec.h"
#include "xalloc.h"

#define CONTROL_MAX_REPLY (64u << 20) /* an Assignment may carry the ELF of a --bare run */

struct control_client {
    nng_socket sock;
};

int control_client_create(const char *coord_url, const struct tls_files *tls,
                          struct control_client **out, char *err, size_t errlen)
{
    struct control_client *cc = xcalloc(1, sizeof *cc);
    int rv, nrv;
    if ((nrv = nng_req0_open(&cc->sock)) != 0) {
        snprintf(err, errlen, "control socket: %s", nng_strerror(nrv));
        free(cc);
        return DISCO_ENET;
    }
    /* Requests are answered, possibly late (registration waits for the whole
     * machine); a resend would register twice. */
    nng_socket_set_ms(cc->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
    if ((rv = net_dial(cc->sock, coord_url, tls, CONTROL_MAX_REPLY, err, errlen)) != 0) {
        nng_close(cc->sock);
        free(cc);
        return rv;
    }
    *out = cc;
    return DISCO_OK;
}

void control_client_destroy(struct control_client *cc)
{
    if (cc == NULL)
        return;
    nng_close(cc->sock);
    free(cc);
}

/* Sends req and waits for the reply. On success *reply must be freed by the caller. */
static int call(struct control_client *cc, const Disco__Control__NodeRequest *req, int timeout_ms,
                Disco__Control__CoordReply **reply, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    pbcodec_pack(&req->base, &buf, &len);
    nng_socket_set_ms(cc->sock, NNG_OPT_RECVTIMEO, timeout_ms);
    nng_socket_set_ms(cc->sock, NNG_OPT_SENDTIMEO, timeout_ms);
    int nrv = nng_send(cc->sock, buf, len, 0);
    free(buf);
    if (nrv != 0) {
        snprintf(err, errlen, "cannot reach the coordinator: %s", nng_strerror(nrv));
        return nrv == NNG_ETIMEDOUT ? DISCO_ETIMEDOUT : DISCO_ENET;
    }
    void *rbuf;
    size_t rlen;
    if ((nrv = nng_recv(cc->sock, &rbuf, &rlen, NNG_FLAG_ALLOC)) != 0) {
        snprintf(err, errlen, "no answer from the coordinator: %s", nng_strerror(nrv));
        return nrv == NNG_ETIMEDOUT ? DISCO_ETIMEDOUT : DISCO_ENET;
    }
    ProtobufCMessage *m;
    int rv =
        pbcodec_unpack(&disco__control__coord_reply__descriptor, rbuf, rlen, CONTROL_MAX_REPLY, &m);
    nng_free(rbuf, rlen);
    if (rv != 0) {
        snprintf(err, errlen, "malformed answer from the coordinator");
        return DISCO_EPROTO;
    }
    *reply = (Disco__Control__CoordReply *)m;
    return DISCO_OK;
}

int control_client_register(struct control_client *cc, const struct node_offer *offer,
                            int timeout_ms, Disco__Control__Assignment **out, char *err,
                            size_t errlen)
{
    char host[64] = "unknown";
    gethostname(host, sizeof host - 1);
    Disco__Control__Register reg = DISCO__CONTROL__REGISTER__INIT;
    reg.protocol_version = CONTROL_PROTOCOL_VERSION;
    reg.hostname = host;
    reg.pid = (uint32_t)getpid();
    reg.node_count = offer->node_count;
    reg.cpus_per_node = offer->cpus_per_node;
    reg.memory_per_node_bytes = offer->memory_per_node_bytes;
    reg.interconnect_url = (char *)offer->interconnect_url;
    reg.interconnect_reply_url = (char *)offer->interconnect_reply_url;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER;
    req.register_ = &reg;
    Disco__Control__CoordReply *reply;
    int rv = call(cc, &req, timeout_ms, &reply, err, errlen);
    if (rv != 0)
        return rv;
    if (reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_ASSIGNMENT &&
        reply->assignment->node_count == offer->node_count &&
        reply->assignment->n_servers > reply->assignment->server_index) {
        /* Detach the assignment from its envelope. */
        *out = reply->assignment;
        reply->assignment = NULL;
        reply->body_case = DISCO__CONTROL__COORD_REPLY__BODY__NOT_SET;
    } else if (reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_ERROR) {
        snprintf(err, errlen, "registration refused: %s", reply->error->message);
        rv = DISCO_EAUTH;
    } else {
        snprintf(err, errlen, "unexpected answer to a registration");
        rv = DISCO_EPROTO;
    }
    disco__control__coord_reply__free_unpacked(reply, NULL);
    return rv;
}

int control_client_heartbeat(struct control_client *cc, uint32_t server_index, uint64_t cycles,
                             int timeout_ms, bool *shutdown, char *reason, size_t reasonlen)
{
    Disco__Control__Heartbeat hb = DISCO__CONTROL__HEARTBEAT__INIT;
    hb.server_index = server_index;
    hb.has_simulated_cycles = true;
    hb.simulated_cycles = cycles;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_HEARTBEAT;
    req.heartbeat = &hb;
    Disco__Control__CoordReply *reply;
    int rv = call(cc, &req, timeout_ms, &reply, reason, reasonlen);
    if (rv != 0)
        return rv;
    *shutdown = false;
    if (reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_SHUTDOWN) {
        *shutdown = true;
        snprintf(reason, reasonlen, "%s", reply->shutdown->reason);
    } else if (reply->body_case != DISCO__CONTROL__COORD_REPLY__BODY_ACK) {
        snprintf(reason, reasonlen, "heartbeat refused: %s",
                 reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_ERROR ? reply->error->message
                                                                             : "unexpected answer");
        rv = DISCO_EPROTO;
    }
    disco__control__coord_reply__free_unpacked(reply, NULL);
    return rv;
}

void control_client_report_failure(struct control_client *cc, uint32_t server_index,
                                   const char *why, int timeout_ms)
{
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    a.server_index = server_index;
    a.error = (char *)why;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_BARRIER;
    req.barrier = &a;
    Disco__Control__CoordReply *reply;
    char err[256];
    if (call(cc, &req, timeout_ms, &reply, err, sizeof err) == 0)
        disco__control__coord_reply__free_unpacked(reply, NULL);
}

/* ---- asynchronous calls ---- */

enum call_state { CALL_SENDING, CALL_RECEIVING, CALL_DONE, CALL_FAILED };

struct control_call {
    nng_ctx ctx;
    nng_aio *aio;
    pthread_mutex_t lock;
    enum call_state state;
    int nng_error;
    nng_msg *reply;
    int notify_fd;
};

/* NNG's callback thread: the send finished, then the receive. */
static void call_step(void *arg)
{
    struct control_call *c = arg;
    pthread_mutex_lock(&c->lock);
    int nrv = nng_aio_result(c->aio);
    if (nrv != 0) {
        if (c->state == CALL_SENDING)
            nng_msg_free(nng_aio_get_msg(c->aio));
        c->nng_error = nrv;
        c->state = CALL_FAILED;
    } else if (c->state == CALL_SENDING) {
        c->state = CALL_RECEIVING;
        nng_ctx_recv(c->ctx, c->aio);
    } else if (c->state == CALL_RECEIVING) {
        c->reply = nng_aio_get_msg(c->aio);
        c->state = CALL_DONE;
    }
    bool finished = c->state == CALL_DONE || c->state == CALL_FAILED;
    pthread_mutex_unlock(&c->lock);
    if (finished && c->notify_fd >= 0) {
        char one = 1;
        if (write(c->notify_fd, &one, 1) < 0) {
            /* A full pipe already wakes the reader; nothing to do. */
        }
    }
}

struct control_call *control_client_call_start(struct control_client *cc,
                                               const Disco__Control__NodeRequest *req,
                                               int notify_fd)
{
    struct control_call *c = xcalloc(1, sizeof *c);
    c->notify_fd = notify_fd;
    pthread_mutex_init(&c->lock, NULL);
    uint8_t *buf;
    size_t len;
    pbcodec_pack(&req->base, &buf, &len);
    nng_msg *m = NULL;
    int nrv;
    if ((nrv = nng_ctx_open(&c->ctx, cc->sock)) != 0 ||
        (nrv = nng_aio_alloc(&c->aio, call_step, c)) != 0 || (nrv = nng_msg_alloc(&m, 0)) != 0 ||
        (nrv = nng_msg_append(m, buf, len)) != 0) {
        free(buf);
        if (m)
            nng_msg_free(m);
        c->state = CALL_FAILED;
        c->nng_error = nrv;
        return c;
    }
    free(buf);
    c->state = CALL_SENDING;
    nng_aio_set_msg(c->aio, m);
    nng_ctx_send(c->ctx, c->aio);
    return c;
}

int control_call_poll(struct control_call *c, Disco__Control__CoordReply **reply, char *err,
                      size_t errlen)
{
    pthread_mutex_lock(&c->lock);
    enum call_state st = c->state;
    nng_msg *m = c->reply;
    c->reply = NULL;
    pthread_mutex_unlock(&c->lock);
    if (st == CALL_FAILED) {
        snprintf(err, errlen, "coordinator unreachable: %s", nng_strerror(c->nng_error));
        return DISCO_ENET;
    }
    if (st != CALL_DONE || m == NULL)
        return DISCO_EAGAIN;
    ProtobufCMessage *pm;
    int rv = pbcodec_unpack(&disco__control__coord_reply__descriptor, nng_msg_body(m),
                            nng_msg_len(m), CONTROL_MAX_REPLY, &pm);
    nng_msg_free(m);
    if (rv != 0) {
        snprintf(err, errlen, "malformed answer from the coordinator");
        return DISCO_EPROTO;
    }
    *reply = (Disco__Control__CoordReply *)pm;
    return DISCO_OK;
}

void control_call_free(struct control_call *c)
{
    if (c == NULL)
        return;
    if (c->aio) {
        nng_aio_stop(c->aio);
        nng_aio_free(c->aio);
        nng_ctx_close(c->ctx);
    }
    if (c->reply)
        nng_msg_free(c->reply);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
