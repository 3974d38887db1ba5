/*
 * vm_run.h - the coordinator's side of Disco VMs on the distributed machine
 * (disco-coord --vm): the table of VMs, the placement of each VM's vCPUs on
 * the CPUs of one server, the create/stop commands carried by the next
 * barrier release, the console lines and ends reported in barrier arrivals,
 * and the final per-VM statistics (a table, and JSON for the benchmarks).
 * Driven by the control server's barrier callbacks (control_server.h), on
 * the polling thread only. As a service (batch off, the API's runner in
 * job_runner_vm.c) it reports console bytes, statistics and ends through
 * events instead of printing them, and forgets VMs once their end is out.
 * It is also the switch of the virtual subnet between servers: frames the
 * servers send up in their arrivals go, in the next releases, to the
 * servers of the VMs they are for (docs/architecture.md, "The virtual subnet").
 */
#ifndef DISCO_COORD_VM_RUN_H
#define DISCO_COORD_VM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control.pb-c.h"

#define VM_RUN_MAX_CAUSES 32 /* distinct monitor actions kept per VM */

/* The statistics of a VM as last reported (control.proto VmStats, flattened). */
struct vm_run_cause {
    char action[40]; /* costs_name(): "tlb_miss_emulate", ... */
    uint64_t count, cycles;
};
struct vm_run_stats {
    bool have;
    uint64_t instructions, kernel_cycles, user_cycles, monitor_cycles, idle_cycles;
    uint64_t traps, privops, tlb_misses, l2tlb_hits, l2tlb_misses, reflected, interrupts;
    uint64_t monitor_calls, pages, host_monitor_ns;
    /* The virtual subnet: frames sent, received, dropped on the way to or from it. */
    uint64_t net_tx_frames, net_tx_bytes, net_rx_frames, net_rx_bytes, net_dropped;
    struct vm_run_cause cause[VM_RUN_MAX_CAUSES];
    unsigned cause_count;
};

/* Monitor cycles by cause, grouped as in the paper's breakdown. */
enum vm_run_group { VMG_TLB, VMG_PRIVOP, VMG_TRAP, VMG_MCALL, VMG_ZERO, VMG_OTHER, VMG_COUNT };
extern const char *const vm_run_group_name[VMG_COUNT];
void vm_run_stats_groups(const struct vm_run_stats *s, uint64_t groups[VMG_COUNT]);
/* Second-level TLB hits over lookups, 0 to 1 (0 with no lookups). */
double vm_run_l2tlb_ratio(const struct vm_run_stats *s);

/* How a VM ended. */
struct vm_run_end {
    bool exited;     /* by the guest's EXIT: exit_status is valid */
    int exit_status; /* 0-255 */
    char reason[200];
    uint64_t end_cycle;
    const struct vm_run_stats *stats; /* the last reported (have may be false) */
};

/* Service mode's events, on the polling thread (inside the barrier callbacks). */
struct vm_run_events {
    void (*console)(void *arg, uint32_t id, const uint8_t *data, size_t len);
    void (*stats)(void *arg, uint32_t id, const struct vm_run_stats *stats);
    void (*ended)(void *arg, uint32_t id, const struct vm_run_end *end); /* last event of id */
    void *arg;
};

struct vm_run_options {
    uint32_t total_nodes, cpus_per_node;
    uint64_t memory_per_node_bytes;
    uint64_t quantum_cycles;
    uint64_t max_cycles; /* machine time limit, 0: none (VMs still running then are stopped) */
    /* Batch mode (--vm): the run is over once every VM submitted has ended.
     * Without it the machine runs until the caller ends it (a service where
     * VMs come and go). */
    bool batch;
    FILE *console; /* where "name: line" console output goes (stdout), without events */
    struct vm_run_events events; /* console, statistics, ends (events.ended set: used) */
};

/* A VM to run. The ELF is copied. */
struct vm_run_spec {
    const char *name; /* NULL: "vmN" */
    const uint8_t *elf;
    size_t elf_len;
    uint64_t memory_bytes;
    uint32_t vcpus;
    int32_t first_node;  /* -1: the least-loaded node */
    uint64_t max_cycles; /* 0: no limit */
    bool no_l2tlb;
    uint32_t after; /* 0, or a VM id: start once that VM has ended (VMs come and go) */
    /* A Linux guest (issue 7, docs/linux.md; copied): the monitor's Linux
     * boot with this initramfs (may be NULL), command line (NULL: the
     * monitor's default) and virtio disk image (NULL: none). Kernel,
     * initramfs and disk together stay under VM_RUN_MAX_CREATE_BYTES. */
    bool linux_boot;
    const uint8_t *initrd;
    size_t initrd_len;
    const char *cmdline;
    const uint8_t *disk;
    size_t disk_len;
    /* The virtual subnet (a Linux VM's virtio-net device, monitor/vnet.h):
     * 0 none, else the subnet number; VMs on the same subnet exchange frames
     * wherever they run, others never see them. */
    uint32_t net;
};

/* The largest create command (kernel + initramfs + disk), and the most a
 * release carries: the nodes take replies of up to 64 MiB
 * (node/control_client.c CONTROL_MAX_REPLY); creates beyond this budget
 * wait for the next releases, one VM's bytes always going out whole. */
#define VM_RUN_MAX_CREATE_BYTES (56ull << 20)

/* The subnet's frames one release carries to a server, at most: more are
 * dropped when switched (as a full switch port drops them). They share the
 * creates' budget: a release whose creates leave no room for them sends
 * them in the next one. */
#define VM_RUN_NET_RELEASE_BYTES  (4u << 20)
#define VM_RUN_NET_RELEASE_FRAMES 8192u

/* The coordinator's switch of the virtual subnet, since the start. */
struct vm_run_net_stats {
    /* Frames the servers sent up, and their bytes. */
    uint64_t frames_in, bytes_in;
    /* Copies put in releases (a broadcast: one per server), and their bytes. */
    uint64_t frames_switched, bytes_switched;
    /* Dropped: malformed, subnet 0, or a source MAC not the sender's VM there. */
    uint64_t dropped_invalid;
    /* Dropped: no running VM of the subnet on another server. */
    uint64_t dropped_unroutable;
    /* Copies dropped: over a release's VM_RUN_NET_RELEASE_*. */
    uint64_t dropped_full;
};

struct vm_run;

struct vm_run *vm_run_create(const struct vm_run_options *options);
void vm_run_destroy(struct vm_run *run);

/*
 * The machine's servers once it is assembled: server i hosts node_count[i]
 * nodes from first_node[i]. VMs are placed only after this.
 */
void vm_run_set_layout(struct vm_run *run, unsigned servers, const uint32_t *first_node,
                       const uint32_t *node_count);

/*
 * Places a VM (vCPUs on the CPUs of one server: the least-loaded node or
 * spec->first_node, filling its CPUs and spilling to the server's next
 * nodes) and queues its create command for the next release; with
 * spec->after, both wait until that VM has ended. Returns 0 with its id, or
 * DISCO_EINVAL with err (too many vCPUs for a server, memory larger than a
 * server's, a node out of range, an unknown after, no layout yet; DISCO_ETOOBIG:
 * kernel, initramfs and disk over VM_RUN_MAX_CREATE_BYTES); a VM
 * placed later that does not fit ends with the reason.
 */
int vm_run_submit(struct vm_run *run, const struct vm_run_spec *spec, uint32_t *id, char *err,
                  size_t errlen) __attribute__((warn_unused_result));
/* Queues a stop for a running VM; DISCO_ENOENT if unknown or already ended. */
int vm_run_stop(struct vm_run *run, uint32_t id) __attribute__((warn_unused_result));
/* Queues console input for a VM not ended yet; DISCO_ENOENT if unknown or
 * ended, DISCO_EBUSY if more than 64 KB wait to be sent. */
int vm_run_input(struct vm_run *run, uint32_t id, const uint8_t *data, size_t len)
    __attribute__((warn_unused_result));
/* True while some VM has not ended (queued, running or waiting). */
bool vm_run_busy(const struct vm_run *run);
/* Stops every VM not ended yet (those not started end at once). */
void vm_run_stop_all(struct vm_run *run);
/* Asks for every VM's statistics in the next arrival. */
void vm_run_request_stats(struct vm_run *run);
/* The subnet switch's counters so far. */
void vm_run_net_stats(const struct vm_run *run, struct vm_run_net_stats *out);

/* Checks a kernel's ELF header: the CPU model it needs ("r10000" for MIPS IV
 * and older, else "mips64r2", as --bare chooses) and its byte order. */
int vm_run_kernel_model(const uint8_t *elf, size_t len, const char **model, bool *big_endian,
                        char *err, size_t errlen) __attribute__((warn_unused_result));

/* Barrier callbacks (control_barrier_ops). */
void vm_run_arrive(void *run, const Disco__Control__BarrierArrive *arrival);
bool vm_run_release(void *run, uint64_t quantum);
void vm_run_fill_release(void *run, unsigned server_index, Disco__Control__BarrierRelease *release);

/*
 * After the run: flushes partial console lines, prints the per-VM table to
 * out, writes it as JSON to json_path if not NULL, and returns the exit
 * status: 0 if every VM exited with status 0, else 1 (reasons on stderr).
 */
int vm_run_finish(struct vm_run *run, FILE *out, const char *json_path);

#endif
