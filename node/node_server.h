/*
 * node_server.h - one flash-node process: the K FLASH nodes it hosts and
 * their banks of machine memory, laid out by the coordinator's Assignment.
 * The CPUs, caches and directories of those nodes attach here as they are
 * built (see docs/architecture.md).
 */
#ifndef DISCO_NODE_NODE_SERVER_H
#define DISCO_NODE_NODE_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"

struct flash_node {
    uint32_t id;
    uint64_t bank_base; /* first machine address this node homes */
    uint64_t bank_bytes;
    uint8_t *bank; /* host memory holding the bank's contents */
};

struct node_server {
    uint32_t server_index;
    uint32_t total_nodes;
    uint32_t cpus_per_node;
    uint32_t node_count;
    struct flash_node *node;
};

/* Lays out the nodes of an Assignment and maps their banks (lazily backed). */
int node_server_init(struct node_server *ns, const Disco__Control__Assignment *a, char *err,
                     size_t errlen) __attribute__((warn_unused_result));
void node_server_fini(struct node_server *ns);

/* Home node of a machine address, from the address alone; -1 if outside memory. */
int node_server_home_of(const struct node_server *ns, uint64_t machine_addr);

#endif
