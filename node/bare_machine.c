/*
 * bare_machine.c - one server's share of the machine running a bare-metal
 * SMP program: a single-threaded scheduler that round-robins the CPUs in
 * slices, delivers protocol messages between slices (in-process queue for
 * our own nodes, the interconnect for the others), and meets the other
 * servers at a barrier every quantum of simulated time (bare_machine.h).
 * In VM-host mode the monitor runs the CPUs (vm_host.c).
 */
#include "bare_machine.h"
#include "bare_machine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "coherence_agent.h"
#include "cpu_internal.h"
#include "directory.h"
#include "disco_err.h"
#include "elf_load.h"
#include "log.h"
#include "sysrun.h"
#include "timing.h"
#include "xalloc.h"

/* ---- the per-CPU console/exit device ---- */

static void console_put(struct mcpu *c, uint8_t byte)
{
    if (c->con_len == c->con_cap) {
        c->con_cap = c->con_cap ? c->con_cap * 2 : 256;
        c->con = xrealloc(c->con, c->con_cap);
    }
    c->con[c->con_len++] = byte;
}

static int con_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct mcpu *c = opaque;
    (void)size;
    switch (offset & ~7ull) {
    case BARE_REG_CYCLES: *value = cpu_cycles(c->cpu); return 0;
    case BARE_REG_CPUID: *value = c->global; return 0;
    case BARE_REG_NCPUS: *value = c->m->total_cpus; return 0;
    default: *value = 0; return 0;
    }
}

static int con_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct mcpu *c = opaque;
    (void)size;
    switch (offset & ~7ull) {
    case BARE_REG_TX: console_put(c, (uint8_t)value); return 0;
    case BARE_REG_EXIT:
        if (!c->exited) {
            c->exited = true;
            c->exit_status = (uint32_t)(value & 0xff);
            c->exit_cycle = cpu_cycles(c->cpu);
        }
        cpu_request_halt(c->cpu);
        return 0;
    default: return 0;
    }
}

static const struct bus_device_ops console_ops = {.read = con_read, .write = con_write};

/* ---- the CPU's coherent memory path ---- */

static enum cpu_mem_status mem_access(void *opaque, unsigned kind, uint64_t paddr, void *buf,
                                      unsigned size, uint32_t *cycles)
{
    static const enum agent_access_kind kinds[] = {AGENT_FETCH, AGENT_LOAD, AGENT_STORE};
    struct mcpu *c = opaque;
    switch (agent_access(c->agent, kinds[kind], paddr, buf, size, &c->m->out, cycles)) {
    case AGENT_DONE: return CPU_MEM_DONE;
    case AGENT_PENDING: return CPU_MEM_PENDING;
    default: return CPU_MEM_BUS_ERROR;
    }
}

static uint8_t *line_data(void *opaque, unsigned kind, uint64_t paddr)
{
    static const enum agent_access_kind kinds[] = {AGENT_FETCH, AGENT_LOAD, AGENT_STORE};
    struct mcpu *c = opaque;
    return agent_line_data(c->agent, paddr, kinds[kind]);
}

static void on_line_lost(void *opaque, uint64_t line_addr)
{
    struct mcpu *c = opaque;
    cpu_line_lost(c->cpu, line_addr);
}

static void on_line_downgraded(void *opaque, uint64_t line_addr)
{
    struct mcpu *c = opaque;
    cpu_line_downgraded(c->cpu, line_addr);
}

/* ---- loading the program into our banks ---- */

static bool in_io_hole(uint64_t paddr)
{
    return paddr >= 0x1fc00000ull && paddr < 0x20000000ull;
}

/* Writes the part of [base, base + len) that falls in our banks (zeros if data is NULL). */
static void load_bytes(struct bare_machine *m, uint64_t base, const uint8_t *data, uint64_t len)
{
    for (uint32_t i = 0; i < m->node_count; i++) {
        const struct flash_node *n = &m->cfg.ns->node[i];
        uint64_t lo = base > n->bank_base ? base : n->bank_base;
        uint64_t hi =
            base + len < n->bank_base + n->bank_bytes ? base + len : n->bank_base + n->bank_bytes;
        for (uint64_t a = lo; a < hi; a++) {
            if (in_io_hole(a))
                continue;
            n->bank[a - n->bank_base] = data ? data[a - base] : 0;
        }
    }
}

static int load_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct bare_machine *m = opaque;
    (void)prot;
    uint64_t base = sysrun_load_address(vaddr, paddr);
    uint64_t limit = (uint64_t)m->total_nodes * m->map.bank_bytes;
    if (memsz < filesz || base + memsz < base || base + memsz > limit) {
        snprintf(m->load_error, sizeof m->load_error,
                 "segment at 0x%llx (physical 0x%llx, %llu bytes) is outside machine memory",
                 (unsigned long long)vaddr, (unsigned long long)base, (unsigned long long)memsz);
        return DISCO_EINVAL;
    }
    load_bytes(m, base, data, filesz);
    load_bytes(m, base + filesz, NULL, memsz - filesz);
    return 0;
}

static int load_program(struct bare_machine *m, const ProtobufCBinaryData *elf, char *err,
                        size_t errlen)
{
    char path[] = "/tmp/disco-bare-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file for the program");
        return DISCO_EIO;
    }
    bool ok = write(fd, elf->data, elf->len) == (ssize_t)elf->len;
    close(fd);
    struct elf_info info;
    int rv = ok ? elf_load(path, load_segment, m, &info, m->load_error, sizeof m->load_error)
                : DISCO_EIO;
    unlink(path);
    if (rv != 0) {
        snprintf(err, errlen, "cannot load the program: %s",
                 m->load_error[0] ? m->load_error : disco_strerror(rv));
        return rv;
    }
    m->big_endian = info.big_endian;
    m->entry = info.entry;
    /* As flash-run does: MIPS IV code gets R10000s, newer code MIPS64 R2 CPUs. */
    m->model = elf_arch_is_mips4_or_older(&info) ? CPU_MODEL_R10000 : CPU_MODEL_MIPS64R2;
    return DISCO_OK;
}

/* ---- building ---- */

static int build_cpu(struct bare_machine *m, uint32_t i, char *err, size_t errlen)
{
    struct mcpu *c = &m->cpu[i];
    c->m = m;
    c->global = m->first_agent + i;
    struct cpu_config cc = {
        .model = m->model, .big_endian = m->big_endian, .cpu_number = c->global};
    c->cpu = cpu_create(&cc);
    struct agent_config ac = {.agent_id = c->global,
                              .map = m->map,
                              .timing = m->timing,
                              .line_lost = on_line_lost,
                              .line_downgraded = on_line_downgraded,
                              .opaque = c};
    if (agent_create(&ac, &c->agent) != 0) {
        snprintf(err, errlen, "cannot build the caches of CPU %u", c->global);
        return DISCO_EINVAL;
    }
    c->bus = bus_create();
    /* A VM host's CPUs get the monitor's device window instead (vm_host.c). */
    if (!m->vh_mode && bus_add_device(c->bus, BARE_CONSOLE_BASE, 0x1000, &console_ops, c) != 0) {
        snprintf(err, errlen, "cannot map the console of CPU %u", c->global);
        return DISCO_EINVAL;
    }
    cpu_attach_bus(c->cpu, c->bus);
    struct cpu_coherent_ops ops = {.access = mem_access,
                                   .line_data = getenv("DISCO_NO_FAST_PATH") ? NULL : line_data,
                                   .base = 0,
                                   .limit = (uint64_t)m->total_nodes * m->map.bank_bytes,
                                   .opaque = c};
    cpu_attach_coherent(c->cpu, &ops);
    if (m->vh_mode)
        return DISCO_OK; /* the monitor resets vCPUs, not the machine */
    /* A machine reset: every CPU at the entry, $a0 = its number, $a1 = how many. */
    cpu_set_pc(c->cpu, m->entry);
    cpu_set_gpr(c->cpu, 4, c->global);
    cpu_set_gpr(c->cpu, 5, m->total_cpus);
    return DISCO_OK;
}

int bare_machine_create(const struct bare_machine_config *config, struct bare_machine **out,
                        char *err, size_t errlen)
{
    const Disco__Control__Assignment *a = config->assignment;
    if (a->bare == NULL && a->vm_host == NULL) {
        snprintf(err, errlen, "the assignment carries no program and no VM hosting");
        return DISCO_EINVAL;
    }
    struct bare_machine *m = xcalloc(1, sizeof *m);
    m->cfg = *config;
    if (pipe(m->wake) != 0) {
        m->wake[0] = m->wake[1] = -1;
    } else {
        fcntl(m->wake[0], F_SETFL, O_NONBLOCK);
        fcntl(m->wake[1], F_SETFL, O_NONBLOCK);
    }
    m->first_node = a->first_node;
    m->node_count = a->node_count;
    m->total_nodes = a->total_nodes;
    m->cpn = a->cpus_per_node;
    m->first_agent = a->first_node * a->cpus_per_node;
    m->ncpu = a->node_count * a->cpus_per_node;
    m->total_cpus = a->total_nodes * a->cpus_per_node;
    m->server_index = a->server_index;
    m->vh_mode = a->bare == NULL;
    m->quantum_cycles = m->vh_mode ? a->vm_host->quantum_cycles : a->bare->quantum_cycles;
    if (m->quantum_cycles == 0)
        m->quantum_cycles = BARE_DEFAULT_QUANTUM;
    m->map = (struct coh_addr_map){.base = 0,
                                   .bank_bytes = a->memory_per_node_bytes,
                                   .node_count = a->total_nodes,
                                   .cpus_per_node = a->cpus_per_node};
    timing_defaults(&m->timing);
    coh_outbox_init(&m->out);
    coh_outbox_init(&m->in[0]);
    coh_outbox_init(&m->in[1]);
    coh_outbox_init(&m->work);
    m->rx = xcalloc(INTERCONNECT_MAX_BATCH_MSGS, sizeof *m->rx);
    m->server_of_node = xcalloc(a->total_nodes, sizeof *m->server_of_node);
    for (size_t s = 0; s < a->n_servers; s++) {
        const Disco__Control__ServerInfo *si = a->servers[s];
        for (uint32_t k = 0; k < si->node_count && si->first_node + k < a->total_nodes; k++)
            m->server_of_node[si->first_node + k] = si->index;
    }
    *out = m;
    int rv = coh_map_check(&m->map);
    if (rv != 0) {
        snprintf(err, errlen, "unusable machine address map");
        return rv;
    }
    m->dir = xcalloc(m->node_count, sizeof *m->dir);
    for (uint32_t i = 0; i < m->node_count; i++) {
        struct dir_config dc = {.node_id = m->first_node + i,
                                .map = m->map,
                                .bank = config->ns->node[i].bank,
                                .timing = m->timing};
        if ((rv = dir_create(&dc, &m->dir[i])) != 0) {
            snprintf(err, errlen, "cannot build the directory of node %u", m->first_node + i);
            return rv;
        }
    }
    rv = m->vh_mode ? vm_host_machine_model(a->vm_host, &m->model, &m->big_endian, err, errlen)
                    : load_program(m, &a->bare->elf, err, errlen);
    if (rv != 0)
        return rv;
    m->cpu = xcalloc(m->ncpu, sizeof *m->cpu);
    for (uint32_t i = 0; i < m->ncpu; i++)
        if ((rv = build_cpu(m, i, err, errlen)) != 0)
            return rv;
    return m->vh_mode ? vm_host_create(m, err, errlen) : DISCO_OK;
}

void bare_machine_destroy(struct bare_machine *m)
{
    if (m == NULL)
        return;
    vm_host_destroy(m); /* the monitor lets go of the CPUs first */
    for (uint32_t i = 0; m->cpu && i < m->ncpu; i++) {
        cpu_destroy(m->cpu[i].cpu);
        agent_destroy(m->cpu[i].agent);
        bus_destroy(m->cpu[i].bus);
        free(m->cpu[i].con);
    }
    for (uint32_t i = 0; m->dir && i < m->node_count; i++)
        dir_destroy(m->dir[i]);
    free(m->cpu);
    free(m->dir);
    coh_outbox_fini(&m->out);
    coh_outbox_fini(&m->in[0]);
    coh_outbox_fini(&m->in[1]);
    coh_outbox_fini(&m->work);
    free(m->rx);
    free(m->server_of_node);
    if (m->wake[0] >= 0) {
        close(m->wake[0]);
        close(m->wake[1]);
    }
    free(m);
}

/* ---- moving messages ---- */

static uint32_t dest_node(const struct bare_machine *m, const struct coh_msg *msg)
{
    return coh_msg_to_home(msg->type) ? msg->home : coh_map_agent_node(&m->map, msg->agent);
}

static bool is_local_node(const struct bare_machine *m, uint32_t node)
{
    return node >= m->first_node && node - m->first_node < m->node_count;
}

/* Sends what agents and directories emitted: our nodes directly, others by the network. */
static void route(struct bare_machine *m)
{
    for (size_t i = 0; i < m->out.count; i++) {
        const struct coh_msg *msg = &m->out.msgs[i];
        uint32_t node = dest_node(m, msg);
        if (is_local_node(m, node))
            *coh_outbox_push(&m->in[coh_msg_channel(msg->type)]) = *msg;
        else if (m->cfg.ic && node < m->total_nodes)
            interconnect_queue(m->cfg.ic, m->server_of_node[node], msg);
        else
            m->misrouted++;
    }
    coh_outbox_clear(&m->out);
}

static void handle_one(struct bare_machine *m, const struct coh_msg *msg)
{
    uint32_t node = dest_node(m, msg);
    if (!is_local_node(m, node)) {
        m->misrouted++; /* a peer sent us what is not ours */
        return;
    }
    int rv;
    if (coh_msg_to_home(msg->type)) {
        rv = dir_handle(m->dir[node - m->first_node], msg, &m->out);
    } else {
        struct mcpu *c = &m->cpu[msg->agent - m->first_agent];
        rv = agent_handle(c->agent, msg, &m->out);
        c->waiting = false; /* whatever it was, let the CPU retry its access */
    }
    if (rv != 0)
        m->refused++;
}

/*
 * Handles the messages waiting now, replies first (they never wait for
 * anything, so requests backing up cannot stop a transaction finishing).
 * Messages generated meanwhile wait for the next call, so a NACK/retry
 * ping-pong between our own nodes cannot spin here. Returns how many,
 * NACKs not counted: a retry can only succeed after some other message
 * moved the busy line on, so the loop may sleep until one arrives.
 */
static size_t deliver(struct bare_machine *m)
{
    size_t n = 0;
    const enum coh_channel order[2] = {COH_CHANNEL_REPLY, COH_CHANNEL_REQUEST};
    for (unsigned k = 0; k < 2; k++) {
        struct coh_outbox tmp = m->in[order[k]];
        m->in[order[k]] = m->work;
        m->work = tmp;
        for (size_t i = 0; i < m->work.count; i++) {
            handle_one(m, &m->work.msgs[i]);
            n += m->work.msgs[i].type != COH_NACK;
        }
        coh_outbox_clear(&m->work);
        route(m);
    }
    return n;
}

/* Takes every batch the network holds into the local queues. */
static size_t receive_all(struct bare_machine *m)
{
    if (m->cfg.ic == NULL)
        return 0;
    size_t total = 0;
    for (unsigned ch = 0; ch < 2; ch++) {
        size_t n;
        while ((n = interconnect_receive(m->cfg.ic, ch, m->rx, INTERCONNECT_MAX_BATCH_MSGS)) > 0) {
            for (size_t i = 0; i < n; i++)
                *coh_outbox_push(&m->in[ch]) = m->rx[i];
            total += n;
        }
    }
    return total;
}

/* ---- the barrier ---- */

static void fill_stats(struct bare_machine *m, Disco__Control__NodeStats *st,
                       Disco__Control__NodeStats **ptrs)
{
    for (uint32_t i = 0; i < m->node_count; i++) {
        Disco__Control__NodeStats *s = &st[i];
        disco__control__node_stats__init(s);
        s->node = m->first_node + i;
        s->has_nacks = true;
        s->has_rejected_batches = true;
        if (i == 0 && m->cfg.ic)
            s->rejected_batches = interconnect_get_stats(m->cfg.ic)->rejected;
        for (uint32_t k = 0; k < m->cpn; k++) {
            struct mcpu *c = &m->cpu[i * m->cpn + k];
            const struct agent_stats *as = agent_get_stats(c->agent);
            uint64_t cyc = cpu_cycles(c->cpu);
            if (cyc > s->cycles)
                s->cycles = cyc;
            s->instructions += cpu_instructions(c->cpu);
            s->local_misses += as->local_misses;
            s->remote_misses += as->remote_misses;
            s->miss_cycles += as->miss_cycles;
            s->nacks += as->nacks;
        }
        ptrs[i] = s;
    }
}

/* Pages of our banks that saw misses, for the final report (Disco's NUMA policy). */
static size_t fill_pages(struct bare_machine *m, Disco__Control__PageMisses *pg,
                         Disco__Control__PageMisses **ptrs, uint32_t (*tops)[2][DIR_PAGE_TOP_NODES])
{
    size_t n = 0;
    for (uint32_t i = 0; i < m->node_count; i++) {
        const struct flash_node *node = &m->cfg.ns->node[i];
        for (uint64_t off = 0; off < node->bank_bytes && n < PAGES_REPORT_MAX;
             off += m->timing.page_bytes) {
            struct dir_page_misses pm;
            if (dir_page_misses(m->dir[i], node->bank_base + off, &pm) != 0 ||
                pm.read_misses + pm.write_misses == 0)
                continue;
            Disco__Control__PageMisses *p = &pg[n];
            disco__control__page_misses__init(p);
            p->page_addr = node->bank_base + off;
            p->read_misses = pm.read_misses;
            p->write_misses = pm.write_misses;
            memcpy(tops[n][0], pm.node, sizeof pm.node);
            memcpy(tops[n][1], pm.misses, sizeof pm.misses);
            p->n_top_node = p->n_top_misses = pm.top_count;
            p->top_node = tops[n][0];
            p->top_misses = tops[n][1];
            ptrs[n] = p;
            n++;
        }
    }
    return n;
}

/* Sends our arrival at the end of quantum q (or the final one) without blocking;
 * with_pages adds the directories' per-page miss counters. */
static struct control_call *arrive(struct bare_machine *m, uint64_t q, bool final, bool with_pages)
{
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    a.server_index = m->server_index;
    a.quantum = q;
    a.has_final = true;
    a.final = final;
    /* Console bytes, up to a cap per arrival; the rest goes next time. */
    Disco__Control__ConsoleChunk *chunks = xcalloc(m->ncpu + 1, sizeof *chunks);
    Disco__Control__ConsoleChunk **cptr = xcalloc(m->ncpu + 1, sizeof *cptr);
    size_t budget = CONSOLE_ARRIVE_MAX, taken[m->ncpu + 1];
    for (uint32_t i = 0; i < m->ncpu; i++) {
        struct mcpu *c = &m->cpu[i];
        taken[i] = c->con_len < budget ? c->con_len : budget;
        budget -= taken[i];
        if (taken[i] == 0)
            continue;
        Disco__Control__ConsoleChunk *ch = &chunks[a.n_console];
        disco__control__console_chunk__init(ch);
        ch->cpu = c->global;
        ch->data.data = c->con;
        ch->data.len = taken[i];
        cptr[a.n_console++] = ch;
    }
    a.console = cptr;
    /* The earliest EXIT of ours not reported yet. */
    struct mcpu *first = NULL;
    for (uint32_t i = 0; i < m->ncpu; i++) {
        struct mcpu *c = &m->cpu[i];
        if (c->exited && !c->exit_reported && (!first || c->exit_cycle < first->exit_cycle))
            first = c;
    }
    if (first) {
        first->exit_reported = true;
        a.has_exited = a.has_exit_status = a.has_exit_cpu = a.has_exit_cycle = true;
        a.exited = true;
        a.exit_status = first->exit_status;
        a.exit_cpu = first->global;
        a.exit_cycle = first->exit_cycle;
    }
    Disco__Control__NodeStats *st = xcalloc(m->node_count, sizeof *st);
    Disco__Control__NodeStats **sp = xcalloc(m->node_count, sizeof *sp);
    fill_stats(m, st, sp);
    a.n_stats = m->node_count;
    a.stats = sp;
    Disco__Control__PageMisses *pg = NULL, **pp = NULL;
    uint32_t(*tops)[2][DIR_PAGE_TOP_NODES] = NULL;
    if (final || with_pages) {
        pg = xcalloc(PAGES_REPORT_MAX, sizeof *pg);
        pp = xcalloc(PAGES_REPORT_MAX, sizeof *pp);
        tops = xcalloc(PAGES_REPORT_MAX, sizeof *tops);
        a.n_pages = fill_pages(m, pg, pp, tops);
        a.pages = pp;
    }
    struct vm_host_report vr = {0};
    if (m->vh) {
        vm_host_report(m, final, &vr);
        a.n_vms = vr.count;
        a.vms = vr.ptrs;
        a.n_frames = vr.frame_count;
        a.frames = vr.frames;
    }
    if (m->misrouted || m->refused)
        log_debug("%llu misrouted, %llu refused protocol messages so far",
                  (unsigned long long)m->misrouted, (unsigned long long)m->refused);
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_BARRIER;
    req.barrier = &a;
    struct control_call *call = control_client_call_start(m->cfg.cc, &req, m->wake[1]);
    if (m->vh)
        vm_host_report_done(m, &vr);
    for (uint32_t i = 0; i < m->ncpu; i++) {
        struct mcpu *c = &m->cpu[i];
        if (taken[i] == 0)
            continue; /* (con may be NULL: a CPU that never printed) */
        memmove(c->con, c->con + taken[i], c->con_len - taken[i]);
        c->con_len -= taken[i];
    }
    free(chunks);
    free(cptr);
    free(st);
    free(sp);
    free(pg);
    free(pp);
    free(tops);
    return call;
}

static struct control_call *heartbeat(struct bare_machine *m)
{
    Disco__Control__Heartbeat hb = DISCO__CONTROL__HEARTBEAT__INIT;
    hb.server_index = m->server_index;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_HEARTBEAT;
    req.heartbeat = &hb;
    return control_client_call_start(m->cfg.cc, &req, -1);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the run loop ---- */

/* Runs one CPU for a slice, up to the quantum's end. True if it ran. */
static bool run_cpu(struct bare_machine *m, struct mcpu *c, uint64_t quantum_end, char *err,
                    size_t errlen, int *failed)
{
    uint64_t cyc = cpu_cycles(c->cpu);
    if (c->halted || c->waiting || cyc >= quantum_end)
        return false;
    if (m->vh) {
        bool ran = vm_host_run_cpu(m, c, quantum_end);
        route(m);
        return ran;
    }
    uint64_t budget = quantum_end - cyc;
    if (budget > SLICE_INSTRUCTIONS)
        budget = SLICE_INSTRUCTIONS;
    enum cpu_stop stop = cpu_run(c->cpu, budget);
    switch (stop) {
    case CPU_STOP_BUDGET: break;
    case CPU_STOP_MEMORY:
        /* Waits for a reply if a miss is in flight; else (no buffer free) retries. */
        c->waiting = agent_outstanding(c->agent) > 0;
        break;
    case CPU_STOP_WAIT: {
        /* Nothing can wake it but its timer: idle until then, at most to the
         * end of the quantum (never backwards). */
        uint64_t wake =
            quantum_end > c->cpu->next_event_cycle ? c->cpu->next_event_cycle : quantum_end;
        if (wake <= c->cpu->cycles) /* the timer's time passed and nothing is pending */
            wake = quantum_end;
        if (wake > c->cpu->cycles)
            c->cpu->cycles = wake;
        c->cpu->irq_dirty = true;
        break;
    }
    case CPU_STOP_HALT: c->halted = true; break;
    case CPU_STOP_EXCEPTION:
        c->halted = true;
        snprintf(err, errlen, "CPU %u stopped on an unexpected exception", c->global);
        *failed = DISCO_EPROTO;
        break;
    }
    route(m);
    return true;
}

static bool all_at_boundary(const struct bare_machine *m, uint64_t quantum_end)
{
    for (uint32_t i = 0; i < m->ncpu; i++) {
        const struct mcpu *c = &m->cpu[i];
        if (!c->halted && cpu_cycles(c->cpu) < quantum_end)
            return false;
    }
    return true;
}

int bare_machine_run(struct bare_machine *m, char *err, size_t errlen)
{
    uint64_t q = 0, quantum_end = m->quantum_cycles;
    struct control_call *barrier = NULL, *hb = NULL;
    bool over = false, final_sent = false, want_pages = false, reset_pages = false;
    int64_t barrier_since = 0, last_hb = now_ms();
    int rv = DISCO_OK, failed = 0;
    for (;;) {
        if (*m->cfg.interrupted) {
            snprintf(err, errlen, "interrupted by signal %d", (int)*m->cfg.interrupted);
            rv = DISCO_ECLOSED;
            break;
        }
        size_t moved = receive_all(m);
        moved += deliver(m);
        if (m->vh)
            vm_host_reclaim(m); /* destroyed VMs' pages, once no transaction is in flight */
        bool ran = false;
        if (!over)
            for (uint32_t i = 0; i < m->ncpu; i++)
                ran |= run_cpu(m, &m->cpu[i], quantum_end, err, errlen, &failed);
        if (m->cfg.ic)
            interconnect_flush(m->cfg.ic);
        if (failed) {
            rv = failed;
            break;
        }

        /* The barrier: arrive once every CPU is at the boundary, go on when released. */
        if (barrier == NULL && (over || all_at_boundary(m, quantum_end))) {
            barrier = arrive(m, q, over, want_pages);
            if (want_pages && reset_pages)
                for (uint32_t i = 0; i < m->node_count; i++)
                    dir_reset_page_misses(m->dir[i]);
            want_pages = reset_pages = false;
            final_sent = over;
            barrier_since = now_ms();
        }
        if (barrier) {
            Disco__Control__CoordReply *reply = NULL;
            int prv = control_call_poll(barrier, &reply, err, errlen);
            if (prv == DISCO_EAGAIN && now_ms() - barrier_since > m->cfg.barrier_timeout_ms) {
                snprintf(err, errlen, "the coordinator did not release barrier %llu within %d ms",
                         (unsigned long long)q, m->cfg.barrier_timeout_ms);
                rv = DISCO_EPEERLOST;
                break;
            }
            if (prv != DISCO_EAGAIN) {
                control_call_free(barrier);
                barrier = NULL;
                if (prv != 0) {
                    rv = prv;
                    break;
                }
                bool ok = reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_RELEASE;
                bool run_over = ok && reply->release->run_over;
                if (ok && m->vh && !final_sent) {
                    /* Pages of VMs that just ended go back before new VMs take pages:
                     * let their last in-process transactions finish first (bounded). */
                    for (int k = 0; k < 10000 && vm_host_reclaim(m); k++) {
                        receive_all(m);
                        deliver(m);
                    }
                    vm_host_apply(m, reply->release);
                }
                if (ok && reply->release->has_want_pages && reply->release->want_pages) {
                    want_pages = true;
                    reset_pages = reply->release->has_reset_pages && reply->release->reset_pages;
                }
                if (!ok)
                    snprintf(err, errlen, "barrier refused: %s",
                             reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_ERROR
                                 ? reply->error->message
                                 : "unexpected answer");
                disco__control__coord_reply__free_unpacked(reply, NULL);
                if (!ok) {
                    rv = DISCO_EPROTO;
                    break;
                }
                if (final_sent)
                    break; /* everyone has reported: the run is over */
                if (run_over) {
                    over = true;
                } else {
                    q++;
                    quantum_end += m->quantum_cycles;
                }
                continue;
            }
        }

        /* Heartbeats while running, so a long quantum does not look like a loss. */
        if (hb) {
            Disco__Control__CoordReply *reply = NULL;
            char herr[128];
            int prv = control_call_poll(hb, &reply, herr, sizeof herr);
            if (prv != DISCO_EAGAIN) {
                bool stop =
                    prv == 0 && reply->body_case == DISCO__CONTROL__COORD_REPLY__BODY_SHUTDOWN;
                if (stop)
                    snprintf(err, errlen, "shut down by the coordinator: %s",
                             reply->shutdown->reason);
                if (prv == 0)
                    disco__control__coord_reply__free_unpacked(reply, NULL);
                control_call_free(hb);
                hb = NULL;
                if (stop) {
                    rv = DISCO_ECLOSED;
                    break;
                }
            }
        } else if (now_ms() - last_hb >= HEARTBEAT_MS) {
            hb = heartbeat(m);
            last_hb = now_ms();
        }

        /* Nothing to do until a message or the release comes: sleep briefly. */
        if (!ran && moved == 0 && m->in[0].count == 0 && m->in[1].count == 0) {
            interconnect_wait(m->cfg.ic, 1, m->wake[0]);
            char drain[64];
            while (m->wake[0] >= 0 && read(m->wake[0], drain, sizeof drain) > 0)
                ;
        }
    }
    control_call_free(barrier);
    control_call_free(hb);
    return rv;
}
