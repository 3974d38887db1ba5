/*
 * vmrun.h - Disco VMs on one simulated FLASH node in one process (`flash-run
 * --vm`): physical CPUs sharing one memory bank over a plain bus (no cache
 * model), the monitor on every CPU, kernels given as ELF files. The quick way
 * to run a guest kernel under the monitor, used by tests and bench/; the
 * distributed machine hosts VMs through node/bare_machine.c instead.
 */
#ifndef DISCO_MONITOR_VMRUN_H
#define DISCO_MONITOR_VMRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vmrun_options {
    uint32_t vcpus;        /* per VM (default 1) */
    uint32_t pcpus;        /* physical CPUs (default: enough for every vCPU, at most 16) */
    uint64_t memory_bytes; /* per VM (default 32 MiB) */
    uint64_t max_cycles;   /* per VM, 0: none */
    bool no_l2tlb;
    bool stats;      /* per-VM statistics on stats_out */
    FILE *out;       /* console output (stdout) */
    FILE *stats_out; /* stderr */
    /* Linux guests (issue 7, docs/linux.md; additive): boot each kernel as
     * Linux (device tree, 16550 console, UHI entry); memory defaults to 128 MiB
     * and the console takes input from stdin. */
    bool linux_boot;
    const char *initrd; /* initramfs file, or NULL */
    const char *append; /* kernel command line, or NULL for the default */
    const char *disk;   /* virtio block device image (copy-on-write), or NULL */
    /* Per-VM command lines (additive): the i-th kernel gets appends[i], the
     * last one repeating for the kernels after it; when nappend is 0, `append`
     * applies to all. */
    const char *const *appends;
    size_t nappend;
    /* The virtual subnet (vnet.h): every Linux VM of the run gets a virtio NIC
     * on this subnet (0: none). VM ids are 1, 2, ... in kernel order. */
    uint32_t net;
};

/*
 * Runs one VM per kernel until all have ended. Console lines get a "vmN: "
 * prefix when there is more than one VM (N = kernel index from 0; the VM's
 * id, and so its MAC, is N + 1). Returns the exit status: the VM's
 * own with one VM, else 0 when every VM exited with 0; 1 otherwise (with the
 * reasons on stderr); 126/127 when a kernel cannot be loaded.
 */
int vmrun_kernels(const char *const *kernels, size_t n, const struct vmrun_options *options);

#endif
