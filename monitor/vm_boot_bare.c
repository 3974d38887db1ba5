/*
 * vm_boot_bare.c - Linux bare on one simulated node, without the monitor
 * (vm_boot.h): RAM at 0 (continued above the I/O hole), the kernel loaded by
 * its ELF segments, the device tree and initramfs placed as vm_boot.c does,
 * the 16550 (vdev_uart) and the syscon reboot register on the CPU's bus,
 * and the CPU entered in kernel mode with the UHI registers. The reference
 * point for the VM's overhead: same kernel, same tree, same workload.
 */
#include "vm_boot.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus.h"
#include "cpu_internal.h"
#include "disco_err.h"
#include "elf_load.h"
#include "monitor_internal.h"
#include "sysrun.h"
#include "vdev_uart.h"
#include "vdev_virtio_blk.h"
#include "vm_fdt.h"
#include "xalloc.h"

#define HOLE_BASE   0x1fc00000ull
#define HOLE_LIMIT  0x20000000ull
#define FDT_SLOT    0x10000ull
#define KERNEL_ZONE 0x3000000ull
#define KSEG0       0xffffffff80000000ull
#define SLICE       200000u /* instructions between looks at the devices and stdin */
#define INPUT_MAX   4096u
#define PANIC_TEXT  "Kernel panic - not syncing"

struct bare {
    struct bus *bus;
    struct cpu *cpu;
    uint8_t *ram;
    uint64_t ram_bytes;
    struct vdev_uart uart;
    uint8_t in[INPUT_MAX]; /* console input ring */
    size_t in_head, in_len;
    bool stdin_open;
    bool rebooted, panicked;
    char line[160];
    size_t line_len;
    bool has_disk;
    struct vdev_virtio_blk disk;
};

static int load_segment(void *opaque, uint64_t vaddr, uint64_t paddr, const uint8_t *data,
                        uint64_t filesz, uint64_t memsz, unsigned prot)
{
    struct bare *b = opaque;
    (void)prot;
    uint64_t base = sysrun_load_address(vaddr, paddr);
    if (memsz < filesz)
        return DISCO_EFORMAT;
    if (sysrun_copy_to_physical(b->bus, base, data, filesz) != 0 ||
        sysrun_copy_to_physical(b->bus, base + filesz, NULL, memsz - filesz) != 0)
        return DISCO_EINVAL;
    return 0;
}

/* ---- devices ---- */

static void uart_put(void *opaque, uint8_t byte)
{
    struct bare *b = opaque;
    putchar(byte);
    if (byte == '\n' || b->line_len + 1 >= sizeof b->line) {
        b->line[b->line_len] = 0;
        if (strstr(b->line, PANIC_TEXT))
            b->panicked = true;
        b->line_len = 0;
    } else {
        b->line[b->line_len++] = (char)byte;
    }
}

static int uart_get(void *opaque)
{
    struct bare *b = opaque;
    if (b->in_len == 0)
        return -1;
    uint8_t c = b->in[b->in_head];
    b->in_head = (b->in_head + 1) % INPUT_MAX;
    b->in_len--;
    return c;
}

static bool uart_has_input(void *opaque)
{
    return ((struct bare *)opaque)->in_len > 0;
}

static void uart_set_irq(void *opaque, bool level)
{
    struct bare *b = opaque;
    cpu_set_irq(b->cpu, VM_LINUX_UART_IRQ - 2, level);
}

static int uart_bus_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct bare *b = opaque;
    (void)size;
    *value = vdev_uart_read(&b->uart, offset);
    return 0;
}

static int uart_bus_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct bare *b = opaque;
    (void)size;
    vdev_uart_write(&b->uart, offset, value);
    return 0;
}

static int syscon_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    (void)opaque, (void)offset, (void)size;
    *value = 0;
    return 0;
}

static int syscon_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct bare *b = opaque;
    (void)size;
    if (offset == 0 && (value & VM_LINUX_REBOOT_VALUE) == VM_LINUX_REBOOT_VALUE) {
        b->rebooted = true;
        cpu_request_halt(b->cpu);
    }
    return 0;
}

/* The disk's DMA: guest RAM only, through the bus's RAM regions. */
static int dma(struct bare *b, uint64_t gpa, uint8_t *buf, size_t len, bool to_guest)
{
    while (len > 0) {
        uint64_t avail;
        uint8_t *host = bus_ram(b->bus, gpa, &avail);
        if (!host) /* not RAM: the device never reaches anything else */
            return DISCO_EINVAL;
        size_t n = len < avail ? len : (size_t)avail;
        if (to_guest)
            memcpy(host, buf, n);
        else
            memcpy(buf, host, n);
        gpa += n;
        buf += n;
        len -= n;
    }
    return 0;
}

static int disk_dma_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    return dma(opaque, gpa, buf, len, false);
}

static int disk_dma_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    return dma(opaque, gpa, (uint8_t *)(uintptr_t)buf, len, true);
}

static void disk_set_irq(void *opaque, bool level)
{
    struct bare *b = opaque;
    cpu_set_irq(b->cpu, VM_LINUX_VIRTIO_IRQ - 2, level);
}

static int disk_bus_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct bare *b = opaque;
    *value = vdev_virtio_blk_read(&b->disk, offset, size);
    return 0;
}

static int disk_bus_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct bare *b = opaque;
    vdev_virtio_blk_write(&b->disk, offset, size, value);
    return 0;
}

static const struct bus_device_ops disk_bus_ops = {.read = disk_bus_read, .write = disk_bus_write};
static const struct bus_device_ops uart_bus_ops = {.read = uart_bus_read, .write = uart_bus_write};
static const struct bus_device_ops syscon_bus_ops = {.read = syscon_read, .write = syscon_write};

static void feed_stdin(struct bare *b)
{
    if (!b->stdin_open || b->in_len == INPUT_MAX)
        return;
    struct pollfd pfd = {.fd = 0, .events = POLLIN};
    if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
        return;
    uint8_t buf[256];
    size_t room = INPUT_MAX - b->in_len;
    ssize_t n = read(0, buf, room < sizeof buf ? room : sizeof buf);
    if (n <= 0) {
        b->stdin_open = false;
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        b->in[(b->in_head + b->in_len++) % INPUT_MAX] = buf[i];
    vdev_uart_input_ready(&b->uart);
}

/* ---- setup and run ---- */

static int setup(struct bare *b, const char *kernel, const struct vm_boot_bare_options *o,
                 uint64_t *entry)
{
    size_t klen, ilen = 0;
    uint8_t *kimg = monitor_read_file(kernel, &klen), *initrd = NULL;
    if (!kimg) {
        fprintf(stderr, "flash-run: %s: cannot read the kernel\n", kernel);
        return 127;
    }
    if (o->initrd && !(initrd = monitor_read_file(o->initrd, &ilen))) {
        fprintf(stderr, "flash-run: %s: cannot read the initramfs\n", o->initrd);
        free(kimg);
        return 127;
    }
    b->ram_bytes = o->memory_bytes ? o->memory_bytes : (128ull << 20);
    uint64_t low = b->ram_bytes < HOLE_BASE ? b->ram_bytes : HOLE_BASE;
    b->ram = xcalloc(1, b->ram_bytes);
    b->bus = bus_create();
    struct cpu_config cc = {.model = CPU_MODEL_MIPS64R2, .big_endian = false, .cpu_number = 0};
    b->cpu = cpu_create(&cc);
    cpu_attach_bus(b->cpu, b->bus);
    struct vdev_uart_host uh = {.put = uart_put,
                                .get = uart_get,
                                .has_input = uart_has_input,
                                .set_irq = uart_set_irq,
                                .opaque = b};
    vdev_uart_init(&b->uart, &uh, 0);
    b->stdin_open = true;
    int rv = 126;
    char err[160] = "";
    struct elf_info info;
    uint64_t fdt_gpa = low - FDT_SLOT;
    uint64_t initrd_gpa = (fdt_gpa - ilen) & ~0xfffull;
    if (bus_add_ram(b->bus, 0, low, b->ram) != 0 ||
        (b->ram_bytes > low &&
         bus_add_ram(b->bus, HOLE_LIMIT, b->ram_bytes - low, b->ram + low) != 0) ||
        bus_add_device(b->bus, VM_LINUX_UART_BASE, 0x1000, &uart_bus_ops, b) != 0 ||
        bus_add_device(b->bus, VM_LINUX_SYSCON_BASE, 0x1000, &syscon_bus_ops, b) != 0) {
        fprintf(stderr, "flash-run: cannot build the bare Linux machine\n");
        goto out;
    }
    if (b->ram_bytes < VM_LINUX_MIN_MEMORY || ilen > fdt_gpa || initrd_gpa < KERNEL_ZONE) {
        fprintf(stderr, "flash-run: Linux needs at least %llu MB and room for the initramfs\n",
                (unsigned long long)(VM_LINUX_MIN_MEMORY >> 20));
        goto out;
    }
    if (o->disk) {
        struct vdev_virtio_host dh = {.dma_read = disk_dma_read,
                                      .dma_write = disk_dma_write,
                                      .set_irq = disk_set_irq,
                                      .opaque = b};
        if (vdev_virtio_blk_open(&b->disk, o->disk, &dh) != 0 ||
            bus_add_device(b->bus, VM_LINUX_VIRTIO_BASE, 0x1000, &disk_bus_ops, b) != 0) {
            fprintf(stderr, "flash-run: %s: cannot open the disk image\n", o->disk);
            goto out;
        }
        b->has_disk = true;
    }
    if (elf_load_mem(kimg, klen, load_segment, b, &info, err, sizeof err) != 0) {
        fprintf(stderr, "flash-run: %s: %s\n", kernel, err[0] ? err : "cannot load");
        goto out;
    }
    if (info.big_endian || elf_arch_is_mips4_or_older(&info)) {
        fprintf(stderr, "flash-run: %s: bare Linux needs a little-endian MIPS64r2 kernel\n",
                kernel);
        goto out;
    }
    struct vm_fdt_config fc = {
        .memory_bytes = b->ram_bytes,
        .hole_base = HOLE_BASE,
        .hole_limit = HOLE_LIMIT,
        .ncpus = 1,
        .cpu_hz = VM_LINUX_CPU_HZ,
        .bootargs = o->cmdline && o->cmdline[0] ? o->cmdline : VM_LINUX_DEFAULT_CMDLINE,
        .initrd_start = ilen ? initrd_gpa : 0,
        .initrd_end = ilen ? initrd_gpa + ilen : 0,
        .uart_base = VM_LINUX_UART_BASE,
        .uart_reg_shift = 0,
        .uart_clock_hz = 1843200,
        .uart_irq = VM_LINUX_UART_IRQ,
        .syscon_base = VM_LINUX_SYSCON_BASE,
        .reboot_offset = 0,
        .reboot_value = VM_LINUX_REBOOT_VALUE,
        .nvirtio = b->has_disk ? 1 : 0,
        .virtio = {{.base = VM_LINUX_VIRTIO_BASE, .irq = VM_LINUX_VIRTIO_IRQ}},
    };
    uint8_t *dtb;
    size_t dtb_len;
    if (vm_fdt_build(&fc, &dtb, &dtb_len) != 0 || dtb_len > FDT_SLOT) {
        fprintf(stderr, "flash-run: cannot build the device tree\n");
        goto out;
    }
    int crv = sysrun_copy_to_physical(b->bus, fdt_gpa, dtb, dtb_len);
    free(dtb);
    if (crv != 0 || (ilen && sysrun_copy_to_physical(b->bus, initrd_gpa, initrd, ilen) != 0)) {
        fprintf(stderr, "flash-run: cannot place the device tree and initramfs\n");
        goto out;
    }
    cpu_set_pc(b->cpu, info.entry);
    cpu_set_gpr(b->cpu, 4, (uint64_t)-2);
    cpu_set_gpr(b->cpu, 5, KSEG0 | fdt_gpa);
    *entry = info.entry;
    rv = 0;
out:
    free(kimg);
    free(initrd);
    return rv;
}

int vm_boot_bare_run(const char *kernel, const struct vm_boot_bare_options *o)
{
    struct bare *b = xcalloc(1, sizeof *b);
    uint64_t entry = 0;
    int status = setup(b, kernel, o, &entry);
    int64_t t0 = monitor_now_ns(), next_input = 0;
    const char *why = NULL;
    while (status == 0 && !why) {
        enum cpu_stop stop = cpu_run(b->cpu, SLICE);
        if (b->rebooted)
            break;
        if (b->panicked)
            why = "guest panic";
        else if (o->max_cycles && b->cpu->cycles >= o->max_cycles)
            why = "time limit";
        else if (stop == CPU_STOP_WAIT && ((b->cpu->cp0.status >> ST_IM_SHIFT) & 0xff) == 0) {
            /* WAIT with every interrupt masked never ends: the kernel has powered off
             * (machine_hang(), as in the monitor's rule for VMs). */
            break;
        } else if (stop == CPU_STOP_WAIT) {
            /* Idle: on to the timer (the next event), as sysrun does. */
            if (b->cpu->cycles < b->cpu->next_event_cycle)
                b->cpu->cycles = b->cpu->next_event_cycle;
            b->cpu->irq_dirty = true;
        } else if (stop == CPU_STOP_EXCEPTION || stop == CPU_STOP_MEMORY)
            why = "unexpected CPU stop";
        int64_t now = monitor_now_ns();
        if (now >= next_input) {
            feed_stdin(b);
            next_input = now + 5000000;
        }
    }
    fflush(stdout);
    if (status == 0) {
        if (o->stats) {
            double secs = (double)(monitor_now_ns() - t0) / 1e9;
            fprintf(stderr,
                    "flash-run: bare linux: instructions=%llu cycles=%llu host_seconds=%.3f "
                    "mips=%.1f\n",
                    (unsigned long long)cpu_instructions(b->cpu),
                    (unsigned long long)cpu_cycles(b->cpu), secs,
                    secs > 0 ? (double)cpu_instructions(b->cpu) / secs / 1e6 : 0.0);
        }
        if (why) {
            fprintf(stderr, "flash-run: bare linux did not exit: %s\n", why);
            status = 1;
        }
    }
    (void)entry;
    if (b->has_disk)
        vdev_virtio_blk_close(&b->disk);
    if (b->cpu)
        cpu_destroy(b->cpu);
    if (b->bus)
        bus_destroy(b->bus);
    free(b->ram);
    free(b);
    return status;
}
