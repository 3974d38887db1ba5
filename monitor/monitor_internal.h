/*
 * monitor_internal.h - the monitor's private structures, shared by its
 * modules: monitor.c (VMs, machine pages, scheduling, devices), mtrap.c (the
 * trap paths) and mcall.c (monitor calls). Nothing outside monitor/ includes
 * it; the host uses monitor.h.
 */
#ifndef DISCO_MONITOR_INTERNAL_H
#define DISCO_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu_internal.h"
#include "l2tlb.h"
#include "monitor.h"
#include "pmap.h"
#include "vcpu.h"

/* Guest physical layout (docs/monitor-calls.md): RAM below the I/O hole continues above it. */
#define VM_IO_HOLE_BASE    0x1fc00000ull
#define VM_IO_HOLE_LIMIT   0x20000000ull
#define VM_BOOT_ROM_BASE   0x1fc00000ull /* 1 MiB of writable "ROM": the BEV vectors */
#define VM_BOOT_ROM_SIZE   0x100000ull
#define VM_CONSOLE_PAGE    0x1fe00000ull
#define VM_REGS_PAGE       0x1fd00000ull
#define MONITOR_IO_DEVICES (MONITOR_IO_BASE + 0x2000) /* device page k at + k * 4 KB */
#define MONITOR_IO_REGS    (MONITOR_IO_BASE + 0x1000) /* machine address of the register page */
#define MONITOR_SLICE      20000u /* cycles a vCPU runs before another on its CPU gets a turn */
#define VCPU_SCRATCH_WORDS 16
#define VECTOR_FAULT_LIMIT 64 /* exceptions in a row at the guest's own vector: it is dead */

/* A piece of the kernel image to copy into pages on first touch. */
struct vm_segment {
    uint64_t paddr; /* guest physical */
    uint64_t filesz, memsz;
    const uint8_t *data; /* into vm->elf */
};

struct mvcpu {
    struct vcpu v; /* registers (while not loaded), virtual CP0 and TLB */
    struct vm *vm;
    struct monitor_pcpu *pcpu;
    struct l2tlb *l2; /* NULL when the VM runs without one */
    bool idle;        /* WAIT / MCALL_IDLE: sleeps until an unmasked interrupt is pending */
    uint8_t irq_lines;
    uint64_t scratch[VCPU_SCRATCH_WORDS];
    uint64_t instructions;  /* guest instructions retired on this vCPU */
    uint64_t last_vector;   /* where the last reflected exception sent the guest */
    unsigned vector_faults; /* consecutive exceptions raised at that very vector */
};

struct vm {
    struct monitor *m;
    struct vm *next;
    uint32_t id;
    char name[64];
    uint8_t *elf;
    size_t elf_len;
    struct vm_segment *seg;
    unsigned nseg;
    uint64_t entry;
    struct pmap *pmap;
    uint64_t memory_bytes;
    uint32_t nvcpu;
    struct mvcpu *vcpu;
    uint64_t start_cycle, max_cycles;
    bool no_l2tlb;
    struct vm_status status;
    struct vm_stats stats;
    uint8_t *con;
    size_t con_len, con_cap;
    struct vm_devpage {
        uint64_t gpa;    /* guest physical page */
        uint64_t offset; /* of the page within its device */
        const struct vm_device_ops *ops;
        void *opaque;
    } devpage[VM_DEVICE_PAGES_MAX];
    unsigned ndevpages;
    uint8_t *in; /* console input not yet read by the guest: a ring */
    size_t in_head, in_len;
    unsigned alloc_node;         /* node for the page being allocated (pmap callback) */
    struct vm_linux *linux_boot; /* Linux guest devices (vm_boot.c), or NULL */
    /* The virtual subnet (vnet.c): the VM's subnet (0: none) and its network
     * device's receive hook, set when the device is attached. */
    uint32_t net;
    uint64_t turns; /* runs of its vCPUs on any CPU (bus-mode LL/SC, monitor_pcpu_run) */
    void (*net_rx)(void *opaque, const uint8_t *frame, size_t len);
    void *net_rx_opaque;
};

struct monitor_pcpu {
    struct monitor *m;
    struct monitor_pcpu *next;
    struct cpu *cpu;
    struct bus *bus;
    uint32_t node;
    struct mvcpu **run; /* vCPUs assigned here, in round-robin order */
    size_t nrun, caprun, rr;
    struct mvcpu *cur; /* loaded on the CPU, or NULL */
    uint64_t slice_end;
    unsigned tlb_next;  /* hardware TLB replacement */
    uint64_t turn_seen; /* its VM's turn count after this CPU's last run (bus-mode LL/SC) */
};

struct monitor {
    struct monitor_host host;
    struct monitor_pcpu *pcpus;
    struct vm *vms;
    /* Machine pages per local node: never-used ones from a bump pointer, then freed ones. */
    uint64_t *bump;                /* [node_count]: next unused page of the bank */
    uint64_t **free_pages;         /* [node_count] stacks */
    size_t *free_count, *free_cap; /* [node_count] */
    uint64_t *quarantine;          /* pages of destroyed VMs, not reusable yet */
    size_t quarantine_count, quarantine_cap;
};

/* monitor.c */
/* CLOCK_MONOTONIC in nanoseconds (host time spent in the monitor). */
int64_t monitor_now_ns(void);
/* A whole file in a fresh buffer (kernels, initramfs, disks of the one-process hosts), or NULL. */
uint8_t *monitor_read_file(const char *path, size_t *len);
void monitor_charge(struct vm *vm, struct cpu *cpu, enum monitor_action action, uint64_t cycles);
void monitor_vm_end(struct vm *vm, bool exited, int status, const char *reason);
void monitor_console_put(struct vm *vm, uint8_t byte);
/* Guest physical address -> RAM offset in the pmap, or false (I/O hole, out of range). */
bool monitor_ram_offset(const struct vm *vm, uint64_t gpaddr, uint64_t *offset);
/* Machine address for guest physical gpaddr (RAM through the pmap, the device pages), or an error.
 */
int monitor_guest_phys(struct monitor_pcpu *p, struct mvcpu *vc, uint64_t gpaddr, bool *writable,
                       bool *device, uint64_t *machine);

/* mtrap.c */
/* Copies the running vCPU's registers between the CPU and its shadow. */
void mtrap_sync_in(struct monitor_pcpu *p, struct mvcpu *vc);
void mtrap_sync_out(struct monitor_pcpu *p, struct mvcpu *vc);
/* The CPU's Status/EntryHi for the vCPU's current virtual mode. */
void mtrap_apply_mode(struct monitor_pcpu *p, struct mvcpu *vc);
/* Drops every hardware TLB entry (vCPU switch). */
void mtrap_flush_hw_tlb(struct monitor_pcpu *p);
/* Handles the exception the CPU reported for vc. */
void mtrap_handle(struct monitor_pcpu *p, struct mvcpu *vc, const struct cpu_exception *exc);
/* Delivers a pending virtual interrupt if the guest accepts it now (registers in the CPU). */
bool mtrap_take_interrupt(struct monitor_pcpu *p, struct mvcpu *vc);

/* mcall.c: the monitor call (docs/monitor-calls.md); registers are in the shadow. */
#define MCALL_INSN  0x42000028u
#define MCALL_MAGIC 0x4449534300000001ull
void mcall_execute(struct monitor_pcpu *p, struct mvcpu *vc);

#endif
