/*
 * flash-node - a node server: hosts K FLASH nodes of the simulated machine.
 * Registers with disco-coord, receives its node ids and the machine layout,
 * maps the nodes' memory banks, and stays in the machine (heartbeats) until
 * the coordinator shuts it down or is lost.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control_client.h"
#include "disco_err.h"
#include "log.h"
#include "node_server.h"

struct options {
    const char *coord_url;
    unsigned nodes, cpus_per_node, memory_per_node_mib, rank;
    unsigned join_timeout_s, heartbeat_ms, coord_timeout_ms;
    struct tls_files tls;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: flash-node --coord URL [options]\n"
                 "  --coord URL            the coordinator's control endpoint\n"
                 "  --nodes K              FLASH nodes hosted here (default 1)\n"
                 "  --cpus-per-node C      CPUs per node (default 1)\n"
                 "  --memory-per-node MIB  machine memory per node (default 64)\n"
                 "  --join-timeout S       wait for the machine to assemble (default 60)\n"
                 "  --heartbeat-ms MS      heartbeat period (default 250)\n"
                 "  --coord-timeout-ms MS  coordinator silence that ends the run (default 5000)\n"
                 "  --tls-ca F --tls-cert F --tls-key F   identity for tls+tcp:// URLs\n"
                 "  --server-rank N        rank given by a launcher (for log lines)\n"
                 "  --log-level L          error|warn|info|debug\n");
}

static unsigned parse_count(const char *text, const char *name, unsigned max)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v > max) {
        fprintf(stderr, "flash-node: %s must be a number from 0 to %u, not '%s'\n", name, max,
                text);
        exit(2);
    }
    return (unsigned)v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    enum {
        O_COORD = 256,
        O_NODES,
        O_CPN,
        O_MEM,
        O_JOIN,
        O_HB,
        O_CT,
        O_CA,
        O_CERT,
        O_KEY,
        O_RANK,
        O_LOG,
        O_HELP
    };
    static const struct option longopts[] = {
        {"coord", 1, 0, O_COORD},         {"nodes", 1, 0, O_NODES},
        {"cpus-per-node", 1, 0, O_CPN},   {"memory-per-node", 1, 0, O_MEM},
        {"join-timeout", 1, 0, O_JOIN},   {"heartbeat-ms", 1, 0, O_HB},
        {"coord-timeout-ms", 1, 0, O_CT}, {"tls-ca", 1, 0, O_CA},
        {"tls-cert", 1, 0, O_CERT},       {"tls-key", 1, 0, O_KEY},
        {"server-rank", 1, 0, O_RANK},    {"log-level", 1, 0, O_LOG},
        {"help", 0, 0, O_HELP},           {0, 0, 0, 0}};
    *o = (struct options){.nodes = 1,
                          .cpus_per_node = 1,
                          .memory_per_node_mib = 64,
                          .join_timeout_s = 60,
                          .heartbeat_ms = 250,
                          .coord_timeout_ms = 5000};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_COORD: o->coord_url = optarg; break;
        case O_NODES: o->nodes = parse_count(optarg, "--nodes", 256); break;
        case O_CPN: o->cpus_per_node = parse_count(optarg, "--cpus-per-node", 16); break;
        case O_MEM: o->memory_per_node_mib = parse_count(optarg, "--memory-per-node", 65536); break;
        case O_JOIN: o->join_timeout_s = parse_count(optarg, "--join-timeout", 3600); break;
        case O_HB: o->heartbeat_ms = parse_count(optarg, "--heartbeat-ms", 60000); break;
        case O_CT: o->coord_timeout_ms = parse_count(optarg, "--coord-timeout-ms", 600000); break;
        case O_CA: o->tls.ca_file = optarg; break;
        case O_CERT: o->tls.cert_file = optarg; break;
        case O_KEY: o->tls.key_file = optarg; break;
        case O_RANK: o->rank = parse_count(optarg, "--server-rank", 1u << 20); break;
        case O_LOG: {
            enum log_level l;
            if (log_parse_level(optarg, &l) != 0) {
                fprintf(stderr, "flash-node: unknown log level '%s'\n", optarg);
                exit(2);
            }
            log_set_level(l);
            break;
        }
        case O_HELP:
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (o->coord_url == NULL || optind != argc) {
        usage(stderr);
        exit(2);
    }
    if (o->nodes == 0 || o->cpus_per_node == 0 || o->memory_per_node_mib == 0 ||
        o->heartbeat_ms == 0) {
        fprintf(stderr, "flash-node: counts, sizes and periods must be at least 1\n");
        exit(2);
    }
}

/* Stays in the machine until told to leave; returns the process exit status. */
static int heartbeat_loop(struct control_client *cc, const struct node_server *ns,
                          const struct options *o)
{
    char reason[256];
    unsigned missed_ms = 0;
    for (;;) {
        if (interrupted) {
            log_warn("interrupted by signal %d", (int)interrupted);
            return 1;
        }
        bool shutdown = false;
        int rv = control_client_heartbeat(cc, ns->server_index, 0, (int)o->heartbeat_ms * 4,
                                          &shutdown, reason, sizeof reason);
        if (rv == 0 && shutdown) {
            log_info("shut down by the coordinator: %s", reason);
            return 0;
        }
        if (rv == 0) {
            missed_ms = 0;
        } else {
            missed_ms += o->heartbeat_ms * 4;
            if (rv == DISCO_EPROTO || missed_ms >= o->coord_timeout_ms) {
                log_error("coordinator lost: %s", reason);
                return 1;
            }
        }
        nanosleep(&(struct timespec){o->heartbeat_ms / 1000, (o->heartbeat_ms % 1000) * 1000000L},
                  NULL);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    struct control_client *cc = NULL;
    Disco__Control__Assignment *assignment = NULL;
    struct node_server ns = {0};
    char err[512], name[32];
    int status = 1;

    /* 1. Options, logging, signals. */
    parse_options(argc, argv, &o);
    snprintf(name, sizeof name, "server%u", o.rank);
    log_set_component(name);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    /* 2. Join the machine: register and wait for the layout. */
    struct node_offer offer = {.node_count = o.nodes,
                               .cpus_per_node = o.cpus_per_node,
                               .memory_per_node_bytes = (uint64_t)o.memory_per_node_mib << 20};
    if (control_client_create(o.coord_url, &o.tls, &cc, err, sizeof err) != 0 ||
        control_client_register(cc, &offer, (int)o.join_timeout_s * 1000, &assignment, err,
                                sizeof err) != 0) {
        fprintf(stderr, "flash-node: %s\n", err);
        goto out;
    }
    snprintf(name, sizeof name, "server%u", assignment->server_index);
    log_set_component(name);

    /* 3. Build our nodes: memory banks at their machine addresses. */
    if (node_server_init(&ns, assignment, err, sizeof err) != 0) {
        fprintf(stderr, "flash-node: %s\n", err);
        goto out;
    }
    log_info("hosting nodes %u-%u of %u", assignment->first_node,
             assignment->first_node + assignment->node_count - 1, assignment->total_nodes);

    /* 4. Stay in the machine until the coordinator lets us go. */
    status = heartbeat_loop(cc, &ns, &o);

out:
    node_server_fini(&ns);
    if (assignment)
        disco__control__assignment__free_unpacked(assignment, NULL);
    control_client_destroy(cc);
    return status;
}
