/*
 * vm_fdt.h - the flattened device tree the monitor hands a Linux guest (issue
 * 7): a small writer of the DTB format (devicetree specification v0.4,
 * chapter 5) and the tree describing one VM's virtual hardware: CPUs and
 * their interrupt controller, memory (split around the I/O hole), the
 * 16550 console, the syscon reboot register, virtio-mmio slots, /chosen.
 * Also used to write the same description for a QEMU reference run.
 */
#ifndef DISCO_MONITOR_VM_FDT_H
#define DISCO_MONITOR_VM_FDT_H

#include <stddef.h>
#include <stdint.h>

#define VM_FDT_MAX_VIRTIO 4

/* What the tree describes; addresses are guest physical. */
struct vm_fdt_config {
    uint64_t memory_bytes;             /* RAM from 0 ... */
    uint64_t hole_base, hole_limit;    /* ... skipping [hole_base, hole_limit) (0, 0: none) */
    uint32_t ncpus;                    /* "mips,mips5KEc" cpu nodes */
    uint32_t cpu_hz;                   /* the CPU clock: Count runs at half of it */
    const char *bootargs;              /* /chosen/bootargs, may be NULL */
    uint64_t initrd_start, initrd_end; /* 0, 0: no initrd */
    uint64_t uart_base;
    uint32_t uart_reg_shift; /* registers 1 << shift bytes apart */
    uint32_t uart_clock_hz;
    int uart_irq; /* CPU interrupt (2..6), or -1: polled */
    uint64_t syscon_base;
    uint32_t reboot_offset, reboot_value; /* "syscon-reboot": the write that resets */
    unsigned nvirtio;
    struct {
        uint64_t base; /* 0x200-byte virtio-mmio register block */
        int irq;       /* CPU interrupt 2..6 */
    } virtio[VM_FDT_MAX_VIRTIO];
};

/*
 * Writes the DTB into a fresh buffer (*out, free()d by the caller) of *len
 * bytes. Returns 0 or DISCO_EINVAL (a field out of range).
 */
int vm_fdt_build(const struct vm_fdt_config *c, uint8_t **out, size_t *len)
    __attribute__((warn_unused_result));

#endif
