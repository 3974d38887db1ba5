/*
 * disco-coord - the coordinator: assembles the simulated FLASH machine from
 * node servers, lays out node ids and machine memory, watches liveness and
 * shuts the machine down. With --local it starts the node servers itself
 * (the embedded default). Later: Disco policy, time barrier, public API.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_server.h"
#include "disco_err.h"
#include "local_cluster.h"
#include "log.h"

struct options {
    const char *listen_url;
    unsigned servers;
    unsigned local;
    unsigned nodes_per_server;
    unsigned cpus_per_node;
    unsigned memory_per_node_mib;
    unsigned join_timeout_s;
    unsigned heartbeat_timeout_ms;
    unsigned hold_s;
    struct tls_files tls;
    struct tls_files node_tls;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: disco-coord [options]\n"
            "  --local N              start N local node servers (the embedded default)\n"
            "  --servers N            expect N node servers to register (without --local)\n"
            "  --listen URL           control endpoint (default ipc in a private directory\n"
            "                         with --local, else tcp://127.0.0.1:7800)\n"
            "  --nodes-per-server K   FLASH nodes per local server (default 1)\n"
            "  --cpus-per-node C      CPUs per FLASH node (default 1)\n"
            "  --memory-per-node MIB  machine memory per node (default 64)\n"
            "  --join-timeout S       wait at most S seconds for servers (default 30)\n"
            "  --heartbeat-timeout MS declare a silent server lost after MS (default 3000)\n"
            "  --hold S               keep the assembled machine S seconds (default 0)\n"
            "  --tls-ca F --tls-cert F --tls-key F          identity for tls+tcp:// URLs\n"
            "  --node-tls-cert F --node-tls-key F           local servers' identity\n"
            "  --log-level L          error|warn|info|debug (or DISCO_LOG)\n");
}

static unsigned parse_count(const char *text, const char *name, unsigned max)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v > max) {
        fprintf(stderr, "disco-coord: %s must be a number from 0 to %u, not '%s'\n", name, max,
                text);
        exit(2);
    }
    return (unsigned)v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    enum { O_LOCAL = 256, O_SERVERS, O_LISTEN, O_NPS, O_CPN, O_MEM, O_JOIN, O_HB, O_HOLD,
           O_CA, O_CERT, O_KEY, O_NCERT, O_NKEY, O_LOG, O_HELP };
    static const struct option longopts[] = {
        {"local", 1, 0, O_LOCAL}, {"servers", 1, 0, O_SERVERS}, {"listen", 1, 0, O_LISTEN},
        {"nodes-per-server", 1, 0, O_NPS}, {"cpus-per-node", 1, 0, O_CPN},
        {"memory-per-node", 1, 0, O_MEM}, {"join-timeout", 1, 0, O_JOIN},
        {"heartbeat-timeout", 1, 0, O_HB}, {"hold", 1, 0, O_HOLD}, {"tls-ca", 1, 0, O_CA},
        {"tls-cert", 1, 0, O_CERT}, {"tls-key", 1, 0, O_KEY}, {"node-tls-cert", 1, 0, O_NCERT},
        {"node-tls-key", 1, 0, O_NKEY}, {"log-level", 1, 0, O_LOG}, {"help", 0, 0, O_HELP},
        {0, 0, 0, 0}};
    *o = (struct options){.nodes_per_server = 1, .cpus_per_node = 1, .memory_per_node_mib = 64,
                          .join_timeout_s = 30, .heartbeat_timeout_ms = 3000};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_LOCAL: o->local = parse_count(optarg, "--local", 1024); break;
        case O_SERVERS: o->servers = parse_count(optarg, "--servers", 1024); break;
        case O_LISTEN: o->listen_url = optarg; break;
        case O_NPS: o->nodes_per_server = parse_count(optarg, "--nodes-per-server", 256); break;
        case O_CPN: o->cpus_per_node = parse_count(optarg, "--cpus-per-node", 16); break;
        case O_MEM: o->memory_per_node_mib = parse_count(optarg, "--memory-per-node", 65536); break;
        case O_JOIN: o->join_timeout_s = parse_count(optarg, "--join-timeout", 3600); break;
        case O_HB: o->heartbeat_timeout_ms = parse_count(optarg, "--heartbeat-timeout", 600000); break;
        case O_HOLD: o->hold_s = parse_count(optarg, "--hold", 86400); break;
        case O_CA: o->tls.ca_file = o->node_tls.ca_file = optarg; break;
        case O_CERT: o->tls.cert_file = optarg; break;
        case O_KEY: o->tls.key_file = optarg; break;
        case O_NCERT: o->node_tls.cert_file = optarg; break;
        case O_NKEY: o->node_tls.key_file = optarg; break;
        case O_LOG: {
            enum log_level l;
            if (log_parse_level(optarg, &l) != 0) {
                fprintf(stderr, "disco-coord: unknown log level '%s'\n", optarg);
                exit(2);
            }
            log_set_level(l);
            break;
        }
        case O_HELP: case 'h': usage(stdout); exit(0);
        default: usage(stderr); exit(2);
        }
    }
    if (optind != argc) {
        fprintf(stderr, "disco-coord: unexpected argument '%s'\n", argv[optind]);
        exit(2);
    }
    if (o->local)
        o->servers = o->local;
    if (o->servers == 0) {
        fprintf(stderr, "disco-coord: say how many node servers: --local N or --servers N\n");
        exit(2);
    }
    if (o->nodes_per_server == 0 || o->cpus_per_node == 0 || o->memory_per_node_mib == 0) {
        fprintf(stderr, "disco-coord: node, CPU and memory counts must be at least 1\n");
        exit(2);
    }
}

/* Starts the local node servers, all dialing our control URL. */
static int start_local(const struct options *o, const char *url, struct local_cluster *lc,
                       char *err, size_t errlen)
{
    char binary[4096], nodes[16], cpus[16], mem[16];
    int rv = local_cluster_sibling_binary("flash-node", binary, sizeof binary);
    if (rv != 0) {
        snprintf(err, errlen, "cannot find flash-node beside disco-coord: %s", disco_strerror(rv));
        return rv;
    }
    snprintf(nodes, sizeof nodes, "%u", o->nodes_per_server);
    snprintf(cpus, sizeof cpus, "%u", o->cpus_per_node);
    snprintf(mem, sizeof mem, "%u", o->memory_per_node_mib);
    const char *args[20] = {"--coord", url, "--nodes", nodes, "--cpus-per-node", cpus,
                            "--memory-per-node", mem};
    unsigned n = 8;
    if (o->node_tls.ca_file && o->node_tls.cert_file && o->node_tls.key_file) {
        args[n++] = "--tls-ca";
        args[n++] = o->node_tls.ca_file;
        args[n++] = "--tls-cert";
        args[n++] = o->node_tls.cert_file;
        args[n++] = "--tls-key";
        args[n++] = o->node_tls.key_file;
    }
    args[n] = NULL;
    return local_cluster_start(lc, binary, o->local, args, err, errlen);
}

/* Serves until the phase changes, a deadline passes, a server is lost or we are interrupted. */
static int serve_until(struct control_server *cs, struct local_cluster *lc,
                       enum control_phase leave_when, int64_t deadline_ms, char *err,
                       size_t errlen)
{
    while (control_server_phase(cs) < leave_when) {
        if (interrupted) {
            snprintf(err, errlen, "interrupted by signal %d", (int)interrupted);
            return DISCO_ECLOSED;
        }
        if (deadline_ms && control_now_ms() >= deadline_ms) {
            snprintf(err, errlen, "timed out");
            return DISCO_ETIMEDOUT;
        }
        int rv = control_server_poll(cs, 100, err, errlen);
        if (rv != 0)
            return rv;
        int rank = lc->pid ? local_cluster_reap(lc) : -1;
        if (rank >= 0 && control_server_phase(cs) < PHASE_STOPPING) {
            int st = lc->status[rank];
            snprintf(err, errlen, "local node server %d exited (%s %d) before the run ended", rank,
                     WIFSIGNALED(st) ? "signal" : "status",
                     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            return DISCO_EPEERLOST;
        }
    }
    return DISCO_OK;
}

int main(int argc, char **argv)
{
    struct options o;
    struct local_cluster lc = {0};
    struct control_server *cs = NULL;
    char err[512], url[256], dir[] = "/tmp/disco-coord-XXXXXX";
    int rv, status = 1;

    /* 1. Options and logging. */
    parse_options(argc, argv, &o);
    log_set_component("coord");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    /* 2. The control endpoint: a private ipc socket for a local machine. */
    if (o.listen_url) {
        snprintf(url, sizeof url, "%s", o.listen_url);
    } else if (o.local) {
        if (mkdtemp(dir) == NULL) {
            perror("disco-coord: mkdtemp");
            return 1;
        }
        snprintf(url, sizeof url, "ipc://%s/control", dir);
    } else {
        snprintf(url, sizeof url, "tcp://127.0.0.1:7800");
    }
    struct control_server_options co = {.url = url, .tls = &o.tls, .expected_servers = o.servers,
                                        .heartbeat_timeout_ms = o.heartbeat_timeout_ms};
    if ((rv = control_server_create(&co, &cs, err, sizeof err)) != 0) {
        fprintf(stderr, "disco-coord: %s\n", err);
        goto out;
    }
    log_info("control endpoint %s, expecting %u server(s)", url, o.servers);

    /* 3. Local node servers, if we run the embedded default. */
    if (o.local && (rv = start_local(&o, url, &lc, err, sizeof err)) != 0) {
        fprintf(stderr, "disco-coord: %s\n", err);
        goto out;
    }

    /* 4. Assemble the machine. */
    rv = serve_until(cs, &lc, PHASE_RUNNING, control_now_ms() + (int64_t)o.join_timeout_s * 1000,
                     err, sizeof err);
    if (rv == DISCO_ETIMEDOUT)
        snprintf(err, sizeof err, "only %u of %u node server(s) registered within %u s",
                 control_server_membership(cs)->joined, o.servers, o.join_timeout_s);
    if (rv != 0) {
        fprintf(stderr, "disco-coord: %s\n", err);
        goto out;
    }
    control_server_print_layout(cs, stdout);
    fflush(stdout);

    /* 5. Run: for now the machine is held for --hold seconds. */
    if (o.hold_s) {
        rv = serve_until(cs, &lc, PHASE_STOPPING, control_now_ms() + (int64_t)o.hold_s * 1000, err,
                         sizeof err);
        if (rv != 0 && rv != DISCO_ETIMEDOUT) {
            fprintf(stderr, "disco-coord: %s\n", err);
            goto out;
        }
    }
    status = 0;

out:
    /* 6. Shut the machine down, bounded in time, leaving no process behind. */
    if (cs) {
        control_server_begin_shutdown(cs, status == 0 ? "run complete" : "run failed");
        if (serve_until(cs, &lc, PHASE_DONE, control_now_ms() + 3000, err, sizeof err) != 0 &&
            status == 0)
            log_warn("shutdown: %s", err);
        if (status == 0)
            printf("machine shut down cleanly (%llu malformed request(s) rejected)\n",
                   (unsigned long long)control_server_rejected(cs));
    }
    local_cluster_stop(&lc, 2000);
    control_server_destroy(cs);
    if (o.local && !o.listen_url) {
        char path[300];
        snprintf(path, sizeof path, "%s/control", dir);
        unlink(path);
        rmdir(dir);
    }
    return status;
}
