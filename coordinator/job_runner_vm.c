/*
 * job_runner_vm.c - the API's default runner: kernels run as Disco VMs on
 * the node servers (job_runner.h). The vm_service between the API thread
 * and the polling thread: a command queue the barrier release drains into
 * vm_run, an event queue the API loop is woken for, the id map, the nodes'
 * latest counters and the idle hold of the barrier. A Linux VM's NIC is on
 * its owner's virtual subnet: one owner's VMs talk to each other, never to
 * another owner's.
 */
#include <errno.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "disco_err.h"
#include "job_runner.h"
#include "log.h"
#include "xalloc.h"

#define IDLE_RELEASE_MS 1000 /* an idle machine still advances a quantum a second */
#define STATS_EVERY_MS  1000 /* running VMs' statistics are asked for this often */
/* A kernel travels in a barrier release, which a server takes up to 64 MiB
 * (node/control_client.c): one kernel is at most 32 MiB (Debian's Linux
 * kernel is 18 MiB), a Linux VM's kernel, initramfs and disk together at
 * most VM_RUN_MAX_CREATE_BYTES, and one release carries at most that much
 * (the rest wait for the next; vm_run keeps each server's release under it
 * too). */
#define KERNEL_MAX      (32u << 20)
#define RELEASE_KERNELS VM_RUN_MAX_CREATE_BYTES

enum cmd_kind { CMD_SUBMIT, CMD_STOP, CMD_INPUT };

/* API thread -> polling thread. */
struct cmd {
    enum cmd_kind kind;
    uint64_t key;  /* the API's VM id */
    uint8_t *data; /* the kernel (SUBMIT) or the input bytes (INPUT) */
    size_t len;
    /* A Linux VM (issue 7, SUBMIT): initramfs, disk, command line (owned). */
    bool linux_boot;
    uint8_t *initrd, *disk;
    size_t initrd_len, disk_len;
    char *cmdline;
    uint32_t net; /* the owner's subnet (Linux VMs) */
    char name[64];
    uint64_t memory_bytes, max_cycles;
    uint32_t vcpus;
    int32_t first_node;
};

enum evt_kind { EVT_OUTPUT, EVT_STATS, EVT_END };

/* Polling thread -> API thread. */
struct evt {
    enum evt_kind kind;
    uint64_t key;
    uint8_t *data;
    size_t len;
    struct vm_run_stats *stats; /* STATS, END */
    struct vm_run_end end;      /* END (end.stats unused) */
};

/* The polling thread's map from vm_run ids to API keys. */
struct id_map {
    uint32_t id;
    uint64_t key;
};

struct run {
    struct vm_service *svc;
    uint64_t key;
    struct run_events events;
    struct vm_run_stats stats; /* latest reported */
    int64_t started_ms;
    bool ended;
};

struct vm_service {
    struct vm_service_options o;
    char cpu_model[16];
    pthread_mutex_t lock;
    /* Under lock. */
    struct cmd *cmd;
    size_t cmd_count, cmd_cap;
    struct evt *evt;
    size_t evt_count, evt_cap;
    struct event *wake; /* on the API base, NULL when unbound */
    struct vm_node_stats *node;
    uint32_t node_count;
    struct vm_machine_stats machine;
    /* Polling thread only. */
    struct control_server *cs;
    struct vm_run *run;
    struct id_map *map;
    size_t map_count, map_cap;
    int64_t last_release_ms, last_stats_ms;
    /* API thread only. */
    struct run **active;
    size_t active_count, active_cap;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ queues */

static void push_cmd(struct vm_service *svc, const struct cmd *c)
{
    pthread_mutex_lock(&svc->lock);
    if (svc->cmd_count == svc->cmd_cap) {
        svc->cmd_cap = svc->cmd_cap ? 2 * svc->cmd_cap : 16;
        svc->cmd = xrealloc(svc->cmd, svc->cmd_cap * sizeof *svc->cmd);
    }
    svc->cmd[svc->cmd_count++] = *c;
    pthread_mutex_unlock(&svc->lock);
}

/* Queues an event and wakes the API loop if the queue was empty (it drains all). */
static void push_evt(struct vm_service *svc, const struct evt *e)
{
    pthread_mutex_lock(&svc->lock);
    if (svc->wake == NULL) { /* no API to hear it (shutting down) */
        pthread_mutex_unlock(&svc->lock);
        free(e->data);
        free(e->stats);
        return;
    }
    if (svc->evt_count == svc->evt_cap) {
        svc->evt_cap = svc->evt_cap ? 2 * svc->evt_cap : 64;
        svc->evt = xrealloc(svc->evt, svc->evt_cap * sizeof *svc->evt);
    }
    svc->evt[svc->evt_count++] = *e;
    if (svc->evt_count == 1)
        event_active(svc->wake, EV_READ, 0);
    pthread_mutex_unlock(&svc->lock);
}

static void free_cmds(struct cmd *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].data);
        free(c[i].initrd);
        free(c[i].disk);
        free(c[i].cmdline);
    }
}

static void free_evts(struct evt *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].data);
        free(e[i].stats);
    }
}

/* ------------------------------------------------------------ polling thread */

static bool map_key(struct vm_service *svc, uint32_t id, uint64_t *key, bool remove)
{
    for (size_t i = 0; i < svc->map_count; i++) {
        if (svc->map[i].id != id)
            continue;
        *key = svc->map[i].key;
        if (remove)
            svc->map[i] = svc->map[--svc->map_count];
        return true;
    }
    return false;
}

static bool map_id(struct vm_service *svc, uint64_t key, uint32_t *id)
{
    for (size_t i = 0; i < svc->map_count; i++) {
        if (svc->map[i].key == key) {
            *id = svc->map[i].id;
            return true;
        }
    }
    return false;
}

static void on_console(void *arg, uint32_t id, const uint8_t *data, size_t len)
{
    struct vm_service *svc = arg;
    uint64_t key;
    if (len == 0 || !map_key(svc, id, &key, false))
        return;
    struct evt e = {.kind = EVT_OUTPUT, .key = key, .data = xmalloc(len), .len = len};
    memcpy(e.data, data, len);
    push_evt(svc, &e);
}

static void on_stats(void *arg, uint32_t id, const struct vm_run_stats *stats)
{
    struct vm_service *svc = arg;
    uint64_t key;
    if (!map_key(svc, id, &key, false))
        return;
    struct evt e = {.kind = EVT_STATS, .key = key, .stats = xmalloc(sizeof *stats)};
    *e.stats = *stats;
    push_evt(svc, &e);
}

static void on_ended(void *arg, uint32_t id, const struct vm_run_end *end)
{
    struct vm_service *svc = arg;
    uint64_t key;
    if (!map_key(svc, id, &key, true))
        return;
    struct evt e = {.kind = EVT_END, .key = key, .end = *end, .stats = xmalloc(sizeof *end->stats)};
    *e.stats = *end->stats;
    e.end.stats = NULL;
    pthread_mutex_lock(&svc->lock);
    svc->machine.vms_ended++;
    pthread_mutex_unlock(&svc->lock);
    push_evt(svc, &e);
}

/* Creates the VM table once the machine is assembled (the layout is known). */
static bool ensure_run(struct vm_service *svc)
{
    if (svc->run)
        return true;
    if (svc->cs == NULL || control_server_phase(svc->cs) < PHASE_RUNNING)
        return false;
    const struct membership *m = control_server_membership(svc->cs);
    struct vm_run_options vo = {
        .total_nodes = m->total_nodes,
        .cpus_per_node = m->cpus_per_node,
        .memory_per_node_bytes = m->memory_per_node,
        .quantum_cycles = svc->o.quantum_cycles,
        .batch = false,
        .events = {.console = on_console, .stats = on_stats, .ended = on_ended, .arg = svc}};
    svc->run = vm_run_create(&vo);
    uint32_t first[m->joined + 1], count[m->joined + 1];
    for (unsigned i = 0; i < m->joined; i++) {
        first[i] = m->server[i].first_node;
        count[i] = m->server[i].node_count;
    }
    vm_run_set_layout(svc->run, m->joined, first, count);
    pthread_mutex_lock(&svc->lock);
    svc->node_count = m->total_nodes;
    svc->node = xcalloc(m->total_nodes + 1, sizeof *svc->node);
    pthread_mutex_unlock(&svc->lock);
    log_info("VM host: %u node(s) x %u CPU(s) on %u server(s), %s %s-endian", m->total_nodes,
             m->cpus_per_node, m->joined, svc->cpu_model, svc->o.big_endian ? "big" : "little");
    return true;
}

/* Applies one command to vm_run (polling thread). */
static void apply(struct vm_service *svc, struct cmd *c)
{
    uint32_t id;
    char why[300];
    switch (c->kind) {
    case CMD_SUBMIT: {
        struct vm_run_spec spec = {.name = c->name,
                                   .elf = c->data,
                                   .elf_len = c->len,
                                   .memory_bytes = c->memory_bytes,
                                   .vcpus = c->vcpus,
                                   .first_node = c->first_node,
                                   .max_cycles = c->max_cycles,
                                   .linux_boot = c->linux_boot,
                                   .initrd = c->initrd,
                                   .initrd_len = c->initrd_len,
                                   .cmdline = c->cmdline,
                                   .disk = c->disk,
                                   .disk_len = c->disk_len,
                                   .net = c->net};
        if (vm_run_submit(svc->run, &spec, &id, why, sizeof why) != 0) {
            struct evt e = {.kind = EVT_END, .key = c->key, .stats = xcalloc(1, sizeof *e.stats)};
            snprintf(e.end.reason, sizeof e.end.reason, "not placed: %.180s", why);
            push_evt(svc, &e);
            return;
        }
        if (svc->map_count == svc->map_cap) {
            svc->map_cap = svc->map_cap ? 2 * svc->map_cap : 16;
            svc->map = xrealloc(svc->map, svc->map_cap * sizeof *svc->map);
        }
        svc->map[svc->map_count++] = (struct id_map){.id = id, .key = c->key};
        pthread_mutex_lock(&svc->lock);
        svc->machine.vms_started++;
        pthread_mutex_unlock(&svc->lock);
        return;
    }
    case CMD_STOP:
        if (map_id(svc, c->key, &id) && vm_run_stop(svc->run, id) != 0)
            log_debug("vm %llu: already ended", (unsigned long long)c->key);
        return;
    case CMD_INPUT:
        if (map_id(svc, c->key, &id) && vm_run_input(svc->run, id, c->data, c->len) != 0)
            log_warn("vm %llu: console input dropped (%zu bytes)", (unsigned long long)c->key,
                     c->len);
        return;
    }
}

static void on_arrive(void *arg, const Disco__Control__BarrierArrive *a)
{
    struct vm_service *svc = arg;
    if (!ensure_run(svc))
        return;
    vm_run_arrive(svc->run, a);
    pthread_mutex_lock(&svc->lock);
    for (size_t i = 0; i < a->n_stats; i++) {
        const Disco__Control__NodeStats *ns = a->stats[i];
        if (ns->node >= svc->node_count)
            continue;
        svc->node[ns->node] = (struct vm_node_stats){.have = true,
                                                     .cycles = ns->cycles,
                                                     .instructions = ns->instructions,
                                                     .local_misses = ns->local_misses,
                                                     .remote_misses = ns->remote_misses,
                                                     .miss_cycles = ns->miss_cycles,
                                                     .nacks = ns->nacks};
    }
    pthread_mutex_unlock(&svc->lock);
}

static bool on_hold(void *arg)
{
    struct vm_service *svc = arg;
    if (!ensure_run(svc))
        return false;
    pthread_mutex_lock(&svc->lock);
    bool commands = svc->cmd_count > 0;
    pthread_mutex_unlock(&svc->lock);
    if (commands || vm_run_busy(svc->run) || now_ms() - svc->last_release_ms >= IDLE_RELEASE_MS)
        return false;
    pthread_mutex_lock(&svc->lock);
    svc->machine.idle_holds++;
    pthread_mutex_unlock(&svc->lock);
    return true;
}

static bool on_release(void *arg, uint64_t quantum)
{
    struct vm_service *svc = arg;
    if (!ensure_run(svc))
        return false;
    /* The commands in order, up to RELEASE_KERNELS of kernels; the rest stay queued. */
    pthread_mutex_lock(&svc->lock);
    size_t n = 0, kernels = 0;
    while (n < svc->cmd_count) {
        const struct cmd *c = &svc->cmd[n];
        size_t bytes = c->kind == CMD_SUBMIT ? c->len + c->initrd_len + c->disk_len : 0;
        if (c->kind == CMD_SUBMIT && kernels && kernels + bytes > RELEASE_KERNELS)
            break;
        kernels += bytes;
        n++;
    }
    struct cmd *cmds = xmalloc((n + 1) * sizeof *cmds);
    memcpy(cmds, svc->cmd, n * sizeof *cmds);
    memmove(svc->cmd, svc->cmd + n, (svc->cmd_count - n) * sizeof *cmds);
    svc->cmd_count -= n;
    pthread_mutex_unlock(&svc->lock);
    for (size_t i = 0; i < n; i++)
        apply(svc, &cmds[i]);
    free_cmds(cmds, n);
    free(cmds);
    int64_t now = now_ms();
    if (vm_run_busy(svc->run) && now - svc->last_stats_ms >= STATS_EVERY_MS) {
        vm_run_request_stats(svc->run);
        svc->last_stats_ms = now;
    }
    svc->last_release_ms = now;
    bool over = vm_run_release(svc->run, quantum);
    struct vm_run_net_stats ns;
    vm_run_net_stats(svc->run, &ns);
    pthread_mutex_lock(&svc->lock);
    svc->machine.quanta = quantum + 1;
    svc->machine.vms_live = (unsigned)svc->map_count;
    svc->machine.net_frames_switched = ns.frames_switched;
    svc->machine.net_bytes_switched = ns.bytes_switched;
    svc->machine.net_frames_dropped = ns.dropped_invalid + ns.dropped_unroutable + ns.dropped_full;
    pthread_mutex_unlock(&svc->lock);
    return over;
}

static void on_fill(void *arg, unsigned server, Disco__Control__BarrierRelease *rel)
{
    struct vm_service *svc = arg;
    if (svc->run)
        vm_run_fill_release(svc->run, server, rel);
}

/* ------------------------------------------------------------ service */

struct vm_service *vm_service_create(const struct vm_service_options *o)
{
    struct vm_service *svc = xcalloc(1, sizeof *svc);
    svc->o = *o;
    snprintf(svc->cpu_model, sizeof svc->cpu_model, "%s", o->cpu_model ? o->cpu_model : "r10000");
    svc->o.cpu_model = svc->cpu_model;
    svc->machine.quantum_cycles = o->quantum_cycles;
    pthread_mutex_init(&svc->lock, NULL);
    svc->last_release_ms = now_ms();
    return svc;
}

void vm_service_destroy(struct vm_service *svc)
{
    if (svc == NULL)
        return;
    vm_run_destroy(svc->run);
    free_cmds(svc->cmd, svc->cmd_count);
    free_evts(svc->evt, svc->evt_count);
    free(svc->cmd);
    free(svc->evt);
    free(svc->map);
    free(svc->node);
    free(svc->active);
    pthread_mutex_destroy(&svc->lock);
    free(svc);
}

struct control_barrier_ops vm_service_barrier(struct vm_service *svc)
{
    return (struct control_barrier_ops){.arrive = on_arrive,
                                        .release = on_release,
                                        .fill_release = on_fill,
                                        .hold = on_hold,
                                        .arg = svc};
}

void vm_service_attach(struct vm_service *svc, struct control_server *cs)
{
    svc->cs = cs;
}

void vm_service_machine(const struct vm_service *svc, const char **model, bool *big_endian)
{
    *model = svc->cpu_model;
    *big_endian = svc->o.big_endian;
}

bool vm_service_node_stats(struct vm_service *svc, uint32_t node, struct vm_node_stats *out)
{
    pthread_mutex_lock(&svc->lock);
    bool ok = node < svc->node_count && svc->node[node].have;
    if (ok)
        *out = svc->node[node];
    pthread_mutex_unlock(&svc->lock);
    return ok;
}

void vm_service_machine_stats(struct vm_service *svc, struct vm_machine_stats *out)
{
    pthread_mutex_lock(&svc->lock);
    *out = svc->machine;
    pthread_mutex_unlock(&svc->lock);
}

/* ------------------------------------------------------------ API thread */

static struct run *find_run(struct vm_service *svc, uint64_t key)
{
    for (size_t i = 0; i < svc->active_count; i++)
        if (svc->active[i]->key == key)
            return svc->active[i];
    return NULL;
}

static void deliver(struct vm_service *svc, struct evt *e)
{
    struct run *r = find_run(svc, e->key);
    if (r == NULL || r->ended)
        return; /* released meanwhile (destroyed, or shutting down) */
    switch (e->kind) {
    case EVT_OUTPUT: r->events.output(r->events.arg, (const char *)e->data, e->len); break;
    case EVT_STATS: r->stats = *e->stats; break;
    case EVT_END: {
        if (e->stats->have)
            r->stats = *e->stats;
        const struct vm_run_stats *s = &r->stats;
        struct run_exit ex = {.halted = e->end.exited,
                              .exit_status = e->end.exit_status,
                              .has_stats = s->have,
                              .instructions = s->instructions,
                              .cycles = s->kernel_cycles + s->user_cycles + s->monitor_cycles +
                                        s->idle_cycles,
                              .host_seconds = (double)(now_ms() - r->started_ms) / 1000.0,
                              .limit_reached = strcmp(e->end.reason, "time limit") == 0,
                              .vm_stats = s->have ? s : NULL};
        snprintf(ex.reason, sizeof ex.reason, "%s", e->end.reason);
        r->ended = true;
        r->events.exited(r->events.arg, &ex);
        break;
    }
    }
}

/* The API loop's wake-up: drains every event posted since. */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    struct vm_service *svc = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&svc->lock);
    struct evt *evts = svc->evt;
    size_t n = svc->evt_count;
    svc->evt = NULL;
    svc->evt_count = svc->evt_cap = 0;
    pthread_mutex_unlock(&svc->lock);
    for (size_t i = 0; i < n; i++)
        deliver(svc, &evts[i]);
    free_evts(evts, n);
    free(evts);
}

void vm_service_bind(struct vm_service *svc, struct event_base *base)
{
    struct event *ev = event_new(base, -1, 0, on_wake, svc);
    pthread_mutex_lock(&svc->lock);
    svc->wake = ev;
    pthread_mutex_unlock(&svc->lock);
}

void vm_service_unbind(struct vm_service *svc)
{
    if (svc == NULL)
        return;
    pthread_mutex_lock(&svc->lock);
    struct event *ev = svc->wake;
    svc->wake = NULL;
    free_evts(svc->evt, svc->evt_count);
    svc->evt_count = 0;
    pthread_mutex_unlock(&svc->lock);
    if (ev)
        event_free(ev);
}

/* Reads a kernel (or, issue 7, initramfs or disk) image into memory. */
static int read_image(const char *path, uint8_t **out, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open the image: %s", strerror(errno));
        return DISCO_EIO;
    }
    size_t cap = 1 << 16, n = 0, got;
    uint8_t *buf = xmalloc(cap);
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap > KERNEL_MAX)
                break;
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    fclose(f);
    if (n > KERNEL_MAX) {
        free(buf);
        snprintf(err, errlen, "a VM's kernel, initramfs or disk is at most %u MiB",
                 KERNEL_MAX >> 20);
        return DISCO_ETOOBIG;
    }
    *out = buf;
    *len = n;
    return DISCO_OK;
}

/*
 * The virtual subnet of an owner's Linux VMs: FNV-1a (32 bits) of the owner's
 * name, 0 taken as 1 (0 means no NIC). Owners are kept apart by the subnet
 * number alone, so two names with the same hash would share one; at 2^-32
 * per pair that is accepted (docs/api.md). --vm's net=N numbers are the
 * command line's, on another machine.
 */
static uint32_t owner_subnet(const char *owner)
{
    uint32_t h = 2166136261u;
    for (const char *p = owner ? owner : ""; *p; p++) {
        h ^= (uint8_t)*p;
        h *= 16777619u;
    }
    return h ? h : 1;
}

static int vm_start(void *ctx, const struct run_spec *spec, const struct run_events *events,
                    struct run **out, char *err, size_t errlen)
{
    struct vm_service *svc = ctx;
    uint8_t *elf;
    size_t len;
    const char *model;
    bool be;
    char why[200];
    int rv = read_image(spec->image_path, &elf, &len, err, errlen);
    if (rv != 0)
        return rv;
    if ((rv = vm_run_kernel_model(elf, len, &model, &be, why, sizeof why)) != 0) {
        snprintf(err, errlen, "the kernel image is %s", why);
        free(elf);
        return rv;
    }
    if (strcmp(model, svc->cpu_model) != 0 || be != svc->o.big_endian) {
        snprintf(err, errlen,
                 "the kernel is built for %s %s-endian CPUs; this machine has %s %s-endian ones",
                 model, be ? "big" : "little", svc->cpu_model,
                 svc->o.big_endian ? "big" : "little");
        free(elf);
        return DISCO_EINVAL;
    }
    /* A Linux VM (issue 7): its initramfs, disk and command line travel with the kernel. */
    uint8_t *initrd = NULL, *disk = NULL;
    size_t initrd_len = 0, disk_len = 0;
    if (spec->initrd_path) {
        rv = read_image(spec->initrd_path, &initrd, &initrd_len, err, errlen);
        if (rv == 0 && spec->disk_path)
            rv = read_image(spec->disk_path, &disk, &disk_len, err, errlen);
        if (rv == 0 && len + initrd_len + disk_len > VM_RUN_MAX_CREATE_BYTES) {
            snprintf(err, errlen, "kernel, initramfs and disk make %zu MiB, at most %llu",
                     (len + initrd_len + disk_len) >> 20,
                     (unsigned long long)(VM_RUN_MAX_CREATE_BYTES >> 20));
            rv = DISCO_ETOOBIG;
        }
        if (rv != 0) {
            free(elf);
            free(initrd);
            free(disk);
            return rv;
        }
    }
    struct run *r = xcalloc(1, sizeof *r);
    *r = (struct run){.svc = svc, .key = spec->vm_id, .events = *events, .started_ms = now_ms()};
    struct cmd c = {.kind = CMD_SUBMIT,
                    .key = spec->vm_id,
                    .data = elf,
                    .len = len,
                    .memory_bytes = (uint64_t)spec->memory_mib << 20,
                    .max_cycles = spec->max_cycles,
                    .vcpus = spec->vcpus,
                    .first_node = spec->first_node,
                    .linux_boot = spec->initrd_path != NULL,
                    .initrd = initrd,
                    .initrd_len = initrd_len,
                    .disk = disk,
                    .disk_len = disk_len,
                    .cmdline = spec->initrd_path && spec->cmdline && *spec->cmdline
                                   ? xstrdup(spec->cmdline)
                                   : NULL,
                    .net = spec->initrd_path ? owner_subnet(spec->owner) : 0};
    snprintf(c.name, sizeof c.name, "vm%llu", (unsigned long long)spec->vm_id);
    push_cmd(svc, &c);
    if (svc->active_count == svc->active_cap) {
        svc->active_cap = svc->active_cap ? 2 * svc->active_cap : 8;
        svc->active = xrealloc(svc->active, svc->active_cap * sizeof *svc->active);
    }
    svc->active[svc->active_count++] = r;
    *out = r;
    return DISCO_OK;
}

static int vm_write_console(struct run *r, const void *data, size_t len)
{
    if (r->ended)
        return DISCO_ECLOSED;
    if (len == 0)
        return DISCO_OK;
    struct cmd c = {.kind = CMD_INPUT, .key = r->key, .data = xmalloc(len), .len = len};
    memcpy(c.data, data, len);
    push_cmd(r->svc, &c);
    return DISCO_OK;
}

static void vm_stop(struct run *r)
{
    if (!r->ended)
        push_cmd(r->svc, &(struct cmd){.kind = CMD_STOP, .key = r->key});
}

static void vm_release(struct run *r)
{
    struct vm_service *svc = r->svc;
    vm_stop(r); /* at shutdown, a run still going is stopped */
    for (size_t i = 0; i < svc->active_count; i++) {
        if (svc->active[i] == r) {
            svc->active[i] = svc->active[--svc->active_count];
            break;
        }
    }
    free(r);
}

static bool vm_stats(struct run *r, struct vm_run_stats *out)
{
    *out = r->stats;
    return r->stats.have;
}

const struct runner_ops runner_vm_ops = {.name = "disco-vm",
                                         .start = vm_start,
                                         .write_console = vm_write_console,
                                         .stop = vm_stop,
                                         .release = vm_release,
                                         .stats = vm_stats};
