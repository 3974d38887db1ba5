/*
 * vm_boot.c - the Linux boot of a Disco VM (vm_boot.h). Guest physical
 * layout: the kernel image where its ELF says (0x100000 for Debian's
 * generic kernel), the device tree in the last 64 KB of RAM below the I/O
 * hole and the initramfs just under it (both clear of the kernel and its
 * early allocations), the devices in the I/O hole. The console's bytes go
 * to the VM's console queue (monitor_console_put) and come from its input
 * queue; a guest panic is noticed on the console and ends the VM. With a
 * subnet (vm_spec.net) the VM has a virtio NIC whose frames go through the
 * monitor's switch (vnet.c) and arrive through vm->net_rx.
 */
#include "vm_boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "monitor_internal.h"
#include "vdev_uart.h"
#include "vdev_virtio_blk.h"
#include "vdev_virtio_net.h"
#include "vm_fdt.h"
#include "vnet.h"
#include "xalloc.h"

#define FDT_SLOT      0x10000ull   /* bytes kept for the tree */
#define KERNEL_ZONE   0x3000000ull /* the kernel image and its early allocations */
#define KSEG0         0xffffffff80000000ull
#define REBOOT_OFFSET 0x0u
#define PANIC_TEXT    "Kernel panic - not syncing"

struct vm_linux {
    struct vm *vm;
    struct vdev_uart uart;
    uint32_t syscon_reg;
    char line[160]; /* the console line being written, to spot a panic */
    size_t line_len;
    bool panicked;
    bool has_disk;
    struct vdev_virtio_blk disk;
    bool has_net;
    struct vdev_virtio_net net; /* last: its pending-frame queue is large */
};

/* ---- the console UART on the VM's console queues ---- */

static void uart_put(void *opaque, uint8_t byte)
{
    struct vm_linux *l = opaque;
    monitor_console_put(l->vm, byte);
    if (byte == '\n' || l->line_len + 1 >= sizeof l->line) {
        l->line[l->line_len] = 0;
        if (!l->panicked && strstr(l->line, PANIC_TEXT)) {
            /* The guest cannot go on; end its VM with the kernel's own words. */
            char why[160];
            const char *at = strstr(l->line, PANIC_TEXT);
            snprintf(why, sizeof why, "guest panic: %.120s", at);
            why[strcspn(why, "\r\n")] = 0;
            l->panicked = true;
            monitor_vm_end(l->vm, false, 0, why);
        }
        l->line_len = 0;
    } else {
        l->line[l->line_len++] = (char)byte;
    }
}

static int uart_get(void *opaque)
{
    struct vm_linux *l = opaque;
    return monitor_vm_console_getc(l->vm);
}

static bool uart_has_input(void *opaque)
{
    struct vm_linux *l = opaque;
    return monitor_vm_console_pending(l->vm) > 0;
}

static void uart_set_irq(void *opaque, bool level)
{
    struct vm_linux *l = opaque;
    monitor_vm_set_irq(l->vm, 0, VM_LINUX_UART_IRQ - 2, level);
}

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
    struct vm_linux *l = opaque;
    (void)size;
    return vdev_uart_read(&l->uart, offset);
}

static void uart_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct vm_linux *l = opaque;
    (void)size;
    vdev_uart_write(&l->uart, offset, value);
}

static const struct vm_device_ops uart_ops = {.read = uart_read, .write = uart_write};

/* ---- the syscon register page: "syscon-reboot" writes VALUE at OFFSET ---- */

static uint64_t syscon_read(void *opaque, uint64_t offset, unsigned size)
{
    struct vm_linux *l = opaque;
    (void)size;
    return offset == REBOOT_OFFSET ? l->syscon_reg : 0;
}

static void syscon_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct vm_linux *l = opaque;
    (void)size;
    if (offset != REBOOT_OFFSET)
        return;
    l->syscon_reg = (uint32_t)value;
    /* A reboot is how Debian's generic kernel leaves (it has no power-off
     * driver): the VM ends as having exited with status 0. */
    if ((value & VM_LINUX_REBOOT_VALUE) == VM_LINUX_REBOOT_VALUE)
        monitor_vm_end(l->vm, true, 0, "exit 0 (guest reboot)");
}

static const struct vm_device_ops syscon_ops = {.read = syscon_read, .write = syscon_write};

/* ---- the virtio-mmio disk (and the NIC's DMA): through the pmap, checked by the monitor ---- */

static int guest_dma_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    struct vm_linux *l = opaque;
    return monitor_vm_read_phys(l->vm, gpa, buf, len);
}

static int guest_dma_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    struct vm_linux *l = opaque;
    return monitor_vm_write_phys(l->vm, gpa, buf, len);
}

static void disk_set_irq(void *opaque, bool level)
{
    struct vm_linux *l = opaque;
    monitor_vm_set_irq(l->vm, 0, VM_LINUX_VIRTIO_IRQ - 2, level);
}

static uint64_t disk_read(void *opaque, uint64_t offset, unsigned size)
{
    struct vm_linux *l = opaque;
    return vdev_virtio_blk_read(&l->disk, offset, size);
}

static void disk_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct vm_linux *l = opaque;
    vdev_virtio_blk_write(&l->disk, offset, size, value);
}

static const struct vm_device_ops disk_ops = {.read = disk_read, .write = disk_write};

/* ---- the virtio-mmio NIC: the VM's port on its subnet (vnet.h) ---- */

static void net_set_irq(void *opaque, bool level)
{
    struct vm_linux *l = opaque;
    monitor_vm_set_irq(l->vm, 0, VM_LINUX_NET_IRQ - 2, level);
}

static void net_transmit(void *opaque, const uint8_t *frame, size_t len)
{
    struct vm_linux *l = opaque;
    (void)vnet_send(l->vm, frame, len); /* counts the frame, or the drop */
}

static void net_delivered(void *opaque, size_t len)
{
    struct vm_linux *l = opaque;
    l->vm->stats.net_rx_frames++;
    l->vm->stats.net_rx_bytes += len;
}

static void net_dropped(void *opaque)
{
    struct vm_linux *l = opaque;
    l->vm->stats.net_dropped++;
}

/* vm->net_rx: a frame the switch delivers to this VM. */
static void net_rx(void *opaque, const uint8_t *frame, size_t len)
{
    struct vm_linux *l = opaque;
    (void)vdev_virtio_net_receive(&l->net, frame, len);
}

static uint64_t net_read(void *opaque, uint64_t offset, unsigned size)
{
    struct vm_linux *l = opaque;
    return vdev_virtio_net_read(&l->net, offset, size);
}

static void net_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct vm_linux *l = opaque;
    vdev_virtio_net_write(&l->net, offset, size, value);
}

static const struct vm_device_ops net_ops = {.read = net_read, .write = net_write};

/* ---- setup ---- */

int vm_boot_linux(struct vm *vm, const struct vm_spec *spec, char *err, size_t errlen)
{
    if (vm->nvcpu != 1) {
        snprintf(err, errlen,
                 "a Linux VM has one vCPU (the generic kernel's SMP needs MIPS CPS hardware)");
        return DISCO_EINVAL;
    }
    if (vm->memory_bytes < VM_LINUX_MIN_MEMORY) {
        snprintf(err, errlen, "a Linux VM needs at least %llu MB of memory",
                 (unsigned long long)(VM_LINUX_MIN_MEMORY >> 20));
        return DISCO_EINVAL;
    }
    uint64_t low_top = vm->memory_bytes < VM_IO_HOLE_BASE ? vm->memory_bytes : VM_IO_HOLE_BASE;
    uint64_t fdt_gpa = low_top - FDT_SLOT;
    uint64_t initrd_gpa = fdt_gpa;
    if (spec->initrd_len > 0) {
        initrd_gpa = (fdt_gpa - spec->initrd_len) & ~(PMAP_PAGE_SIZE - 1);
        if (spec->initrd_len > fdt_gpa || initrd_gpa < KERNEL_ZONE) {
            snprintf(err, errlen, "the initramfs (%zu bytes) does not fit in %llu MB of memory",
                     spec->initrd_len, (unsigned long long)(vm->memory_bytes >> 20));
            return DISCO_EINVAL;
        }
    }
    struct vm_linux *l = xcalloc(1, sizeof *l);
    l->vm = vm;
    vm->linux_boot = l;
    struct vdev_uart_host uh = {.put = uart_put,
                                .get = uart_get,
                                .has_input = uart_has_input,
                                .set_irq = uart_set_irq,
                                .opaque = l};
    vdev_uart_init(&l->uart, &uh, 0);
    if (monitor_vm_add_device(vm, VM_LINUX_UART_BASE, PMAP_PAGE_SIZE, &uart_ops, l) != 0 ||
        monitor_vm_add_device(vm, VM_LINUX_SYSCON_BASE, PMAP_PAGE_SIZE, &syscon_ops, l) != 0) {
        snprintf(err, errlen, "cannot map the Linux VM's devices");
        return DISCO_EINVAL;
    }
    if (spec->disk_image) {
        struct vdev_virtio_host dh = {.dma_read = guest_dma_read,
                                      .dma_write = guest_dma_write,
                                      .set_irq = disk_set_irq,
                                      .opaque = l};
        if (vdev_virtio_blk_open(&l->disk, spec->disk_image, &dh) != 0) {
            snprintf(err, errlen, "%s: cannot open the disk image (a file of whole sectors)",
                     spec->disk_image);
            return DISCO_EINVAL;
        }
        l->has_disk = true;
        if (monitor_vm_add_device(vm, VM_LINUX_VIRTIO_BASE, PMAP_PAGE_SIZE, &disk_ops, l) != 0) {
            snprintf(err, errlen, "cannot map the Linux VM's disk");
            return DISCO_EINVAL;
        }
    }
    if (spec->net != 0) {
        struct vdev_virtio_host nh = {.dma_read = guest_dma_read,
                                      .dma_write = guest_dma_write,
                                      .set_irq = net_set_irq,
                                      .opaque = l};
        struct vdev_virtio_net_ops ops = {
            .transmit = net_transmit, .delivered = net_delivered, .dropped = net_dropped};
        uint8_t mac[6];
        vnet_mac(vm->id, mac);
        vdev_virtio_net_init(&l->net, mac, &nh, &ops);
        if (monitor_vm_add_device(vm, VM_LINUX_NET_BASE, PMAP_PAGE_SIZE, &net_ops, l) != 0) {
            snprintf(err, errlen, "cannot map the Linux VM's network device");
            return DISCO_EINVAL;
        }
        l->has_net = true;
        vm->net_rx = net_rx;
        vm->net_rx_opaque = l;
    }
    struct vm_fdt_config fc = {
        .memory_bytes = vm->memory_bytes,
        .hole_base = VM_IO_HOLE_BASE,
        .hole_limit = VM_IO_HOLE_LIMIT,
        .ncpus = vm->nvcpu,
        .cpu_hz = VM_LINUX_CPU_HZ,
        .bootargs = spec->cmdline && spec->cmdline[0] ? spec->cmdline : VM_LINUX_DEFAULT_CMDLINE,
        .initrd_start = spec->initrd_len ? initrd_gpa : 0,
        .initrd_end = spec->initrd_len ? initrd_gpa + spec->initrd_len : 0,
        .uart_base = VM_LINUX_UART_BASE,
        .uart_reg_shift = 0,
        .uart_clock_hz = 1843200,
        .uart_irq = VM_LINUX_UART_IRQ,
        .syscon_base = VM_LINUX_SYSCON_BASE,
        .reboot_offset = REBOOT_OFFSET,
        .reboot_value = VM_LINUX_REBOOT_VALUE,
    };
    if (l->has_disk)
        fc.virtio[fc.nvirtio++] =
            (typeof(fc.virtio[0])){.base = VM_LINUX_VIRTIO_BASE, .irq = VM_LINUX_VIRTIO_IRQ};
    if (l->has_net)
        fc.virtio[fc.nvirtio++] =
            (typeof(fc.virtio[0])){.base = VM_LINUX_NET_BASE, .irq = VM_LINUX_NET_IRQ};
    uint8_t *dtb;
    size_t dtb_len;
    if (vm_fdt_build(&fc, &dtb, &dtb_len) != 0 || dtb_len > FDT_SLOT) {
        free(dtb);
        snprintf(err, errlen, "cannot build the device tree");
        return DISCO_EINVAL;
    }
    int rv = monitor_vm_write_phys(vm, fdt_gpa, dtb, dtb_len);
    free(dtb);
    if (rv == 0 && spec->initrd_len > 0)
        rv = monitor_vm_write_phys(vm, initrd_gpa, spec->initrd, spec->initrd_len);
    if (rv != 0) {
        snprintf(err, errlen, "cannot place the device tree and initramfs in guest memory");
        return DISCO_EINVAL;
    }
    /* UHI boot: a0 = -2, a1 = the tree (a kernel virtual address), a2 = a3 = 0. */
    struct vcpu *v = &vm->vcpu[0].v;
    vcpu_set_gpr(v, 4, (uint64_t)-2);
    vcpu_set_gpr(v, 5, KSEG0 | fdt_gpa);
    vcpu_set_gpr(v, 6, 0);
    vcpu_set_gpr(v, 7, 0);
    return DISCO_OK;
}

void vm_boot_console_input(struct vm *vm)
{
    struct vm_linux *l = vm->linux_boot;
    if (l)
        vdev_uart_input_ready(&l->uart);
}

void vm_boot_free(struct vm *vm)
{
    vm->net_rx = NULL; /* the switch must not deliver into a freed device */
    vm->net_rx_opaque = NULL;
    if (vm->linux_boot && vm->linux_boot->has_disk)
        vdev_virtio_blk_close(&vm->linux_boot->disk);
    free(vm->linux_boot);
    vm->linux_boot = NULL;
}
