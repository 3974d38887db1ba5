/*
 * vm_run.c - VMs on the distributed machine, the coordinator's side
 * (vm_run.h): placement, commands per server, console and ends from the
 * arrivals, the virtual subnet's switch between servers, the final per-VM
 * table and its JSON.
 */
#include "vm_run.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../monitor/vnet.h" /* the subnet's MAC helpers (static inline, dependency-free) */
#include "disco_err.h"
#include "xalloc.h"

#define INPUT_MAX (64u << 10) /* console input waiting to be sent, per VM */

enum vm_phase {
    VMR_WAITING, /* for the VM it starts after */
    VMR_QUEUED,  /* placed, its create command not sent yet */
    VMR_RUNNING,
    VMR_ENDED,
};

struct vm_entry {
    uint32_t id;
    char name[64];
    uint8_t *elf; /* until its create command went out */
    size_t elf_len;
    /* A Linux guest (issue 7): as the kernel, kept until the create went out. */
    bool linux_boot;
    uint8_t *initrd, *disk;
    size_t initrd_len, disk_len;
    char *cmdline;
    uint64_t memory_bytes, max_cycles;
    uint32_t vcpus;
    bool no_l2tlb;
    uint32_t net;       /* its subnet, 0: none */
    int32_t first_node; /* asked for, -1: the least-loaded */
    uint32_t after;     /* starts once this VM ended (0: at once) */
    bool placed;
    unsigned server;
    uint32_t *cpu; /* [vcpus] once placed: global CPU of each vCPU */
    enum vm_phase phase;
    bool create_queued, stop_queued;
    uint8_t *input; /* console input for the next release */
    size_t input_len;
    bool forget; /* service mode: ended and reported, dropped at the next release */
    /* The console line being assembled. */
    char *line;
    size_t line_len, line_cap;
    /* The end. */
    bool exited;
    int exit_status;
    char reason[200];
    uint64_t end_cycle;
    struct vm_run_stats stats;
};

/* Frames switched to one server, waiting for its next release: the bytes of
 * frame i are at slot[i].offset in `bytes`. */
struct net_slot {
    uint32_t net;
    uint32_t offset, len;
};
struct net_queue {
    uint8_t *bytes;
    size_t used, cap;
    struct net_slot *slot;
    size_t count, slot_cap;
};

/* What the last release to a server pointed to (freed at the next one). */
struct sent {
    Disco__Control__VmCommand *cmd;
    Disco__Control__VmCommand **ptr;
    Disco__Control__VmSpec *spec;
    Disco__Control__VmInput *input;
    uint8_t **elf; /* copies handed over by their VMs (kernels, console input) */
    size_t count;
    void **extra; /* [3 * commands]: Linux initramfs, disk, command line (issue 7) */
    size_t extra_count;
    struct net_queue net; /* the frames of the release, and what points into them */
    Disco__Control__NetFrame *frame;
    Disco__Control__NetFrame **frame_ptr;
};

struct vm_run {
    struct vm_run_options o;
    uint32_t total_cpus;
    unsigned servers;
    uint32_t *server_first, *server_nodes; /* [servers] */
    uint32_t *cpu_load;                    /* [total_cpus]: vCPUs of live VMs */
    uint64_t *node_memory;                 /* [total_nodes]: memory of live VMs started there */
    struct vm_entry *vm;
    size_t vm_count, vm_cap;
    uint32_t next_id;
    struct sent *sent;     /* [servers] */
    struct net_queue *net; /* [servers]: the subnet's frames for the next release */
    struct vm_run_net_stats net_stats;
    bool want_stats;       /* asked for since the last release */
    bool stats_in_release; /* the releases being sent carry the request */
    bool time_limit;       /* the machine reached max_cycles */
    uint64_t quantum;
    char error[256];
};

struct vm_run *vm_run_create(const struct vm_run_options *options)
{
    struct vm_run *r = xcalloc(1, sizeof *r);
    r->o = *options;
    r->total_cpus = options->total_nodes * options->cpus_per_node;
    r->cpu_load = xcalloc(r->total_cpus + 1, sizeof *r->cpu_load);
    r->node_memory = xcalloc(options->total_nodes + 1, sizeof *r->node_memory);
    r->next_id = 1;
    return r;
}

static void net_queue_free(struct net_queue *q)
{
    free(q->bytes);
    free(q->slot);
    *q = (struct net_queue){0};
}

static void sent_free(struct sent *s)
{
    net_queue_free(&s->net);
    free(s->frame);
    free(s->frame_ptr);
    for (size_t i = 0; i < s->count; i++)
        free(s->elf[i]);
    for (size_t i = 0; i < s->extra_count; i++)
        free(s->extra[i]);
    free(s->extra);
    free(s->cmd);
    free(s->ptr);
    free(s->spec);
    free(s->input);
    free(s->elf);
    *s = (struct sent){0};
}

void vm_run_destroy(struct vm_run *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->vm_count; i++) {
        free(r->vm[i].elf);
        free(r->vm[i].initrd);
        free(r->vm[i].disk);
        free(r->vm[i].cmdline);
        free(r->vm[i].cpu);
        free(r->vm[i].line);
        free(r->vm[i].input);
    }
    for (unsigned s = 0; r->sent && s < r->servers; s++) {
        sent_free(&r->sent[s]);
        net_queue_free(&r->net[s]);
    }
    free(r->sent);
    free(r->net);
    free(r->vm);
    free(r->server_first);
    free(r->server_nodes);
    free(r->cpu_load);
    free(r->node_memory);
    free(r);
}

void vm_run_set_layout(struct vm_run *r, unsigned servers, const uint32_t *first_node,
                       const uint32_t *node_count)
{
    r->servers = servers;
    r->server_first = xcalloc(servers + 1, sizeof *r->server_first);
    r->server_nodes = xcalloc(servers + 1, sizeof *r->server_nodes);
    memcpy(r->server_first, first_node, servers * sizeof *first_node);
    memcpy(r->server_nodes, node_count, servers * sizeof *node_count);
    r->sent = xcalloc(servers + 1, sizeof *r->sent);
    r->net = xcalloc(servers + 1, sizeof *r->net);
}

/* ---- placement ---- */

static int server_of_node(const struct vm_run *r, uint32_t node)
{
    for (unsigned s = 0; s < r->servers; s++)
        if (node >= r->server_first[s] && node - r->server_first[s] < r->server_nodes[s])
            return (int)s;
    return -1;
}

static uint32_t node_load(const struct vm_run *r, uint32_t node)
{
    uint32_t load = 0;
    for (uint32_t k = 0; k < r->o.cpus_per_node; k++)
        load += r->cpu_load[node * r->o.cpus_per_node + k];
    return load;
}

/* The least-loaded node whose server has room for vcpus (fewest vCPUs, then
 * least memory, then the lowest number); -1 if none. */
static int least_loaded_node(const struct vm_run *r, uint32_t vcpus)
{
    int best = -1;
    for (uint32_t n = 0; n < r->o.total_nodes; n++) {
        int s = server_of_node(r, n);
        if (s < 0 || (uint64_t)r->server_nodes[s] * r->o.cpus_per_node < vcpus)
            continue;
        if (best < 0 || node_load(r, n) < node_load(r, (uint32_t)best) ||
            (node_load(r, n) == node_load(r, (uint32_t)best) &&
             r->node_memory[n] < r->node_memory[best]))
            best = (int)n;
    }
    return best;
}

/* Fills node start's CPUs (least loaded first), then the server's next nodes, wrapping. */
static void place_vcpus(const struct vm_run *r, unsigned server, uint32_t start, uint32_t vcpus,
                        uint32_t *cpu)
{
    uint32_t cpn = r->o.cpus_per_node, placed = 0;
    for (uint32_t k = 0; placed < vcpus && k < r->server_nodes[server]; k++) {
        uint32_t node = r->server_first[server] +
                        (start - r->server_first[server] + k) % r->server_nodes[server];
        bool taken[64] = {false};
        for (uint32_t j = 0; j < cpn && j < 64 && placed < vcpus; j++) {
            uint32_t best = UINT32_MAX;
            for (uint32_t c = 0; c < cpn && c < 64; c++)
                if (!taken[c] && (best == UINT32_MAX ||
                                  r->cpu_load[node * cpn + c] < r->cpu_load[node * cpn + best]))
                    best = c;
            taken[best] = true;
            cpu[placed++] = node * cpn + best;
        }
    }
}

static void vm_ended(struct vm_run *r, struct vm_entry *v);

static struct vm_entry *find_vm(struct vm_run *r, uint32_t id)
{
    for (size_t i = 0; i < r->vm_count; i++)
        if (r->vm[i].id == id)
            return &r->vm[i];
    return NULL;
}

/* Places v now: its CPUs, its load; DISCO_EINVAL with err if it does not fit. */
static int place_vm(struct vm_run *r, struct vm_entry *v, char *err, size_t errlen)
{
    int start = v->first_node >= 0 ? v->first_node : least_loaded_node(r, v->vcpus);
    if (start < 0 || (uint32_t)start >= r->o.total_nodes) {
        snprintf(err, errlen, "node %d is not in the machine (0 to %u)", v->first_node,
                 r->o.total_nodes - 1);
        return DISCO_EINVAL;
    }
    unsigned server = (unsigned)server_of_node(r, (uint32_t)start);
    if (v->vcpus > r->server_nodes[server] * r->o.cpus_per_node) {
        snprintf(err, errlen, "%u vCPUs do not fit the %u CPUs of the server of node %d", v->vcpus,
                 r->server_nodes[server] * r->o.cpus_per_node, start);
        return DISCO_EINVAL;
    }
    uint64_t server_memory = (uint64_t)r->server_nodes[server] * r->o.memory_per_node_bytes;
    if (v->memory_bytes > server_memory) {
        snprintf(err, errlen, "%llu MiB of memory: more than the server's %llu MiB",
                 (unsigned long long)(v->memory_bytes >> 20),
                 (unsigned long long)(server_memory >> 20));
        return DISCO_EINVAL;
    }
    v->server = server;
    v->cpu = xcalloc(v->vcpus, sizeof *v->cpu);
    place_vcpus(r, server, (uint32_t)start, v->vcpus, v->cpu);
    for (uint32_t i = 0; i < v->vcpus; i++)
        r->cpu_load[v->cpu[i]]++;
    r->node_memory[start] += v->memory_bytes;
    v->placed = true;
    v->phase = VMR_QUEUED;
    v->create_queued = true;
    return DISCO_OK;
}

int vm_run_submit(struct vm_run *r, const struct vm_run_spec *spec, uint32_t *id, char *err,
                  size_t errlen)
{
    uint32_t server_cpus = 0;
    if (r->servers == 0) {
        snprintf(err, errlen, "the machine is not assembled yet");
        return DISCO_EINVAL;
    }
    for (unsigned s = 0; s < r->servers; s++)
        if (r->server_nodes[s] * r->o.cpus_per_node > server_cpus)
            server_cpus = r->server_nodes[s] * r->o.cpus_per_node;
    if (spec->vcpus == 0 || spec->vcpus > server_cpus) {
        snprintf(err, errlen, "%u vCPUs: a VM runs on 1 to %u CPUs (those of one server)",
                 spec->vcpus, server_cpus);
        return DISCO_EINVAL;
    }
    size_t image_bytes = spec->elf_len + (spec->linux_boot ? spec->initrd_len + spec->disk_len : 0);
    if (image_bytes > VM_RUN_MAX_CREATE_BYTES) {
        snprintf(err, errlen,
                 "kernel, initramfs and disk make %zu MiB: a VM's images travel in one "
                 "release, at most %llu MiB",
                 image_bytes >> 20, (unsigned long long)(VM_RUN_MAX_CREATE_BYTES >> 20));
        return DISCO_ETOOBIG;
    }
    if (spec->memory_bytes == 0 || spec->memory_bytes % 4096) {
        snprintf(err, errlen, "memory of %llu bytes: not a multiple of 4 KB",
                 (unsigned long long)spec->memory_bytes);
        return DISCO_EINVAL;
    }
    struct vm_entry *pred = spec->after ? find_vm(r, spec->after) : NULL;
    if (spec->after && pred == NULL) {
        snprintf(err, errlen, "it starts after VM %u, which does not exist", spec->after);
        return DISCO_EINVAL;
    }
    bool start_now = pred == NULL || pred->phase == VMR_ENDED;
    if (r->vm_count == r->vm_cap) {
        r->vm_cap = r->vm_cap ? 2 * r->vm_cap : 8;
        r->vm = xrealloc(r->vm, r->vm_cap * sizeof *r->vm);
    }
    struct vm_entry *v = &r->vm[r->vm_count];
    *v = (struct vm_entry){.id = r->next_id,
                           .elf_len = spec->elf_len,
                           .memory_bytes = spec->memory_bytes,
                           .max_cycles = spec->max_cycles,
                           .vcpus = spec->vcpus,
                           .no_l2tlb = spec->no_l2tlb,
                           .net = spec->linux_boot ? spec->net : 0,
                           .first_node = spec->first_node,
                           .after = spec->after};
    int rv;
    if (start_now && (rv = place_vm(r, v, err, errlen)) != 0)
        return rv;
    if (spec->name)
        snprintf(v->name, sizeof v->name, "%s", spec->name);
    else
        snprintf(v->name, sizeof v->name, "vm%u", v->id);
    v->elf = xmalloc(spec->elf_len + 1);
    memcpy(v->elf, spec->elf, spec->elf_len);
    if (spec->linux_boot) {
        v->linux_boot = true;
        if (spec->initrd_len) {
            v->initrd = xmalloc(spec->initrd_len);
            memcpy(v->initrd, spec->initrd, spec->initrd_len);
            v->initrd_len = spec->initrd_len;
        }
        if (spec->disk_len) {
            v->disk = xmalloc(spec->disk_len);
            memcpy(v->disk, spec->disk, spec->disk_len);
            v->disk_len = spec->disk_len;
        }
        if (spec->cmdline)
            v->cmdline = xstrdup(spec->cmdline);
    }
    r->vm_count++;
    *id = r->next_id++;
    return DISCO_OK;
}

int vm_run_stop(struct vm_run *r, uint32_t id)
{
    struct vm_entry *v = find_vm(r, id);
    if (v == NULL || v->phase == VMR_ENDED)
        return DISCO_ENOENT;
    if (v->phase == VMR_WAITING) {
        snprintf(v->reason, sizeof v->reason, "stopped before it started");
        vm_ended(r, v);
        return DISCO_OK;
    }
    v->stop_queued = true;
    return DISCO_OK;
}

void vm_run_stop_all(struct vm_run *r)
{
    for (size_t i = 0; i < r->vm_count; i++)
        if (r->vm[i].phase != VMR_ENDED && vm_run_stop(r, r->vm[i].id) != 0)
            continue;
}

int vm_run_input(struct vm_run *r, uint32_t id, const uint8_t *data, size_t len)
{
    struct vm_entry *v = find_vm(r, id);
    if (v == NULL || v->phase == VMR_ENDED)
        return DISCO_ENOENT;
    if (v->input_len + len > INPUT_MAX)
        return DISCO_EBUSY;
    v->input = xrealloc(v->input, v->input_len + len + 1);
    memcpy(v->input + v->input_len, data, len);
    v->input_len += len;
    return DISCO_OK;
}

bool vm_run_busy(const struct vm_run *r)
{
    for (size_t i = 0; i < r->vm_count; i++)
        if (r->vm[i].phase != VMR_ENDED)
            return true;
    return false;
}

void vm_run_request_stats(struct vm_run *r)
{
    r->want_stats = true;
}

void vm_run_net_stats(const struct vm_run *r, struct vm_run_net_stats *out)
{
    *out = r->net_stats;
}

/* ---- kernels ---- */

static uint64_t read_uint(const uint8_t *p, unsigned size, bool big_endian)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
    return v;
}

int vm_run_kernel_model(const uint8_t *elf, size_t len, const char **model, bool *big_endian,
                        char *err, size_t errlen)
{
    if (len < 64 || memcmp(elf, "\177ELF", 4) != 0 || (elf[4] != 1 && elf[4] != 2) ||
        (elf[5] != 1 && elf[5] != 2)) {
        snprintf(err, errlen, "not an ELF file");
        return DISCO_EFORMAT;
    }
    bool is64 = elf[4] == 2;
    *big_endian = elf[5] == 2;
    if (read_uint(elf + 18, 2, *big_endian) != 8 /* EM_MIPS */) {
        snprintf(err, errlen, "not a MIPS ELF file");
        return DISCO_EFORMAT;
    }
    /* e_flags' EF_MIPS_ARCH (bits 28-31): 0-3 are MIPS I-IV, an R10000's code. */
    uint32_t flags = (uint32_t)read_uint(elf + (is64 ? 48 : 36), 4, *big_endian);
    *model = (flags & 0xf0000000u) <= 0x30000000u ? "r10000" : "mips64r2";
    return DISCO_OK;
}

/* ---- the virtual subnet ---- */

/*
 * The switch between servers (paper, section 4.2.4's virtual subnet, carried
 * across the machine). Inside a server the monitor switches frames itself
 * (monitor/vnet.c); what it cannot deliver there comes up in the server's
 * arrival. MACs are fixed by VM id (vnet.h), so the switch needs no
 * learning: a unicast goes to the server of the VM its destination names if
 * that VM runs there on the same subnet; a broadcast or multicast to every
 * other server with a running VM on the subnet; the rest is dropped. A
 * server never gets its own frames back. Frames reach their servers in the
 * next release, a quantum after they were sent.
 */
static bool net_enqueue(struct net_queue *q, uint32_t net, const uint8_t *frame, size_t len)
{
    if (q->count == VM_RUN_NET_RELEASE_FRAMES || len > VM_RUN_NET_RELEASE_BYTES - q->used)
        return false;
    if (q->used + len > q->cap) {
        size_t cap = q->cap ? q->cap : 64u << 10;
        while (cap < q->used + len)
            cap *= 2;
        q->cap = cap < VM_RUN_NET_RELEASE_BYTES ? cap : VM_RUN_NET_RELEASE_BYTES;
        q->bytes = xrealloc(q->bytes, q->cap);
    }
    if (q->count == q->slot_cap) {
        q->slot_cap = q->slot_cap ? 2 * q->slot_cap : 64;
        q->slot = xrealloc(q->slot, q->slot_cap * sizeof *q->slot);
    }
    memcpy(q->bytes + q->used, frame, len);
    q->slot[q->count++] =
        (struct net_slot){.net = net, .offset = (uint32_t)q->used, .len = (uint32_t)len};
    q->used += len;
    return true;
}

static void net_forward(struct vm_run *r, unsigned server, uint32_t net, const uint8_t *frame,
                        size_t len)
{
    if (!net_enqueue(&r->net[server], net, frame, len))
        r->net_stats.dropped_full++;
}

/* The source MAC names a VM of the sending server on that subnet (the
 * monitor checks it too; the coordinator does not take a server's word). A
 * VM that ended in the same quantum still counts: its last frames go out. */
static bool net_source_ok(struct vm_run *r, unsigned from, uint32_t net, const uint8_t *mac)
{
    uint32_t id;
    const struct vm_entry *v;
    return vnet_mac_vm(mac, &id) && (v = find_vm(r, id)) != NULL && v->placed &&
           v->server == from && v->net == net;
}

static bool net_runs_on(const struct vm_run *r, unsigned server, uint32_t net)
{
    for (size_t i = 0; i < r->vm_count; i++) {
        const struct vm_entry *v = &r->vm[i];
        if (v->phase == VMR_RUNNING && v->server == server && v->net == net)
            return true;
    }
    return false;
}

static void net_switch(struct vm_run *r, unsigned from, uint32_t net, const uint8_t *frame,
                       size_t len)
{
    r->net_stats.frames_in++;
    r->net_stats.bytes_in += len;
    if (net == 0 || len < VNET_FRAME_MIN || len > VNET_FRAME_MAX ||
        !net_source_ok(r, from, net, frame + 6)) {
        r->net_stats.dropped_invalid++;
        return;
    }
    bool sent = false;
    if (vnet_mac_group(frame)) {
        for (unsigned s = 0; s < r->servers; s++)
            if (s != from && net_runs_on(r, s, net)) {
                net_forward(r, s, net, frame, len);
                sent = true;
            }
    } else {
        uint32_t id;
        const struct vm_entry *v;
        if (vnet_mac_vm(frame, &id) && (v = find_vm(r, id)) != NULL && v->phase == VMR_RUNNING &&
            v->net == net && v->server != from) {
            net_forward(r, v->server, net, frame, len);
            sent = true;
        }
    }
    if (!sent)
        r->net_stats.dropped_unroutable++;
}

/* The frames waiting for server go in its release, unless the release's
 * creates leave no room under the nodes' reply cap: then in the next. The
 * release points into the queue's bytes, kept until the next release. */
static void fill_frames(struct vm_run *r, unsigned server, Disco__Control__BarrierRelease *rel,
                        size_t create_bytes)
{
    struct net_queue *q = &r->net[server];
    struct sent *s = &r->sent[server];
    if (q->count == 0 || create_bytes + q->used > VM_RUN_MAX_CREATE_BYTES)
        return;
    s->net = *q;
    *q = (struct net_queue){0};
    s->frame = xcalloc(s->net.count, sizeof *s->frame);
    s->frame_ptr = xcalloc(s->net.count, sizeof *s->frame_ptr);
    for (size_t i = 0; i < s->net.count; i++) {
        Disco__Control__NetFrame *f = &s->frame[i];
        disco__control__net_frame__init(f);
        f->net = s->net.slot[i].net;
        f->data.data = s->net.bytes + s->net.slot[i].offset;
        f->data.len = s->net.slot[i].len;
        s->frame_ptr[i] = f;
    }
    rel->n_frames = s->net.count;
    rel->frames = s->frame_ptr;
    r->net_stats.frames_switched += s->net.count;
    r->net_stats.bytes_switched += s->net.used;
}

/* ---- commands ---- */

/* The commands of v for the next release, in order: create, input, stop. */
static bool wants_input(const struct vm_entry *v)
{
    return v->input_len && (v->phase == VMR_RUNNING || v->create_queued);
}

void vm_run_fill_release(void *arg, unsigned server, Disco__Control__BarrierRelease *rel)
{
    struct vm_run *r = arg;
    if (server >= r->servers)
        return;
    struct sent *s = &r->sent[server];
    sent_free(s); /* the previous release to this server is encoded and gone */
    if (r->stats_in_release) {
        rel->has_want_vm_stats = true;
        rel->want_vm_stats = true;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->vm_count; i++) {
        const struct vm_entry *v = &r->vm[i];
        if (v->server == server && v->placed)
            n += v->create_queued + wants_input(v) + v->stop_queued;
    }
    if (n == 0) {
        fill_frames(r, server, rel, 0);
        return;
    }
    s->cmd = xcalloc(n, sizeof *s->cmd);
    s->ptr = xcalloc(n, sizeof *s->ptr);
    s->spec = xcalloc(n, sizeof *s->spec);
    s->input = xcalloc(n, sizeof *s->input);
    s->elf = xcalloc(n, sizeof *s->elf);
    s->extra = xcalloc(3 * n, sizeof *s->extra);
    size_t create_bytes = 0; /* of this release: under the nodes' reply cap */
    for (size_t i = 0; i < r->vm_count; i++) {
        struct vm_entry *v = &r->vm[i];
        if (v->server != server || !v->placed)
            continue;
        if (v->create_queued) {
            /* A create that would take the release past the budget waits
             * for the next one, with its input and stop (issue 7: Linux
             * kernels, initramfs and disks are tens of MiB). */
            size_t bytes = v->elf_len + v->initrd_len + v->disk_len;
            if (create_bytes > 0 && create_bytes + bytes > VM_RUN_MAX_CREATE_BYTES)
                continue;
            create_bytes += bytes;
        }
        if (v->create_queued) {
            Disco__Control__VmCommand *c = &s->cmd[s->count];
            disco__control__vm_command__init(c);
            Disco__Control__VmSpec *sp = &s->spec[s->count];
            disco__control__vm_spec__init(sp);
            sp->vm_id = v->id;
            sp->elf.data = v->elf;
            sp->elf.len = v->elf_len;
            sp->memory_bytes = v->memory_bytes;
            sp->n_vcpu_cpu = v->vcpus;
            sp->vcpu_cpu = v->cpu;
            sp->has_max_cycles = v->max_cycles != 0;
            sp->max_cycles = v->max_cycles;
            sp->name = v->name;
            sp->has_no_l2tlb = v->no_l2tlb;
            sp->no_l2tlb = v->no_l2tlb;
            sp->has_net = v->net != 0;
            sp->net = v->net;
            if (v->linux_boot) { /* issue 7: the copies go with this release */
                sp->has_linux_boot = sp->linux_boot = true;
                sp->has_initrd = v->initrd != NULL;
                sp->initrd.data = v->initrd;
                sp->initrd.len = v->initrd_len;
                sp->has_disk = v->disk != NULL;
                sp->disk.data = v->disk;
                sp->disk.len = v->disk_len;
                sp->cmdline = v->cmdline;
                s->extra[s->extra_count++] = v->initrd;
                s->extra[s->extra_count++] = v->disk;
                s->extra[s->extra_count++] = v->cmdline;
                v->initrd = v->disk = NULL;
                v->cmdline = NULL;
            }
            c->body_case = DISCO__CONTROL__VM_COMMAND__BODY_CREATE;
            c->create = sp;
            s->elf[s->count] = v->elf; /* freed with this release */
            v->elf = NULL;
            v->create_queued = false;
            v->phase = VMR_RUNNING;
            s->ptr[s->count] = c;
            s->count++;
        }
        if (wants_input(v)) {
            Disco__Control__VmCommand *c = &s->cmd[s->count];
            disco__control__vm_command__init(c);
            Disco__Control__VmInput *in = &s->input[s->count];
            disco__control__vm_input__init(in);
            in->vm_id = v->id;
            in->data.data = v->input;
            in->data.len = v->input_len;
            c->body_case = DISCO__CONTROL__VM_COMMAND__BODY_INPUT;
            c->input = in;
            s->elf[s->count] = v->input; /* freed with this release */
            v->input = NULL;
            v->input_len = 0;
            s->ptr[s->count] = c;
            s->count++;
        }
        if (v->stop_queued) {
            Disco__Control__VmCommand *c = &s->cmd[s->count];
            disco__control__vm_command__init(c);
            c->body_case = DISCO__CONTROL__VM_COMMAND__BODY_STOP;
            c->stop = v->id;
            v->stop_queued = false;
            s->ptr[s->count] = c;
            s->count++;
        }
    }
    rel->n_commands = s->count;
    rel->commands = s->ptr;
    fill_frames(r, server, rel, create_bytes);
}

/* ---- arrivals ---- */

static void console_line_out(struct vm_run *r, struct vm_entry *v)
{
    fprintf(r->o.console, "%s: %.*s", v->name, (int)v->line_len, v->line);
    if (v->line_len == 0 || v->line[v->line_len - 1] != '\n')
        fputc('\n', r->o.console);
    v->line_len = 0;
}

static void console_bytes(struct vm_run *r, struct vm_entry *v, const uint8_t *data, size_t len)
{
    if (r->o.events.console) {
        r->o.events.console(r->o.events.arg, v->id, data, len);
        return;
    }
    for (size_t i = 0; i < len; i++) {
        if (v->line_len == v->line_cap) {
            v->line_cap = v->line_cap ? 2 * v->line_cap : 128;
            v->line = xrealloc(v->line, v->line_cap);
        }
        v->line[v->line_len++] = (char)data[i];
        if (data[i] == '\n' || v->line_len >= 4096)
            console_line_out(r, v);
    }
    fflush(r->o.console);
}

static void copy_stats(struct vm_run_stats *d, const Disco__Control__VmStats *s)
{
    *d = (struct vm_run_stats){.have = true,
                               .instructions = s->instructions,
                               .kernel_cycles = s->kernel_cycles,
                               .user_cycles = s->user_cycles,
                               .monitor_cycles = s->monitor_cycles,
                               .idle_cycles = s->idle_cycles,
                               .traps = s->traps,
                               .privops = s->privops,
                               .tlb_misses = s->tlb_misses,
                               .l2tlb_hits = s->l2tlb_hits,
                               .l2tlb_misses = s->l2tlb_misses,
                               .reflected = s->reflected,
                               .interrupts = s->interrupts,
                               .monitor_calls = s->monitor_calls,
                               .pages = s->pages,
                               .host_monitor_ns = s->host_monitor_ns,
                               .net_tx_frames = s->net_tx_frames,
                               .net_tx_bytes = s->net_tx_bytes,
                               .net_rx_frames = s->net_rx_frames,
                               .net_rx_bytes = s->net_rx_bytes,
                               .net_dropped = s->net_dropped};
    for (size_t i = 0; i < s->n_causes && d->cause_count < VM_RUN_MAX_CAUSES; i++) {
        struct vm_run_cause *c = &d->cause[d->cause_count++];
        snprintf(c->action, sizeof c->action, "%s", s->causes[i]->action);
        c->count = s->causes[i]->count;
        c->cycles = s->causes[i]->cycles;
    }
}

static void vm_ended(struct vm_run *r, struct vm_entry *v)
{
    v->phase = VMR_ENDED;
    v->stop_queued = v->create_queued = false;
    for (uint32_t i = 0; v->placed && i < v->vcpus; i++)
        if (r->cpu_load[v->cpu[i]])
            r->cpu_load[v->cpu[i]]--;
    if (v->placed) {
        uint32_t node = v->cpu[0] / r->o.cpus_per_node;
        r->node_memory[node] -= r->node_memory[node] >= v->memory_bytes ? v->memory_bytes : 0;
    }
    if (v->line_len)
        console_line_out(r, v);
    if (r->o.console)
        fflush(r->o.console);
    if (r->o.events.ended) {
        struct vm_run_end end = {.exited = v->exited,
                                 .exit_status = v->exit_status,
                                 .end_cycle = v->end_cycle,
                                 .stats = &v->stats};
        snprintf(end.reason, sizeof end.reason, "%s", v->reason[0] ? v->reason : "ended");
        r->o.events.ended(r->o.events.arg, v->id, &end);
        v->forget = !r->o.batch;
    }
    /* The VMs that waited for this one start now (on the pages it leaves). */
    uint32_t id = v->id;
    for (size_t i = 0; i < r->vm_count; i++) {
        struct vm_entry *w = &r->vm[i];
        char why[160];
        if (w->phase != VMR_WAITING || w->after != id)
            continue;
        if (place_vm(r, w, why, sizeof why) != 0) {
            snprintf(w->reason, sizeof w->reason, "not placed: %s", why);
            vm_ended(r, w);
        }
    }
}

static void report(struct vm_run *r, unsigned server, const Disco__Control__VmReport *rep)
{
    struct vm_entry *v = find_vm(r, rep->vm_id);
    if (v == NULL || v->server != server || v->phase == VMR_ENDED)
        return; /* not a VM of that server, or already over */
    if (rep->has_console)
        console_bytes(r, v, rep->console.data, rep->console.len);
    if (rep->stats) {
        copy_stats(&v->stats, rep->stats);
        if (r->o.events.stats && !(rep->has_ended && rep->ended))
            r->o.events.stats(r->o.events.arg, v->id, &v->stats);
    }
    if (rep->error) {
        snprintf(v->reason, sizeof v->reason, "refused: %s", rep->error);
        vm_ended(r, v);
    } else if (rep->has_ended && rep->ended) {
        v->exited = rep->has_exited && rep->exited;
        v->exit_status = rep->exit_status;
        v->end_cycle = rep->end_cycle;
        snprintf(v->reason, sizeof v->reason, "%s",
                 rep->reason ? rep->reason : (v->exited ? "exited" : "ended"));
        vm_ended(r, v);
    }
}

void vm_run_arrive(void *arg, const Disco__Control__BarrierArrive *a)
{
    struct vm_run *r = arg;
    for (size_t i = 0; i < a->n_frames && a->server_index < r->servers; i++)
        if (a->frames[i])
            net_switch(r, a->server_index, a->frames[i]->net, a->frames[i]->data.data,
                       a->frames[i]->data.len);
    for (size_t i = 0; i < a->n_vms; i++)
        report(r, a->server_index, a->vms[i]);
    if (a->error && !r->error[0])
        snprintf(r->error, sizeof r->error, "server %u: %s", a->server_index, a->error);
}

/* Service mode: drops the VMs whose end was reported (their ids are not reused). */
static void forget_ended(struct vm_run *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->vm_count; i++) {
        struct vm_entry *v = &r->vm[i];
        if (v->forget) {
            free(v->elf);
            free(v->initrd);
            free(v->disk);
            free(v->cmdline);
            free(v->cpu);
            free(v->line);
            free(v->input);
            continue;
        }
        if (k != i)
            r->vm[k] = *v;
        k++;
    }
    r->vm_count = k;
}

bool vm_run_release(void *arg, uint64_t quantum)
{
    struct vm_run *r = arg;
    forget_ended(r);
    r->quantum = quantum + 1;
    r->stats_in_release = r->want_stats; /* every server's release of this quantum */
    r->want_stats = false;
    if (r->error[0])
        return true;
    if (r->o.max_cycles && (quantum + 1) * r->o.quantum_cycles >= r->o.max_cycles) {
        r->time_limit = true;
        return true;
    }
    if (!r->o.batch || r->vm_count == 0)
        return false;
    for (size_t i = 0; i < r->vm_count; i++)
        if (r->vm[i].phase != VMR_ENDED)
            return false;
    return true;
}

/* ---- the final table ---- */

/* Monitor cycles by cause, in the groups of the paper's Table 2 style breakdown. */
const char *const vm_run_group_name[VMG_COUNT] = {
    "tlb_miss", "privileged", "traps_reflection", "monitor_calls", "page_zeroing", "other"};

static enum vm_run_group group_of(const char *action)
{
    if (strcmp(action, "tlb_miss_emulate") == 0 || strcmp(action, "l2tlb_hit_refill") == 0)
        return VMG_TLB;
    if (strncmp(action, "privop_", 7) == 0)
        return VMG_PRIVOP;
    if (strcmp(action, "trap_entry_exit") == 0 || strcmp(action, "exception_reflect") == 0)
        return VMG_TRAP;
    if (strcmp(action, "monitor_call") == 0)
        return VMG_MCALL;
    if (strncmp(action, "page_zero", 9) == 0)
        return VMG_ZERO;
    return VMG_OTHER;
}

void vm_run_stats_groups(const struct vm_run_stats *s, uint64_t groups[VMG_COUNT])
{
    uint64_t *g = groups;
    memset(g, 0, VMG_COUNT * sizeof *g);
    for (unsigned i = 0; i < s->cause_count; i++)
        g[group_of(s->cause[i].action)] += s->cause[i].cycles;
}

double vm_run_l2tlb_ratio(const struct vm_run_stats *s)
{
    uint64_t n = s->l2tlb_hits + s->l2tlb_misses;
    return n ? (double)s->l2tlb_hits / (double)n : 0.0;
}

static double l2tlb_ratio(const struct vm_run_stats *s)
{
    return 100.0 * vm_run_l2tlb_ratio(s);
}

/* The switch's counters by name (vm_run_net_stats), for the table and the JSON. */
static const struct {
    const char *name;
    size_t offset;
} net_field[] = {
    {"frames_in", offsetof(struct vm_run_net_stats, frames_in)},
    {"bytes_in", offsetof(struct vm_run_net_stats, bytes_in)},
    {"frames_switched", offsetof(struct vm_run_net_stats, frames_switched)},
    {"bytes_switched", offsetof(struct vm_run_net_stats, bytes_switched)},
    {"dropped_invalid", offsetof(struct vm_run_net_stats, dropped_invalid)},
    {"dropped_unroutable", offsetof(struct vm_run_net_stats, dropped_unroutable)},
    {"dropped_full", offsetof(struct vm_run_net_stats, dropped_full)},
};
#define NET_FIELDS (sizeof net_field / sizeof net_field[0])

static uint64_t net_value(const struct vm_run *r, size_t k)
{
    return *(const uint64_t *)((const char *)&r->net_stats + net_field[k].offset);
}

/* The virtual subnet: each VM's frames and the switch between servers (if any VM has a NIC). */
static void print_net(const struct vm_run *r, FILE *out)
{
    bool any = r->net_stats.frames_in > 0;
    for (size_t i = 0; i < r->vm_count; i++)
        any |= r->vm[i].net != 0;
    if (!any)
        return;
    fprintf(out, "virtual subnet:\n");
    for (size_t i = 0; i < r->vm_count; i++) {
        const struct vm_entry *v = &r->vm[i];
        const struct vm_run_stats *s = &v->stats;
        if (v->net == 0)
            continue;
        fprintf(out,
                "%-4u %-12.12s net %u tx %llu frames %llu bytes rx %llu frames %llu bytes "
                "dropped %llu\n",
                v->id, v->name, v->net, (unsigned long long)s->net_tx_frames,
                (unsigned long long)s->net_tx_bytes, (unsigned long long)s->net_rx_frames,
                (unsigned long long)s->net_rx_bytes, (unsigned long long)s->net_dropped);
    }
    fprintf(out, "between servers:");
    for (size_t k = 0; k < NET_FIELDS; k++)
        fprintf(out, " %s %llu", net_field[k].name, (unsigned long long)net_value(r, k));
    fprintf(out, "\n");
}

static void print_table(struct vm_run *r, FILE *out)
{
    fprintf(out, "\n%-4s %-12s %-26s %13s %12s %12s %12s %12s %11s %7s %9s\n", "vm", "name",
            "result", "instructions", "kernel-cyc", "user-cyc", "monitor-cyc", "idle-cyc",
            "hw-tlb-miss", "l2tlb%", "mon-ms");
    for (size_t i = 0; i < r->vm_count; i++) {
        const struct vm_entry *v = &r->vm[i];
        const struct vm_run_stats *s = &v->stats;
        fprintf(out,
                "%-4u %-12.12s %-26.26s %13llu %12llu %12llu %12llu %12llu %11llu %7.1f %9.1f\n",
                v->id, v->name, v->reason[0] ? v->reason : "(running)",
                (unsigned long long)s->instructions, (unsigned long long)s->kernel_cycles,
                (unsigned long long)s->user_cycles, (unsigned long long)s->monitor_cycles,
                (unsigned long long)s->idle_cycles, (unsigned long long)s->tlb_misses,
                l2tlb_ratio(s), (double)s->host_monitor_ns / 1e6);
    }
    fprintf(out, "monitor cycles by cause:\n");
    for (size_t i = 0; i < r->vm_count; i++) {
        const struct vm_entry *v = &r->vm[i];
        uint64_t g[VMG_COUNT];
        vm_run_stats_groups(&v->stats, g);
        fprintf(out, "%-4u %-12.12s", v->id, v->name);
        for (unsigned k = 0; k < VMG_COUNT; k++)
            fprintf(out, " %s %llu", vm_run_group_name[k], (unsigned long long)g[k]);
        fprintf(out, "\n");
    }
    print_net(r, out);
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_vm(FILE *f, const struct vm_entry *v)
{
    const struct vm_run_stats *s = &v->stats;
    fprintf(f, "    {\"id\": %u, \"name\": ", v->id);
    json_string(f, v->name);
    fprintf(f, ", \"server\": %u, \"net\": %u, \"vcpus\": %u, \"cpus\": [", v->server, v->net,
            v->vcpus);
    for (uint32_t i = 0; v->placed && i < v->vcpus; i++)
        fprintf(f, "%s%u", i ? ", " : "", v->cpu[i]);
    fprintf(f,
            "], \"memory_bytes\": %llu,\n     \"ended\": %s, \"exited\": %s, \"exit_status\": %d, ",
            (unsigned long long)v->memory_bytes, v->phase == VMR_ENDED ? "true" : "false",
            v->exited ? "true" : "false", v->exit_status);
    fprintf(f, "\"reason\": ");
    json_string(f, v->reason);
    fprintf(f, ", \"end_cycle\": %llu,\n     \"stats\": {", (unsigned long long)v->end_cycle);
    const struct {
        const char *name;
        uint64_t value;
    } fields[] = {{"instructions", s->instructions},
                  {"kernel_cycles", s->kernel_cycles},
                  {"user_cycles", s->user_cycles},
                  {"monitor_cycles", s->monitor_cycles},
                  {"idle_cycles", s->idle_cycles},
                  {"traps", s->traps},
                  {"privops", s->privops},
                  {"tlb_misses", s->tlb_misses},
                  {"l2tlb_hits", s->l2tlb_hits},
                  {"l2tlb_misses", s->l2tlb_misses},
                  {"reflected", s->reflected},
                  {"interrupts", s->interrupts},
                  {"monitor_calls", s->monitor_calls},
                  {"pages", s->pages},
                  {"host_monitor_ns", s->host_monitor_ns},
                  {"net_tx_frames", s->net_tx_frames},
                  {"net_tx_bytes", s->net_tx_bytes},
                  {"net_rx_frames", s->net_rx_frames},
                  {"net_rx_bytes", s->net_rx_bytes},
                  {"net_dropped", s->net_dropped}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        fprintf(f, "%s\"%s\": %llu", i ? ", " : "", fields[i].name,
                (unsigned long long)fields[i].value);
    fprintf(f, ", \"l2tlb_hit_ratio\": %.4f,\n       \"causes\": {", l2tlb_ratio(s) / 100.0);
    for (unsigned i = 0; i < s->cause_count; i++) {
        fprintf(f, "%s", i ? ", " : "");
        json_string(f, s->cause[i].action);
        fprintf(f, ": {\"count\": %llu, \"cycles\": %llu}", (unsigned long long)s->cause[i].count,
                (unsigned long long)s->cause[i].cycles);
    }
    uint64_t g[VMG_COUNT];
    vm_run_stats_groups(s, g);
    fprintf(f, "},\n       \"monitor_cycles_by_group\": {");
    for (unsigned k = 0; k < VMG_COUNT; k++)
        fprintf(f, "%s\"%s\": %llu", k ? ", " : "", vm_run_group_name[k], (unsigned long long)g[k]);
    fprintf(f, "}}}");
}

static int write_json(struct vm_run *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return DISCO_EIO;
    fprintf(f,
            "{\"quantum_cycles\": %llu, \"machine_cycles\": %llu, \"nodes\": %u, "
            "\"cpus_per_node\": %u,\n",
            (unsigned long long)r->o.quantum_cycles,
            (unsigned long long)(r->quantum * r->o.quantum_cycles), r->o.total_nodes,
            r->o.cpus_per_node);
    fprintf(f, " \"net\": {");
    for (size_t k = 0; k < NET_FIELDS; k++)
        fprintf(f, "%s\"%s\": %llu", k ? ", " : "", net_field[k].name,
                (unsigned long long)net_value(r, k));
    fprintf(f, "},\n \"vms\": [\n");
    for (size_t i = 0; i < r->vm_count; i++) {
        json_vm(f, &r->vm[i]);
        fprintf(f, "%s\n", i + 1 < r->vm_count ? "," : "");
    }
    fprintf(f, " ]}\n");
    return fclose(f) == 0 ? DISCO_OK : DISCO_EIO;
}

int vm_run_finish(struct vm_run *r, FILE *out, const char *json_path)
{
    for (size_t i = 0; i < r->vm_count; i++) {
        struct vm_entry *v = &r->vm[i];
        if (v->line_len)
            console_line_out(r, v);
        if (v->phase != VMR_ENDED && !v->reason[0])
            snprintf(v->reason, sizeof v->reason, "%s",
                     r->time_limit ? "machine time limit" : "machine stopped");
    }
    fflush(r->o.console);
    print_table(r, out);
    fflush(out);
    int status = 0;
    if (json_path && write_json(r, json_path) != 0) {
        fprintf(stderr, "disco-coord: cannot write %s\n", json_path);
        status = 1;
    }
    if (r->error[0]) {
        fprintf(stderr, "disco-coord: run failed: %s\n", r->error);
        status = 1;
    }
    for (size_t i = 0; i < r->vm_count; i++) {
        const struct vm_entry *v = &r->vm[i];
        if (v->exited && v->exit_status == 0)
            continue;
        fprintf(stderr, "disco-coord: %s: %s\n", v->name, v->reason);
        status = 1;
    }
    if (r->vm_count == 0)
        status = 1;
    return status;
}
