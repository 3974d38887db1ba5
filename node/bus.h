/*
 * bus.h - the physical address map seen by a CPU in system mode.
 *
 * RAM regions (host memory the bus does not own) and memory-mapped devices
 * registered as {base, size, ops, opaque}, TinyEMU style. Called by the CPU's
 * slow memory path after translation; the node and the monitor populate it.
 */
#ifndef DISCO_NODE_BUS_H
#define DISCO_NODE_BUS_H

#include <stdint.h>

struct bus;

struct bus_device_ops {
    /* size is 1, 2, 4 or 8; offset is relative to the device base.
     * Return 0, or nonzero for a bus error. Values are in host order. */
    int (*read)(void *opaque, uint64_t offset, unsigned size, uint64_t *value);
    int (*write)(void *opaque, uint64_t offset, unsigned size, uint64_t value);
};

struct bus *bus_create(void);
void bus_destroy(struct bus *bus);

/* Maps host memory [host, host+size) at physical base. Returns 0 or -1 on overlap. */
int bus_add_ram(struct bus *bus, uint64_t base, uint64_t size, uint8_t *host);
/* Maps a device. Returns 0 or -1 on overlap. */
int bus_add_device(struct bus *bus, uint64_t base, uint64_t size, const struct bus_device_ops *ops,
                   void *opaque);

/*
 * RAM lookup: returns the host pointer for paddr and sets *avail to the bytes
 * left in that region, or returns NULL if paddr is not RAM.
 */
uint8_t *bus_ram(struct bus *bus, uint64_t paddr, uint64_t *avail);

/* Device access; returns 0, or -1 for a bus error (nothing mapped). */
int bus_read_device(struct bus *bus, uint64_t paddr, unsigned size, uint64_t *value);
int bus_write_device(struct bus *bus, uint64_t paddr, unsigned size, uint64_t value);

#endif
