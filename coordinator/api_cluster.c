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
#define MAX_STATS   16

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

struct stat_list {
    Disco__Api__Stat stat[MAX_STATS];
    Disco__Api__Stat *ptr[MAX_STATS];
    size_t n;
};

static void add_stat(struct stat_list *l, const char *name, double value, const char *unit)
{
    if (l->n == MAX_STATS)
        return;
    Disco__Api__Stat *s = &l->stat[l->n];
    *s = (Disco__Api__Stat)DISCO__API__STAT__INIT;
    s->name = (char *)name;
    s->value = value;
    s->unit = (char *)unit;
    l->ptr[l->n] = s;
    l->n++;
}

static void reply_stats(struct api_call *call, const char *scope, struct stat_list *l)
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
    struct stat_list l = {.n = 0};
    api_cluster_view(call->ctx, &view);
    free(view.node);
    if (store_counts(call->ctx->store, &c) != 0) {
        api_fail(call, API_INTERNAL, "cannot read the store");
        return;
    }
    add_stat(&l, "servers", view.servers, NULL);
    add_stat(&l, "nodes", view.nodes, NULL);
    add_stat(&l, "cpus", (double)view.nodes * view.cpus_per_node, NULL);
    add_stat(&l, "memory", (double)view.nodes * (double)view.memory_per_node, "bytes");
    add_stat(&l, "vms_running", jobs_running(call->ctx->jobs), NULL);
    add_stat(&l, "vms_pending", c.vms[DISCO__API__VM_STATE__VM_PENDING], NULL);
    add_stat(&l, "jobs_queued", c.jobs[DISCO__API__JOB_STATE__JOB_QUEUED], NULL);
    add_stat(&l, "jobs_running", c.jobs[DISCO__API__JOB_STATE__JOB_RUNNING], NULL);
    add_stat(&l, "jobs_done", c.jobs[DISCO__API__JOB_STATE__JOB_DONE], NULL);
    add_stat(&l, "jobs_failed", c.jobs[DISCO__API__JOB_STATE__JOB_FAILED], NULL);
    add_stat(&l, "images", c.images, NULL);
    add_stat(&l, "users", c.users, NULL);
    add_stat(&l, "api_requests", (double)call->ctx->requests, NULL);
    add_stat(&l, "api_errors", (double)call->ctx->errors, NULL);
    add_stat(&l, "api_streams", (double)call->ctx->streams, NULL);
    reply_stats(call, "cluster", &l);
}

static void node_stats(struct api_call *call, uint64_t id)
{
    struct api_cluster_view view;
    struct stat_list l = {.n = 0};
    char scope[32];
    api_cluster_view(call->ctx, &view);
    if (id >= view.nodes) {
        free(view.node);
        api_fail(call, API_NOT_FOUND, "no node %llu (the machine has %u)", (unsigned long long)id,
                 view.nodes);
        return;
    }
    const struct api_node_view *n = &view.node[id];
    add_stat(&l, "server", n->server, NULL);
    add_stat(&l, "pid", n->pid, NULL);
    add_stat(&l, "cpus", n->cpus, NULL);
    add_stat(&l, "memory", (double)n->memory_bytes, "bytes");
    add_stat(&l, "memory_base", (double)n->memory_base, "address");
    add_stat(&l, "alive", n->alive, NULL);
    add_stat(&l, "heartbeat_age", (double)n->heartbeat_age_ms, "ms");
    snprintf(scope, sizeof scope, "node %llu", (unsigned long long)id);
    reply_stats(call, scope, &l);
    free(view.node);
}

static void vm_stats(struct api_call *call, uint64_t id)
{
    struct vm_row vm = {0};
    struct stat_list l = {.n = 0};
    char scope[32];
    if (store_vm_get(call->ctx->store, id, &vm) != 0 || !api_may_access(call, vm.owner)) {
        vm_row_fini(&vm);
        api_fail(call, API_NOT_FOUND, "no VM %llu of yours", (unsigned long long)id);
        return;
    }
    add_stat(&l, "state", vm.state, NULL);
    add_stat(&l, "console", (double)api_console_bytes(call->ctx, id), "bytes");
    add_stat(&l, "memory", (double)vm.spec->memory_mib * 1048576.0, "bytes");
    add_stat(&l, "vcpus", vm.spec->vcpus, NULL);
    if (vm.result.has_stats) {
        add_stat(&l, "instructions", (double)vm.result.instructions, NULL);
        add_stat(&l, "cycles", (double)vm.result.cycles, NULL);
    }
    add_stat(&l, "host_seconds", vm.result.host_seconds, "s");
    if (vm.started)
        add_stat(&l, "wall_seconds",
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
