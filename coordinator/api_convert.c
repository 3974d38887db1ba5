/*
 * api_convert.c - turns store rows into API messages and validates VM specs
 * (image ownership and kind, memory, vCPUs and placement against the real
 * cluster assembled by the control plane). Shared by api_vms.c and
 * api_jobs.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "disco_err.h"

#define VM_MAX_DISKS   8
#define VM_MAX_CMDLINE 4096

void api_vm_from_row(const struct vm_row *row, uint64_t console_bytes, Disco__Api__Vm *out)
{
    *out = (Disco__Api__Vm)DISCO__API__VM__INIT;
    out->id = row->id;
    out->owner = (char *)row->owner;
    out->spec = row->spec;
    out->state = row->state;
    if (row->reason[0])
        out->reason = (char *)row->reason;
    out->has_job_id = row->job_id != 0;
    out->job_id = row->job_id;
    out->created_unix = row->created;
    out->has_started_unix = row->started != 0;
    out->started_unix = row->started;
    out->has_ended_unix = row->ended != 0;
    out->ended_unix = row->ended;
    out->has_exit_status = row->result.has_exit;
    out->exit_status = row->result.exit_status;
    out->has_exit_signal = row->result.exit_signal != 0;
    out->exit_signal = row->result.exit_signal;
    out->console_bytes = console_bytes;
}

void api_job_from_row(const struct job_row *row, Disco__Api__Job *out)
{
    *out = (Disco__Api__Job)DISCO__API__JOB__INIT;
    out->id = row->id;
    out->owner = (char *)row->owner;
    out->spec = row->spec;
    out->state = row->state;
    out->verdict = row->verdict;
    if (row->reason[0])
        out->reason = (char *)row->reason;
    out->has_vm_id = row->vm_id != 0;
    out->vm_id = row->vm_id;
    out->attempts = row->attempts;
    out->created_unix = row->created;
    out->has_started_unix = row->started != 0;
    out->started_unix = row->started;
    out->has_ended_unix = row->ended != 0;
    out->ended_unix = row->ended;
    out->has_exit_status = row->result.has_exit;
    out->exit_status = row->result.exit_status;
    out->has_exit_signal = row->result.exit_signal != 0;
    out->exit_signal = row->result.exit_signal;
}

void api_image_from_row(const struct image_row *row, Disco__Api__Image *out)
{
    *out = (Disco__Api__Image)DISCO__API__IMAGE__INIT;
    out->sha256 = (char *)row->sha256;
    out->name = (char *)row->name;
    out->kind = row->kind;
    out->size = row->size;
    out->owner = (char *)row->owner;
    out->created_unix = row->created;
}

/* A kernel runs as a VM only on CPUs of its model and byte order (the machine's). */
static int check_kernel_model(struct api_call *call, const char *sha, char *why, size_t len)
{
    char path[600], what[160];
    uint8_t head[64];
    const char *model, *machine;
    bool be, machine_be;
    jobs_image_path(call->ctx->jobs, sha, path, sizeof path);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    if (vm_run_kernel_model(head, n, &model, &be, what, sizeof what) != 0) {
        snprintf(why, len, "kernel image %.16s... is %s", sha, what);
        return DISCO_EINVAL;
    }
    vm_service_machine(call->ctx->options->vms, &machine, &machine_be);
    if (strcmp(model, machine) != 0 || be != machine_be) {
        snprintf(why, len,
                 "kernel image %.16s... is built for %s %s-endian CPUs; this machine has %s "
                 "%s-endian ones",
                 sha, model, be ? "big" : "little", machine, machine_be ? "big" : "little");
        return DISCO_EINVAL;
    }
    return 0;
}

static int check_image(struct api_call *call, const char *sha, bool disk, char *why, size_t len)
{
    struct image_row img;
    if (sha == NULL || strlen(sha) != STORE_SHA_HEX ||
        store_image_get(call->ctx->store, sha, call->user, &img) != 0) {
        snprintf(why, len, "no image %s among your images (push it first)", sha ? sha : "''");
        return DISCO_ENOENT;
    }
    if (disk != (img.kind == DISCO__API__IMAGE_KIND__KIND_DISK)) {
        snprintf(why, len, "image %.16s... is %s", sha,
                 disk ? "not a disk image" : "a disk image, not a kernel or program");
        return DISCO_EINVAL;
    }
    if (img.kind == DISCO__API__IMAGE_KIND__KIND_KERNEL && call->ctx->options->vms)
        return check_kernel_model(call, sha, why, len);
    return 0;
}

static int check_resources(struct api_call *call, const Disco__Api__VmSpec *spec, char *why,
                           size_t len)
{
    struct api_cluster_view view;
    int rv = 0;
    api_cluster_view(call->ctx, &view);
    uint64_t memory = (uint64_t)view.nodes * view.memory_per_node;
    uint32_t cpus = view.nodes * view.cpus_per_node;
    if (spec->memory_mib == 0 || (memory && ((uint64_t)spec->memory_mib << 20) > memory)) {
        snprintf(why, len, "memory %u MiB: the machine has %llu MiB", spec->memory_mib,
                 (unsigned long long)(memory >> 20));
        rv = DISCO_EINVAL;
    } else if (spec->vcpus == 0 || (cpus && spec->vcpus > cpus)) {
        snprintf(why, len, "%u vCPUs: the machine has %u CPUs", spec->vcpus, cpus);
        rv = DISCO_EINVAL;
    }
    /* A VM's vCPUs run on the CPUs of one server (docs/architecture.md). */
    uint32_t server_cpus = 0;
    for (uint32_t i = 0; i < view.nodes; i++) {
        uint32_t on = 0;
        for (uint32_t k = 0; k < view.nodes; k++)
            on += view.node[k].server == view.node[i].server;
        if (on * view.cpus_per_node > server_cpus)
            server_cpus = on * view.cpus_per_node;
    }
    uint64_t server_memory =
        (uint64_t)(server_cpus / (view.cpus_per_node ? view.cpus_per_node : 1)) *
        view.memory_per_node;
    if (rv == 0 && server_memory && ((uint64_t)spec->memory_mib << 20) > server_memory) {
        snprintf(why, len,
                 "memory %u MiB: a VM lives in the memory of one server, at most %llu MiB here",
                 spec->memory_mib, (unsigned long long)(server_memory >> 20));
        rv = DISCO_EINVAL;
    }
    if (rv == 0 && server_cpus && spec->vcpus > server_cpus) {
        snprintf(why, len, "%u vCPUs: a VM runs on the CPUs of one server, at most %u here",
                 spec->vcpus, server_cpus);
        rv = DISCO_EINVAL;
    }
    for (size_t i = 0; rv == 0 && i < spec->n_placement; i++) {
        if (spec->placement[i] >= view.nodes) {
            snprintf(why, len, "placement on node %u: the machine has nodes 0-%u",
                     spec->placement[i], view.nodes ? view.nodes - 1 : 0);
            rv = DISCO_EINVAL;
        }
    }
    free(view.node);
    return rv;
}

int api_check_vm_spec(struct api_call *call, const Disco__Api__VmSpec *spec, char *why,
                      size_t whylen)
{
    int rv;
    if ((rv = check_image(call, spec->kernel, false, why, whylen)) != 0)
        return rv;
    /* Issue 7: a Linux kernel's initramfs, a data (disk-kind) image. */
    if (spec->initrd && (rv = check_image(call, spec->initrd, true, why, whylen)) != 0)
        return rv;
    if (spec->n_disks > VM_MAX_DISKS) {
        snprintf(why, whylen, "at most %d disks", VM_MAX_DISKS);
        return DISCO_EINVAL;
    }
    for (size_t i = 0; i < spec->n_disks; i++)
        if ((rv = check_image(call, spec->disks[i], true, why, whylen)) != 0)
            return rv;
    if (spec->cmdline && strlen(spec->cmdline) > VM_MAX_CMDLINE) {
        snprintf(why, whylen, "the command line is longer than %d bytes", VM_MAX_CMDLINE);
        return DISCO_EINVAL;
    }
    if (spec->name && strlen(spec->name) >= STORE_NAME_MAX) {
        snprintf(why, whylen, "the name is longer than %d bytes", STORE_NAME_MAX - 1);
        return DISCO_EINVAL;
    }
    return check_resources(call, spec, why, whylen);
}

void api_stats_add(struct api_stats *l, const char *name, double value, const char *unit)
{
    if (l->n == API_MAX_STATS)
        return;
    Disco__Api__Stat *s = &l->stat[l->n];
    *s = (Disco__Api__Stat)DISCO__API__STAT__INIT;
    snprintf(l->name[l->n], sizeof l->name[0], "%s", name);
    s->name = l->name[l->n];
    s->value = value;
    s->unit = (char *)unit;
    l->ptr[l->n] = s;
    l->n++;
}

void api_stats_add_vm(struct api_stats *l, const struct vm_run_stats *s)
{
    api_stats_add(l, "instructions", (double)s->instructions, NULL);
    api_stats_add(l, "kernel_cycles", (double)s->kernel_cycles, "cycles");
    api_stats_add(l, "user_cycles", (double)s->user_cycles, "cycles");
    api_stats_add(l, "monitor_cycles", (double)s->monitor_cycles, "cycles");
    api_stats_add(l, "idle_cycles", (double)s->idle_cycles, "cycles");
    api_stats_add(l, "tlb_misses", (double)s->tlb_misses, NULL);
    api_stats_add(l, "l2tlb_hits", (double)s->l2tlb_hits, NULL);
    api_stats_add(l, "l2tlb_misses", (double)s->l2tlb_misses, NULL);
    api_stats_add(l, "l2tlb_hit_ratio", vm_run_l2tlb_ratio(s), "ratio");
    api_stats_add(l, "traps", (double)s->traps, NULL);
    api_stats_add(l, "privileged_instructions", (double)s->privops, NULL);
    api_stats_add(l, "reflected_exceptions", (double)s->reflected, NULL);
    api_stats_add(l, "interrupts", (double)s->interrupts, NULL);
    api_stats_add(l, "monitor_calls", (double)s->monitor_calls, NULL);
    api_stats_add(l, "pages", (double)s->pages, NULL);
    api_stats_add(l, "host_monitor", (double)s->host_monitor_ns / 1e6, "ms");
    /* The virtual subnet (a Linux VM's NIC; 0 without one). */
    api_stats_add(l, "net_tx_frames", (double)s->net_tx_frames, NULL);
    api_stats_add(l, "net_tx_bytes", (double)s->net_tx_bytes, "bytes");
    api_stats_add(l, "net_rx_frames", (double)s->net_rx_frames, NULL);
    api_stats_add(l, "net_rx_bytes", (double)s->net_rx_bytes, "bytes");
    api_stats_add(l, "net_dropped", (double)s->net_dropped, NULL);
    uint64_t g[VMG_COUNT];
    char name[64];
    vm_run_stats_groups(s, g);
    for (unsigned k = 0; k < VMG_COUNT; k++) {
        snprintf(name, sizeof name, "monitor_cycles.%s", vm_run_group_name[k]);
        api_stats_add(l, name, (double)g[k], "cycles");
    }
    for (unsigned i = 0; i < s->cause_count; i++) {
        snprintf(name, sizeof name, "monitor_cause.%s", s->cause[i].action);
        api_stats_add(l, name, (double)s->cause[i].cycles, "cycles");
    }
}
