/*
 * jobs.h - the scheduler of VMs and batch jobs, on the API thread's event
 * loop. Every VM (a job's run is a VM too) is a row in the store; pending
 * VMs start in submission order while fewer than max_running run; a job's
 * time limit stops its VM; console output goes to STATE_DIR/console/vm-ID.log
 * (capped), a VM's final statistics to STATE_DIR/stats/vm-ID.txt. Guests
 * run through runner ops tables (job_runner.h): kernel images as Disco VMs
 * on the node servers (vm_runner), Linux programs through `runner`.
 * Ownership checks are the callers' (api_*.c): these functions act on ids.
 */
#ifndef DISCO_COORD_JOBS_H
#define DISCO_COORD_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "job_runner.h"
#include "store.h"

struct event_base;

struct jobs_options {
    struct store *store;
    struct event_base *base;
    const struct runner_ops *runner; /* Linux programs (and kernels without vm_runner) */
    void *runner_ctx;
    const struct runner_ops *vm_runner; /* kernels, as VMs (NULL: none) */
    void *vm_runner_ctx;
    const char *state_dir;      /* images/ and console/ live below it */
    unsigned max_running;       /* VMs running at once */
    uint64_t console_cap_bytes; /* console kept per VM */
    unsigned max_attempts;      /* runs of one job across coordinator restarts */
};

struct jobs;

/* Applies the restart policy (store_recover) and starts scheduling. */
int jobs_create(const struct jobs_options *options, struct jobs **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Kills running guests; their rows stay RUNNING so the restart policy applies next start. */
void jobs_destroy(struct jobs *jobs);

/* Queues a VM / a job (validated by the caller). */
int jobs_submit_vm(struct jobs *jobs, const char *owner, const Disco__Api__VmSpec *spec,
                   uint64_t *vm_id) __attribute__((warn_unused_result));
int jobs_submit_job(struct jobs *jobs, const char *owner, const Disco__Api__JobSpec *spec,
                    uint64_t *job_id) __attribute__((warn_unused_result));

/* Stops a VM (pending or running): it ends STOPPED. DISCO_ENOENT, or 0 if already ended. */
int jobs_stop_vm(struct jobs *jobs, uint64_t vm_id) __attribute__((warn_unused_result));
/* Stops and deletes a VM and its console; DISCO_EBUSY for the VM of an unfinished job. */
int jobs_destroy_vm(struct jobs *jobs, uint64_t vm_id) __attribute__((warn_unused_result));
/* Cancels a queued or running job (0 if it had already finished). */
int jobs_cancel(struct jobs *jobs, uint64_t job_id) __attribute__((warn_unused_result));
/* Console input; a pending VM's is kept (64 KiB, in memory) and given to it
 * when it starts. DISCO_ECLOSED if the VM has ended, DISCO_EBUSY if its
 * input is full. */
int jobs_write_console(struct jobs *jobs, uint64_t vm_id, const void *data, size_t len)
    __attribute__((warn_unused_result));

/* The console file of a VM (it may not exist yet). */
void jobs_console_path(const struct jobs *jobs, uint64_t vm_id, char *buf, size_t len);
/* The path of an image blob by SHA-256. */
void jobs_image_path(const struct jobs *jobs, const char *sha256, char *buf, size_t len);
/* True while the VM is running (its console may still grow). */
bool jobs_vm_active(const struct jobs *jobs, uint64_t vm_id);
unsigned jobs_running(const struct jobs *jobs);
/* A VM's statistics: the latest of a running VM, else the final ones kept
 * on disk. False if there are none (not a VM of the VM runner, or none yet). */
bool jobs_vm_stats(struct jobs *jobs, uint64_t vm_id, struct vm_run_stats *out);
uint64_t jobs_console_cap(const struct jobs *jobs);
const char *jobs_runner_name(const struct jobs *jobs);

#endif
