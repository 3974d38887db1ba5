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
