/*
 * vm_boot.h - boots an unmodified Linux kernel in a Disco VM (issue 7): the
 * VM's virtual hardware (a 16550 console wired to the VM's console queues,
 * a syscon reboot register that ends the VM, a virtio disk, a virtio NIC on
 * the VM's subnet, vnet.h), its device tree, the
 * initramfs and the tree placed in guest RAM, and vCPU 0 entered with the
 * UHI convention (a0 = -2, a1 = the tree's KSEG0 address). Called by
 * monitor_vm_create() when vm_spec.linux_boot is set.
 */
#ifndef DISCO_MONITOR_VM_BOOT_H
#define DISCO_MONITOR_VM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vm_spec;

/* Guest physical addresses of the Linux VM's devices (inside the I/O hole). */
#define VM_LINUX_UART_BASE    0x1fe10000ull
#define VM_LINUX_SYSCON_BASE  0x1fe11000ull
#define VM_LINUX_VIRTIO_BASE  0x1fe12000ull /* the virtio-mmio disk */
#define VM_LINUX_VIRTIO_IRQ   3             /* IP3 = monitor line 1 */
#define VM_LINUX_NET_BASE     0x1fe13000ull /* the virtio-mmio NIC (vm_spec.net != 0) */
#define VM_LINUX_NET_IRQ      4             /* IP4 = monitor line 2 */
#define VM_LINUX_CPU_HZ       200000000u    /* FLASH's 200 MHz: Count runs at 100 MHz */
#define VM_LINUX_UART_IRQ     2             /* CPU interrupt IP2 = monitor line 0 */
#define VM_LINUX_REBOOT_VALUE 0x42u
#define VM_LINUX_MIN_MEMORY   (64ull << 20)
/* The command line when the spec gives none. */
#define VM_LINUX_DEFAULT_CMDLINE "console=ttyS0 earlycon nokaslr lpj=400000"

/*
 * Sets up the Linux boot of a freshly created VM (vCPUs made, not yet run).
 * Returns 0, or DISCO_EINVAL with err (too little memory, more than one
 * vCPU: SMP needs the CPS the VM lacks, an initramfs that does not fit).
 */
int vm_boot_linux(struct vm *vm, const struct vm_spec *spec, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Console input arrived for the VM: the UART may raise its interrupt. */
void vm_boot_console_input(struct vm *vm);
/* Frees the VM's Linux devices (monitor_vm_destroy). */
void vm_boot_free(struct vm *vm);

/*
 * The same kernel bare on one simulated node (vm_boot_bare.c): kernel mode,
 * no monitor, the same device tree, 16550 and reboot register as bus
 * devices at the same addresses. `flash-run --system --initrd/--append`.
 */
struct vm_boot_bare_options {
    uint64_t memory_bytes; /* default 128 MiB */
    const char *initrd;    /* file, or NULL */
    const char *cmdline;   /* NULL: VM_LINUX_DEFAULT_CMDLINE */
    const char *disk;      /* virtio block device image, or NULL */
    uint64_t max_cycles;   /* 0: no limit */
    bool stats;            /* instructions, cycles, host time on stderr */
};
/* Returns 0 when the guest rebooted (its way to exit), else 1 (panic, time
 * limit, a CPU stop) or 126/127 (kernel or initramfs unreadable). */
int vm_boot_bare_run(const char *kernel, const struct vm_boot_bare_options *o);

#endif
