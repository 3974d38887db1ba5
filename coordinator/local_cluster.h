/*
 * local_cluster.h - the embedded default's node servers: flash-node
 * processes started on this host by the coordinator, watched, and stopped
 * (politely, then by force) so that no process outlives the run.
 */
#ifndef DISCO_COORD_LOCAL_CLUSTER_H
#define DISCO_COORD_LOCAL_CLUSTER_H

#include <stddef.h>
#include <sys/types.h>

struct local_cluster {
    pid_t *pid; /* 0 once reaped */
    int *status;
    unsigned count;
};

/*
 * Starts count copies of binary, each with argv = binary, args..., and
 * "--server-rank", i. Returns 0, or DISCO_EIO with a message (servers
 * already started are stopped).
 */
int local_cluster_start(struct local_cluster *lc, const char *binary, unsigned count,
                        const char *const *args, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Reaps servers that exited; returns the rank of one that exited, or -1. */
int local_cluster_reap(struct local_cluster *lc);

/* Waits up to grace_ms for all to exit, then SIGTERM, then SIGKILL; frees lc. */
void local_cluster_stop(struct local_cluster *lc, int grace_ms);

/* The flash-node binary beside this executable. */
int local_cluster_sibling_binary(const char *name, char *out, size_t len);

#endif
