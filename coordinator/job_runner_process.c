/*
 * job_runner_process.c - the program runner (see job_runner.h): each Linux
 * user program runs in a `flash-run` subprocess on one simulated CPU
 * (`flash-run --stats PROGRAM ARGS`; kernels go to the VM runner, and here
 * only when the API has no VM host: `flash-run --system KERNEL`). Its stdout and stderr are the
 * console, its stdin the console input, its exit status the guest's. The child is in its own
 * process group and dies with the coordinator (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disco_err.h"
#include "job_runner.h"
#include "log.h"
#include "xalloc.h"

#define REAP_INTERVAL_US 50000
#define STDERR_LINE_MAX  4096
#define READ_CHUNK       16384
#define MAX_ARGS         64
#define GUEST_FILE_BYTES (64ull << 20) /* largest file a guest may write */
#define GUEST_OPEN_FILES 256

static const char stats_prefix[] = "flash-run: instructions=";

struct run {
    struct run_events events;
    pid_t pid;
    int status;
    bool reaped, reported;
    int in_fd;
    struct event *out_ev, *err_ev, *reap_ev;
    bool out_open, err_open;
    char line[STDERR_LINE_MAX];
    size_t line_len;
    struct run_exit exit;
    struct timespec started;
};

static void close_event(struct event **ev, bool *open)
{
    if (*ev) {
        close(event_get_fd(*ev));
        event_free(*ev);
        *ev = NULL;
    }
    *open = false;
}

/* The stats line of `flash-run --stats` becomes the run's statistics, not console. */
static void stderr_line(struct run *r, const char *line, size_t len)
{
    if (len >= sizeof stats_prefix - 1 &&
        memcmp(line, stats_prefix, sizeof stats_prefix - 1) == 0) {
        unsigned long long insns, cycles;
        double secs;
        char buf[STDERR_LINE_MAX + 1];
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (sscanf(buf, "flash-run: instructions=%llu cycles=%llu host_seconds=%lf", &insns,
                   &cycles, &secs) == 3) {
            r->exit.has_stats = true;
            r->exit.instructions = insns;
            r->exit.cycles = cycles;
            r->exit.host_seconds = secs;
            return;
        }
    }
    r->events.output(r->events.arg, line, len);
}

static void flush_stderr(struct run *r)
{
    if (r->line_len)
        stderr_line(r, r->line, r->line_len);
    r->line_len = 0;
}

static void feed_stderr(struct run *r, const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        r->line[r->line_len++] = buf[i];
        if (buf[i] == '\n' || r->line_len == sizeof r->line)
            flush_stderr(r);
    }
}

static void maybe_report(struct run *r)
{
    if (!r->reaped || r->out_open || r->err_open || r->reported)
        return;
    r->reported = true;
    flush_stderr(r);
    if (WIFEXITED(r->status)) {
        r->exit.halted = true;
        r->exit.exit_status = WEXITSTATUS(r->status);
    } else if (WIFSIGNALED(r->status)) {
        r->exit.exit_signal = WTERMSIG(r->status);
        snprintf(r->exit.reason, sizeof r->exit.reason, "ended by signal %d (%s)",
                 r->exit.exit_signal, strsignal(r->exit.exit_signal));
    }
    if (!r->exit.has_stats) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        r->exit.host_seconds = (double)(now.tv_sec - r->started.tv_sec) +
                               (double)(now.tv_nsec - r->started.tv_nsec) * 1e-9;
    }
    r->events.exited(r->events.arg, &r->exit);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    bool is_err = r->err_ev && fd == event_get_fd(r->err_ev);
    char buf[READ_CHUNK];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        if (is_err)
            feed_stderr(r, buf, (size_t)n);
        else
            r->events.output(r->events.arg, buf, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (is_err)
        close_event(&r->err_ev, &r->err_open);
    else
        close_event(&r->out_ev, &r->out_open);
    maybe_report(r);
}

static void on_reap_timer(evutil_socket_t fd, short what, void *arg)
{
    struct run *r = arg;
    if (r->reaped)
        return;
    if (waitpid(r->pid, &r->status, WNOHANG) != r->pid)
        return;
    r->reaped = true;
    event_del(r->reap_ev);
    if (r->in_fd >= 0) {
        close(r->in_fd);
        r->in_fd = -1;
    }
    maybe_report(r);
}

/* Builds argv for flash-run. Pointers refer to spec's strings (live until exec). */
static int build_argv(const char *flash_run, const struct run_spec *spec, const char **argv,
                      char *max_insns, size_t max_len)
{
    unsigned n = 0;
    argv[n++] = flash_run;
    if (spec->system)
        argv[n++] = "--system";
    else
        argv[n++] = "--stats";
    if (spec->max_instructions) {
        snprintf(max_insns, max_len, "--max-insns=%llu",
                 (unsigned long long)spec->max_instructions);
        argv[n++] = max_insns;
    }
    argv[n++] = "--";
    argv[n++] = spec->image_path;
    for (unsigned i = 0; !spec->system && spec->args && spec->args[i]; i++) {
        if (n >= MAX_ARGS - 1)
            return DISCO_ETOOBIG;
        argv[n++] = spec->args[i];
    }
    argv[n] = NULL;
    return DISCO_OK;
}

/* What the child needs between fork and exec, prepared before the fork. */
struct child_setup {
    int in_fd, out_fd, err_fd;
    const char *const *argv;
    const char *image, *work_dir;
    int sandbox_abi;
};

/* The guest sees this environment, not the coordinator's. */
static const char *const guest_environment[] = {"PATH=/usr/bin:/bin", "LANG=C", "TERM=dumb", NULL};

/* In the child: only async-signal-safe calls until exec. */
static void exec_child(const struct child_setup *c)
{
    static const char confine_failed[] = "disco: cannot confine the guest (Landlock)\n";
    struct rlimit none = {0, 0}, files = {GUEST_FILE_BYTES, GUEST_FILE_BYTES};
    struct rlimit fds = {GUEST_OPEN_FILES, GUEST_OPEN_FILES};
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (dup2(c->in_fd, 0) < 0 || dup2(c->out_fd, 1) < 0 || dup2(c->err_fd, 2) < 0)
        _exit(127);
    signal(SIGPIPE, SIG_DFL);
    if (chdir(c->work_dir) != 0 || setrlimit(RLIMIT_CORE, &none) != 0 ||
        setrlimit(RLIMIT_FSIZE, &files) != 0 || setrlimit(RLIMIT_NOFILE, &fds) != 0)
        _exit(126);
    if (runner_sandbox_enter(c->sandbox_abi, c->argv[0], c->image, c->work_dir) != 0) {
        ssize_t n = write(2, confine_failed, sizeof confine_failed - 1);
        (void)n;
        _exit(126);
    }
    execve(c->argv[0], (char *const *)c->argv, (char *const *)guest_environment);
    _exit(127);
}

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

static int process_start(void *ctx, const struct run_spec *spec, const struct run_events *events,
                         struct run **out, char *err, size_t errlen)
{
    const struct runner_process_config *cfg = ctx;
    const char *argv[MAX_ARGS];
    char max_insns[48];
    if (build_argv(cfg->flash_run, spec, argv, max_insns, sizeof max_insns) != 0) {
        snprintf(err, errlen, "too many guest arguments (at most %d)", MAX_ARGS - 8);
        return DISCO_ETOOBIG;
    }
    int in[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close_pair(in), close_pair(outp), close_pair(errp);
        return DISCO_EIO;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close_pair(in), close_pair(outp), close_pair(errp);
        return DISCO_EIO;
    }
    if (pid == 0) {
        struct child_setup setup = {.in_fd = in[0],
                                    .out_fd = outp[1],
                                    .err_fd = errp[1],
                                    .argv = argv,
                                    .image = spec->image_path,
                                    .work_dir = spec->work_dir,
                                    .sandbox_abi = cfg->sandbox_abi};
        exec_child(&setup);
    }
    close(in[0]), close(outp[1]), close(errp[1]);
    struct run *r = xcalloc(1, sizeof *r);
    r->events = *events;
    r->pid = pid;
    r->in_fd = in[1];
    fcntl(r->in_fd, F_SETFL, O_NONBLOCK);
    fcntl(outp[0], F_SETFL, O_NONBLOCK);
    fcntl(errp[0], F_SETFL, O_NONBLOCK);
    r->out_ev = event_new(cfg->base, outp[0], EV_READ | EV_PERSIST, on_readable, r);
    r->err_ev = event_new(cfg->base, errp[0], EV_READ | EV_PERSIST, on_readable, r);
    r->reap_ev = event_new(cfg->base, -1, EV_PERSIST, on_reap_timer, r);
    r->out_open = r->err_open = true;
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    struct timeval tv = {0, REAP_INTERVAL_US};
    event_add(r->out_ev, NULL);
    event_add(r->err_ev, NULL);
    event_add(r->reap_ev, &tv);
    log_info("vm %llu: started %s (pid %d)", (unsigned long long)spec->vm_id, spec->image_path,
             (int)pid);
    *out = r;
    return DISCO_OK;
}

static int process_write_console(struct run *r, const void *data, size_t len)
{
    if (r->in_fd < 0)
        return DISCO_ECLOSED;
    ssize_t n = write(r->in_fd, data, len);
    if (n == (ssize_t)len)
        return DISCO_OK;
    if (n >= 0 || errno == EAGAIN)
        return DISCO_EBUSY;
    return DISCO_ECLOSED;
}

static void process_stop(struct run *r)
{
    if (!r->reaped)
        kill(-r->pid, SIGKILL);
}

static void process_release(struct run *r)
{
    if (r == NULL)
        return;
    if (!r->reaped) { /* only on shutdown: do not leave the child behind */
        kill(-r->pid, SIGKILL);
        waitpid(r->pid, &r->status, 0);
    }
    close_event(&r->out_ev, &r->out_open);
    close_event(&r->err_ev, &r->err_open);
    if (r->reap_ev)
        event_free(r->reap_ev);
    if (r->in_fd >= 0)
        close(r->in_fd);
    free(r);
}

const struct runner_ops runner_process_ops = {
    .name = "flash-run: Linux programs, one simulated CPU each",
    .start = process_start,
    .write_console = process_write_console,
    .stop = process_stop,
    .release = process_release,
};
