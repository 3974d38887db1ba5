/* control_server.c - raw REP control endpoint of the coordinator. */
#include "control_server.h"

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/supplemental/util/platform.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "disco_err.h"
#include "log.h"
#include "pbcodec.h"
#include "xalloc.h"

#define CONTROL_MAX_REQUEST (2u << 20) /* barrier arrivals carry console bytes and counters */
#define CLOSED_QUEUE        256

struct control_server {
    nng_socket sock;
    struct membership members;
    enum control_phase phase;
    int64_t heartbeat_timeout_ms;
    char shutdown_reason[128];
    nng_msg **deferred; /* [expected]: the registration awaiting its Assignment */
    uint64_t rejected;
    /* Connections closed, reported from NNG's threads. */
    pthread_mutex_t lock;
    uint32_t closed[CLOSED_QUEUE];
    unsigned closed_count;
    /* The --bare run: program, barrier state. */
    const uint8_t *bare_elf;
    size_t bare_elf_len;
    uint64_t quantum_cycles;
    const Disco__Control__VmHost *vm_host; /* or VM hosting (--vm) */
    struct control_barrier_ops barrier;
    nng_msg **barrier_deferred; /* [expected]: arrivals awaiting the release */
    uint64_t barrier_quantum;
    bool final_phase, run_complete;
    bool want_pages, reset_pages; /* carried by the next release */
    /* Guards members and phase against control_server_snapshot() readers. */
    pthread_mutex_t state_lock;
};

typedef int (*request_handler)(struct control_server *cs, nng_msg *req,
                               const Disco__Control__NodeRequest *body, char *err, size_t errlen);

int64_t control_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_pipe_removed(nng_pipe pipe, nng_pipe_ev ev, void *arg)
{
    struct control_server *cs = arg;
    pthread_mutex_lock(&cs->lock);
    if (cs->closed_count < CLOSED_QUEUE)
        cs->closed[cs->closed_count++] = nng_pipe_id(pipe);
    pthread_mutex_unlock(&cs->lock);
}

int control_server_create(const struct control_server_options *options, struct control_server **out,
                          char *err, size_t errlen)
{
    struct control_server *cs = xcalloc(1, sizeof *cs);
    int rv, nrv;
    pthread_mutex_init(&cs->lock, NULL);
    pthread_mutex_init(&cs->state_lock, NULL);
    membership_init(&cs->members, options->expected_servers);
    cs->deferred = xcalloc(options->expected_servers + 1, sizeof(nng_msg *));
    cs->heartbeat_timeout_ms = options->heartbeat_timeout_ms;
    cs->barrier_deferred = xcalloc(options->expected_servers + 1, sizeof(nng_msg *));
    cs->bare_elf = options->bare_elf;
    cs->bare_elf_len = options->bare_elf_len;
    cs->quantum_cycles = options->quantum_cycles;
    cs->vm_host = options->vm_host;
    cs->barrier = options->barrier;
    if ((nrv = nng_rep0_open_raw(&cs->sock)) != 0) {
        snprintf(err, errlen, "control socket: %s", nng_strerror(nrv));
        rv = DISCO_ENET;
        goto fail;
    }
    nng_pipe_notify(cs->sock, NNG_PIPE_EV_REM_POST, on_pipe_removed, cs);
    if ((rv = net_listen(cs->sock, options->url, options->tls, CONTROL_MAX_REQUEST, NULL, err,
                         errlen)) != 0) {
        nng_close(cs->sock);
        goto fail;
    }
    nng_socket_set_ms(cs->sock, NNG_OPT_RECVTIMEO, 20);
    /* A reply waits briefly for a busy connection; a dead one is dropped. */
    nng_socket_set_ms(cs->sock, NNG_OPT_SENDTIMEO, 500);
    *out = cs;
    return DISCO_OK;
fail:
    membership_fini(&cs->members);
    free(cs->deferred);
    free(cs->barrier_deferred);
    pthread_mutex_destroy(&cs->lock);
    free(cs);
    return rv;
}

void control_server_destroy(struct control_server *cs)
{
    if (cs == NULL)
        return;
    /* NNG sends replies from its own threads and closing drops what is still
     * queued: after a shutdown, give the last Shutdown replies time to leave
     * (over tcp/tls a server would otherwise wait for one that never comes). */
    if (cs->phase == PHASE_DONE && cs->members.joined > 0)
        nng_msleep(300);
    nng_close(cs->sock);
    for (unsigned i = 0; i <= cs->members.expected; i++)
        if (cs->deferred[i])
            nng_msg_free(cs->deferred[i]);
    free(cs->deferred);
    for (unsigned i = 0; i <= cs->members.expected; i++)
        if (cs->barrier_deferred[i])
            nng_msg_free(cs->barrier_deferred[i]);
    free(cs->barrier_deferred);
    membership_fini(&cs->members);
    pthread_mutex_destroy(&cs->lock);
    pthread_mutex_destroy(&cs->state_lock);
    free(cs);
}

/* Sends reply on the route recorded in req's header. Takes ownership of req. */
static void send_reply(struct control_server *cs, nng_msg *req,
                       const Disco__Control__CoordReply *reply)
{
    uint8_t *buf;
    size_t len;
    pbcodec_pack(&reply->base, &buf, &len);
    nng_msg_clear(req);
    int nrv = nng_msg_append(req, buf, len);
    free(buf);
    if (nrv == 0)
        nrv = nng_sendmsg(cs->sock, req, 0);
    if (nrv != 0) {
        /* The peer is gone or its queue is full; its loss is noticed elsewhere. */
        log_debug("control reply dropped: %s", nng_strerror(nrv));
        nng_msg_free(req);
    }
}

static void reply_error(struct control_server *cs, nng_msg *req, const char *text)
{
    Disco__Control__Error e = DISCO__CONTROL__ERROR__INIT;
    Disco__Control__CoordReply r = DISCO__CONTROL__COORD_REPLY__INIT;
    e.message = (char *)text;
    r.body_case = DISCO__CONTROL__COORD_REPLY__BODY_ERROR;
    r.error = &e;
    cs->rejected++;
    send_reply(cs, req, &r);
}

static void send_assignment(struct control_server *cs, unsigned index, nng_msg *req)
{
    unsigned n = cs->members.joined;
    Disco__Control__ServerInfo *servers = xcalloc(n, sizeof *servers);
    Disco__Control__ServerInfo **ptrs = xcalloc(n, sizeof *ptrs);
    Disco__Control__Assignment a;
    membership_assignment(&cs->members, index, &a, servers, ptrs);
    Disco__Control__BareRun bare = DISCO__CONTROL__BARE_RUN__INIT;
    if (cs->bare_elf) {
        bare.elf.data = (uint8_t *)cs->bare_elf;
        bare.elf.len = cs->bare_elf_len;
        bare.quantum_cycles = cs->quantum_cycles;
        a.bare = &bare;
    } else if (cs->vm_host) {
        a.vm_host = (Disco__Control__VmHost *)cs->vm_host;
    }
    Disco__Control__CoordReply r = DISCO__CONTROL__COORD_REPLY__INIT;
    r.body_case = DISCO__CONTROL__COORD_REPLY__BODY_ASSIGNMENT;
    r.assignment = &a;
    send_reply(cs, req, &r);
    free(servers);
    free(ptrs);
}

static int handle_register(struct control_server *cs, nng_msg *req,
                           const Disco__Control__NodeRequest *body, char *err, size_t errlen)
{
    char why[256];
    unsigned index;
    uint32_t pipe = nng_pipe_id(nng_msg_get_pipe(req));
    if (cs->phase != PHASE_JOINING) {
        reply_error(cs, req, "the machine is already assembled");
        return DISCO_OK;
    }
    if (membership_join(&cs->members, body->register_, pipe, control_now_ms(), &index, why,
                        sizeof why) != 0) {
        log_warn("registration from %s refused: %s", body->register_->hostname, why);
        reply_error(cs, req, why);
        return DISCO_OK;
    }
    cs->deferred[index] = req; /* answered when everyone has joined */
    char who[160];
    membership_describe(&cs->members, index, who, sizeof who);
    log_info("joined: %s (%u/%u)", who, cs->members.joined, cs->members.expected);
    if (membership_complete(&cs->members)) {
        for (unsigned i = 0; i < cs->members.joined; i++) {
            send_assignment(cs, i, cs->deferred[i]);
            cs->deferred[i] = NULL;
        }
        cs->phase = PHASE_RUNNING;
    }
    return DISCO_OK;
}

static int handle_heartbeat(struct control_server *cs, nng_msg *req,
                            const Disco__Control__NodeRequest *body, char *err, size_t errlen)
{
    uint32_t pipe = nng_pipe_id(nng_msg_get_pipe(req));
    unsigned index = body->heartbeat->server_index;
    if (membership_heartbeat(&cs->members, index, pipe, control_now_ms()) != 0) {
        reply_error(cs, req, "heartbeat from an unknown server");
        return DISCO_OK;
    }
    Disco__Control__CoordReply r = DISCO__CONTROL__COORD_REPLY__INIT;
    Disco__Control__Ack ack = DISCO__CONTROL__ACK__INIT;
    Disco__Control__Shutdown sd = DISCO__CONTROL__SHUTDOWN__INIT;
    if (cs->phase == PHASE_STOPPING) {
        sd.reason = cs->shutdown_reason;
        r.body_case = DISCO__CONTROL__COORD_REPLY__BODY_SHUTDOWN;
        r.shutdown = &sd;
        cs->members.server[index].left = true;
    } else {
        r.body_case = DISCO__CONTROL__COORD_REPLY__BODY_ACK;
        r.ack = &ack;
    }
    send_reply(cs, req, &r);
    return DISCO_OK;
}

static void send_release(struct control_server *cs, unsigned index, nng_msg *req, uint64_t quantum,
                         bool over)
{
    Disco__Control__CoordReply r = DISCO__CONTROL__COORD_REPLY__INIT;
    Disco__Control__BarrierRelease rel = DISCO__CONTROL__BARRIER_RELEASE__INIT;
    rel.quantum = quantum;
    rel.run_over = over;
    rel.has_want_pages = rel.has_reset_pages = cs->want_pages;
    rel.want_pages = cs->want_pages;
    rel.reset_pages = cs->reset_pages;
    if (cs->barrier.fill_release && !cs->final_phase)
        cs->barrier.fill_release(cs->barrier.arg, index, &rel);
    r.body_case = DISCO__CONTROL__COORD_REPLY__BODY_RELEASE;
    r.release = &rel;
    send_reply(cs, req, &r);
}

/* Releases the barrier once every server still in the machine has arrived. */
static void barrier_try_release(struct control_server *cs)
{
    unsigned n = cs->members.joined, waiting = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!cs->barrier_deferred[i] && !cs->members.server[i].lost)
            return;
        waiting += cs->barrier_deferred[i] != NULL;
    }
    if (waiting == 0)
        return;
    if (!cs->final_phase && cs->barrier.hold && cs->phase == PHASE_RUNNING &&
        cs->barrier.hold(cs->barrier.arg))
        return; /* idle: asked again at the next poll */
    bool over = true;
    if (!cs->final_phase && cs->barrier.release)
        over = cs->barrier.release(cs->barrier.arg, cs->barrier_quantum);
    for (unsigned i = 0; i < n; i++) {
        if (cs->barrier_deferred[i]) {
            send_release(cs, i, cs->barrier_deferred[i], cs->barrier_quantum, over);
            cs->barrier_deferred[i] = NULL;
        }
    }
    cs->want_pages = cs->reset_pages = false;
    if (cs->final_phase)
        cs->run_complete = true;
    else if (over)
        cs->final_phase = true;
    else
        cs->barrier_quantum++;
}

static int handle_barrier(struct control_server *cs, nng_msg *req,
                          const Disco__Control__NodeRequest *body, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    const Disco__Control__BarrierArrive *a = body->barrier;
    uint32_t pipe = nng_pipe_id(nng_msg_get_pipe(req));
    unsigned index = a->server_index;
    if (cs->phase == PHASE_STOPPING && cs->barrier.hold && index < cs->members.joined &&
        !cs->barrier_deferred[index] && !a->error) {
        /* A VM host shutting down: the server waits here until its next
         * heartbeat is answered with Shutdown, and leaves cleanly. */
        cs->barrier_deferred[index] = req;
        return DISCO_OK;
    }
    if ((cs->bare_elf == NULL && cs->vm_host == NULL) || cs->phase != PHASE_RUNNING ||
        cs->run_complete) {
        reply_error(cs, req, "no run in progress");
        return DISCO_OK;
    }
    if (membership_heartbeat(&cs->members, index, pipe, control_now_ms()) != 0) {
        reply_error(cs, req, "barrier arrival from an unknown server");
        return DISCO_OK;
    }
    if (a->error) {
        /* The server cannot go on: the run is over, with its reason. */
        if (cs->barrier.arrive)
            cs->barrier.arrive(cs->barrier.arg, a);
        cs->run_complete = true;
        reply_error(cs, req, "run failed");
        return DISCO_OK;
    }
    bool final = a->has_final && a->final;
    if (cs->barrier_deferred[index] || final != cs->final_phase ||
        (!final && a->quantum != cs->barrier_quantum)) {
        reply_error(cs, req, "barrier arrival out of step");
        return DISCO_OK;
    }
    if (cs->barrier.arrive)
        cs->barrier.arrive(cs->barrier.arg, a);
    cs->barrier_deferred[index] = req;
    barrier_try_release(cs);
    return DISCO_OK;
}

void control_server_request_pages(struct control_server *cs, bool reset)
{
    pthread_mutex_lock(&cs->state_lock);
    cs->want_pages = true;
    cs->reset_pages = reset;
    pthread_mutex_unlock(&cs->state_lock);
}

bool control_server_run_complete(const struct control_server *cs)
{
    return cs->run_complete;
}

static const request_handler handlers[] = {
    [DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER] = handle_register,
    [DISCO__CONTROL__NODE_REQUEST__BODY_HEARTBEAT] = handle_heartbeat,
    [DISCO__CONTROL__NODE_REQUEST__BODY_BARRIER] = handle_barrier,
};

static int dispatch(struct control_server *cs, nng_msg *req, char *err, size_t errlen)
{
    ProtobufCMessage *m;
    int rv = pbcodec_unpack(&disco__control__node_request__descriptor, nng_msg_body(req),
                            nng_msg_len(req), CONTROL_MAX_REQUEST, &m);
    if (rv != 0) {
        log_warn("malformed control request (%zu bytes): %s", nng_msg_len(req), disco_strerror(rv));
        reply_error(cs, req, "malformed request");
        return DISCO_OK;
    }
    Disco__Control__NodeRequest *body = (Disco__Control__NodeRequest *)m;
    size_t kind = (size_t)body->body_case;
    if (kind >= sizeof handlers / sizeof handlers[0] || handlers[kind] == NULL) {
        reply_error(cs, req, "unknown request");
        rv = DISCO_OK;
    } else {
        rv = handlers[kind](cs, req, body, err, errlen);
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return rv;
}

/* Servers whose connection closed are lost (reported from NNG's threads). */
static void note_closed(struct control_server *cs)
{
    pthread_mutex_lock(&cs->lock);
    for (unsigned i = 0; i < cs->closed_count; i++) {
        int index = membership_pipe_closed(&cs->members, cs->closed[i]);
        if (index >= 0 && cs->deferred[index]) {
            nng_msg_free(cs->deferred[index]);
            cs->deferred[index] = NULL;
        }
    }
    cs->closed_count = 0;
    pthread_mutex_unlock(&cs->lock);
}

static int check_liveness(struct control_server *cs, char *err, size_t errlen)
{
    note_closed(cs);
    /* A server waiting at the barrier is alive while its connection is. */
    int64_t now = control_now_ms();
    for (unsigned i = 0; i < cs->members.joined; i++)
        if (cs->barrier_deferred[i] && !cs->members.server[i].lost)
            cs->members.server[i].last_seen_ms = now;
    int lost = membership_find_silent(&cs->members, control_now_ms(), cs->heartbeat_timeout_ms);
    if (lost < 0)
        return DISCO_OK;
    char who[160];
    const struct server_entry *s = &cs->members.server[lost];
    membership_describe(&cs->members, (unsigned)lost, who, sizeof who);
    snprintf(err, errlen, "node %s lost: %s", who,
             s->lost ? "connection closed" : "no heartbeat within the timeout");
    return DISCO_EPEERLOST;
}

int control_server_poll(struct control_server *cs, int wait_ms, char *err, size_t errlen)
{
    int64_t deadline = control_now_ms() + wait_ms;
    do {
        nng_msg *req;
        int nrv = nng_recvmsg(cs->sock, &req, 0);
        if (nrv == 0) {
            pthread_mutex_lock(&cs->state_lock);
            int rv = dispatch(cs, req, err, errlen);
            pthread_mutex_unlock(&cs->state_lock);
            if (rv != 0)
                return rv;
        } else if (nrv != NNG_ETIMEDOUT) {
            snprintf(err, errlen, "control socket: %s", nng_strerror(nrv));
            return DISCO_ENET;
        }
        pthread_mutex_lock(&cs->state_lock);
        if (cs->phase == PHASE_STOPPING) {
            note_closed(cs); /* a server that exited has left too */
            unsigned gone = 0;
            for (unsigned i = 0; i < cs->members.joined; i++)
                gone += cs->members.server[i].left || cs->members.server[i].lost;
            if (gone == cs->members.joined)
                cs->phase = PHASE_DONE;
        } else if ((cs->phase == PHASE_RUNNING || cs->members.joined > 0) && !cs->run_complete) {
            if (cs->barrier.hold && cs->phase == PHASE_RUNNING)
                barrier_try_release(cs); /* a held release may go now */
            /* (after a --bare run is complete, a server leaving is expected) */
            int rv = check_liveness(cs, err, errlen);
            if (rv != 0) {
                pthread_mutex_unlock(&cs->state_lock);
                return rv;
            }
        }
        pthread_mutex_unlock(&cs->state_lock);
    } while (cs->phase != PHASE_DONE && control_now_ms() < deadline);
    return DISCO_OK;
}

void control_server_begin_shutdown(struct control_server *cs, const char *reason)
{
    pthread_mutex_lock(&cs->state_lock);
    snprintf(cs->shutdown_reason, sizeof cs->shutdown_reason, "%s", reason);
    for (unsigned i = 0; i < cs->members.joined; i++) {
        if (cs->deferred[i]) { /* still waiting for its Assignment */
            reply_error(cs, cs->deferred[i], reason);
            cs->deferred[i] = NULL;
            cs->members.server[i].left = true;
        }
    }
    cs->phase = cs->members.joined ? PHASE_STOPPING : PHASE_DONE;
    pthread_mutex_unlock(&cs->state_lock);
}

void control_server_snapshot(struct control_server *cs, struct control_snapshot *out)
{
    pthread_mutex_lock(&cs->state_lock);
    const struct membership *m = &cs->members;
    *out = (struct control_snapshot){.phase = cs->phase,
                                     .expected = m->expected,
                                     .joined = m->joined,
                                     .total_nodes = m->total_nodes,
                                     .cpus_per_node = m->cpus_per_node,
                                     .memory_per_node = m->memory_per_node,
                                     .now_ms = control_now_ms()};
    out->server = xcalloc(m->joined + 1, sizeof *out->server);
    memcpy(out->server, m->server, m->joined * sizeof *out->server);
    pthread_mutex_unlock(&cs->state_lock);
}

enum control_phase control_server_phase(const struct control_server *cs)
{
    return cs->phase;
}

const struct membership *control_server_membership(const struct control_server *cs)
{
    return &cs->members;
}

uint64_t control_server_rejected(const struct control_server *cs)
{
    return cs->rejected;
}

void control_server_print_layout(const struct control_server *cs, FILE *out)
{
    const struct membership *m = &cs->members;
    fprintf(out, "machine: %u FLASH nodes x %u CPU(s), %llu MiB per node, %u server(s)\n",
            m->total_nodes, m->cpus_per_node, (unsigned long long)(m->memory_per_node >> 20),
            m->joined);
    for (unsigned i = 0; i < m->joined; i++) {
        const struct server_entry *s = &m->server[i];
        uint64_t lo = (uint64_t)s->first_node * m->memory_per_node;
        uint64_t hi = lo + (uint64_t)s->node_count * m->memory_per_node - 1;
        fprintf(
            out,
            "  server %-3u host %-16s pid %-7u nodes %3u-%-3u machine memory 0x%010llx-0x%010llx\n",
            i, s->hostname, s->pid, s->first_node, s->first_node + s->node_count - 1,
            (unsigned long long)lo, (unsigned long long)hi);
    }
}
