/* verb_nodes.c - `discoctl nodes`: the FLASH nodes of the machine, their servers and liveness. */
#include <stdio.h>

#include "cli.h"
#include "verbs.h"

int verb_nodes(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "nodes"))
        return EXIT_OK;
    if (argc > 1) {
        fprintf(stderr, "discoctl nodes: takes no arguments\n");
        return EXIT_USAGE;
    }
    struct disco_client *c = cli_connect();
    Disco__Api__ListNodesRequest q = DISCO__API__LIST_NODES_REQUEST__INIT;
    ProtobufCMessage *m;
    int rv = cli_call(c, "Cluster", "ListNodes", &q.base,
                      &disco__api__list_nodes_response__descriptor, &m);
    if (rv == 0) {
        const Disco__Api__ListNodesResponse *r = (const Disco__Api__ListNodesResponse *)m;
        if (cli.json) {
            disco_json_write(stdout, m, 2);
        } else {
            printf("%-5s %-6s %-16s %-8s %-4s %-9s %-12s %-6s %s\n", "NODE", "SERVER", "HOST",
                   "PID", "CPUS", "MEMORY", "BASE", "ALIVE", "HEARTBEAT");
            for (size_t i = 0; i < r->n_nodes; i++) {
                const Disco__Api__NodeInfo *n = r->nodes[i];
                printf("%-5u %-6u %-16s %-8u %-4u %-9llu 0x%010llx %-6s %llu ms ago\n", n->node,
                       n->server, n->hostname, n->pid, n->cpus,
                       (unsigned long long)(n->memory_bytes >> 20),
                       (unsigned long long)n->memory_base, n->alive ? "yes" : "no",
                       (unsigned long long)n->heartbeat_age_ms);
            }
        }
        protobuf_c_message_free_unpacked(m, NULL);
    }
    disco_client_close(c);
    return rv;
}
