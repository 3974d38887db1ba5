/*
 * api_cluster.c - the Cluster service: who the caller is, the cluster's
 * status and nodes (from the control plane's snapshot of the real node
 * servers), and statistics of the cluster, a node or a VM.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_internal.h"
#include "xalloc.h"

#define API_VERSION "0.1.0"

static void who_am_i(struct api_call *call, const ProtobufCMessage *request)
{
    Disco__Api__WhoAmIResponse r = DISCO__API__WHO_AM_IRESPONSE__INIT;
    r.user = call->user;
    r.admin = call->admin;
    api_reply(call, &r.base);
}

static void get_status(struct api_call *call, const ProtobufCMessage *request)
{
    struct api_cluster_view view;
    struct store_counts c;
    api_cluster_view(call->ctx, &view);
    if (store_counts(call->ctx->store, &c) != 0) {
        free(view.node);
        api_fail(call, API_INTERNAL, "cannot read the store");
        return;
    }
    Disco__Api__ClusterStatus r = DISCO__API__CLUSTER_STATUS__INIT;
    r.phase = view.phase;
    r.servers = view.servers;
    r.servers_expected = view.servers_expected;
    r.nodes = view.nodes;
    r.cpus_per_node = view.cpus_per_node;
    r.memory_per_node_bytes = view.memory_per_node;
    r.vms_running = jobs_running(call->ctx->jobs);
    r.jobs_queued = c.jobs[DISCO__API__JOB_STATE__JOB_QUEUED];
    r.jobs_running = c.jobs[DISCO__API__JOB_STATE__JOB_RUNNING];
    r.runner = (char *)jobs_runner_name(call->ctx->jobs);
    r.version = API_VERSION;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    r.uptime_ms =
        (uint64_t)((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - call->ctx->started_ms);
    api_reply(call, &r.base);
    free(view.node);
}

static void list_nodes(struct api_call *call, const ProtobufCMessage *request)
{
    struct api_cluster_view view;
    api_cluster_view(call->ctx, &view);
    Disco__Api__NodeInfo *info = xcalloc(view.nodes + 1, sizeof *info);
    Disco__Api__NodeInfo **ptrs = xcalloc(view.nodes + 1, sizeof *ptrs);
    for (uint32_t i = 0; i < view.nodes; i++) {
        const struct api_node_view *n = &view.node[i];
        info[i] = (Disco__Api__NodeInfo)DISCO__API__NODE_INFO__INIT;
        info[i].node = n->node;
        info[i].server = n->server;
        info[i].hostname = (char *)n->hostname;
        info[i].pid = n->pid;
        info[i].cpus = n->cpus;
        info[i].memory_bytes = n->memory_bytes;
        info[i].memory_base = n->memory_base;
        info[i].alive = n->alive;
        info[i].heartbeat_age_ms = n->heartbeat_age_ms;
        ptrs[i] = &info[i];
    }
    Disco__Api__ListNodesResponse r = DISCO__API__LIST_NODES_RESPONSE__INIT;
    r.n_nodes = view.nodes;
    r.nodes = ptrs;
    api_reply(call, &r.base);
    free(info);
    free(ptrs);
    free(view.node);
}

static void reply_stats(struct api_call *call, const char *scope, struct api_stats *l)
{
    Disco__Api__StatsResponse r = DISCO__API__STATS_RESPONSE__INIT;
    r.scope = (char *)scope;
    r.n_stats = l->n;
    r.stats = l->ptr;
    api_reply(call, &r.base);
}

static void cluster_stats(struct api_call *call)
{
    struct api_cluster_view view;
    struct store_counts c;
    static struct api_stats l;
    l.n = 0;
    api_cluster_view(call->ctx, &view);
    free(view.node);
    if (store_counts(call->ctx->store, &c) != 0) {
        api_fail(call, API_INTERNAL, "cannot read the store");
        return;
    }
    api_stats_add(&l, "servers", view.servers, NULL);
    api_stats_add(&l, "nodes", view.nodes, NULL);
    api_stats_add(&l, "cpus", (double)view.nodes * view.cpus_per_node, NULL);
    api_stats_add(&l, "memory", (double)view.nodes * (double)view.memory_per_node, "bytes");
    api_stats_add(&l, "vms_running", jobs_running(call->ctx->jobs), NULL);
    api_stats_add(&l, "vms_pending", c.vms[DISCO__API__VM_STATE__VM_PENDING], NULL);
    api_stats_add(&l, "jobs_queued", c.jobs[DISCO__API__JOB_STATE__JOB_QUEUED], NULL);
    api_stats_add(&l, "jobs_running", c.jobs[DISCO__API__JOB_STATE__JOB_RUNNING], NULL);
    api_stats_add(&l, "jobs_done", c.jobs[DISCO__API__JOB_STATE__JOB_DONE], NULL);
    api_stats_add(&l, "jobs_failed", c.jobs[DISCO__API__JOB_STATE__JOB_FAILED], NULL);
    api_stats_add(&l, "images", c.images, NULL);
    api_stats_add(&l, "users", c.users, NULL);
    api_stats_add(&l, "api_requests", (double)call->ctx->requests, NULL);
    api_stats_add(&l, "api_errors", (double)call->ctx->errors, NULL);
    api_stats_add(&l, "api_streams", (double)call->ctx->streams, NULL);
    if (call->ctx->options->vms) {
        struct vm_machine_stats m;
        vm_service_machine_stats(call->ctx->options->vms, &m);
        api_stats_add(&l, "machine_quanta", (double)m.quanta, NULL);
        api_stats_add(&l, "machine_cycles", (double)m.quanta * (double)m.quantum_cycles, "cycles");
        api_stats_add(&l, "machine_idle_holds", (double)m.idle_holds, NULL);
        api_stats_add(&l, "machine_vms_live", m.vms_live, NULL);
        api_stats_add(&l, "machine_vms_started", (double)m.vms_started, NULL);
        api_stats_add(&l, "machine_vms_ended", (double)m.vms_ended, NULL);
        /* The virtual subnet's switch between servers (vm_run.h). */
        api_stats_add(&l, "machine_net_frames_switched", (double)m.net_frames_switched, NULL);
        api_stats_add(&l, "machine_net_bytes_switched", (double)m.net_bytes_switched, "bytes");
        api_stats_add(&l, "machine_net_frames_dropped", (double)m.net_frames_dropped, NULL);
        uint64_t cyc = 0, insns = 0, local = 0, remote = 0;
        for (uint32_t i = 0; i < view.nodes; i++) {
            struct vm_node_stats n;
            if (!vm_service_node_stats(call->ctx->options->vms, i, &n))
                continue;
            cyc = n.cycles > cyc ? n.cycles : cyc;
            insns += n.instructions;
            local += n.local_misses;
            remote += n.remote_misses;
        }
        api_stats_add(&l, "instructions", (double)insns, NULL);
        api_stats_add(&l, "local_misses", (double)local, NULL);
        api_stats_add(&l, "remote_misses", (double)remote, NULL);
    }
    reply_stats(call, "cluster", &l);
}

static void node_stats(struct api_call *call, uint64_t id)
{
    struct api_cluster_view view;
    static struct api_stats l;
    l.n = 0;
    char scope[32];
    api_cluster_view(call->ctx, &view);
    if (id >= view.nodes) {
        free(view.node);
        api_fail(call, API_NOT_FOUND, "no node %llu (the machine has %u)", (unsigned long long)id,
                 view.nodes);
        return;
    }
    const struct api_node_view *n = &view.node[id];
    api_stats_add(&l, "server", n->server, NULL);
    api_stats_add(&l, "pid", n->pid, NULL);
    api_stats_add(&l, "cpus", n->cpus, NULL);
    api_stats_add(&l, "memory", (double)n->memory_bytes, "bytes");
    api_stats_add(&l, "memory_base", (double)n->memory_base, "address");
    api_stats_add(&l, "alive", n->alive, NULL);
    api_stats_add(&l, "heartbeat_age", (double)n->heartbeat_age_ms, "ms");
    struct vm_node_stats ns;
    if (call->ctx->options->vms &&
        vm_service_node_stats(call->ctx->options->vms, (uint32_t)id, &ns)) {
        api_stats_add(&l, "cycles", (double)ns.cycles, "cycles");
        api_stats_add(&l, "instructions", (double)ns.instructions, NULL);
        api_stats_add(&l, "local_misses", (double)ns.local_misses, NULL);
        api_stats_add(&l, "remote_misses", (double)ns.remote_misses, NULL);
        api_stats_add(&l, "miss_cycles", (double)ns.miss_cycles, "cycles");
        api_stats_add(&l, "nacks", (double)ns.nacks, NULL);
    }
    snprintf(scope, sizeof scope, "node %llu", (unsigned long long)id);
    reply_stats(call, scope, &l);
    free(view.node);
}

static void vm_stats(struct api_call *call, uint64_t id)
{
    struct vm_row vm = {0};
    static struct api_stats l;
    l.n = 0;
    char scope[32];
    if (store_vm_get(call->ctx->store, id, &vm) != 0 || !api_may_access(call, vm.owner)) {
        vm_row_fini(&vm);
        api_fail(call, API_NOT_FOUND, "no VM %llu of yours", (unsigned long long)id);
        return;
    }
    api_stats_add(&l, "state", vm.state, NULL);
    api_stats_add(&l, "console", (double)api_console_bytes(call->ctx, id), "bytes");
    api_stats_add(&l, "memory", (double)vm.spec->memory_mib * 1048576.0, "bytes");
    api_stats_add(&l, "vcpus", vm.spec->vcpus, NULL);
    struct vm_run_stats vs;
    if (jobs_vm_stats(call->ctx->jobs, id, &vs)) {
        api_stats_add_vm(&l, &vs);
    } else if (vm.result.has_stats) {
        api_stats_add(&l, "instructions", (double)vm.result.instructions, NULL);
        api_stats_add(&l, "cycles", (double)vm.result.cycles, NULL);
    }
    api_stats_add(&l, "host_seconds", vm.result.host_seconds, "s");
    if (vm.started)
        api_stats_add(&l, "wall_seconds",
                      (double)((vm.ended ? vm.ended : (int64_t)time(NULL)) - vm.started), "s");
    snprintf(scope, sizeof scope, "vm %llu", (unsigned long long)id);
    reply_stats(call, scope, &l);
    vm_row_fini(&vm);
}

static void get_stats(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__GetStatsRequest *r = (const Disco__Api__GetStatsRequest *)request;
    switch (r->scope) {
    case DISCO__API__STATS_SCOPE__SCOPE_CLUSTER: cluster_stats(call); break;
    case DISCO__API__STATS_SCOPE__SCOPE_NODE: node_stats(call, r->id); break;
    case DISCO__API__STATS_SCOPE__SCOPE_VM: vm_stats(call, r->id); break;
    default: api_fail(call, API_INVALID_ARGUMENT, "unknown statistics scope %d", (int)r->scope);
    }
}

enum { CLUSTER_WHOAMI, CLUSTER_STATUS, CLUSTER_NODES, CLUSTER_STATS, CLUSTER_METHODS };
static const struct api_method methods[CLUSTER_METHODS] = {
    [CLUSTER_WHOAMI] = {"WhoAmI", &disco__api__who_am_irequest__descriptor, who_am_i},
    [CLUSTER_STATUS] = {"GetStatus", &disco__api__get_status_request__descriptor, get_status},
    [CLUSTER_NODES] = {"ListNodes", &disco__api__list_nodes_request__descriptor, list_nodes},
    [CLUSTER_STATS] = {"GetStats", &disco__api__get_stats_request__descriptor, get_stats},
};
const struct api_service api_cluster_service = {"Cluster", methods, CLUSTER_METHODS};
