/* bus.c - the physical address map: RAM regions and memory-mapped devices. */
#include "bus.h"

#include <stdlib.h>

#include "xalloc.h"

#define BUS_MAX_REGIONS 64

struct region {
    uint64_t base, size;
    uint8_t *host; /* RAM if non-NULL */
    const struct bus_device_ops *ops;
    void *opaque;
};

struct bus {
    struct region region[BUS_MAX_REGIONS];
    unsigned count;
    unsigned last_hit; /* index of the region found last: accesses cluster */
};

struct bus *bus_create(void)
{
    return xcalloc(1, sizeof(struct bus));
}

void bus_destroy(struct bus *bus)
{
    free(bus);
}

static int overlaps(const struct bus *bus, uint64_t base, uint64_t size)
{
    for (unsigned i = 0; i < bus->count; i++) {
        const struct region *r = &bus->region[i];
        if (base < r->base + r->size && r->base < base + size)
            return 1;
    }
    return 0;
}

static int add_region(struct bus *bus, const struct region *r)
{
    if (r->size == 0 || r->base + r->size < r->base || bus->count == BUS_MAX_REGIONS ||
        overlaps(bus, r->base, r->size))
        return -1;
    bus->region[bus->count++] = *r;
    return 0;
}

int bus_add_ram(struct bus *bus, uint64_t base, uint64_t size, uint8_t *host)
{
    struct region r = {.base = base, .size = size, .host = host};
    return add_region(bus, &r);
}

int bus_add_device(struct bus *bus, uint64_t base, uint64_t size, const struct bus_device_ops *ops,
                   void *opaque)
{
    struct region r = {.base = base, .size = size, .ops = ops, .opaque = opaque};
    return add_region(bus, &r);
}

static struct region *find(struct bus *bus, uint64_t paddr)
{
    struct region *r = &bus->region[bus->last_hit];
    if (bus->count && paddr - r->base < r->size)
        return r;
    for (unsigned i = 0; i < bus->count; i++) {
        r = &bus->region[i];
        if (paddr - r->base < r->size) {
            bus->last_hit = i;
            return r;
        }
    }
    return NULL;
}

uint8_t *bus_ram(struct bus *bus, uint64_t paddr, uint64_t *avail)
{
    struct region *r = find(bus, paddr);
    if (r == NULL || r->host == NULL)
        return NULL;
    *avail = r->size - (paddr - r->base);
    return r->host + (paddr - r->base);
}

int bus_read_device(struct bus *bus, uint64_t paddr, unsigned size, uint64_t *value)
{
    struct region *r = find(bus, paddr);
    if (r == NULL || r->ops == NULL || paddr - r->base + size > r->size)
        return -1;
    return r->ops->read(r->opaque, paddr - r->base, size, value) ? -1 : 0;
}

int bus_write_device(struct bus *bus, uint64_t paddr, unsigned size, uint64_t value)
{
    struct region *r = find(bus, paddr);
    if (r == NULL || r->ops == NULL || paddr - r->base + size > r->size)
        return -1;
    return r->ops->write(r->opaque, paddr - r->base, size, value) ? -1 : 0;
}
