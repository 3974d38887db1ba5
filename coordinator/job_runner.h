/*
 * job_runner.h - how a VM's guest is run, as an ops table, so that the
 * scheduler (jobs.c) does not know where guests execute. Today's runner
 * (job_runner_process.c) is INTERIM: it runs the guest on one simulated CPU
 * through `flash-run` as a subprocess. Issues 4/5 replace it with a runner
 * that boots the VM on the node servers under Disco, behind the same ops.
 * All calls and events happen on the API thread's event loop.
 */
#ifndef DISCO_COORD_JOB_RUNNER_H
#define DISCO_COORD_JOB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What to run. Strings belong to the caller and are copied by start(). */
struct run_spec {
    uint64_t vm_id;
    const char *image_path;  /* the kernel or program image on local disk */
    bool system;             /* bare-metal kernel (true) or Linux user program */
    const char *const *args; /* guest arguments, NULL-terminated (may be empty) */
    uint32_t memory_mib, vcpus;
    uint64_t max_instructions; /* 0: none */
    const char *work_dir;      /* the guest's scratch directory (exists, writable) */
};

/* How a run ended. */
struct run_exit {
    bool halted;     /* the guest ended by itself: exit_status is valid */
    int exit_status; /* 0-255 */
    int exit_signal; /* host signal that ended it, 0 if none */
    bool has_stats;
    uint64_t instructions, cycles;
    double host_seconds;
    char reason[200]; /* why, when not halted */
};

/* Events a run reports; arg is given to start(). */
struct run_events {
    void (*output)(void *arg, const char *data, size_t len); /* console output */
    void (*exited)(void *arg, const struct run_exit *exit);  /* once, last event */
    void *arg;
};

struct run;

struct runner_ops {
    const char *name; /* shown in cluster status */
    /* Starts a run. Returns 0 or a DISCO_E* code with a message. */
    int (*start)(void *ctx, const struct run_spec *spec, const struct run_events *events,
                 struct run **out, char *err, size_t errlen);
    /* Feeds the guest's console input. Returns 0, DISCO_ECLOSED or DISCO_EBUSY. */
    int (*write_console)(struct run *run, const void *data, size_t len);
    /* Asks the run to end now; exited() follows (possibly later). */
    void (*stop)(struct run *run);
    /* Frees a run after its exited() event. */
    void (*release)(struct run *run);
};

/*
 * The interim subprocess runner: flash-run on one simulated CPU. A Linux
 * program's system calls reach the host through flash-run's emulation, so
 * the child is confined (job_runner_sandbox.c): Landlock lets it read only
 * its image, the system libraries and a few devices, write only its scratch
 * directory, make no TCP connections and signal nothing outside itself; it
 * gets a minimal environment and resource limits.
 */
struct runner_process_config {
    struct event_base *base;
    const char *flash_run; /* path of the flash-run binary */
    int sandbox_abi;       /* runner_sandbox_abi(), 0: no confinement */
};
extern const struct runner_ops runner_process_ops;

/* Landlock's ABI version on this host, 0 if unavailable (the sandbox is then off). */
int runner_sandbox_abi(void);
/*
 * In the child between fork and exec (async-signal-safe calls only):
 * confines it to reading flash_run, image and the system libraries, and to
 * work_dir. Returns 0, or -1 if the kernel refused (the child must not run).
 */
int runner_sandbox_enter(int abi, const char *flash_run, const char *image, const char *work_dir);

#endif
