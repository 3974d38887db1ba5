/*
 * console_dev.c - the console/exit device of bare-metal programs: bytes
 * written to TX go to a host stream, a write to EXIT records the status and
 * halts the CPU at the end of the current instruction, IRQ drives the CPU's
 * external interrupt lines so kernel tests can check interrupt delivery.
 */
#include "console_dev.h"

#include <stdlib.h>

#include "bus.h"
#include "cpu.h"
#include "disco_err.h"
#include "xalloc.h"

struct console_dev {
    struct cpu *cpu;
    FILE *out;
    bool exited;
    int status;
    uint8_t irq_lines;
};

struct console_dev *console_dev_create(struct cpu *cpu, FILE *out)
{
    struct console_dev *dev = xcalloc(1, sizeof(*dev));
    dev->cpu = cpu;
    dev->out = out;
    return dev;
}

void console_dev_destroy(struct console_dev *dev)
{
    free(dev);
}

static int console_read(void *opaque, uint64_t offset, unsigned size, uint64_t *value)
{
    struct console_dev *dev = opaque;
    switch (offset & ~7ull) {
    case CONSOLE_REG_IRQ: *value = dev->irq_lines; break;
    case CONSOLE_REG_CYCLES: *value = cpu_cycles(dev->cpu); break;
    case CONSOLE_REG_CPUID: *value = 0; break; /* the one CPU of flash-run --system */
    case CONSOLE_REG_NCPUS: *value = 1; break;
    default: *value = 0; break;
    }
    return 0;
}

static void set_irq_lines(struct console_dev *dev, uint8_t lines)
{
    for (unsigned line = 0; line < 6; line++)
        cpu_set_irq(dev->cpu, line, (lines >> line) & 1);
    dev->irq_lines = lines;
}

static int console_write(void *opaque, uint64_t offset, unsigned size, uint64_t value)
{
    struct console_dev *dev = opaque;
    switch (offset & ~7ull) {
    case CONSOLE_REG_TX:
        fputc((int)(value & 0xff), dev->out);
        if ((value & 0xff) == '\n')
            fflush(dev->out);
        break;
    case CONSOLE_REG_EXIT:
        dev->exited = true;
        dev->status = (int)(value & 0xff);
        fflush(dev->out);
        cpu_request_halt(dev->cpu);
        break;
    case CONSOLE_REG_IRQ: set_irq_lines(dev, (uint8_t)(value & 0x3f)); break;
    default: break; /* writes elsewhere in the page are ignored */
    }
    return 0;
}

static const struct bus_device_ops console_ops = {
    .read = console_read,
    .write = console_write,
};

int console_dev_attach(struct console_dev *dev, struct bus *bus)
{
    if (bus_add_device(bus, CONSOLE_DEV_BASE, CONSOLE_DEV_SIZE, &console_ops, dev) != 0)
        return DISCO_EINVAL;
    return 0;
}

bool console_dev_exited(const struct console_dev *dev, int *status)
{
    if (dev->exited)
        *status = dev->status;
    return dev->exited;
}
