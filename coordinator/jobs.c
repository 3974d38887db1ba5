/*
 * jobs.c - the VM and job scheduler (see jobs.h). The store is the truth:
 * a VM is started only from its PENDING row and every change of state is
 * written before it is reported, so a restart finds each VM and job where
 * it was. Active runs (at most max_running) are kept in a small array.
 */
#include "jobs.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "disco_err.h"
#include "log.h"
#include "xalloc.h"

#define SCHEDULE_INTERVAL_S 1
#define MAX_GUEST_ARGS      48
#define CMDLINE_MAX         4096

struct active {
    struct jobs *jobs;
    uint64_t vm_id, job_id;
    const struct runner_ops *ops; /* the runner of this VM */
    struct run *run;
    int console_fd;
    uint64_t console_bytes;
    bool truncated;
    int stop_state; /* VM state to record when we ended it, -1 if not */
    bool destroy;   /* delete the VM once it has ended */
    struct event *limit_ev;
};

/* Console input for a VM still waiting for a slot: given to it when it starts. */
#define EARLY_INPUT_MAX (64u << 10)
struct early_input {
    uint64_t vm_id;
    uint8_t *data;
    size_t len;
};

struct jobs {
    struct jobs_options o;
    char state_dir[512];
    struct active **active; /* [max_running], NULL = free slot */
    struct event *schedule_ev;
    struct early_input *early; /* in memory only: a restart drops it */
    size_t early_count, early_cap;
};

static int64_t now_unix(void)
{
    return (int64_t)time(NULL);
}

void jobs_console_path(const struct jobs *jobs, uint64_t vm_id, char *buf, size_t len)
{
    snprintf(buf, len, "%s/console/vm-%llu.log", jobs->state_dir, (unsigned long long)vm_id);
}

static void stats_path(const struct jobs *jobs, uint64_t vm_id, char *buf, size_t len)
{
    snprintf(buf, len, "%s/stats/vm-%llu.txt", jobs->state_dir, (unsigned long long)vm_id);
}

/* The VmStats fields kept in a stats file, by name. */
static const struct {
    const char *name;
    size_t offset;
} stats_fields[] = {
    {"instructions", offsetof(struct vm_run_stats, instructions)},
    {"kernel_cycles", offsetof(struct vm_run_stats, kernel_cycles)},
    {"user_cycles", offsetof(struct vm_run_stats, user_cycles)},
    {"monitor_cycles", offsetof(struct vm_run_stats, monitor_cycles)},
    {"idle_cycles", offsetof(struct vm_run_stats, idle_cycles)},
    {"traps", offsetof(struct vm_run_stats, traps)},
    {"privops", offsetof(struct vm_run_stats, privops)},
    {"tlb_misses", offsetof(struct vm_run_stats, tlb_misses)},
    {"l2tlb_hits", offsetof(struct vm_run_stats, l2tlb_hits)},
    {"l2tlb_misses", offsetof(struct vm_run_stats, l2tlb_misses)},
    {"reflected", offsetof(struct vm_run_stats, reflected)},
    {"interrupts", offsetof(struct vm_run_stats, interrupts)},
    {"monitor_calls", offsetof(struct vm_run_stats, monitor_calls)},
    {"pages", offsetof(struct vm_run_stats, pages)},
    {"host_monitor_ns", offsetof(struct vm_run_stats, host_monitor_ns)},
    {"net_tx_frames", offsetof(struct vm_run_stats, net_tx_frames)},
    {"net_tx_bytes", offsetof(struct vm_run_stats, net_tx_bytes)},
    {"net_rx_frames", offsetof(struct vm_run_stats, net_rx_frames)},
    {"net_rx_bytes", offsetof(struct vm_run_stats, net_rx_bytes)},
    {"net_dropped", offsetof(struct vm_run_stats, net_dropped)},
};
#define STATS_FIELD_COUNT (sizeof stats_fields / sizeof stats_fields[0])

static uint64_t *stats_field(struct vm_run_stats *s, size_t i)
{
    return (uint64_t *)((char *)s + stats_fields[i].offset);
}

/* Writes a VM's final statistics as "name value" lines (causes as "cause NAME COUNT CYCLES"). */
static void write_stats(const struct jobs *jobs, uint64_t vm_id, const struct vm_run_stats *s)
{
    char path[600], tmp[620];
    stats_path(jobs, vm_id, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        log_error("vm %llu: cannot write its statistics: %s", (unsigned long long)vm_id,
                  strerror(errno));
        return;
    }
    struct vm_run_stats copy = *s;
    for (size_t i = 0; i < STATS_FIELD_COUNT; i++)
        fprintf(f, "%s %llu\n", stats_fields[i].name, (unsigned long long)*stats_field(&copy, i));
    for (unsigned i = 0; i < s->cause_count; i++)
        fprintf(f, "cause %s %llu %llu\n", s->cause[i].action,
                (unsigned long long)s->cause[i].count, (unsigned long long)s->cause[i].cycles);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        log_error("vm %llu: cannot write its statistics", (unsigned long long)vm_id);
}

static bool read_stats(const struct jobs *jobs, uint64_t vm_id, struct vm_run_stats *s)
{
    char path[600], line[256], name[64];
    stats_path(jobs, vm_id, path, sizeof path);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    *s = (struct vm_run_stats){.have = true};
    while (fgets(line, sizeof line, f)) {
        unsigned long long v, c;
        struct vm_run_cause *k = &s->cause[s->cause_count];
        if (s->cause_count < VM_RUN_MAX_CAUSES &&
            sscanf(line, "cause %39s %llu %llu", k->action, &v, &c) == 3) {
            k->count = v;
            k->cycles = c;
            s->cause_count++;
            continue;
        }
        if (sscanf(line, "%63s %llu", name, &v) != 2)
            continue;
        for (size_t i = 0; i < STATS_FIELD_COUNT; i++)
            if (strcmp(name, stats_fields[i].name) == 0)
                *stats_field(s, i) = v;
    }
    fclose(f);
    return true;
}

static void scratch_path(const struct jobs *jobs, uint64_t vm_id, char *buf, size_t len)
{
    snprintf(buf, len, "%s/scratch/vm-%llu", jobs->state_dir, (unsigned long long)vm_id);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path) == 0 ? 0 : 0; /* best effort: keep going */
}

/* Removes a VM's scratch directory and whatever its guest left there. */
static void remove_scratch(const struct jobs *jobs, uint64_t vm_id)
{
    char path[600];
    scratch_path(jobs, vm_id, path, sizeof path);
    nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void jobs_image_path(const struct jobs *jobs, const char *sha256, char *buf, size_t len)
{
    snprintf(buf, len, "%s/images/%s", jobs->state_dir, sha256);
}

static struct active *find_active(const struct jobs *jobs, uint64_t vm_id)
{
    for (unsigned i = 0; i < jobs->o.max_running; i++)
        if (jobs->active[i] && jobs->active[i]->vm_id == vm_id)
            return jobs->active[i];
    return NULL;
}

bool jobs_vm_active(const struct jobs *jobs, uint64_t vm_id)
{
    return find_active(jobs, vm_id) != NULL;
}

unsigned jobs_running(const struct jobs *jobs)
{
    unsigned n = 0;
    for (unsigned i = 0; i < jobs->o.max_running; i++)
        n += jobs->active[i] != NULL;
    return n;
}

uint64_t jobs_console_cap(const struct jobs *jobs)
{
    return jobs->o.console_cap_bytes;
}

const char *jobs_runner_name(const struct jobs *jobs)
{
    return jobs->o.vm_runner ? jobs->o.vm_runner->name : jobs->o.runner->name;
}

/* ------------------------------------------------------------ ending runs */

static int job_state_for(int vm_state, const struct run_result *res, int *verdict)
{
    switch (vm_state) {
    case DISCO__API__VM_STATE__VM_HALTED:
        *verdict = res->exit_status == 0 ? DISCO__API__VERDICT__VERDICT_PASS
                                         : DISCO__API__VERDICT__VERDICT_FAIL;
        return DISCO__API__JOB_STATE__JOB_DONE;
    case DISCO__API__VM_STATE__VM_TIMED_OUT:
        *verdict = DISCO__API__VERDICT__VERDICT_TIMEOUT;
        return DISCO__API__JOB_STATE__JOB_TIMED_OUT;
    case DISCO__API__VM_STATE__VM_STOPPED:
        *verdict = DISCO__API__VERDICT__VERDICT_CANCELED;
        return DISCO__API__JOB_STATE__JOB_CANCELED;
    default:
        /* A guest killed by a signal is the guest's failure, not ours. */
        *verdict = res->exit_signal ? DISCO__API__VERDICT__VERDICT_FAIL
                                    : DISCO__API__VERDICT__VERDICT_ERROR;
        return res->exit_signal ? DISCO__API__JOB_STATE__JOB_DONE
                                : DISCO__API__JOB_STATE__JOB_FAILED;
    }
}

/* Writes the end of a job's attempt from its VM's final row. */
static void finish_job(struct jobs *jobs, const struct vm_row *vm)
{
    struct job_row job;
    if (store_job_get(jobs->o.store, vm->job_id, &job) != 0)
        return;
    if (job.vm_id == vm->id) {
        job.state = job_state_for(vm->state, &vm->result, &job.verdict);
        job.result = vm->result;
        job.ended = vm->ended;
        snprintf(job.reason, sizeof job.reason, "%s", vm->reason);
        if (store_job_update(jobs->o.store, &job) != 0)
            log_error("job %llu: cannot record its end", (unsigned long long)job.id);
        else
            log_info(
                "job %llu: %s", (unsigned long long)job.id,
                protobuf_c_enum_descriptor_get_value(&disco__api__verdict__descriptor, job.verdict)
                    ->name);
    }
    job_row_fini(&job);
}

/* Records a VM's end (state, reason, result), then its job's. */
static void record_end(struct jobs *jobs, uint64_t vm_id, int state, const char *reason,
                       const struct run_result *res)
{
    struct vm_row vm;
    if (store_vm_get(jobs->o.store, vm_id, &vm) != 0)
        return;
    vm.state = state;
    vm.ended = now_unix();
    snprintf(vm.reason, sizeof vm.reason, "%s", reason);
    if (res)
        vm.result = *res;
    if (store_vm_update(jobs->o.store, &vm) != 0)
        log_error("vm %llu: cannot record its end", (unsigned long long)vm_id);
    if (vm.job_id)
        finish_job(jobs, &vm);
    vm_row_fini(&vm);
}

static void schedule(struct jobs *jobs);

static void release_later(evutil_socket_t fd, short what, void *arg)
{
    struct active *a = arg;
    struct jobs *jobs = a->jobs;
    a->ops->release(a->run);
    remove_scratch(jobs, a->vm_id);
    if (a->destroy) {
        char path[600];
        jobs_console_path(jobs, a->vm_id, path, sizeof path);
        unlink(path);
        stats_path(jobs, a->vm_id, path, sizeof path);
        unlink(path);
        if (store_vm_delete(jobs->o.store, a->vm_id) != 0)
            log_error("vm %llu: cannot delete it", (unsigned long long)a->vm_id);
    }
    free(a);
    schedule(jobs);
}

static void on_output(void *arg, const char *data, size_t len)
{
    struct active *a = arg;
    uint64_t cap = a->jobs->o.console_cap_bytes;
    if (a->console_fd < 0)
        return;
    if (a->console_bytes >= cap) {
        a->truncated = true;
        return;
    }
    size_t take = len < cap - a->console_bytes ? len : (size_t)(cap - a->console_bytes);
    ssize_t n = write(a->console_fd, data, take);
    if (n > 0)
        a->console_bytes += (uint64_t)n;
    if ((size_t)n != len)
        a->truncated = true;
}

static void on_exited(void *arg, const struct run_exit *ex)
{
    struct active *a = arg;
    struct jobs *jobs = a->jobs;
    struct run_result res = {.has_exit = ex->halted,
                             .exit_status = ex->exit_status,
                             .exit_signal = ex->exit_signal,
                             .has_stats = ex->has_stats,
                             .instructions = ex->instructions,
                             .cycles = ex->cycles,
                             .host_seconds = ex->host_seconds};
    int state;
    char reason[STORE_REASON_MAX];
    if (ex->vm_stats && !a->destroy)
        write_stats(jobs, a->vm_id, ex->vm_stats);
    if (a->stop_state >= 0) {
        state = a->stop_state;
        snprintf(reason, sizeof reason, "%s",
                 state == DISCO__API__VM_STATE__VM_TIMED_OUT ? "time limit reached"
                                                             : "stopped by request");
    } else if (ex->limit_reached) {
        state = DISCO__API__VM_STATE__VM_TIMED_OUT;
        snprintf(reason, sizeof reason, "cycle limit reached");
    } else if (ex->halted) {
        state = DISCO__API__VM_STATE__VM_HALTED;
        snprintf(reason, sizeof reason, "guest exited with status %d", ex->exit_status);
    } else {
        state = DISCO__API__VM_STATE__VM_FAILED;
        snprintf(reason, sizeof reason, "%s", ex->reason[0] ? ex->reason : "the run failed");
    }
    if (a->truncated)
        snprintf(reason + strlen(reason), sizeof reason - strlen(reason),
                 "; console truncated at %llu bytes", (unsigned long long)a->console_bytes);
    close(a->console_fd);
    a->console_fd = -1;
    if (a->limit_ev) {
        event_free(a->limit_ev);
        a->limit_ev = NULL;
    }
    for (unsigned i = 0; i < jobs->o.max_running; i++)
        if (jobs->active[i] == a)
            jobs->active[i] = NULL;
    if (!a->destroy)
        record_end(jobs, a->vm_id, state, reason, &res);
    log_info("vm %llu: %s", (unsigned long long)a->vm_id, reason);
    /* The runner is still inside its own callback: free it from the loop. */
    event_base_once(jobs->o.base, -1, EV_TIMEOUT, release_later, a, NULL);
}

static void on_time_limit(evutil_socket_t fd, short what, void *arg)
{
    struct active *a = arg;
    log_info("vm %llu: time limit reached", (unsigned long long)a->vm_id);
    a->stop_state = DISCO__API__VM_STATE__VM_TIMED_OUT;
    a->ops->stop(a->run);
}

/* ------------------------------------------------------------ starting runs */

/* Splits cmdline at blanks into args (pointers into copy). */
static void split_args(char *copy, const char **args, unsigned max)
{
    unsigned n = 0;
    for (char *save, *t = strtok_r(copy, " \t\n", &save); t && n < max - 1;
         t = strtok_r(NULL, " \t\n", &save))
        args[n++] = t;
    args[n] = NULL;
}

static void mark_job_started(struct jobs *jobs, uint64_t job_id, uint64_t vm_id)
{
    struct job_row job;
    if (store_job_get(jobs->o.store, job_id, &job) != 0)
        return;
    job.state = DISCO__API__JOB_STATE__JOB_RUNNING;
    job.vm_id = vm_id;
    job.attempts++;
    if (job.started == 0)
        job.started = now_unix();
    if (store_job_update(jobs->o.store, &job) != 0)
        log_error("job %llu: cannot record its start", (unsigned long long)job_id);
    job_row_fini(&job);
}

/* Resolves the VM's kernel image; fills path and whether it boots in system mode. */
static int resolve_kernel(struct jobs *jobs, const struct vm_row *vm, char *path, size_t len,
                          bool *system, char *why, size_t whylen)
{
    struct image_row img;
    if (store_image_get(jobs->o.store, vm->spec->kernel, vm->owner, &img) != 0) {
        snprintf(why, whylen, "image %.16s... is not among the owner's images", vm->spec->kernel);
        return DISCO_ENOENT;
    }
    if (img.kind == DISCO__API__IMAGE_KIND__KIND_DISK) {
        snprintf(why, whylen, "image %.16s... is a disk, not a kernel or program",
                 vm->spec->kernel);
        return DISCO_EINVAL;
    }
    *system = img.kind == DISCO__API__IMAGE_KIND__KIND_KERNEL;
    jobs_image_path(jobs, img.sha256, path, len);
    return DISCO_OK;
}

static int launch(struct jobs *jobs, struct active *a, const struct vm_row *vm, char *why,
                  size_t whylen)
{
    char image[600], console[600], scratch[600], cmd[CMDLINE_MAX];
    const char *args[MAX_GUEST_ARGS];
    bool system;
    int rv = resolve_kernel(jobs, vm, image, sizeof image, &system, why, whylen);
    if (rv != 0)
        return rv;
    snprintf(cmd, sizeof cmd, "%s", vm->spec->cmdline ? vm->spec->cmdline : "");
    split_args(cmd, args, MAX_GUEST_ARGS);
    scratch_path(jobs, vm->id, scratch, sizeof scratch);
    remove_scratch(jobs, vm->id); /* a previous attempt's, after a restart */
    if (mkdir(scratch, 0700) != 0) {
        snprintf(why, whylen, "cannot create the scratch directory: %s", strerror(errno));
        return DISCO_EIO;
    }
    jobs_console_path(jobs, vm->id, console, sizeof console);
    a->console_fd = open(console, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (a->console_fd < 0) {
        snprintf(why, whylen, "cannot create the console file: %s", strerror(errno));
        return DISCO_EIO;
    }
    /* Kernels boot as Disco VMs on the node servers; Linux programs need
     * flash-run's system-call emulation. A VM's instruction limit bounds
     * its cycles (an instruction takes at least one). */
    bool as_vm = system && jobs->o.vm_runner;
    uint64_t max_cycles = vm->spec->has_max_cycles ? vm->spec->max_cycles : 0;
    if (as_vm && max_cycles == 0)
        max_cycles = vm->spec->max_instructions;
    struct run_spec spec = {.vm_id = vm->id,
                            .image_path = image,
                            .system = system,
                            .args = args,
                            .memory_mib = vm->spec->memory_mib,
                            .vcpus = vm->spec->vcpus,
                            .max_instructions = vm->spec->max_instructions,
                            .work_dir = scratch,
                            .first_node =
                                vm->spec->n_placement ? (int32_t)vm->spec->placement[0] : -1,
                            .max_cycles = max_cycles,
                            .owner = vm->owner};
    /* A Linux VM (issue 7): the initramfs and the first disk, the owner's images. */
    char initrd[600], disk[600];
    if (as_vm && vm->spec->initrd && *vm->spec->initrd) {
        struct image_row img;
        if (store_image_get(jobs->o.store, vm->spec->initrd, vm->owner, &img) != 0) {
            snprintf(why, whylen, "initramfs image %.16s... is not among the owner's images",
                     vm->spec->initrd);
            close(a->console_fd);
            a->console_fd = -1;
            return DISCO_ENOENT;
        }
        jobs_image_path(jobs, img.sha256, initrd, sizeof initrd);
        spec.initrd_path = initrd;
        spec.cmdline = vm->spec->cmdline;
        if (vm->spec->n_disks > 0 &&
            store_image_get(jobs->o.store, vm->spec->disks[0], vm->owner, &img) == 0) {
            jobs_image_path(jobs, img.sha256, disk, sizeof disk);
            spec.disk_path = disk;
        }
    }
    struct run_events ev = {.output = on_output, .exited = on_exited, .arg = a};
    a->ops = as_vm ? jobs->o.vm_runner : jobs->o.runner;
    rv = a->ops->start(as_vm ? jobs->o.vm_runner_ctx : jobs->o.runner_ctx, &spec, &ev, &a->run, why,
                       whylen);
    if (rv != 0) {
        close(a->console_fd);
        a->console_fd = -1;
    }
    return rv;
}

static struct early_input *find_early(struct jobs *jobs, uint64_t vm_id)
{
    for (size_t i = 0; i < jobs->early_count; i++)
        if (jobs->early[i].vm_id == vm_id)
            return &jobs->early[i];
    return NULL;
}

/* Forgets vm_id's early input; hands it to the run first if a is not NULL. */
static void take_early(struct jobs *jobs, uint64_t vm_id, struct active *a)
{
    struct early_input *e = find_early(jobs, vm_id);
    if (e == NULL)
        return;
    if (a && a->ops->write_console(a->run, e->data, e->len) != 0)
        log_warn("vm %llu: its early console input was refused", (unsigned long long)vm_id);
    free(e->data);
    *e = jobs->early[--jobs->early_count];
}

/* Starts pending VM vm_id in free slot. */
static void start_vm(struct jobs *jobs, unsigned slot, uint64_t vm_id)
{
    struct vm_row vm;
    char why[STORE_REASON_MAX];
    if (store_vm_get(jobs->o.store, vm_id, &vm) != 0)
        return;
    struct active *a = xcalloc(1, sizeof *a);
    *a = (struct active){
        .jobs = jobs, .vm_id = vm_id, .job_id = vm.job_id, .console_fd = -1, .stop_state = -1};
    if (launch(jobs, a, &vm, why, sizeof why) != 0) {
        log_warn("vm %llu: cannot start: %s", (unsigned long long)vm_id, why);
        free(a);
        record_end(jobs, vm_id, DISCO__API__VM_STATE__VM_FAILED, why, NULL);
        vm_row_fini(&vm);
        return;
    }
    jobs->active[slot] = a;
    take_early(jobs, vm_id, a);
    vm.state = DISCO__API__VM_STATE__VM_RUNNING;
    vm.started = now_unix();
    if (store_vm_update(jobs->o.store, &vm) != 0)
        log_error("vm %llu: cannot record its start", (unsigned long long)vm_id);
    if (vm.job_id) {
        struct job_row job;
        mark_job_started(jobs, vm.job_id, vm_id);
        if (store_job_get(jobs->o.store, vm.job_id, &job) == 0) {
            struct timeval tv = {.tv_sec = job.spec->time_limit_s};
            a->limit_ev = evtimer_new(jobs->o.base, on_time_limit, a);
            evtimer_add(a->limit_ev, &tv);
            job_row_fini(&job);
        }
    }
    vm_row_fini(&vm);
}

static void schedule(struct jobs *jobs)
{
    for (unsigned slot = 0; slot < jobs->o.max_running; slot++) {
        if (jobs->active[slot])
            continue;
        uint64_t vm_id;
        if (store_vm_next_pending(jobs->o.store, &vm_id) != 0)
            return;
        start_vm(jobs, slot, vm_id);
    }
}

static void on_schedule_timer(evutil_socket_t fd, short what, void *arg)
{
    schedule(arg);
}

/* ------------------------------------------------------------ public */

static int make_dir(const char *base, const char *sub, char *err, size_t errlen)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", base, sub);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return DISCO_EIO;
    }
    return DISCO_OK;
}

int jobs_create(const struct jobs_options *options, struct jobs **out, char *err, size_t errlen)
{
    int rv;
    if (options->max_running == 0) {
        snprintf(err, errlen, "at least one VM must be able to run");
        return DISCO_EINVAL;
    }
    if ((rv = make_dir(options->state_dir, "console", err, errlen)) != 0 ||
        (rv = make_dir(options->state_dir, "images", err, errlen)) != 0 ||
        (rv = make_dir(options->state_dir, "uploads", err, errlen)) != 0 ||
        (rv = make_dir(options->state_dir, "scratch", err, errlen)) != 0 ||
        (rv = make_dir(options->state_dir, "stats", err, errlen)) != 0)
        return rv;
    struct recover_report rep;
    if ((rv = store_recover(options->store, options->max_attempts, now_unix(), &rep)) != 0) {
        snprintf(err, errlen, "cannot apply the restart policy to the store");
        return rv;
    }
    if (rep.requeued_jobs || rep.failed_jobs || rep.failed_vms)
        log_warn("restart policy: %u running job(s) queued again, %u failed, %u VM(s) lost",
                 rep.requeued_jobs, rep.failed_jobs, rep.failed_vms);
    log_info("%u VM(s) waiting to run", rep.pending);
    struct jobs *j = xcalloc(1, sizeof *j);
    j->o = *options;
    snprintf(j->state_dir, sizeof j->state_dir, "%s", options->state_dir);
    j->o.state_dir = j->state_dir;
    j->active = xcalloc(options->max_running, sizeof *j->active);
    j->schedule_ev = event_new(options->base, -1, EV_PERSIST, on_schedule_timer, j);
    struct timeval tv = {SCHEDULE_INTERVAL_S, 0};
    event_add(j->schedule_ev, &tv);
    event_active(j->schedule_ev, EV_TIMEOUT, 0);
    *out = j;
    return DISCO_OK;
}

void jobs_destroy(struct jobs *jobs)
{
    if (jobs == NULL)
        return;
    for (unsigned i = 0; i < jobs->o.max_running; i++) {
        struct active *a = jobs->active[i];
        if (a == NULL)
            continue;
        a->ops->release(a->run);
        if (a->console_fd >= 0)
            close(a->console_fd);
        if (a->limit_ev)
            event_free(a->limit_ev);
        free(a);
    }
    event_free(jobs->schedule_ev);
    for (size_t i = 0; i < jobs->early_count; i++)
        free(jobs->early[i].data);
    free(jobs->early);
    free(jobs->active);
    free(jobs);
}

int jobs_submit_vm(struct jobs *jobs, const char *owner, const Disco__Api__VmSpec *spec,
                   uint64_t *vm_id)
{
    int rv = store_vm_insert(jobs->o.store, owner, spec, 0, now_unix(), vm_id);
    if (rv == 0)
        schedule(jobs);
    return rv;
}

int jobs_submit_job(struct jobs *jobs, const char *owner, const Disco__Api__JobSpec *spec,
                    uint64_t *job_id)
{
    uint64_t vm_id;
    int rv = store_job_insert(jobs->o.store, owner, spec, now_unix(), job_id, &vm_id);
    if (rv == 0)
        schedule(jobs);
    return rv;
}

/* Ends a VM: a running one through its runner, a pending one at once. */
static int end_vm(struct jobs *jobs, uint64_t vm_id, bool destroy)
{
    struct active *a = find_active(jobs, vm_id);
    if (a) {
        a->stop_state = DISCO__API__VM_STATE__VM_STOPPED;
        a->destroy |= destroy;
        a->ops->stop(a->run);
        return DISCO_OK;
    }
    struct vm_row vm;
    int rv = store_vm_get(jobs->o.store, vm_id, &vm);
    if (rv != 0)
        return rv;
    if (vm.state == DISCO__API__VM_STATE__VM_PENDING)
        record_end(jobs, vm_id, DISCO__API__VM_STATE__VM_STOPPED, "stopped before it ran", NULL);
    take_early(jobs, vm_id, NULL);
    vm_row_fini(&vm);
    if (destroy) {
        char path[600];
        jobs_console_path(jobs, vm_id, path, sizeof path);
        unlink(path);
        stats_path(jobs, vm_id, path, sizeof path);
        unlink(path);
        rv = store_vm_delete(jobs->o.store, vm_id);
    }
    return rv;
}

int jobs_stop_vm(struct jobs *jobs, uint64_t vm_id)
{
    return end_vm(jobs, vm_id, false);
}

int jobs_destroy_vm(struct jobs *jobs, uint64_t vm_id)
{
    struct vm_row vm;
    int rv = store_vm_get(jobs->o.store, vm_id, &vm);
    if (rv != 0)
        return rv;
    bool job_active = false;
    if (vm.job_id) {
        struct job_row job;
        if (store_job_get(jobs->o.store, vm.job_id, &job) == 0) {
            job_active = job.state <= DISCO__API__JOB_STATE__JOB_RUNNING && job.vm_id == vm_id;
            job_row_fini(&job);
        }
    }
    vm_row_fini(&vm);
    if (job_active)
        return DISCO_EBUSY;
    return end_vm(jobs, vm_id, true);
}

int jobs_cancel(struct jobs *jobs, uint64_t job_id)
{
    struct job_row job;
    int rv = store_job_get(jobs->o.store, job_id, &job);
    if (rv != 0)
        return rv;
    bool live = job.state <= DISCO__API__JOB_STATE__JOB_RUNNING;
    uint64_t vm_id = job.vm_id;
    job_row_fini(&job);
    return live ? end_vm(jobs, vm_id, false) : DISCO_OK;
}

int jobs_write_console(struct jobs *jobs, uint64_t vm_id, const void *data, size_t len)
{
    struct active *a = find_active(jobs, vm_id);
    if (a)
        return a->ops->write_console(a->run, data, len);
    /* A VM waiting for a slot gets its input when it starts. */
    struct vm_row vm;
    if (store_vm_get(jobs->o.store, vm_id, &vm) != 0)
        return DISCO_ECLOSED;
    bool pending = vm.state == DISCO__API__VM_STATE__VM_PENDING;
    vm_row_fini(&vm);
    if (!pending)
        return DISCO_ECLOSED;
    struct early_input *e = find_early(jobs, vm_id);
    if (e == NULL) {
        if (jobs->early_count == jobs->early_cap) {
            jobs->early_cap = jobs->early_cap ? 2 * jobs->early_cap : 8;
            jobs->early = xrealloc(jobs->early, jobs->early_cap * sizeof *jobs->early);
        }
        e = &jobs->early[jobs->early_count++];
        *e = (struct early_input){.vm_id = vm_id};
    }
    if (e->len + len > EARLY_INPUT_MAX)
        return DISCO_EBUSY;
    e->data = xrealloc(e->data, e->len + len + 1);
    memcpy(e->data + e->len, data, len);
    e->len += len;
    return DISCO_OK;
}

bool jobs_vm_stats(struct jobs *jobs, uint64_t vm_id, struct vm_run_stats *out)
{
    struct active *a = find_active(jobs, vm_id);
    if (a)
        return a->ops->stats && a->ops->stats(a->run, out);
    return read_stats(jobs, vm_id, out);
}
