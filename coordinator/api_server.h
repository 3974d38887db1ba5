/*
 * api_server.h - the public API of disco-coord: Twirp-style protobuf RPC
 * over HTTPS with mutual TLS (libevent evhttp + bufferevent_openssl), the
 * job scheduler and the SQLite store, all on one thread of their own with
 * its own event loop. The coordinator's main thread starts and stops it and
 * publishes the cluster's state to it through a snapshot callback.
 * See docs/api.md for the protocol.
 */
#ifndef DISCO_COORD_API_SERVER_H
#define DISCO_COORD_API_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define API_MAX_ADMINS 16

struct vm_service;

/* The cluster as the API sees it; filled by the coordinator on request. */
struct api_node_view {
    uint32_t node, server, pid, cpus;
    char hostname[64];
    uint64_t memory_bytes, memory_base, heartbeat_age_ms;
    bool alive;
};
struct api_cluster_view {
    char phase[16];
    uint32_t servers, servers_expected, nodes, cpus_per_node;
    uint64_t memory_per_node;
    struct api_node_view *node; /* [nodes], owned by the view */
};
/* Fills view (node array heap-allocated; api_server frees it). Thread-safe. */
typedef void (*api_cluster_snapshot_fn)(void *arg, struct api_cluster_view *view);

struct api_server_options {
    const char *listen;                 /* ADDR:PORT; port 0 picks a free one */
    const char *state_dir;              /* disco.db, images/, console/, tls/ */
    struct tls_files tls;               /* server identity, the users' CA, and optional CRL */
    const char *admins[API_MAX_ADMINS]; /* CNs with the admin role */
    unsigned admin_count;
    const char *flash_run;    /* the program runner's binary (Linux user programs) */
    struct vm_service *vms;   /* the machine's VM host (job_runner.h): kernels run there */
    unsigned max_running;     /* VMs at once */
    unsigned timeout_s;       /* HTTP read/write timeout of a connection */
    uint64_t image_max_bytes; /* largest image */
    api_cluster_snapshot_fn snapshot;
    void *snapshot_arg;
};

struct api_server;

/*
 * Opens the store, applies the restart policy, loads TLS and binds the
 * listener; nothing runs until api_server_start(). Returns 0 or a DISCO_E*
 * code with a message.
 */
int api_server_create(const struct api_server_options *options, struct api_server **out, char *err,
                      size_t errlen) __attribute__((warn_unused_result));
/* Runs the event loop on a new thread. */
int api_server_start(struct api_server *srv, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* The bound port (after create). */
unsigned api_server_port(const struct api_server *srv);
/* Stops the loop (from any thread), joins it, kills running guests, frees. */
void api_server_destroy(struct api_server *srv);

/*
 * The embedded default: creates STATE_DIR/tls/ with a private CA, a server
 * certificate (CN disco-coord, for localhost and 127.0.0.1), a user
 * certificate for the local administrator (CN admin), and an empty CRL, the
 * first time; fills files with their paths (strings owned by paths_buf).
 */
int api_tls_bootstrap(const char *state_dir, struct tls_files *files, char *paths_buf,
                      size_t paths_len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
