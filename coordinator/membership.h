/*
 * membership.h - which node servers make up the simulated machine and which
 * FLASH nodes each one hosts. Pure bookkeeping (no I/O): the control server
 * feeds it registrations, heartbeats and closed connections; it validates
 * them, lays out node ids and the machine address map, and says who is lost.
 */
#ifndef DISCO_COORD_MEMBERSHIP_H
#define DISCO_COORD_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"
#include "control_version.h"

#define MEMBERSHIP_MAX_SERVERS          1024
#define MEMBERSHIP_MAX_NODES            4096
#define MEMBERSHIP_MAX_NODES_PER_SERVER 256
#define MEMBERSHIP_MAX_CPUS_PER_NODE    16
#define MEMBERSHIP_MIN_NODE_MEMORY      (1ull << 20)
#define MEMBERSHIP_MAX_NODE_MEMORY      (64ull << 30)

struct server_entry {
    uint32_t pipe; /* transport connection id, 0 when gone */
    char hostname[64];
    char interconnect_url[256];
    char interconnect_reply_url[256];
    uint32_t pid;
    uint32_t node_count;
    uint32_t first_node;
    int64_t last_seen_ms;
    bool lost;
    bool left; /* acknowledged a shutdown */
};

struct membership {
    unsigned expected;
    unsigned joined;
    uint32_t total_nodes;
    uint32_t cpus_per_node;
    uint64_t memory_per_node;
    struct server_entry *server; /* [expected] */
};

void membership_init(struct membership *m, unsigned expected_servers);
void membership_fini(struct membership *m);

/*
 * Validates a registration arriving on connection pipe and adds the server.
 * Returns 0 and its index, or DISCO_EINVAL/DISCO_EPROTO/DISCO_EEXIST with a
 * message for the server in err.
 */
int membership_join(struct membership *m, const Disco__Control__Register *reg, uint32_t pipe,
                    int64_t now_ms, unsigned *index, char *err, size_t errlen)
    __attribute__((warn_unused_result));

bool membership_complete(const struct membership *m);

/*
 * Fills an Assignment for server index; the message points into m and into
 * the caller's scratch array servers[m->joined] (no allocation).
 */
void membership_assignment(const struct membership *m, unsigned index,
                           Disco__Control__Assignment *out, Disco__Control__ServerInfo *servers,
                           Disco__Control__ServerInfo **server_ptrs);

/* Records a heartbeat; returns 0, or DISCO_EPROTO if index/pipe do not match. */
int membership_heartbeat(struct membership *m, unsigned index, uint32_t pipe, int64_t now_ms)
    __attribute__((warn_unused_result));

/* Marks the server on pipe as gone; returns its index or -1 if none. */
int membership_pipe_closed(struct membership *m, uint32_t pipe);

/* Returns the index of a server silent for more than timeout_ms, or -1. */
int membership_find_silent(const struct membership *m, int64_t now_ms, int64_t timeout_ms);

/* "server 1 (nodes 2-3, host h, pid p)" for messages. */
void membership_describe(const struct membership *m, unsigned index, char *buf, size_t len);

#endif
