/* local_cluster.c - start, watch and stop flash-node processes on this host. */
#include "local_cluster.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "disco_err.h"
#include "xalloc.h"

int local_cluster_sibling_binary(const char *name, char *out, size_t len)
{
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n < 0)
        return DISCO_EIO;
    self[n] = '\0';
    if ((size_t)snprintf(out, len, "%s/%s", dirname(self), name) >= len)
        return DISCO_ETOOBIG;
    return access(out, X_OK) == 0 ? DISCO_OK : DISCO_ENOENT;
}

static pid_t spawn(const char *binary, const char *const *args, unsigned rank)
{
    size_t n = 0;
    while (args[n])
        n++;
    char rank_text[16];
    snprintf(rank_text, sizeof rank_text, "%u", rank);
    const char **argv = xcalloc(n + 4, sizeof *argv);
    argv[0] = binary;
    memcpy(argv + 1, args, n * sizeof *argv);
    argv[n + 1] = "--server-rank";
    argv[n + 2] = rank_text;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* A node server must not outlive its coordinator. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        execv(binary, (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", binary, strerror(errno));
        _exit(127);
    }
    free(argv);
    return pid;
}

int local_cluster_start(struct local_cluster *lc, const char *binary, unsigned count,
                        const char *const *args, char *err, size_t errlen)
{
    lc->pid = xcalloc(count, sizeof *lc->pid);
    lc->status = xcalloc(count, sizeof *lc->status);
    lc->count = count;
    for (unsigned i = 0; i < count; i++) {
        lc->pid[i] = spawn(binary, args, i);
        if (lc->pid[i] < 0) {
            snprintf(err, errlen, "cannot start node server %u: %s", i, strerror(errno));
            lc->pid[i] = 0;
            local_cluster_stop(lc, 0);
            return DISCO_EIO;
        }
    }
    return DISCO_OK;
}

int local_cluster_reap(struct local_cluster *lc)
{
    int found = -1;
    for (unsigned i = 0; i < lc->count; i++) {
        if (lc->pid[i] && waitpid(lc->pid[i], &lc->status[i], WNOHANG) == lc->pid[i]) {
            lc->pid[i] = 0;
            found = (int)i;
        }
    }
    return found;
}

static unsigned running(struct local_cluster *lc)
{
    local_cluster_reap(lc);
    unsigned n = 0;
    for (unsigned i = 0; i < lc->count; i++)
        n += lc->pid[i] != 0;
    return n;
}

static void wait_ms(struct local_cluster *lc, int ms)
{
    for (int waited = 0; waited < ms && running(lc) > 0; waited += 10)
        nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
}

static void signal_all(struct local_cluster *lc, int sig)
{
    for (unsigned i = 0; i < lc->count; i++)
        if (lc->pid[i])
            kill(lc->pid[i], sig);
}

void local_cluster_stop(struct local_cluster *lc, int grace_ms)
{
    if (lc->pid == NULL)
        return;
    wait_ms(lc, grace_ms);
    if (running(lc)) {
        signal_all(lc, SIGTERM);
        wait_ms(lc, 1000);
    }
    if (running(lc)) {
        signal_all(lc, SIGKILL);
        for (unsigned i = 0; i < lc->count; i++)
            if (lc->pid[i])
                waitpid(lc->pid[i], &lc->status[i], 0);
    }
    free(lc->pid);
    free(lc->status);
    lc->pid = NULL;
    lc->status = NULL;
    lc->count = 0;
}
