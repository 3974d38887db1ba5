/*
 * api_jobs.c - the Jobs service: submit a batch job (a VM run until its
 * guest halts or its time limit), list, get and cancel jobs, and fetch
 * results: the console output, final statistics and the verdict. Owners
 * reach their own jobs; admins reach all; others get not_found.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_internal.h"
#include "disco_err.h"
#include "log.h"
#include "pbcodec.h"
#include "xalloc.h"

#define JOB_MAX_TIME_LIMIT_S (24u * 3600)
#define JOB_LIST_DEFAULT     100

static int load_job(struct api_call *call, uint64_t id, struct job_row *job)
{
    if (store_job_get(call->ctx->store, id, job) == 0) {
        if (api_may_access(call, job->owner))
            return 0;
        job_row_fini(job);
    }
    api_fail(call, API_NOT_FOUND, "no job %llu of yours", (unsigned long long)id);
    return -1;
}

static void reply_job(struct api_call *call, uint64_t id)
{
    struct job_row job;
    if (load_job(call, id, &job) != 0)
        return;
    Disco__Api__Job m;
    api_job_from_row(&job, &m);
    api_reply(call, &m.base);
    job_row_fini(&job);
}

static void submit_job(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__SubmitJobRequest *r = (const Disco__Api__SubmitJobRequest *)request;
    char why[256];
    uint64_t id;
    int rv;
    if (r->spec->time_limit_s == 0 || r->spec->time_limit_s > JOB_MAX_TIME_LIMIT_S) {
        api_fail(call, API_INVALID_ARGUMENT, "time limit %u s: must be 1 to %u",
                 r->spec->time_limit_s, JOB_MAX_TIME_LIMIT_S);
        return;
    }
    if ((unsigned)r->spec->on_restart > DISCO__API__RESTART_POLICY__RESTART_FAIL) {
        api_fail(call, API_INVALID_ARGUMENT, "unknown restart policy %d", (int)r->spec->on_restart);
        return;
    }
    if ((rv = api_check_vm_spec(call, r->spec->vm, why, sizeof why)) != 0) {
        api_fail(call, rv == DISCO_ENOENT ? API_NOT_FOUND : API_INVALID_ARGUMENT, "%s", why);
        return;
    }
    if ((rv = jobs_submit_job(call->ctx->jobs, call->user, r->spec, &id)) != 0) {
        api_fail_err(call, rv, "cannot queue the job");
        return;
    }
    log_info("api: %s submitted job %llu", call->user, (unsigned long long)id);
    reply_job(call, id);
}

struct job_list {
    Disco__Api__Job *job;
    Disco__Api__JobSpec **specs;
    Disco__Api__Job **ptrs;
    char (*owners)[STORE_NAME_MAX];
    char (*reasons)[STORE_REASON_MAX];
    size_t n, cap;
};

static int collect_job(void *arg, const struct job_row *row)
{
    struct job_list *l = arg;
    size_t i = l->n;
    uint8_t *buf;
    size_t len;
    ProtobufCMessage *copy;
    pbcodec_pack(&row->spec->base, &buf, &len);
    int rv = pbcodec_unpack(&disco__api__job_spec__descriptor, buf, len, len + 1, &copy);
    free(buf);
    if (rv != 0)
        return 0;
    api_job_from_row(row, &l->job[i]);
    l->specs[i] = (Disco__Api__JobSpec *)copy;
    snprintf(l->owners[i], STORE_NAME_MAX, "%s", row->owner);
    snprintf(l->reasons[i], STORE_REASON_MAX, "%s", row->reason);
    l->job[i].spec = l->specs[i];
    l->job[i].owner = l->owners[i];
    l->job[i].reason = row->reason[0] ? l->reasons[i] : NULL;
    l->ptrs[i] = &l->job[i];
    l->n++;
    return l->n == l->cap;
}

static void list_jobs(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__ListJobsRequest *r = (const Disco__Api__ListJobsRequest *)request;
    if (r->all_users && !call->admin) {
        api_fail(call, API_PERMISSION_DENIED, "only admins list every user's jobs");
        return;
    }
    unsigned limit = r->limit ? r->limit : JOB_LIST_DEFAULT;
    if (limit > API_MAX_LIST)
        limit = API_MAX_LIST;
    struct job_list l = {.cap = limit};
    l.job = xcalloc(l.cap, sizeof *l.job);
    l.specs = xcalloc(l.cap, sizeof *l.specs);
    l.ptrs = xcalloc(l.cap, sizeof *l.ptrs);
    l.owners = xcalloc(l.cap, sizeof *l.owners);
    l.reasons = xcalloc(l.cap, sizeof *l.reasons);
    if (store_job_list(call->ctx->store, r->all_users ? NULL : call->user, limit, collect_job,
                       &l) != 0) {
        api_fail(call, API_INTERNAL, "cannot list jobs");
    } else {
        Disco__Api__ListJobsResponse resp = DISCO__API__LIST_JOBS_RESPONSE__INIT;
        resp.n_jobs = l.n;
        resp.jobs = l.ptrs;
        api_reply(call, &resp.base);
    }
    for (size_t i = 0; i < l.n; i++)
        protobuf_c_message_free_unpacked(&l.specs[i]->base, NULL);
    free(l.job), free(l.specs), free(l.ptrs), free(l.owners), free(l.reasons);
}

static void get_job(struct api_call *call, const ProtobufCMessage *request)
{
    reply_job(call, ((const Disco__Api__JobRef *)request)->id);
}

static void cancel_job(struct api_call *call, const ProtobufCMessage *request)
{
    uint64_t id = ((const Disco__Api__JobRef *)request)->id;
    struct job_row job;
    if (load_job(call, id, &job) != 0)
        return;
    job_row_fini(&job);
    int rv = jobs_cancel(call->ctx->jobs, id);
    if (rv != 0)
        api_fail_err(call, rv, "cannot cancel the job");
    else
        reply_job(call, id);
}

/* Reads up to cap bytes of a console file into a heap buffer. */
static uint8_t *read_console(struct api_context *ctx, uint64_t vm_id, size_t cap, size_t *len)
{
    char path[600];
    jobs_console_path(ctx->jobs, vm_id, path, sizeof path);
    uint8_t *buf = xmalloc(cap + 1);
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return buf;
    ssize_t n;
    while (*len < cap && (n = read(fd, buf + *len, cap - *len)) > 0)
        *len += (size_t)n;
    close(fd);
    return buf;
}

static void get_results(struct api_call *call, const ProtobufCMessage *request)
{
    uint64_t id = ((const Disco__Api__JobRef *)request)->id;
    struct job_row job;
    if (load_job(call, id, &job) != 0)
        return;
    size_t cap = (size_t)jobs_console_cap(call->ctx->jobs), len = 0;
    uint8_t *console = job.vm_id ? read_console(call->ctx, job.vm_id, cap, &len) : xmalloc(1);
    static struct api_stats l;
    struct vm_run_stats vs;
    l.n = 0;
    if (job.vm_id && jobs_vm_stats(call->ctx->jobs, job.vm_id, &vs)) {
        api_stats_add_vm(&l, &vs);
        api_stats_add(&l, "cycles", (double)job.result.cycles, "cycles");
    } else if (job.result.has_stats) {
        api_stats_add(&l, "instructions", (double)job.result.instructions, NULL);
        api_stats_add(&l, "cycles", (double)job.result.cycles, NULL);
    }
    api_stats_add(&l, "host_seconds", job.result.host_seconds, "s");
    if (job.result.has_stats && job.result.host_seconds > 0)
        api_stats_add(&l, "mips", (double)job.result.instructions / job.result.host_seconds / 1e6,
                      NULL);
    api_stats_add(&l, "attempts", job.attempts, NULL);
    api_stats_add(&l, "console", (double)len, "bytes");
    Disco__Api__JobResults r = DISCO__API__JOB_RESULTS__INIT;
    Disco__Api__Job m;
    api_job_from_row(&job, &m);
    r.job = &m;
    r.console.data = console;
    r.console.len = len;
    r.console_truncated = strstr(job.reason, "console truncated") != NULL;
    r.n_stats = l.n;
    r.stats = l.ptr;
    /* Times are kept in whole seconds; the runner's measure is finer. */
    double wall =
        job.started ? (double)((job.ended ? job.ended : (int64_t)time(NULL)) - job.started) : 0.0;
    r.wall_seconds = wall > job.result.host_seconds ? wall : job.result.host_seconds;
    api_reply(call, &r.base);
    free(console);
    job_row_fini(&job);
}

enum { JOBS_SUBMIT, JOBS_LIST, JOBS_GET, JOBS_CANCEL, JOBS_RESULTS, JOBS_METHODS };
static const struct api_method methods[JOBS_METHODS] = {
    [JOBS_SUBMIT] = {"SubmitJob", &disco__api__submit_job_request__descriptor, submit_job},
    [JOBS_LIST] = {"ListJobs", &disco__api__list_jobs_request__descriptor, list_jobs},
    [JOBS_GET] = {"GetJob", &disco__api__job_ref__descriptor, get_job},
    [JOBS_CANCEL] = {"CancelJob", &disco__api__job_ref__descriptor, cancel_job},
    [JOBS_RESULTS] = {"GetResults", &disco__api__job_ref__descriptor, get_results},
};
const struct api_service api_jobs_service = {"Jobs", methods, JOBS_METHODS};
