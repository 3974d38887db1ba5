/*
 * vm_run.h - the coordinator's side of Disco VMs on the distributed machine
 * (disco-coord --vm): the table of VMs, the placement of each VM's vCPUs on
 * the CPUs of one server, the create/stop commands carried by the next
 * barrier release, the console lines and ends reported in barrier arrivals,
 * and the final per-VM statistics (a table, and JSON for the benchmarks).
 * Driven by the control server's barrier callbacks (control_server.h), on
 * the polling thread only.
 */
#ifndef DISCO_COORD_VM_RUN_H
#define DISCO_COORD_VM_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "control.pb-c.h"

struct vm_run_options {
    uint32_t total_nodes, cpus_per_node;
    uint64_t memory_per_node_bytes;
    uint64_t quantum_cycles;
    uint64_t max_cycles; /* machine time limit, 0: none (VMs still running then are stopped) */
    /* Batch mode (--vm): the run is over once every VM submitted has ended.
     * Without it the machine runs until the caller ends it (a service where
     * VMs come and go). */
    bool batch;
    FILE *console; /* where "name: line" console output goes (stdout) */
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
 * server's, a node out of range, an unknown after, no layout yet); a VM
 * placed later that does not fit ends with the reason.
 */
int vm_run_submit(struct vm_run *run, const struct vm_run_spec *spec, uint32_t *id, char *err,
                  size_t errlen) __attribute__((warn_unused_result));
/* Queues a stop for a running VM; DISCO_ENOENT if unknown or already ended. */
int vm_run_stop(struct vm_run *run, uint32_t id) __attribute__((warn_unused_result));
/* Stops every VM not ended yet (those not started end at once). */
void vm_run_stop_all(struct vm_run *run);
/* Asks for every VM's statistics in the next arrival. */
void vm_run_request_stats(struct vm_run *run);

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
