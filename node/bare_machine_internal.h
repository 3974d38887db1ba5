/*
 * bare_machine_internal.h - the state of one server's share of the machine,
 * shared by the run loop (bare_machine.c) and its VM-host mode (vm_host.c:
 * the CPUs given to the Disco monitor, VMs created and stopped by barrier
 * releases, reported in barrier arrivals). Not for other modules.
 */
#ifndef DISCO_NODE_BARE_MACHINE_INTERNAL_H
#define DISCO_NODE_BARE_MACHINE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bare_machine.h"
#include "coherence.h"
#include "cpu.h"
#include "timing.h"

#define SLICE_INSTRUCTIONS 2000u        /* a CPU's turn before the others run */
#define CONSOLE_ARRIVE_MAX (256u << 10) /* console bytes per barrier arrival */
#define PAGES_REPORT_MAX   4096u        /* pages with misses in the final report */
#define HEARTBEAT_MS       250

struct mcpu {
    struct bare_machine *m;
    struct cpu *cpu;
    struct agent *agent;
    struct bus *bus;
    struct monitor_pcpu *pcpu; /* VM-host mode: the monitor runs vCPUs on it */
    uint32_t global;
    bool waiting; /* a miss is in flight: runnable again when a reply arrives */
    bool halted;  /* exited, or stopped for good */
    bool exited;
    bool exit_reported;
    uint32_t exit_status;
    uint64_t exit_cycle;
    uint8_t *con; /* console bytes not yet sent to the coordinator */
    size_t con_len, con_cap;
};

struct vm_host; /* vm_host.c */

struct bare_machine {
    struct bare_machine_config cfg;
    struct coh_addr_map map;
    struct timing_params timing;
    uint32_t first_node, node_count, total_nodes, cpn, first_agent, ncpu, total_cpus;
    uint32_t server_index;
    uint32_t *server_of_node; /* [total_nodes] */
    uint64_t quantum_cycles;
    struct directory **dir;  /* [node_count] */
    struct mcpu *cpu;        /* [ncpu] */
    struct coh_outbox out;   /* what agents and directories just emitted */
    struct coh_outbox in[2]; /* in-process transport and received messages, by channel */
    struct coh_outbox work;
    struct coh_msg *rx; /* decode buffer */
    uint64_t misrouted, refused;
    bool big_endian;
    bool vh_mode; /* hosting VMs (Assignment.vm_host) rather than running a program */
    enum cpu_model model;
    uint64_t entry;
    char load_error[256];
    int wake[2];        /* a completed control call writes here: the idle poll wakes up */
    struct vm_host *vh; /* VM-host mode (Assignment.vm_host), else NULL */
};

/* ---- VM-host mode (vm_host.c) ---- */

/* The model and byte order the coordinator chose (VmHost); DISCO_EINVAL if unknown. */
int vm_host_machine_model(const Disco__Control__VmHost *host, enum cpu_model *model,
                          bool *big_endian, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Creates the monitor over our banks and gives it every CPU (built, no program). */
int vm_host_create(struct bare_machine *m, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void vm_host_destroy(struct bare_machine *m);
/* Runs one CPU's vCPUs for a slice up to quantum_end. True if it did anything. */
bool vm_host_run_cpu(struct bare_machine *m, struct mcpu *c, uint64_t quantum_end);
/* Applies a release's commands and its statistics request, before the next quantum. */
void vm_host_apply(struct bare_machine *m, const Disco__Control__BarrierRelease *release);

/* The VM reports of one arrival: built by vm_host_report(), freed by vm_host_report_done(). */
struct vm_host_report {
    Disco__Control__VmReport **ptrs;
    size_t count;
    void *storage;
    /* The virtual subnet's frames our VMs sent up (BarrierArrive.frames). */
    Disco__Control__NetFrame **frames;
    size_t frame_count;
};
void vm_host_report(struct bare_machine *m, bool final, struct vm_host_report *out);
/* After the arrival was sent: frees the reports, destroys the VMs whose end they carried. */
void vm_host_report_done(struct bare_machine *m, struct vm_host_report *report);
/* At a quantum boundary: gives destroyed VMs' machine pages back once no
 * transaction is in flight on this server (purging them from our caches).
 * Returns true while some wait (a transaction was in flight). Called every
 * round: at such a point it also delivers the subnet's frames of the last
 * releases (their DMA needs the caches and directories quiet). */
bool vm_host_reclaim(struct bare_machine *m);

#endif
