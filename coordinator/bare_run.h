/*
 * bare_run.h - the coordinator's side of a bare-metal run (disco-coord
 * --bare): collects what servers report at each quantum barrier (console
 * bytes, the first EXIT, per-node counters, per-page miss counters),
 * decides when the run is over, and prints the console and the statistics.
 * Driven by the control server's barrier callbacks (control_server.h).
 */
#ifndef DISCO_COORD_BARE_RUN_H
#define DISCO_COORD_BARE_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "control.pb-c.h"

struct bare_run_options {
    uint32_t total_nodes, cpus_per_node;
    uint64_t quantum_cycles;
    uint64_t max_cycles; /* 0: no limit */
    bool console_prefix; /* "cpuN: " before each console line */
    FILE *console;       /* where console output goes (stdout) */
};

struct bare_run;

struct bare_run *bare_run_create(const struct bare_run_options *options);
void bare_run_destroy(struct bare_run *run);

/* Barrier callbacks (control_barrier_ops). */
void bare_run_arrive(void *run, const Disco__Control__BarrierArrive *arrival);
bool bare_run_release(void *run, uint64_t quantum);

/*
 * After the run: flushes partial console lines, prints the statistics
 * table to out and returns the exit status (the program's, or 1 with a
 * message on stderr when it did not exit).
 */
int bare_run_finish(struct bare_run *run, FILE *out);

#endif
