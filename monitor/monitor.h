/*
 * monitor.h - the Disco monitor of one node server (paper, section 4): the
 * VMs whose vCPUs run on this server's physical CPUs, their pmaps over the
 * machine pages of the local banks, the trap paths (privileged instructions,
 * TLB misses, guest exceptions, monitor calls), the virtual devices and the
 * per-VM statistics. The host's run loop (node/bare_machine.c on the
 * distributed machine, monitor/vmrun.c in one process) calls
 * monitor_pcpu_run() instead of cpu_run() on every CPU it gave the monitor.
 */
#ifndef DISCO_MONITOR_MONITOR_H
#define DISCO_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costs.h"
#include "cpu.h"

struct bus;
struct monitor;
struct monitor_pcpu;
struct vm;

/*
 * Machine I/O addresses of the per-CPU virtual devices: the monitor maps its
 * device window on each physical CPU's bus here (the guest's console page
 * and vCPU register page are translated to it). Outside machine memory.
 */
#define MONITOR_IO_BASE 0x1fd00000ull
#define MONITOR_IO_SIZE 0x100000ull /* console page, register page, 254 device pages */

/* What the host gives the monitor. */
struct monitor_host {
    enum cpu_model model; /* the physical CPUs' model: a VM's kernel must match */
    bool big_endian;
    /* Local banks: node n (first_node <= n < first_node + node_count) owns machine
     * [n * bank_bytes, (n + 1) * bank_bytes). */
    uint32_t first_node, node_count;
    uint64_t bank_bytes;
    /* Host bytes of the 4 KB machine page at `machine` (a local bank). The
     * monitor fills fresh pages through it: the host guarantees no cache holds
     * a line of a page the monitor allocates (see monitor_reclaim). */
    uint8_t *(*machine_page)(void *opaque, uint64_t machine);
    /* Issue 7 (additive, may be NULL): before a device's DMA (the virtio
     * disk, monitor_vm_read_phys/write_phys) touches the machine page at
     * `machine`, the host makes its bytes the only copy: dirty cache lines
     * written back, every cached copy dropped (the CPUs' caches are not
     * coherent with machine_page's bytes otherwise). */
    void (*dma_page)(void *opaque, uint64_t machine);
    /* The virtual subnet (monitor/vnet.h; additive, may be NULL): a frame a
     * VM of this monitor sent on subnet `net` that must also leave this
     * server (a unicast to a MAC no local VM has, or a broadcast/multicast).
     * The host carries it to the other servers (node/vm_host.c: in the barrier
     * arrival, switched by the coordinator). Called from inside
     * monitor_pcpu_run(); the bytes are valid during the call only. */
    void (*net_uplink)(void *opaque, uint32_t net, const uint8_t *frame, size_t len);
    void *opaque;
};

struct monitor *monitor_create(const struct monitor_host *host);
void monitor_destroy(struct monitor *m);

/*
 * Hands physical CPU `cpu` (on local node `node`, with its own bus for
 * devices) to the monitor: it becomes a host for vCPUs (exceptions go to the
 * host, the virtualization assist is enabled) and the monitor's device window
 * is added to `bus` at MONITOR_IO_BASE. Returns NULL if the window cannot be
 * mapped. The CPU, bus and node stay the host's.
 */
struct monitor_pcpu *monitor_add_pcpu(struct monitor *m, struct cpu *cpu, struct bus *bus,
                                      uint32_t node);

/* A VM to create. */
struct vm_spec {
    uint32_t id;      /* unique within the machine (the coordinator's VM id) */
    const char *name; /* for logs; may be NULL */
    const uint8_t *elf;
    size_t elf_len;        /* the guest kernel (copied) */
    uint64_t memory_bytes; /* guest physical memory, a multiple of 4 KB */
    uint32_t vcpus;
    /* pcpu[i]: the physical CPU (as returned by monitor_add_pcpu) vCPU i runs on. */
    struct monitor_pcpu *const *pcpu;
    uint64_t max_cycles; /* 0: no limit; else the VM ends ("time limit") after this many
                            simulated cycles of machine time from its start */
    bool no_l2tlb;       /* run without the second-level TLB (benchmarks) */
    /* Linux guest (issue 7, monitor/vm_boot.c; additive): a device tree, a
     * 16550 console, a reboot register, the initramfs in RAM and the UHI
     * boot convention on vCPU 0. */
    bool linux_boot;
    const uint8_t *initrd; /* the initramfs (copied into guest RAM), may be NULL */
    size_t initrd_len;
    const char *cmdline;    /* /chosen/bootargs; NULL: VM_LINUX_DEFAULT_CMDLINE */
    const char *disk_image; /* virtio-mmio disk (a private copy-on-write view), or NULL */
    /* The virtual subnet (monitor/vnet.h) of the VM's virtio-net device: VMs
     * on the same subnet exchange Ethernet frames, others never see them.
     * 0: no network device. Only Linux VMs have the device. */
    uint32_t net;
};

/* The monitor's share of one VM's time and events (paper, section 5). */
struct vm_stats {
    uint64_t instructions;                     /* guest instructions retired */
    uint64_t kernel_cycles;                    /* simulated cycles running guest kernel code */
    uint64_t user_cycles;                      /* ... guest user code */
    uint64_t monitor_cycles;                   /* charged by the cost table */
    uint64_t idle_cycles;                      /* vCPUs waiting for an interrupt */
    uint64_t action_cycles[COST_ACTION_COUNT]; /* monitor cycles by action */
    uint64_t action_count[COST_ACTION_COUNT];
    uint64_t traps;      /* entries into the monitor */
    uint64_t privops;    /* privileged instructions emulated */
    uint64_t tlb_misses; /* hardware TLB misses the monitor handled */
    uint64_t l2tlb_hits, l2tlb_misses;
    uint64_t reflected;  /* exceptions delivered to the guest */
    uint64_t interrupts; /* virtual interrupts delivered */
    uint64_t monitor_calls;
    uint64_t pages;           /* machine pages allocated */
    uint64_t host_monitor_ns; /* host time spent in the monitor's trap paths */
    /* The virtual subnet (monitor/vnet.c): frames the VM sent and received, and
     * frames dropped on their way to or from it (malformed, spoofed source,
     * no receive buffer, no such VM). */
    uint64_t net_tx_frames, net_tx_bytes, net_rx_frames, net_rx_bytes, net_dropped;
};

enum vm_state { VM_RUNNING, VM_ENDED };

struct vm_status {
    enum vm_state state;
    bool exited;        /* ended by the guest (EXIT register or MCALL_HALT) */
    int exit_status;    /* when exited */
    char reason[160];   /* why it ended: "exit 0", "time limit", "stopped: ...", a fault */
    uint64_t end_cycle; /* machine cycle it ended at */
};

/*
 * Builds the VM: loads nothing yet (pages are filled from the ELF on first
 * touch), vCPUs in reset at the entry ($a0 = vCPU number, $a1 = count).
 * DISCO_EINVAL with err for a bad spec (kernel not a MIPS ELF of the
 * machine's model and byte order, memory 0 or too large, no vCPU, a pcpu of
 * another monitor).
 */
int monitor_vm_create(struct monitor *m, const struct vm_spec *spec, struct vm **out, char *err,
                      size_t errlen) __attribute__((warn_unused_result));
/*
 * A frame for subnet `net` that came from another server (the far side of
 * monitor_host.net_uplink): handed to the local VM whose MAC it names, or to
 * every local VM on that subnet if it is a broadcast or multicast. Never sent
 * up again. Malformed frames are dropped (vnet.h: VNET_FRAME_MIN/MAX).
 */
void monitor_net_deliver(struct monitor *m, uint32_t net, const uint8_t *frame, size_t len);
/* Ends a running VM now with the reason (its vCPUs are not scheduled again). */
void monitor_vm_stop(struct vm *vm, const char *reason);
/* Frees an ended VM; its machine pages wait in quarantine for monitor_reclaim(). */
void monitor_vm_destroy(struct vm *vm);

void monitor_vm_status(const struct vm *vm, struct vm_status *out);
const struct vm_stats *monitor_vm_stats(const struct vm *vm);
uint32_t monitor_vm_id(const struct vm *vm);
/* Moves up to cap bytes of console output not yet taken into buf; returns how many. */
size_t monitor_vm_console_take(struct vm *vm, uint8_t *buf, size_t cap);

/*
 * Queues bytes for the guest's console input (the console page's RX
 * register, docs/monitor-calls.md). Returns how many were accepted: the
 * queue holds at most 64 KB not yet read by the guest.
 */
size_t monitor_vm_console_input(struct vm *vm, const uint8_t *buf, size_t len);
/* For a VM's own console device (vm_boot.c's UART; additive, issue 7): the
 * next byte of the console input queue, or -1 if empty; bytes waiting. */
int monitor_vm_console_getc(struct vm *vm);
size_t monitor_vm_console_pending(const struct vm *vm);

/*
 * A VM's own device (a UART, virtio-mmio, ...): guest physical accesses to
 * its pages trap into these callbacks, on the CPU of the accessing vCPU.
 * offset is from the device's base; size is 1, 2, 4 or 8; values in host
 * order (the CPU already applied the guest's byte order).
 */
struct vm_device_ops {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

#define VM_DEVICE_PAGES_MAX 254u /* device pages per VM */

/*
 * Maps a device at guest physical [gpa, gpa + size): 4 KB aligned, outside
 * the VM's RAM, the boot-ROM window and the console and register pages.
 * Returns 0, DISCO_EINVAL (overlap, alignment) or DISCO_ENOMEM (no page left).
 */
int monitor_vm_add_device(struct vm *vm, uint64_t gpa, uint64_t size,
                          const struct vm_device_ops *ops, void *opaque)
    __attribute__((warn_unused_result));

/* Raises or lowers a virtual interrupt line 0..5 (Cause.IP2..IP7) of one vCPU. */
void monitor_vm_set_irq(struct vm *vm, unsigned vcpu, unsigned line, bool level);

/*
 * DMA: copies between host memory and the VM's guest physical memory
 * [gpa, gpa + len), allocating untouched pages (first touch on node 0 of the
 * VM's first vCPU). Returns 0, or DISCO_EINVAL if any byte is outside RAM:
 * nothing outside the VM's own memory is ever reached. In the coherent
 * machine the host must first have the lines written back (the caller's
 * business; vmrun's plain bus needs nothing).
 */
int monitor_vm_read_phys(struct vm *vm, uint64_t gpa, void *buf, size_t len)
    __attribute__((warn_unused_result));
int monitor_vm_write_phys(struct vm *vm, uint64_t gpa, const void *buf, size_t len)
    __attribute__((warn_unused_result));

/* Why monitor_pcpu_run() returned. */
enum monitor_run {
    MONITOR_RAN,    /* ran guest code (or monitor work) and may go on */
    MONITOR_MEMORY, /* a cache miss is in flight (CPU_STOP_MEMORY): call again once it is served */
    MONITOR_IDLE,   /* nothing runnable before `until`: the CPU's cycles were advanced */
};

/*
 * Runs vCPUs on the physical CPU for at most max_instructions instructions
 * and not beyond machine cycle `until`: time-slices between the vCPUs
 * assigned to it, handles their traps, delivers virtual interrupts. With no
 * runnable vCPU the CPU idles to the next vCPU timer or to `until`.
 */
enum monitor_run monitor_pcpu_run(struct monitor_pcpu *p, uint64_t until,
                                  uint64_t max_instructions);

/*
 * Machine pages of destroyed VMs go back to the free lists only here: the
 * host calls it at a point where no cache holds or fetches a line of them
 * (bus mode: any time; coherent mode: after purging them). purge(opaque,
 * machine) is called for each page first (may be NULL). Returns how many
 * pages were freed.
 */
size_t monitor_reclaim(struct monitor *m, void (*purge)(void *opaque, uint64_t machine),
                       void *opaque);

/*
 * The earliest machine cycle at which a sleeping vCPU of this monitor can
 * wake by its own timer or hit its VM's time limit; UINT64_MAX if none can
 * (then only a device could wake them). Lets an idle host fast-forward.
 */
uint64_t monitor_next_wake(const struct monitor *m);

/* Free machine pages on local node `node` (for placement and tests). */
uint64_t monitor_free_pages(const struct monitor *m, uint32_t node);

#endif
