/*
 * job_runner.h - how a VM's guest is run, as an ops table, so that the
 * scheduler (jobs.c) does not know where guests execute. Kernels run as
 * Disco VMs on the node servers (job_runner_vm.c, the default); Linux user
 * programs, which need flash-run's system-call emulation, run as a
 * confined `flash-run` subprocess (job_runner_process.c). All runner calls
 * and events happen on the API thread's event loop.
 */
#ifndef DISCO_COORD_JOB_RUNNER_H
#define DISCO_COORD_JOB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control_server.h"
#include "vm_run.h"

struct event_base;

/* What to run. Strings belong to the caller and are copied by start(). */
struct run_spec {
    uint64_t vm_id;
    const char *image_path;  /* the kernel or program image on local disk */
    bool system;             /* bare-metal kernel (true) or Linux user program */
    const char *const *args; /* guest arguments, NULL-terminated (may be empty) */
    uint32_t memory_mib, vcpus;
    uint64_t max_instructions; /* 0: none */
    const char *work_dir;      /* the guest's scratch directory (exists, writable) */
    int32_t first_node;        /* placement: a FLASH node, -1: the least loaded (VMs) */
    uint64_t max_cycles;       /* simulated cycles, 0: none (VMs) */
    /* A Linux VM (issue 7, additive): initrd_path set boots the kernel with
     * this initramfs, the command line (NULL: the monitor's default) and
     * the virtio disk image (NULL: none). */
    const char *initrd_path, *cmdline, *disk_path;
    /* The VM's owner (additive, may be NULL): a Linux VM's NIC is on the
     * owner's own virtual subnet (job_runner_vm.c). */
    const char *owner;
};

/* How a run ended. */
struct run_exit {
    bool halted;     /* the guest ended by itself: exit_status is valid */
    int exit_status; /* 0-255 */
    int exit_signal; /* host signal that ended it, 0 if none */
    bool has_stats;
    uint64_t instructions, cycles;
    double host_seconds;
    char reason[200];                    /* why, when not halted */
    bool limit_reached;                  /* the run's own limit (max cycles) ended it */
    const struct vm_run_stats *vm_stats; /* a VM's final statistics (NULL: none) */
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
    /* Frees a run after its exited() event (or at shutdown: then it is stopped too). */
    void (*release)(struct run *run);
    /* Optional: the latest statistics of a running VM; false if none yet. */
    bool (*stats)(struct run *run, struct vm_run_stats *out);
};

/*
 * The program runner: flash-run on one simulated CPU, for Linux user
 * programs (the monitor has no Linux system-call emulation). A Linux
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

/*
 * The VM runner: kernels run as Disco VMs on the node servers of the
 * machine disco-coord --serve assembled (the machine is a VM host that
 * never ends its run: vm_run.h in service mode).
 *
 * Threads. The vm_service is shared by two threads, each owning its part:
 *  - the polling thread (main: control_server_poll) drives vm_run through
 *    the barrier callbacks of vm_service_barrier(); vm_run, the id map and
 *    the node statistics are written there only;
 *  - the API thread (libevent) owns the runs (struct run), the store and
 *    the scheduler.
 * Between them, under the service's mutex, two queues: commands (submit,
 * stop, console input) that the polling thread applies at the next barrier
 * release, and events (console bytes, statistics, ends) that it posts and
 * wakes the API loop for (event_active on a libevent base with pthreads
 * enabled). Neither thread waits for the other beyond the short lock.
 *
 * Idle pacing: while no VM is queued or running and no command waits, the
 * barrier release is held (control_barrier_ops.hold) for up to a second,
 * so an idle machine advances one quantum a second instead of spinning;
 * a submit releases it at the next poll (<= 20 ms). Heartbeats and loss
 * detection go on meanwhile.
 */
struct vm_service_options {
    uint64_t quantum_cycles;
    const char *cpu_model; /* the machine's CPUs: "r10000" or "mips64r2" */
    bool big_endian;
};
struct vm_service;
struct vm_service *vm_service_create(const struct vm_service_options *options);
/* After the control server and the API are gone. */
void vm_service_destroy(struct vm_service *svc);
/* The barrier callbacks that drive the VMs (give them to control_server_create). */
struct control_barrier_ops vm_service_barrier(struct vm_service *svc);
/* The control server whose membership gives the layout (before it is polled). */
void vm_service_attach(struct vm_service *svc, struct control_server *cs);
/* The API's event loop that receives the events; unbind before freeing it. */
void vm_service_bind(struct vm_service *svc, struct event_base *base);
void vm_service_unbind(struct vm_service *svc);
/* The machine's CPU model and byte order, for the checks of kernel images. */
void vm_service_machine(const struct vm_service *svc, const char **model, bool *big_endian);

/* The latest counters of a FLASH node (NodeStats of the barrier arrivals). */
struct vm_node_stats {
    bool have;
    uint64_t cycles, instructions, local_misses, remote_misses, miss_cycles, nacks;
};
/* Any thread. False if node is unknown or nothing was reported yet. */
bool vm_service_node_stats(struct vm_service *svc, uint32_t node, struct vm_node_stats *out);
/* The machine as a whole: quanta released, held (idle) releases, VMs on it now. */
struct vm_machine_stats {
    uint64_t quanta, quantum_cycles, idle_holds, vms_started, vms_ended;
    unsigned vms_live;
    /* The virtual subnet between servers (vm_run_net_stats; additive): frame
     * copies switched, their bytes, frames dropped for any reason. */
    uint64_t net_frames_switched, net_bytes_switched, net_frames_dropped;
};
void vm_service_machine_stats(struct vm_service *svc, struct vm_machine_stats *out);

/* runner_ops over a vm_service (start()'s ctx is the struct vm_service *). */
extern const struct runner_ops runner_vm_ops;

#endif
