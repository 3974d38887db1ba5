/*
 * flash-node - a node server: hosts K FLASH nodes of the simulated machine.
 * Registers with disco-coord, receives its node ids and the machine layout,
 * maps the nodes' memory banks, runs the bare-metal program the coordinator
 * may ship or hosts the Disco VMs it creates (its CPUs, caches, directories
 * and interconnect endpoint: bare_machine.h), and stays in the machine
 * (heartbeats) until the coordinator shuts it down or is lost.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bare_machine.h"
#include "control_client.h"
#include "disco_err.h"
#include "net.h"
#include "interconnect.h"
#include "log.h"
#include "node_server.h"
#include "sd_notify.h"

struct options {
    const char *coord_url;
    const char *interconnect; /* URL template of our interconnect listeners, or NULL */
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
                 "  --interconnect URL     listen for peers: ipc://PATH (PATH-RANK-req/-rep),\n"
                 "                         tcp://HOST:0 or tls+tcp://HOST:0 (any port)\n"
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
        O_IC,
        O_HELP
    };
    static const struct option longopts[] = {{"coord", 1, 0, O_COORD},
                                             {"nodes", 1, 0, O_NODES},
                                             {"cpus-per-node", 1, 0, O_CPN},
                                             {"memory-per-node", 1, 0, O_MEM},
                                             {"join-timeout", 1, 0, O_JOIN},
                                             {"heartbeat-ms", 1, 0, O_HB},
                                             {"coord-timeout-ms", 1, 0, O_CT},
                                             {"tls-ca", 1, 0, O_CA},
                                             {"tls-cert", 1, 0, O_CERT},
                                             {"tls-key", 1, 0, O_KEY},
                                             {"server-rank", 1, 0, O_RANK},
                                             {"log-level", 1, 0, O_LOG},
                                             {"interconnect", 1, 0, O_IC},
                                             {"help", 0, 0, O_HELP},
                                             {0, 0, 0, 0}};
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
        case O_IC: o->interconnect = optarg; break;
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

/* Runs the program the coordinator shipped, or hosts VMs; returns 0 or 1 (the run failed here). */
static int run_bare(struct control_client *cc, struct node_server *ns,
                    const Disco__Control__Assignment *a, struct interconnect *ic,
                    const struct options *o)
{
    char err[512];
    int rv = 0;
    if (ic && a->n_servers > 1) {
        const char **req = calloc(a->n_servers, sizeof *req);
        const char **rep = calloc(a->n_servers, sizeof *rep);
        for (size_t i = 0; req && rep && i < a->n_servers; i++) {
            req[i] = a->servers[i]->interconnect_url;
            rep[i] = a->servers[i]->interconnect_reply_url;
        }
        struct interconnect_limits lim = {.node_count = a->total_nodes,
                                          .agent_count = a->total_nodes * a->cpus_per_node};
        rv = req && rep ? interconnect_connect(ic, a->server_index, (unsigned)a->n_servers, req,
                                               rep, a->first_node, &lim, err, sizeof err)
                        : DISCO_ENOMEM;
        free(req);
        free(rep);
    } else if (a->n_servers > 1) {
        snprintf(err, sizeof err, "a machine of %zu servers needs --interconnect", a->n_servers);
        rv = DISCO_EINVAL;
    }
    struct bare_machine *m = NULL;
    struct bare_machine_config bc = {.assignment = a,
                                     .ns = ns,
                                     .ic = a->n_servers > 1 ? ic : NULL,
                                     .cc = cc,
                                     .interrupted = &interrupted,
                                     .barrier_timeout_ms = (int)o->coord_timeout_ms * 6};
    if (rv == 0)
        rv = bare_machine_create(&bc, &m, err, sizeof err);
    if (rv == 0)
        rv = bare_machine_run(m, err, sizeof err);
    bare_machine_destroy(m);
    if (rv != 0) {
        log_error("run failed: %s", err);
        if (!interrupted && rv != DISCO_ECLOSED) /* say why before the coordinator sees us go */
            control_client_report_failure(cc, a->server_index, err, 2000);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct control_client *cc = NULL;
    struct interconnect *ic = NULL;
    char ic_req[256] = "", ic_rep[256] = "";
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
    if (o.interconnect && interconnect_create(o.interconnect, o.rank, &o.tls, &ic, ic_req, ic_rep,
                                              sizeof ic_req, err, sizeof err) != 0) {
        fprintf(stderr, "flash-node: interconnect: %s\n", err);
        goto out;
    }
    struct node_offer offer = {.node_count = o.nodes,
                               .cpus_per_node = o.cpus_per_node,
                               .memory_per_node_bytes = (uint64_t)o.memory_per_node_mib << 20,
                               .interconnect_url = ic ? ic_req : NULL,
                               .interconnect_reply_url = ic ? ic_rep : NULL};
    /* The control client's dialer retries quietly, which is right while the
     * coordinator starts but hides a certificate mismatch: one direct attempt
     * first, and failing at once on a TLS refusal (it will not heal). */
    if (net_url_is_tls(o.coord_url) &&
        net_probe(o.coord_url, &o.tls, err, sizeof err) == DISCO_ETLS) {
        fprintf(stderr,
                "flash-node: the coordinator refuses us or is not trusted (check --tls-ca, "
                "--tls-cert, --tls-key): %s\n",
                err);
        goto out;
    }
    int rv = control_client_create(o.coord_url, &o.tls, &cc, err, sizeof err);
    if (rv == 0)
        rv = control_client_register(cc, &offer, (int)o.join_timeout_s * 1000, &assignment, err,
                                     sizeof err);
    if (rv != 0) {
        fprintf(stderr, "flash-node: %s\n", err);
        if (rv == DISCO_ETIMEDOUT && net_probe(o.coord_url, &o.tls, err, sizeof err) != 0)
            fprintf(stderr, "flash-node: a direct connection attempt says: %s\n", err);
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
    sd_notify_ready("hosting nodes %u-%u of %u", assignment->first_node,
                    assignment->first_node + assignment->node_count - 1, assignment->total_nodes);

    /* 4. A bare-metal program to run, or VMs to host, if the coordinator says so. */
    if ((assignment->bare || assignment->vm_host) && run_bare(cc, &ns, assignment, ic, &o) != 0) {
        status = 1;
        goto out;
    }

    /* 5. Stay in the machine until the coordinator lets us go. */
    status = heartbeat_loop(cc, &ns, &o);

out:
    node_server_fini(&ns);
    if (assignment)
        disco__control__assignment__free_unpacked(assignment, NULL);
    control_client_destroy(cc);
    interconnect_destroy(ic);
    return status;
}
