/*
 * vm_fdt.c - builds the device tree of a Linux VM (vm_fdt.h). The DTB is
 * written directly (header, empty reservation map, structure block of
 * BEGIN_NODE/PROP/END_NODE tokens, strings block; all big-endian), which
 * keeps the monitor free of a libfdt dependency. Bindings used: mips/cpus,
 * mti,cpu-interrupt-controller, ns16550a (8250 of_serial), syscon and
 * syscon-reboot, virtio,mmio, fixed-clock.
 */
#include "vm_fdt.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

#define FDT_MAGIC      0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE   2u
#define FDT_PROP       3u
#define FDT_END        9u
#define FDT_HDR_SIZE   40u
#define FDT_RSV_SIZE   16u /* the reservation map: only its terminating entry */

#define PH_CPUINTC 1u /* phandles */
#define PH_CLOCK   2u
#define PH_SYSCON  3u

struct buf {
    uint8_t *p;
    size_t len, cap;
};

struct fdtw {
    struct buf st;  /* structure block */
    struct buf str; /* strings block */
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
    if (n == 0)
        return; /* an empty property: nothing to copy (data may be NULL) */
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap)
            b->cap = b->cap ? b->cap * 2 : 1024;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_pad4(struct buf *b)
{
    static const uint8_t zero[4];
    buf_put(b, zero, (4 - b->len % 4) % 4);
}

static void put_be32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    buf_put(b, x, 4);
}

static void begin_node(struct fdtw *w, const char *name)
{
    put_be32(&w->st, FDT_BEGIN_NODE);
    buf_put(&w->st, name, strlen(name) + 1);
    buf_pad4(&w->st);
}

static void end_node(struct fdtw *w)
{
    put_be32(&w->st, FDT_END_NODE);
}

/* Offset of a property name in the strings block, added once. */
static uint32_t string_offset(struct fdtw *w, const char *name)
{
    size_t n = strlen(name) + 1;
    for (size_t off = 0; off < w->str.len; off += strlen((char *)w->str.p + off) + 1)
        if (strcmp((char *)w->str.p + off, name) == 0)
            return (uint32_t)off;
    uint32_t off = (uint32_t)w->str.len;
    buf_put(&w->str, name, n);
    return off;
}

static void prop(struct fdtw *w, const char *name, const void *value, size_t len)
{
    put_be32(&w->st, FDT_PROP);
    put_be32(&w->st, (uint32_t)len);
    put_be32(&w->st, string_offset(w, name));
    buf_put(&w->st, value, len);
    buf_pad4(&w->st);
}

static void prop_str(struct fdtw *w, const char *name, const char *s)
{
    prop(w, name, s, strlen(s) + 1);
}

/* A property of n big-endian cells. */
static void prop_cells(struct fdtw *w, const char *name, const uint32_t *cells, unsigned n)
{
    uint8_t v[16 * 4];
    for (unsigned i = 0; i < n; i++) {
        v[4 * i] = (uint8_t)(cells[i] >> 24);
        v[4 * i + 1] = (uint8_t)(cells[i] >> 16);
        v[4 * i + 2] = (uint8_t)(cells[i] >> 8);
        v[4 * i + 3] = (uint8_t)cells[i];
    }
    prop(w, name, v, 4u * n);
}

static void prop_u32(struct fdtw *w, const char *name, uint32_t v)
{
    prop_cells(w, name, &v, 1);
}

/* reg = <addr size> with #address-cells = #size-cells = 2 at the root. */
static void prop_reg64(struct fdtw *w, uint64_t addr, uint64_t size)
{
    uint32_t c[4] = {(uint32_t)(addr >> 32), (uint32_t)addr, (uint32_t)(size >> 32),
                     (uint32_t)size};
    prop_cells(w, "reg", c, 4);
}

static void node_name(char *buf, size_t cap, const char *name, uint64_t addr)
{
    snprintf(buf, cap, "%s@%llx", name, (unsigned long long)addr);
}

static bool irq_ok(int irq)
{
    return irq >= 2 && irq <= 6; /* IP0/1 are software, IP7 the timer */
}

static void build_tree(struct fdtw *w, const struct vm_fdt_config *c)
{
    char name[64];
    begin_node(w, "");
    prop_u32(w, "#address-cells", 2);
    prop_u32(w, "#size-cells", 2);
    prop_str(w, "compatible", "disco,flash-vm");
    prop_str(w, "model", "Disco VM on simulated FLASH");

    begin_node(w, "cpus");
    prop_u32(w, "#address-cells", 1);
    prop_u32(w, "#size-cells", 0);
    for (uint32_t i = 0; i < c->ncpus; i++) {
        node_name(name, sizeof name, "cpu", i);
        begin_node(w, name);
        prop_str(w, "device_type", "cpu");
        prop_str(w, "compatible", "mti,5KEc");
        prop_u32(w, "reg", i);
        /* The generic kernel takes the CPU clock (and so the timer's rate,
         * half of it) from the cpu node's clock. */
        prop_u32(w, "clocks", PH_CLOCK);
        end_node(w);
    }
    end_node(w);

    begin_node(w, "cpu-clock");
    prop_str(w, "compatible", "fixed-clock");
    prop_u32(w, "#clock-cells", 0);
    prop_u32(w, "clock-frequency", c->cpu_hz);
    prop_u32(w, "phandle", PH_CLOCK);
    end_node(w);

    begin_node(w, "interrupt-controller");
    prop_str(w, "compatible", "mti,cpu-interrupt-controller");
    prop(w, "interrupt-controller", NULL, 0);
    prop_u32(w, "#address-cells", 0);
    prop_u32(w, "#interrupt-cells", 1);
    prop_u32(w, "phandle", PH_CPUINTC);
    end_node(w);

    /* Memory: below the I/O hole, then the rest above it (monitor-calls.md). */
    uint64_t low = c->memory_bytes;
    if (c->hole_limit > c->hole_base && low > c->hole_base)
        low = c->hole_base;
    node_name(name, sizeof name, "memory", 0);
    begin_node(w, name);
    prop_str(w, "device_type", "memory");
    if (low < c->memory_bytes) {
        uint32_t r[8] = {0,
                         0,
                         (uint32_t)(low >> 32),
                         (uint32_t)low,
                         (uint32_t)(c->hole_limit >> 32),
                         (uint32_t)c->hole_limit,
                         (uint32_t)((c->memory_bytes - low) >> 32),
                         (uint32_t)(c->memory_bytes - low)};
        prop_cells(w, "reg", r, 8);
    } else {
        prop_reg64(w, 0, c->memory_bytes);
    }
    end_node(w);

    node_name(name, sizeof name, "serial", c->uart_base);
    begin_node(w, name);
    prop_str(w, "compatible", "ns16550a");
    prop_reg64(w, c->uart_base, 8u << c->uart_reg_shift);
    prop_u32(w, "reg-shift", c->uart_reg_shift);
    prop_u32(w, "reg-io-width", 1);
    prop_u32(w, "clock-frequency", c->uart_clock_hz);
    if (c->uart_irq >= 0) {
        prop_u32(w, "interrupt-parent", PH_CPUINTC);
        prop_u32(w, "interrupts", (uint32_t)c->uart_irq);
    }
    end_node(w);

    node_name(name, sizeof name, "syscon", c->syscon_base);
    begin_node(w, name);
    prop(w, "compatible", "syscon\0simple-mfd", sizeof "syscon\0simple-mfd");
    prop_reg64(w, c->syscon_base, 0x1000);
    prop_u32(w, "phandle", PH_SYSCON);
    begin_node(w, "reboot");
    prop_str(w, "compatible", "syscon-reboot");
    prop_u32(w, "regmap", PH_SYSCON);
    prop_u32(w, "offset", c->reboot_offset);
    prop_u32(w, "value", c->reboot_value);
    end_node(w);
    end_node(w);

    for (unsigned i = 0; i < c->nvirtio; i++) {
        node_name(name, sizeof name, "virtio", c->virtio[i].base);
        begin_node(w, name);
        prop_str(w, "compatible", "virtio,mmio");
        prop_reg64(w, c->virtio[i].base, 0x200);
        prop_u32(w, "interrupt-parent", PH_CPUINTC);
        prop_u32(w, "interrupts", (uint32_t)c->virtio[i].irq);
        prop(w, "dma-coherent", NULL, 0);
        end_node(w);
    }

    begin_node(w, "chosen");
    if (c->bootargs)
        prop_str(w, "bootargs", c->bootargs);
    node_name(name, sizeof name, "/serial", c->uart_base);
    prop_str(w, "stdout-path", name);
    if (c->initrd_end > c->initrd_start) {
        uint32_t s[2] = {(uint32_t)(c->initrd_start >> 32), (uint32_t)c->initrd_start};
        uint32_t e[2] = {(uint32_t)(c->initrd_end >> 32), (uint32_t)c->initrd_end};
        prop_cells(w, "linux,initrd-start", s, 2);
        prop_cells(w, "linux,initrd-end", e, 2);
    }
    end_node(w);

    end_node(w); /* root */
    put_be32(&w->st, FDT_END);
}

int vm_fdt_build(const struct vm_fdt_config *c, uint8_t **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (c->ncpus == 0 || c->ncpus > 256 || c->memory_bytes == 0 || c->cpu_hz == 0 ||
        c->uart_reg_shift > 3 || c->nvirtio > VM_FDT_MAX_VIRTIO ||
        (c->uart_irq >= 0 && !irq_ok(c->uart_irq)))
        return DISCO_EINVAL;
    for (unsigned i = 0; i < c->nvirtio; i++)
        if (!irq_ok(c->virtio[i].irq))
            return DISCO_EINVAL;
    struct fdtw w = {0};
    build_tree(&w, c);
    size_t off_rsv = FDT_HDR_SIZE, off_st = off_rsv + FDT_RSV_SIZE;
    size_t off_str = off_st + w.st.len, total = off_str + w.str.len;
    struct buf b = {0};
    uint32_t hdr[10] = {FDT_MAGIC,
                        (uint32_t)total,
                        (uint32_t)off_st,
                        (uint32_t)off_str,
                        (uint32_t)off_rsv,
                        17, /* version */
                        16, /* last compatible version */
                        0,  /* boot CPU */
                        (uint32_t)w.str.len,
                        (uint32_t)w.st.len};
    for (unsigned i = 0; i < 10; i++)
        put_be32(&b, hdr[i]);
    for (unsigned i = 0; i < FDT_RSV_SIZE / 4; i++)
        put_be32(&b, 0);
    buf_put(&b, w.st.p, w.st.len);
    buf_put(&b, w.str.p, w.str.len);
    free(w.st.p);
    free(w.str.p);
    *out = b.p;
    *len = b.len;
    return DISCO_OK;
}
