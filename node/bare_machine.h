/*
 * bare_machine.h - this server's share of the simulated FLASH machine
 * running a bare-metal program (disco-coord --bare) or hosting Disco VMs
 * (--vm: the CPUs given to the monitor, vm_host.c): the CPUs of its nodes
 * with their cache agents, each node's home directory over its bank, the
 * in-process transport between its own nodes, the interconnect to the other
 * servers, and the quantum barrier of simulated time through the control
 * plane. One thread runs everything (docs/architecture.md, "The run loop").
 */
#ifndef DISCO_NODE_BARE_MACHINE_H
#define DISCO_NODE_BARE_MACHINE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"
#include "control_client.h"
#include "interconnect.h"
#include "node_server.h"

/* The per-CPU console/exit device: console_dev.h's register layout, one
 * device per CPU (not coherent memory); CPUID and NCPUS give the CPU's
 * global number and the machine's CPU count. */
#define BARE_CONSOLE_BASE    0x1fe00000ull
#define BARE_REG_TX          0x00
#define BARE_REG_EXIT        0x08
#define BARE_REG_IRQ         0x10
#define BARE_REG_CYCLES      0x18
#define BARE_REG_CPUID       0x20
#define BARE_REG_NCPUS       0x28
#define BARE_DEFAULT_QUANTUM 10000u

struct bare_machine_config {
    const Disco__Control__Assignment *assignment; /* layout, peers, the program */
    struct node_server *ns;                       /* our banks */
    struct interconnect *ic;                      /* NULL when we are the only server */
    struct control_client *cc;
    volatile sig_atomic_t *interrupted; /* set by a signal: leave the run */
    int barrier_timeout_ms;             /* coordinator silence that ends the run */
};

struct bare_machine;

/* Builds CPUs, agents and directories and loads the program into our banks,
 * or (Assignment.vm_host) creates the monitor and gives it every CPU. */
int bare_machine_create(const struct bare_machine_config *config, struct bare_machine **out,
                        char *err, size_t errlen) __attribute__((warn_unused_result));
/* Runs until the coordinator says the run is over. 0, or a DISCO_E* code with err. */
int bare_machine_run(struct bare_machine *m, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void bare_machine_destroy(struct bare_machine *m);

#endif
