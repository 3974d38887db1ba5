/*
 * vm_host.c - the VM-host mode of a server's share of the machine
 * (Assignment.vm_host): every local CPU is given to the Disco monitor, which
 * runs vCPUs on it in the same quantum loop as a bare-metal run
 * (bare_machine.c). VMs are created and stopped by the commands of barrier
 * releases; each arrival reports their console output, their end and their
 * statistics; the machine pages of destroyed VMs are purged from our caches
 * and directories before the monitor reuses them (docs/architecture.md,
 * "VMs on the distributed machine"). The virtual subnet's frames that leave
 * the server ride in the arrival and come in with the release ("The virtual
 * subnet").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bare_machine_internal.h"
#include "coherence_agent.h"
#include "cpu_internal.h"
#include "directory.h"
#include "disco_err.h"
#include "log.h"
#include "monitor.h"
#include "vnet.h"
#include "xalloc.h"

#define MACHINE_PAGE_BYTES 4096u       /* the monitor's page (monitor.h) */
#define VM_CONSOLE_TAKE    (64u << 10) /* a VM's console bytes per arrival, at most */
#define VM_MAX_VCPUS       1024u       /* bound on a (hostile) create command */
/* The subnet's frames sent up in one arrival, at most: the coordinator takes
 * arrivals of up to 2 MiB (coordinator/control_server.c CONTROL_MAX_REQUEST),
 * which also carry up to 2 x 256 KB of console bytes and the page counters.
 * Beyond this a frame is dropped, as a full switch port drops it. */
#define NET_UPLINK_BYTES  (1u << 20)
#define NET_UPLINK_FRAMES 4096u
/* Frames from releases waiting to be delivered (a release brings at most
 * 4 MiB, coordinator/vm_run.h VM_RUN_NET_RELEASE_BYTES): room for two. */
#define NET_INBOX_BYTES  (8u << 20)
#define NET_INBOX_FRAMES 16384u

struct vm_slot {
    struct vm *vm;
    uint32_t id;
    bool end_reported; /* its end went out in the arrival being sent: destroy after */
};

struct vm_refusal {
    uint32_t id;
    char why[200];
};

/* A frame waiting for the next arrival: its bytes are at `offset` in the uplink buffer. */
struct net_slot {
    uint32_t net;
    uint32_t offset, len;
};

/* The frames our VMs sent up during the quantum (monitor_host.net_uplink). */
struct net_uplink {
    uint8_t *bytes; /* [NET_UPLINK_BYTES] */
    size_t used;
    struct net_slot slot[NET_UPLINK_FRAMES];
    size_t count;
    uint64_t dropped, dropped_total; /* this quantum, and since the start */
    uint64_t sent_total, received_total;
};

/* Frames of releases not delivered yet: their DMA waits for a quiet server. */
struct net_inbox {
    uint8_t *bytes;
    size_t used, cap;
    struct net_slot *slot;
    size_t count, slot_cap;
    uint64_t dropped;
};

struct vm_host {
    struct monitor *mon;
    struct vm_slot *vm; /* the VMs on our CPUs, running or ended but not yet reported */
    size_t vm_count, vm_cap;
    struct vm_refusal *refusal; /* create commands refused since the last arrival */
    size_t refusal_count, refusal_cap;
    uint8_t *scratch;     /* [VM_CONSOLE_TAKE]: console bytes being taken */
    bool want_stats;      /* the last release asked for every VM's statistics */
    bool reclaim_pending; /* a VM was destroyed: its pages wait for monitor_reclaim() */
    uint64_t pages_reclaimed, remote_copies;
    uint64_t dma_unpurged; /* DMA pages only written back: a line was busy at its home */
    struct net_uplink net;
    struct net_inbox inbox;
};

/* ---- building ---- */

int vm_host_machine_model(const Disco__Control__VmHost *host, enum cpu_model *model,
                          bool *big_endian, char *err, size_t errlen)
{
    const char *name = host->cpu_model ? host->cpu_model : "r10000";
    if (strcmp(name, "r10000") == 0) {
        *model = CPU_MODEL_R10000;
    } else if (strcmp(name, "mips64r2") == 0) {
        *model = CPU_MODEL_MIPS64R2;
    } else {
        snprintf(err, errlen, "unknown CPU model '%.40s' for VM hosting", name);
        return DISCO_EINVAL;
    }
    /* The R10000 of the paper's FLASH ran big-endian: the default. */
    *big_endian = host->has_big_endian ? host->big_endian : true;
    return DISCO_OK;
}

/* monitor_host.machine_page: the host bytes of a 4 KB page of our banks. */
static uint8_t *machine_page(void *opaque, uint64_t machine)
{
    struct bare_machine *m = opaque;
    for (uint32_t i = 0; i < m->node_count; i++) {
        const struct flash_node *n = &m->cfg.ns->node[i];
        if (machine >= n->bank_base && machine - n->bank_base < n->bank_bytes &&
            n->bank_bytes - (machine - n->bank_base) >= MACHINE_PAGE_BYTES)
            return n->bank + (machine - n->bank_base);
    }
    return NULL;
}

static void dma_page(void *opaque, uint64_t machine);

/*
 * monitor_host.net_uplink: a frame that must leave the server (vnet.c has
 * switched it locally already) waits for the next barrier arrival, where the
 * coordinator switches it to the servers of its destination. Bounded per
 * quantum; the monitor validated it (length, source MAC, subnet).
 */
static void net_uplink(void *opaque, uint32_t net, const uint8_t *frame, size_t len)
{
    struct net_uplink *u = &((struct bare_machine *)opaque)->vh->net;
    if (u->count == NET_UPLINK_FRAMES || len > NET_UPLINK_BYTES - u->used) {
        u->dropped++;
        return;
    }
    memcpy(u->bytes + u->used, frame, len);
    u->slot[u->count++] =
        (struct net_slot){.net = net, .offset = (uint32_t)u->used, .len = (uint32_t)len};
    u->used += len;
}

int vm_host_create(struct bare_machine *m, char *err, size_t errlen)
{
    struct vm_host *vh = xcalloc(1, sizeof *vh);
    vh->scratch = xmalloc(VM_CONSOLE_TAKE);
    vh->net.bytes = xmalloc(NET_UPLINK_BYTES);
    m->vh = vh;
    struct monitor_host host = {.model = m->model,
                                .big_endian = m->big_endian,
                                .first_node = m->first_node,
                                .node_count = m->node_count,
                                .bank_bytes = m->map.bank_bytes,
                                .machine_page = machine_page,
                                .dma_page = dma_page,
                                .net_uplink = net_uplink,
                                .opaque = m};
    vh->mon = monitor_create(&host);
    if (vh->mon == NULL) {
        snprintf(err, errlen, "cannot create the monitor");
        return DISCO_EINVAL;
    }
    for (uint32_t i = 0; i < m->ncpu; i++) {
        struct mcpu *c = &m->cpu[i];
        c->pcpu = monitor_add_pcpu(vh->mon, c->cpu, c->bus, m->first_node + i / m->cpn);
        if (c->pcpu == NULL) {
            snprintf(err, errlen, "the monitor cannot take CPU %u", c->global);
            return DISCO_EINVAL;
        }
    }
    log_info("hosting VMs on %u CPU(s), %s %s", m->ncpu,
             m->model == CPU_MODEL_R10000 ? "r10000" : "mips64r2",
             m->big_endian ? "big-endian" : "little-endian");
    return DISCO_OK;
}

void vm_host_destroy(struct bare_machine *m)
{
    struct vm_host *vh = m->vh;
    if (vh == NULL)
        return;
    for (size_t i = 0; i < vh->vm_count; i++) {
        struct vm_status st;
        monitor_vm_status(vh->vm[i].vm, &st);
        if (st.state == VM_RUNNING)
            monitor_vm_stop(vh->vm[i].vm, "machine shut down");
        monitor_vm_destroy(vh->vm[i].vm);
    }
    if (vh->dma_unpurged)
        log_info("DMA: %llu page(s) written back but not purged (a line busy at its home)",
                 (unsigned long long)vh->dma_unpurged);
    if (vh->net.sent_total || vh->net.received_total || vh->net.dropped_total)
        log_info("subnet: %llu frame(s) sent to other servers, %llu received, %llu dropped "
                 "(uplink full), %llu dropped (inbox full)",
                 (unsigned long long)vh->net.sent_total, (unsigned long long)vh->net.received_total,
                 (unsigned long long)vh->net.dropped_total, (unsigned long long)vh->inbox.dropped);
    monitor_destroy(vh->mon);
    free(vh->vm);
    free(vh->refusal);
    free(vh->scratch);
    free(vh->net.bytes);
    free(vh->inbox.bytes);
    free(vh->inbox.slot);
    free(vh);
    m->vh = NULL;
}

/* ---- running ---- */

bool vm_host_run_cpu(struct bare_machine *m, struct mcpu *c, uint64_t quantum_end)
{
    (void)m;
    uint64_t before = cpu_cycles(c->cpu);
    switch (monitor_pcpu_run(c->pcpu, quantum_end, SLICE_INSTRUCTIONS)) {
    case MONITOR_RAN: return true;
    case MONITOR_MEMORY:
        /* As CPU_STOP_MEMORY: wait for the reply if a miss is in flight, else retry. */
        c->waiting = agent_outstanding(c->agent) > 0;
        return true;
    case MONITOR_IDLE:
        /* The monitor advanced the clock to the next vCPU timer or the boundary;
         * if it could not, nothing will run before the boundary: go there. */
        if (cpu_cycles(c->cpu) == before)
            c->cpu->cycles = quantum_end;
        return cpu_cycles(c->cpu) != before;
    }
    return false;
}

/* ---- commands ---- */

static struct vm_slot *find_vm(struct vm_host *vh, uint32_t id)
{
    for (size_t i = 0; i < vh->vm_count; i++)
        if (vh->vm[i].id == id)
            return &vh->vm[i];
    return NULL;
}

static void refuse(struct vm_host *vh, uint32_t id, const char *why)
{
    if (vh->refusal_count == vh->refusal_cap) {
        vh->refusal_cap = vh->refusal_cap ? 2 * vh->refusal_cap : 4;
        vh->refusal = xrealloc(vh->refusal, vh->refusal_cap * sizeof *vh->refusal);
    }
    struct vm_refusal *r = &vh->refusal[vh->refusal_count++];
    r->id = id;
    snprintf(r->why, sizeof r->why, "%s", why);
    log_warn("VM %u refused: %s", id, why);
}

static bool is_local_cpu(const struct bare_machine *m, uint32_t cpu)
{
    return cpu >= m->first_agent && cpu - m->first_agent < m->ncpu;
}

/*
 * A Linux VM's disk image (issue 7): the monitor maps a file privately
 * (vdev_virtio_blk_open, MAP_PRIVATE), so the bytes of the create command go
 * to a temporary file that is unlinked as soon as the VM is created; the
 * mapping keeps its pages and the guest's writes stay in the VM's copy.
 */
static int disk_tempfile(const uint8_t *data, size_t len, char *path, size_t pathlen)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, pathlen, "%s/disco-vmdisk-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return DISCO_EIO;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    close(fd);
    if (done != len) {
        unlink(path);
        return DISCO_EIO;
    }
    return DISCO_OK;
}

/* A create command: acted on only by the server that owns the VM's CPUs. */
static void create_vm(struct bare_machine *m, const Disco__Control__VmSpec *spec)
{
    struct vm_host *vh = m->vh;
    size_t local = 0;
    for (size_t i = 0; i < spec->n_vcpu_cpu; i++)
        local += is_local_cpu(m, spec->vcpu_cpu[i]);
    if (local == 0 && spec->n_vcpu_cpu > 0)
        return; /* another server's VM */
    char why[200];
    if (spec->n_vcpu_cpu == 0 || spec->n_vcpu_cpu > VM_MAX_VCPUS) {
        snprintf(why, sizeof why, "%zu vCPUs (1 to %u)", spec->n_vcpu_cpu, VM_MAX_VCPUS);
        refuse(vh, spec->vm_id, why);
        return;
    }
    if (local != spec->n_vcpu_cpu) {
        snprintf(why, sizeof why, "its vCPUs span servers (CPUs %u-%u are ours)", m->first_agent,
                 m->first_agent + m->ncpu - 1);
        refuse(vh, spec->vm_id, why);
        return;
    }
    if (find_vm(vh, spec->vm_id)) {
        snprintf(why, sizeof why, "VM id %u is in use", spec->vm_id);
        refuse(vh, spec->vm_id, why);
        return;
    }
    struct monitor_pcpu **pcpu = xcalloc(spec->n_vcpu_cpu, sizeof *pcpu);
    for (size_t i = 0; i < spec->n_vcpu_cpu; i++)
        pcpu[i] = m->cpu[spec->vcpu_cpu[i] - m->first_agent].pcpu;
    struct vm_spec vs = {.id = spec->vm_id,
                         .name = spec->name,
                         .elf = spec->elf.data,
                         .elf_len = spec->elf.len,
                         .memory_bytes = spec->memory_bytes,
                         .vcpus = (uint32_t)spec->n_vcpu_cpu,
                         .pcpu = pcpu,
                         .max_cycles = spec->has_max_cycles ? spec->max_cycles : 0,
                         .no_l2tlb = spec->has_no_l2tlb && spec->no_l2tlb,
                         .net = spec->has_net ? spec->net : 0};
    /* A Linux guest (issue 7): initramfs, command line, disk. */
    char disk_path[256] = "";
    if (spec->has_linux_boot && spec->linux_boot) {
        vs.linux_boot = true;
        if (spec->has_initrd && spec->initrd.len > 0) {
            vs.initrd = spec->initrd.data;
            vs.initrd_len = spec->initrd.len;
        }
        vs.cmdline = spec->cmdline && *spec->cmdline ? spec->cmdline : NULL;
        if (spec->has_disk && spec->disk.len > 0) {
            if (disk_tempfile(spec->disk.data, spec->disk.len, disk_path, sizeof disk_path) != 0) {
                free(pcpu);
                refuse(vh, spec->vm_id, "cannot write the disk image to a temporary file");
                return;
            }
            vs.disk_image = disk_path;
        }
    }
    struct vm *vm = NULL;
    why[0] = '\0';
    int rv = monitor_vm_create(vh->mon, &vs, &vm, why, sizeof why);
    if (disk_path[0])
        unlink(disk_path); /* mapped by now (or refused): the file is not needed */
    free(pcpu);
    if (rv != 0) {
        refuse(vh, spec->vm_id, why[0] ? why : disco_strerror(rv));
        return;
    }
    if (vh->vm_count == vh->vm_cap) {
        vh->vm_cap = vh->vm_cap ? 2 * vh->vm_cap : 8;
        vh->vm = xrealloc(vh->vm, vh->vm_cap * sizeof *vh->vm);
    }
    vh->vm[vh->vm_count++] = (struct vm_slot){.vm = vm, .id = spec->vm_id};
    log_info("VM %u%s%s created: %zu vCPU(s) from CPU %u, %llu MiB", spec->vm_id,
             spec->name ? " " : "", spec->name ? spec->name : "", spec->n_vcpu_cpu,
             spec->vcpu_cpu[0], (unsigned long long)(spec->memory_bytes >> 20));
}

static void stop_vm(struct bare_machine *m, uint32_t id)
{
    struct vm_slot *s = find_vm(m->vh, id);
    if (s == NULL)
        return; /* not ours, or already gone */
    struct vm_status st;
    monitor_vm_status(s->vm, &st);
    if (st.state == VM_RUNNING)
        monitor_vm_stop(s->vm, "stopped by request");
}

/* Console input for one of our VMs (the guest reads it from the RX register). */
static void input_vm(struct bare_machine *m, const Disco__Control__VmInput *in)
{
    struct vm_slot *s = find_vm(m->vh, in->vm_id);
    if (s == NULL)
        return; /* not ours, or already gone */
    size_t taken = monitor_vm_console_input(s->vm, in->data.data, in->data.len);
    if (taken < in->data.len)
        log_warn("VM %u: console input queue full, %zu byte(s) dropped", in->vm_id,
                 in->data.len - taken);
}

/*
 * The subnet's frames the coordinator switched to us wait in the inbox
 * until the server is quiet (vm_host_reclaim): the monitor then gives each
 * to the local VM its MAC names, or to every local VM on the subnet for a
 * broadcast, and the NIC writes it into guest memory by DMA, which needs
 * no coherence transaction in flight (dma_page). Malformed frames (subnet
 * 0, a length outside the Ethernet range) are not kept.
 */
static void inbox_add(struct net_inbox *in, uint32_t net, const uint8_t *frame, size_t len)
{
    if (net == 0 || len < VNET_FRAME_MIN || len > VNET_FRAME_MAX)
        return;
    if (in->count == NET_INBOX_FRAMES || len > NET_INBOX_BYTES - in->used) {
        in->dropped++;
        if ((in->dropped & (in->dropped - 1)) == 0) /* at powers of two: a flood stays readable */
            log_warn("subnet inbox full: %llu frame(s) dropped so far",
                     (unsigned long long)in->dropped);
        return;
    }
    if (in->used + len > in->cap) {
        size_t cap = in->cap ? in->cap : 64u << 10;
        while (cap < in->used + len)
            cap *= 2;
        in->cap = cap < NET_INBOX_BYTES ? cap : NET_INBOX_BYTES;
        in->bytes = xrealloc(in->bytes, in->cap);
    }
    if (in->count == in->slot_cap) {
        in->slot_cap = in->slot_cap ? 2 * in->slot_cap : 64;
        in->slot = xrealloc(in->slot, in->slot_cap * sizeof *in->slot);
    }
    memcpy(in->bytes + in->used, frame, len);
    in->slot[in->count++] =
        (struct net_slot){.net = net, .offset = (uint32_t)in->used, .len = (uint32_t)len};
    in->used += len;
}

static void inbox_deliver(struct vm_host *vh)
{
    struct net_inbox *in = &vh->inbox;
    for (size_t i = 0; i < in->count; i++)
        monitor_net_deliver(vh->mon, in->slot[i].net, in->bytes + in->slot[i].offset,
                            in->slot[i].len);
    vh->net.received_total += in->count;
    in->count = in->used = 0;
}

static void deliver_frames(struct bare_machine *m, const Disco__Control__BarrierRelease *release)
{
    for (size_t i = 0; i < release->n_frames; i++) {
        const Disco__Control__NetFrame *f = release->frames[i];
        if (f)
            inbox_add(&m->vh->inbox, f->net, f->data.data, f->data.len);
    }
}

void vm_host_apply(struct bare_machine *m, const Disco__Control__BarrierRelease *release)
{
    m->vh->want_stats |= release->has_want_vm_stats && release->want_vm_stats;
    for (size_t i = 0; i < release->n_commands; i++) {
        const Disco__Control__VmCommand *cmd = release->commands[i];
        if (cmd->body_case == DISCO__CONTROL__VM_COMMAND__BODY_CREATE && cmd->create)
            create_vm(m, cmd->create);
        else if (cmd->body_case == DISCO__CONTROL__VM_COMMAND__BODY_STOP)
            stop_vm(m, cmd->stop);
        else if (cmd->body_case == DISCO__CONTROL__VM_COMMAND__BODY_INPUT && cmd->input)
            input_vm(m, cmd->input);
    }
    deliver_frames(m, release);
}

/* ---- reports ---- */

/* One VmReport with everything it points to. */
struct report_store {
    Disco__Control__VmReport report;
    Disco__Control__VmStats stats;
    Disco__Control__VmCauseStat cause[COST_ACTION_COUNT];
    Disco__Control__VmCauseStat *cause_ptr[COST_ACTION_COUNT];
    char reason[sizeof((struct vm_status *)0)->reason];
    uint8_t *console;
};

static void fill_stats(struct report_store *rs, const struct vm_stats *s)
{
    Disco__Control__VmStats *st = &rs->stats;
    disco__control__vm_stats__init(st);
    st->instructions = s->instructions;
    st->kernel_cycles = s->kernel_cycles;
    st->user_cycles = s->user_cycles;
    st->monitor_cycles = s->monitor_cycles;
#define SET(field)                                                                                 \
    do {                                                                                           \
        st->has_##field = true;                                                                    \
        st->field = s->field;                                                                      \
    } while (0)
    SET(idle_cycles);
    SET(traps);
    SET(privops);
    SET(tlb_misses);
    SET(l2tlb_hits);
    SET(l2tlb_misses);
    SET(reflected);
    SET(interrupts);
    SET(monitor_calls);
    SET(pages);
    SET(host_monitor_ns);
    SET(net_tx_frames);
    SET(net_tx_bytes);
    SET(net_rx_frames);
    SET(net_rx_bytes);
    SET(net_dropped);
#undef SET
    for (unsigned a = 0; a < COST_ACTION_COUNT; a++) {
        if (s->action_count[a] == 0 && s->action_cycles[a] == 0)
            continue;
        Disco__Control__VmCauseStat *c = &rs->cause[st->n_causes];
        disco__control__vm_cause_stat__init(c);
        c->action = (char *)costs_name((enum monitor_action)a);
        c->count = s->action_count[a];
        c->cycles = s->action_cycles[a];
        rs->cause_ptr[st->n_causes++] = c;
    }
    st->causes = rs->cause_ptr;
    rs->report.stats = st;
}

/* Fills rs for one VM; false if there is nothing to say. */
static bool report_vm(struct vm_host *vh, struct vm_slot *s, bool with_stats, size_t *budget,
                      struct report_store *rs)
{
    Disco__Control__VmReport *r = &rs->report;
    disco__control__vm_report__init(r);
    r->vm_id = s->id;
    size_t cap = *budget < VM_CONSOLE_TAKE ? *budget : VM_CONSOLE_TAKE;
    size_t n = cap ? monitor_vm_console_take(s->vm, vh->scratch, cap) : 0;
    *budget -= n;
    if (n) {
        rs->console = xmalloc(n);
        memcpy(rs->console, vh->scratch, n);
        r->has_console = true;
        r->console.data = rs->console;
        r->console.len = n;
    }
    struct vm_status st;
    monitor_vm_status(s->vm, &st);
    /* Its end goes out with its last console bytes, not before. */
    if (st.state == VM_ENDED && n < cap && !s->end_reported) {
        s->end_reported = true;
        r->has_ended = r->has_exited = r->has_end_cycle = true;
        r->ended = true;
        r->exited = st.exited;
        r->end_cycle = st.end_cycle;
        if (st.exited) {
            r->has_exit_status = true;
            r->exit_status = st.exit_status;
        }
        snprintf(rs->reason, sizeof rs->reason, "%s", st.reason);
        r->reason = rs->reason;
        with_stats = true;
    }
    if (with_stats)
        fill_stats(rs, monitor_vm_stats(s->vm));
    return n || r->ended || with_stats;
}

/* The uplink's frames as NetFrames pointing into its buffer (valid until
 * vm_host_report_done empties it). */
static void report_frames(struct vm_host *vh, struct vm_host_report *out)
{
    struct net_uplink *u = &vh->net;
    /* Logged when the total reaches the next power of two: a flood stays readable. */
    uint64_t before = u->dropped_total;
    u->dropped_total += u->dropped;
    if (u->dropped && (before == 0 || (before ^ u->dropped_total) > before))
        log_warn("subnet uplink full: %llu frame(s) dropped this quantum (%llu so far)",
                 (unsigned long long)u->dropped, (unsigned long long)u->dropped_total);
    u->dropped = 0;
    if (u->count == 0)
        return;
    Disco__Control__NetFrame *f = xcalloc(u->count, sizeof *f);
    out->frames = xcalloc(u->count, sizeof *out->frames);
    for (size_t i = 0; i < u->count; i++) {
        disco__control__net_frame__init(&f[i]);
        f[i].net = u->slot[i].net;
        f[i].data.data = u->bytes + u->slot[i].offset;
        f[i].data.len = u->slot[i].len;
        out->frames[i] = &f[i];
    }
    out->frame_count = u->count;
    u->sent_total += u->count;
}

void vm_host_report(struct bare_machine *m, bool final, struct vm_host_report *out)
{
    struct vm_host *vh = m->vh;
    size_t slots = vh->vm_count + vh->refusal_count;
    struct report_store *store = xcalloc(slots + 1, sizeof *store);
    *out = (struct vm_host_report){.ptrs = xcalloc(slots + 1, sizeof *out->ptrs), .storage = store};
    report_frames(vh, out);
    size_t budget = CONSOLE_ARRIVE_MAX;
    for (size_t i = 0; i < vh->vm_count; i++) {
        struct report_store *rs = &store[out->count];
        if (report_vm(vh, &vh->vm[i], vh->want_stats || final, &budget, rs))
            out->ptrs[out->count++] = &rs->report;
    }
    for (size_t i = 0; i < vh->refusal_count; i++) {
        Disco__Control__VmReport *r = &store[out->count].report;
        disco__control__vm_report__init(r);
        r->vm_id = vh->refusal[i].id;
        r->error = vh->refusal[i].why;
        out->ptrs[out->count++] = r;
    }
    vh->want_stats = false;
}

void vm_host_report_done(struct bare_machine *m, struct vm_host_report *report)
{
    struct vm_host *vh = m->vh;
    struct report_store *store = report->storage;
    for (size_t i = 0; i < report->count; i++)
        free(store[i].console);
    free(store);
    free(report->ptrs);
    if (report->frame_count)
        free(report->frames[0]); /* the NetFrame array (report_frames) */
    free(report->frames);
    *report = (struct vm_host_report){0};
    vh->refusal_count = 0;
    vh->net.count = vh->net.used = 0; /* the frames went out with the arrival */
    /* The coordinator has the end of these VMs: their pages go to quarantine. */
    size_t kept = 0;
    for (size_t i = 0; i < vh->vm_count; i++) {
        if (vh->vm[i].end_reported) {
            monitor_vm_destroy(vh->vm[i].vm);
            vh->reclaim_pending = true;
        } else {
            vh->vm[kept++] = vh->vm[i];
        }
    }
    vh->vm_count = kept;
}

/* ---- reclaiming destroyed VMs' pages ---- */

/*
 * monitor_reclaim's purge: the page's data is dead, so every local cache
 * forgets its lines without writeback and the home directory forgets every
 * copy. A VM never spans servers and its pages are allocated on its own
 * nodes, so no other server can hold a line; if one somehow does (its
 * stale copy can only be dead data), it is logged and the home forgets it
 * anyway: a later PUT from it is a stale PUT the directory ignores.
 */
static void purge_page(void *opaque, uint64_t machine)
{
    struct bare_machine *m = opaque;
    uint64_t node = machine / m->map.bank_bytes;
    if (node < m->first_node || node - m->first_node >= m->node_count) {
        log_warn("the monitor reclaimed page 0x%llx, not in our banks",
                 (unsigned long long)machine);
        return;
    }
    struct directory *dir = m->dir[node - m->first_node];
    bool remote = false;
    for (uint64_t a = machine; a < machine + MACHINE_PAGE_BYTES; a += COH_LINE_BYTES) {
        struct dir_line_info li;
        if (dir_line_info(dir, a, &li) == 0)
            for (uint32_t g = sharers_next(&li.sharers, m->total_cpus, 0); g != SHARERS_NONE;
                 g = sharers_next(&li.sharers, m->total_cpus, g + 1))
                remote |= !is_local_cpu(m, g);
        for (uint32_t i = 0; i < m->ncpu; i++) {
            bool held;
            if (agent_purge_line(m->cpu[i].agent, a, &held) != 0)
                log_warn("line 0x%llx of a reclaimed page is in flight at CPU %u",
                         (unsigned long long)a, m->cpu[i].global);
        }
    }
    if (remote) {
        m->vh->remote_copies++;
        log_warn("reclaimed page 0x%llx was cached by another server", (unsigned long long)machine);
    }
    uint32_t dir_page = m->timing.page_bytes;
    for (uint64_t a = machine; dir_page <= MACHINE_PAGE_BYTES && a < machine + MACHINE_PAGE_BYTES;
         a += dir_page)
        if (dir_purge_page(dir, a) != 0)
            log_warn("directory page 0x%llx is busy while reclaimed", (unsigned long long)a);
}

/* True if a line of the machine page at `machine` has a transaction open at its home. */
static bool page_busy_at_home(struct directory *dir, uint64_t machine)
{
    for (uint64_t a = machine; a < machine + MACHINE_PAGE_BYTES; a += COH_LINE_BYTES) {
        struct dir_line_info li;
        if (dir_line_info(dir, a, &li) == 0 && li.busy)
            return true;
    }
    return false;
}

/*
 * monitor_host.dma_page (issue 7): a Linux VM's virtio devices read and
 * write guest memory in the bank's bytes, which the simulated caches do not
 * see. So before each page is touched, every local cache writes its dirty
 * lines of the page to the bank and forgets them, and the home directory
 * forgets the page: the bank is then the only copy, and the CPUs fetch the
 * device's writes afresh. A VM's pages are on its own server's nodes, so no
 * other server holds a line (as purge_page).
 *
 * Caches and directory are purged together or not at all: a cache that
 * forgot a line its home still lists as its own asks for it again, which the
 * home takes for a protocol error, and the miss never completes. So while a
 * line of the page has a transaction open at its home (typically the
 * requester's DONE not yet delivered, within the same slice), dirty lines
 * are only copied to the bank: a device's read sees current data (the NICs'
 * transmit path, in the vCPU's slice), a device's write may be hidden by a
 * cached copy (the receive path of frames from other servers waits for a
 * quiet server, vm_host_reclaim, so it always purges). Counted, logged at
 * debug level.
 */
static void dma_page(void *opaque, uint64_t machine)
{
    struct bare_machine *m = opaque;
    uint64_t node = machine / m->map.bank_bytes;
    uint8_t *bytes = machine_page(m, machine);
    if (bytes == NULL || node < m->first_node || node - m->first_node >= m->node_count)
        return;
    struct directory *dir = m->dir[node - m->first_node];
    bool purge = !page_busy_at_home(dir, machine);
    if (!purge) {
        m->vh->dma_unpurged++;
        log_debug("DMA: page 0x%llx has a transaction open at its home: written back, not purged",
                  (unsigned long long)machine);
    }
    for (uint64_t a = machine; a < machine + MACHINE_PAGE_BYTES; a += COH_LINE_BYTES) {
        for (uint32_t i = 0; i < m->ncpu; i++) {
            struct agent *ag = m->cpu[i].agent;
            enum cache_state st = agent_line_state(ag, a);
            if (st == CACHE_INVALID)
                continue;
            if (st == CACHE_MODIFIED) {
                const uint8_t *line = agent_line_data(ag, a, AGENT_LOAD);
                if (line == NULL) { /* pinned by a transaction: keep it */
                    log_warn("DMA: dirty line 0x%llx is busy at CPU %u", (unsigned long long)a,
                             m->cpu[i].global);
                    continue;
                }
                memcpy(bytes + (a - machine), line, COH_LINE_BYTES);
            }
            bool held;
            if (purge && agent_purge_line(ag, a, &held) != 0)
                log_warn("DMA: line 0x%llx is in flight at CPU %u", (unsigned long long)a,
                         m->cpu[i].global);
        }
    }
    uint32_t dir_page = m->timing.page_bytes;
    for (uint64_t a = machine;
         purge && dir_page <= MACHINE_PAGE_BYTES && a < machine + MACHINE_PAGE_BYTES; a += dir_page)
        if (dir_purge_page(dir, a) != 0)
            log_warn("DMA: directory page 0x%llx is busy", (unsigned long long)a);
}

/* No line is in transition anywhere on this server. */
static bool server_quiet(const struct bare_machine *m)
{
    for (uint32_t i = 0; i < m->ncpu; i++)
        if (agent_outstanding(m->cpu[i].agent) > 0)
            return false;
    for (uint32_t i = 0; i < m->node_count; i++)
        if (dir_busy_lines(m->dir[i]) > 0)
            return false;
    return true;
}

bool vm_host_reclaim(struct bare_machine *m)
{
    struct vm_host *vh = m->vh;
    bool quiet = (vh->reclaim_pending || vh->inbox.count) && server_quiet(m);
    if (quiet && vh->inbox.count)
        inbox_deliver(vh);
    if (!vh->reclaim_pending)
        return false;
    if (!quiet)
        return true;
    size_t pages = monitor_reclaim(vh->mon, purge_page, m);
    vh->pages_reclaimed += pages;
    vh->reclaim_pending = false;
    log_info("reclaimed %zu machine page(s) of destroyed VMs (%llu so far)", pages,
             (unsigned long long)vh->pages_reclaimed);
    return false;
}
