/*
 * control_server.h - the coordinator's end of the control plane: a raw REP
 * socket that answers node servers' requests (registration, heartbeats),
 * deferring registration replies until the whole machine has joined, and
 * noticing lost servers through closed connections and missed heartbeats.
 * Single-threaded: the caller drives it with control_server_poll().
 */
#ifndef DISCO_COORD_CONTROL_SERVER_H
#define DISCO_COORD_CONTROL_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "membership.h"
#include "net.h"

/*
 * The quantum barrier of a --bare or --vm run (docs/architecture.md): every
 * server arrives at the end of each quantum of simulated time; the reply is held
 * until all have arrived, then release() decides whether the run is over.
 * After a release that ends the run, each server arrives once more with
 * final=true (last console bytes, statistics, page miss counters); when all
 * have, the run is complete. Both callbacks run on the polling thread.
 */
struct control_barrier_ops {
    void (*arrive)(void *arg, const Disco__Control__BarrierArrive *arrival);
    bool (*release)(void *arg, uint64_t quantum);
    void *arg;
    /* Optional, VM hosting: called for each server's release after release()
     * decided, to add that server's VM commands and statistics request. What
     * it points the release to must stay valid until the next call for the
     * same server (the release is encoded before this returns to the loop). */
    void (*fill_release)(void *arg, unsigned server_index, Disco__Control__BarrierRelease *release);
    /* Optional, VM hosting as a service (disco-coord --serve): asked once
     * every server has arrived, before release(); true holds the release
     * back, so an idle machine waits at the barrier instead of spinning
     * through empty quanta (the servers keep heartbeating meanwhile). Asked
     * again at every turn of control_server_poll() (at least every 20 ms). */
    bool (*hold)(void *arg);
};

struct control_server_options {
    const char *url; /* where node servers dial in */
    /* A bare-metal program shipped in every Assignment (NULL: none). */
    const uint8_t *bare_elf;
    size_t bare_elf_len;
    uint64_t quantum_cycles;
    /* VM hosting shipped in every Assignment instead (NULL: none): the
     * servers run the quantum loop with their CPUs given to the monitor. */
    const Disco__Control__VmHost *vm_host;
    struct control_barrier_ops barrier;
    const struct tls_files *tls; /* for tls+tcp:// */
    unsigned expected_servers;
    int64_t heartbeat_timeout_ms; /* silence after which a server is lost */
};

enum control_phase { PHASE_JOINING, PHASE_RUNNING, PHASE_STOPPING, PHASE_DONE };

struct control_server;

/* Listens on options->url. Returns 0 or a DISCO_E* code with a message. */
int control_server_create(const struct control_server_options *options, struct control_server **out,
                          char *err, size_t errlen) __attribute__((warn_unused_result));
void control_server_destroy(struct control_server *cs);

/*
 * Serves requests for up to wait_ms. Returns 0, or DISCO_EPEERLOST with the
 * lost server named in err (the machine cannot go on without it).
 */
int control_server_poll(struct control_server *cs, int wait_ms, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Asks every server for its directories' per-page miss counters: the next
 * barrier release carries the request and the arrival after it the
 * counters (through control_barrier_ops.arrive); reset zeroes them after.
 */
void control_server_request_pages(struct control_server *cs, bool reset);

/* True once every server made its final barrier arrival (a --bare run ended),
 * or one reported that it cannot go on (BarrierArrive.error). */
bool control_server_run_complete(const struct control_server *cs);

/* From now on heartbeats are answered with Shutdown(reason). */
void control_server_begin_shutdown(struct control_server *cs, const char *reason);

enum control_phase control_server_phase(const struct control_server *cs);
const struct membership *control_server_membership(const struct control_server *cs);
/* Malformed or unexpected requests answered with an error so far. */
uint64_t control_server_rejected(const struct control_server *cs);

void control_server_print_layout(const struct control_server *cs, FILE *out);

/*
 * A consistent copy of the machine's membership for other threads (the API
 * server): taken under the control server's state lock, which
 * control_server_poll() and control_server_begin_shutdown() hold while they
 * change membership or phase. server[] is heap-allocated ([joined]); free it.
 */
struct control_snapshot {
    enum control_phase phase;
    unsigned expected, joined;
    uint32_t total_nodes, cpus_per_node;
    uint64_t memory_per_node;
    int64_t now_ms; /* control_now_ms() when taken */
    struct server_entry *server;
};
void control_server_snapshot(struct control_server *cs, struct control_snapshot *out);

/* Monotonic milliseconds, the time base of the control plane. */
int64_t control_now_ms(void);

#endif
