/*
 * test_vdev.c - unit tests of the Linux guest's virtual hardware (issue 7):
 * the device tree vm_fdt_build() writes (read back with libfdt), the 16550
 * model's transmit, interrupt and receive behaviour, and the virtio-mmio
 * block device serving requests from a fake guest memory, including chains
 * a hostile driver could build (loops, buffers outside RAM, sectors past the
 * end of the disk); the virtio-mmio network device the same way (frames
 * split over descriptors, receive buffers, the pending queue and its
 * overflow, hostile chains), and the virtual subnet's switch (vnet.c) with
 * real VMs of a monitor: a Linux VM's NIC fed and read through its own
 * device page and guest RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libfdt.h>

#include "bus.h"
#include "cpu.h"
#include "monitor.h"
#include "monitor_internal.h"
#include "vdev_uart.h"
#include "vdev_virtio_blk.h"
#include "vdev_virtio_net.h"
#include "vm_boot.h"
#include "vm_fdt.h"
#include "vnet.h"

/* ---- device tree ---- */

static void test_fdt_describes_the_vm(void **state)
{
    (void)state;
    struct vm_fdt_config c = {.memory_bytes = 1ull << 30,
                              .hole_base = 0x1fc00000,
                              .hole_limit = 0x20000000,
                              .ncpus = 1,
                              .cpu_hz = 200000000,
                              .bootargs = "console=ttyS0",
                              .initrd_start = 0x7000000,
                              .initrd_end = 0x7100000,
                              .uart_base = 0x1fe10000,
                              .uart_clock_hz = 1843200,
                              .uart_irq = 2,
                              .syscon_base = 0x1fe11000,
                              .reboot_value = 0x42,
                              .nvirtio = 1,
                              .virtio = {{.base = 0x1fe12000, .irq = 3}}};
    uint8_t *dtb;
    size_t len;
    assert_int_equal(vm_fdt_build(&c, &dtb, &len), 0);
    assert_int_equal(fdt_check_header(dtb), 0);
    assert_int_equal(fdt_totalsize(dtb), len);
    int chosen = fdt_path_offset(dtb, "/chosen");
    assert_true(chosen >= 0);
    assert_string_equal(fdt_getprop(dtb, chosen, "bootargs", NULL), "console=ttyS0");
    assert_string_equal(fdt_getprop(dtb, chosen, "stdout-path", NULL), "/serial@1fe10000");
    const void *rs = fdt_getprop(dtb, chosen, "linux,initrd-start", NULL);
    assert_non_null(rs);
    fdt64_t start; /* properties are only 4-byte aligned: copy before reading 64 bits */
    memcpy(&start, rs, sizeof start);
    assert_int_equal(fdt64_to_cpu(start), 0x7000000);
    /* Memory: 0 .. hole, then the rest above the hole. */
    int mem = fdt_path_offset(dtb, "/memory@0");
    int plen;
    const fdt32_t *reg = fdt_getprop(dtb, mem, "reg", &plen);
    assert_int_equal(plen, 32);
    assert_int_equal(fdt32_to_cpu(reg[3]), 0x1fc00000);
    assert_int_equal(fdt32_to_cpu(reg[5]), 0x20000000);
    assert_int_equal(fdt32_to_cpu(reg[7]), (1u << 30) - 0x1fc00000);
    int uart = fdt_node_offset_by_compatible(dtb, -1, "ns16550a");
    assert_true(uart >= 0);
    assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(dtb, uart, "interrupts", NULL)), 2);
    int intc = fdt_node_offset_by_compatible(dtb, -1, "mti,cpu-interrupt-controller");
    assert_int_equal(fdt_get_phandle(dtb, intc), fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(
                                                     dtb, uart, "interrupt-parent", NULL)));
    int reboot = fdt_node_offset_by_compatible(dtb, -1, "syscon-reboot");
    assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(dtb, reboot, "value", NULL)), 0x42);
    assert_true(fdt_node_offset_by_compatible(dtb, -1, "virtio,mmio") >= 0);
    int clk = fdt_node_offset_by_compatible(dtb, -1, "fixed-clock");
    assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(dtb, clk, "clock-frequency", NULL)),
                     200000000);
    free(dtb);
}

static void test_fdt_rejects_bad_config(void **state)
{
    (void)state;
    struct vm_fdt_config c = {.memory_bytes = 64 << 20, .ncpus = 1, .cpu_hz = 1, .uart_irq = 7};
    uint8_t *dtb;
    size_t len;
    assert_int_equal(vm_fdt_build(&c, &dtb, &len) != 0, 1); /* IP7 is the timer's */
    c.uart_irq = -1;
    c.ncpus = 0;
    assert_int_equal(vm_fdt_build(&c, &dtb, &len) != 0, 1);
}

/* ---- 16550 ---- */

struct uart_env {
    char out[64];
    size_t out_len;
    const char *in;
    bool irq;
};

static void u_put(void *o, uint8_t b)
{
    struct uart_env *e = o;
    e->out[e->out_len++] = (char)b;
}

static int u_get(void *o)
{
    struct uart_env *e = o;
    return *e->in ? (uint8_t)*e->in++ : -1;
}

static bool u_has(void *o)
{
    return *((struct uart_env *)o)->in != 0;
}

static void u_irq(void *o, bool level)
{
    ((struct uart_env *)o)->irq = level;
}

static void test_uart(void **state)
{
    (void)state;
    struct uart_env e = {.in = ""};
    struct vdev_uart_host h = {u_put, u_get, u_has, u_irq, &e};
    struct vdev_uart u;
    vdev_uart_init(&u, &h, 0);
    assert_int_equal(vdev_uart_read(&u, 5) & 0x60, 0x60); /* LSR: THR empty, idle */
    assert_int_equal(vdev_uart_read(&u, 2) & 0x0f, 0x01); /* IIR: nothing pending */
    vdev_uart_write(&u, 0, 'h');
    vdev_uart_write(&u, 0, 'i');
    assert_int_equal(e.out_len, 2);
    assert_memory_equal(e.out, "hi", 2);
    assert_false(e.irq);
    vdev_uart_write(&u, 1, 0x02); /* IER.THRI: THR is empty, so it interrupts at once */
    assert_true(e.irq);
    assert_int_equal(vdev_uart_read(&u, 2) & 0x0f, 0x02); /* IIR: THR empty; reading acks */
    assert_false(e.irq);
    /* Divisor latch: DLAB swaps RBR/THR and IER for DLL/DLM, nothing is sent. */
    vdev_uart_write(&u, 3, 0x80);
    vdev_uart_write(&u, 0, 0x0c);
    assert_int_equal(vdev_uart_read(&u, 0), 0x0c);
    vdev_uart_write(&u, 3, 0x03);
    assert_int_equal(e.out_len, 2);
    /* Receive: data ready in LSR, an interrupt when IER.RDI, bytes in order. */
    e.in = "ok";
    vdev_uart_write(&u, 1, 0x01);
    vdev_uart_input_ready(&u);
    assert_true(e.irq);
    assert_int_equal(vdev_uart_read(&u, 2) & 0x0f, 0x04);
    assert_int_equal(vdev_uart_read(&u, 5) & 1, 1);
    assert_int_equal(vdev_uart_read(&u, 0), 'o');
    assert_int_equal(vdev_uart_read(&u, 0), 'k');
    assert_int_equal(vdev_uart_read(&u, 5) & 1, 0);
    assert_false(e.irq);
}

/* ---- virtio-mmio block ---- */

#define RAM_BYTES 0x10000u
#define DESC      0x1000u
#define AVAIL     0x2000u
#define USED      0x3000u

struct blk_env {
    uint8_t ram[RAM_BYTES];
    bool irq;
    char path[64];
};

static int b_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    struct blk_env *e = o;
    if (gpa > RAM_BYTES || len > RAM_BYTES - gpa)
        return -1;
    memcpy(buf, e->ram + gpa, len);
    return 0;
}

static int b_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    struct blk_env *e = o;
    if (gpa > RAM_BYTES || len > RAM_BYTES - gpa)
        return -1;
    memcpy(e->ram + gpa, buf, len);
    return 0;
}

static void b_irq(void *o, bool level)
{
    ((struct blk_env *)o)->irq = level;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v), put32(p + 4, (uint32_t)(v >> 32));
}

static void set_desc(struct blk_env *e, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t *d = e->ram + DESC + 16 * i;
    put64(d, addr);
    put32(d + 8, len);
    put16(d + 12, flags);
    put16(d + 14, next);
}

/* Makes chain head available as the n-th request and notifies. */
static void submit(struct vdev_virtio_blk *d, struct blk_env *e, uint16_t head, uint16_t n)
{
    put16(e->ram + AVAIL + 4 + 2 * (n % 8), head);
    put16(e->ram + AVAIL + 2, (uint16_t)(n + 1));
    vdev_virtio_blk_write(d, 0x50, 4, 0);
}

static void blk_setup(struct vdev_virtio_blk *d, struct blk_env *e)
{
    snprintf(e->path, sizeof e->path, "/tmp/disco_test_vdev_%d.img", (int)getpid());
    FILE *f = fopen(e->path, "wb");
    assert_non_null(f);
    for (unsigned i = 0; i < 8 * 512; i++)
        fputc((int)(i & 0xff) ^ 0x5a, f);
    fclose(f);
    struct vdev_virtio_host h = {b_read, b_write, b_irq, e};
    assert_int_equal(vdev_virtio_blk_open(d, e->path, &h), 0);
    assert_int_equal(vdev_virtio_blk_read(d, 0x000, 4), 0x74726976);
    assert_int_equal(vdev_virtio_blk_read(d, 0x008, 4), 2);
    assert_int_equal(vdev_virtio_blk_read(d, 0x100, 4), 8); /* capacity: 8 sectors */
    vdev_virtio_blk_write(d, 0x030, 4, 0);
    vdev_virtio_blk_write(d, 0x038, 4, 8);
    vdev_virtio_blk_write(d, 0x080, 4, DESC);
    vdev_virtio_blk_write(d, 0x090, 4, AVAIL);
    vdev_virtio_blk_write(d, 0x0a0, 4, USED);
    vdev_virtio_blk_write(d, 0x044, 4, 1);
    vdev_virtio_blk_write(d, 0x070, 4, 0x0f);
}

/* A request: header at 0x4000, data at 0x5000 (len), status at 0x6000. */
static void request(struct blk_env *e, uint32_t type, uint64_t sector, uint32_t len, bool in)
{
    put32(e->ram + 0x4000, type);
    put64(e->ram + 0x4008, sector);
    set_desc(e, 0, 0x4000, 16, 1, 1);
    set_desc(e, 1, 0x5000, len, (uint16_t)(1 | (in ? 2 : 0)), 2);
    set_desc(e, 2, 0x6000, 1, 2, 0);
    e->ram[0x6000] = 0xff;
}

static void test_virtio_blk_requests(void **state)
{
    (void)state;
    struct blk_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_blk d;
    blk_setup(&d, e);
    /* Read sector 1. */
    request(e, 0, 1, 512, true);
    submit(&d, e, 0, 0);
    assert_int_equal(e->ram[0x6000], 0);
    assert_int_equal(e->ram[0x5000], (512 & 0xff) ^ 0x5a);
    assert_int_equal(e->ram[0x5001], (513 & 0xff) ^ 0x5a);
    assert_int_equal(e->ram[USED + 2], 1);        /* used idx */
    assert_int_equal(e->ram[USED + 4 + 4], 0x01); /* used len: 512 + status = 0x201 */
    assert_int_equal(e->ram[USED + 4 + 5], 0x02);
    assert_true(e->irq);
    vdev_virtio_blk_write(&d, 0x064, 4, 1);
    assert_false(e->irq);
    /* Write sector 7, read it back. */
    memset(e->ram + 0x5000, 0xab, 512);
    request(e, 1, 7, 512, false);
    submit(&d, e, 0, 1);
    assert_int_equal(e->ram[0x6000], 0);
    memset(e->ram + 0x5000, 0, 512);
    request(e, 0, 7, 512, true);
    submit(&d, e, 0, 2);
    assert_int_equal(e->ram[0x5000 + 511], 0xab);
    /* Past the end of the disk: an I/O error, nothing beyond the disk is touched. */
    request(e, 0, 8, 512, true);
    submit(&d, e, 0, 3);
    assert_int_equal(e->ram[0x6000], 1);
    request(e, 0, UINT64_MAX / 512, 512, true);
    submit(&d, e, 0, 4);
    assert_int_equal(e->ram[0x6000], 1);
    /* A data buffer outside guest RAM: an I/O error too. */
    request(e, 0, 0, 512, true);
    set_desc(e, 1, RAM_BYTES - 16, 512, 3, 2);
    submit(&d, e, 0, 5);
    assert_int_equal(e->ram[0x6000], 1);
    /* An unknown request type. */
    request(e, 99, 0, 512, true);
    submit(&d, e, 0, 6);
    assert_int_equal(e->ram[0x6000], 2);
    assert_int_equal(vdev_virtio_blk_read(&d, 0x070, 4) & 0x40, 0);
    vdev_virtio_blk_close(&d);
    unlink(e->path);
    free(e);
}

static void test_virtio_blk_hostile_chains(void **state)
{
    (void)state;
    struct blk_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_blk d;
    blk_setup(&d, e);
    /* A descriptor loop: the device gives up (NEEDS_RESET) instead of spinning. */
    request(e, 0, 0, 512, true);
    set_desc(e, 2, 0x6000, 1, 3, 0);
    submit(&d, e, 0, 0);
    assert_int_equal(vdev_virtio_blk_read(&d, 0x070, 4) & 0x40, 0x40);
    /* A reset makes it usable again; a next index outside the table also breaks it. */
    vdev_virtio_blk_write(&d, 0x070, 4, 0);
    vdev_virtio_blk_close(&d);
    blk_setup(&d, e);
    request(e, 0, 0, 512, true);
    set_desc(e, 1, 0x5000, 512, 3, 200);
    memset(e->ram + AVAIL, 0, 32);
    memset(e->ram + USED, 0, 32);
    submit(&d, e, 0, 0);
    assert_int_equal(vdev_virtio_blk_read(&d, 0x070, 4) & 0x40, 0x40);
    /* An avail index racing ahead of the ring. */
    vdev_virtio_blk_close(&d);
    blk_setup(&d, e);
    memset(e->ram + AVAIL, 0, 32);
    put16(e->ram + AVAIL + 2, 1000);
    vdev_virtio_blk_write(&d, 0x50, 4, 0);
    assert_int_equal(vdev_virtio_blk_read(&d, 0x070, 4) & 0x40, 0x40);
    vdev_virtio_blk_close(&d);
    unlink(e->path);
    free(e);
}

/* ---- virtio-mmio network ---- */

/* Fake guest memory: the receive queue's rings at 0x1000.., the transmit queue's at 0x4000.. */
#define RXD 0x1000u
#define RXA 0x2000u
#define RXU 0x3000u
#define TXD 0x4000u
#define TXA 0x5000u
#define TXU 0x6000u
#define QN  8u

struct net_env {
    uint8_t ram[RAM_BYTES];
    bool irq;
    uint8_t sent[2048];
    size_t sent_len;
    unsigned sent_count, delivered, dropped;
    uint16_t rx_avail, tx_avail; /* the driver's avail indices */
};

static int n_read(void *o, uint64_t gpa, void *buf, size_t len)
{
    struct net_env *e = o;
    if (gpa > RAM_BYTES || len > RAM_BYTES - gpa)
        return -1;
    memcpy(buf, e->ram + gpa, len);
    return 0;
}

static int n_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
    struct net_env *e = o;
    if (gpa > RAM_BYTES || len > RAM_BYTES - gpa)
        return -1;
    memcpy(e->ram + gpa, buf, len);
    return 0;
}

static void n_irq(void *o, bool level)
{
    ((struct net_env *)o)->irq = level;
}

static void n_transmit(void *o, const uint8_t *frame, size_t len)
{
    struct net_env *e = o;
    assert_true(len <= sizeof e->sent);
    memcpy(e->sent, frame, len);
    e->sent_len = len;
    e->sent_count++;
}

static void n_delivered(void *o, size_t len)
{
    (void)len;
    ((struct net_env *)o)->delivered++;
}

static void n_dropped(void *o)
{
    ((struct net_env *)o)->dropped++;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void net_desc(struct net_env *e, uint32_t table, unsigned i, uint64_t addr, uint32_t len,
                     uint16_t flags, uint16_t next)
{
    uint8_t *d = e->ram + table + 16 * i;
    put64(d, addr);
    put32(d + 8, len);
    put16(d + 12, flags);
    put16(d + 14, next);
}

static const uint8_t NET_MAC[6] = {0x02, 0x44, 0, 0, 0, 7};

/* Brings the device up as Linux's virtio_mmio + virtio_net drivers do. */
static void net_setup(struct vdev_virtio_net *d, struct net_env *e)
{
    memset(e->ram, 0, sizeof e->ram);
    e->irq = false;
    e->sent_len = e->sent_count = e->delivered = e->dropped = 0;
    e->rx_avail = e->tx_avail = 0;
    struct vdev_virtio_host h = {n_read, n_write, n_irq, e};
    struct vdev_virtio_net_ops ops = {n_transmit, n_delivered, n_dropped};
    vdev_virtio_net_init(d, NET_MAC, &h, &ops);
    vdev_virtio_net_write(d, 0x070, 4, 1 | 2); /* ACKNOWLEDGE | DRIVER */
    vdev_virtio_net_write(d, 0x024, 4, 1);
    vdev_virtio_net_write(d, 0x020, 4, 1); /* VERSION_1 */
    vdev_virtio_net_write(d, 0x024, 4, 0);
    vdev_virtio_net_write(d, 0x020, 4, 1u << 5 | 1u << 16);
    vdev_virtio_net_write(d, 0x070, 4, 1 | 2 | 8); /* FEATURES_OK */
    const uint32_t rings[2][3] = {{RXD, RXA, RXU}, {TXD, TXA, TXU}};
    for (unsigned q = 0; q < 2; q++) {
        vdev_virtio_net_write(d, 0x030, 4, q);
        assert_int_equal(vdev_virtio_net_read(d, 0x044, 4), 0);
        vdev_virtio_net_write(d, 0x038, 4, QN);
        vdev_virtio_net_write(d, 0x080, 4, rings[q][0]);
        vdev_virtio_net_write(d, 0x090, 4, rings[q][1]);
        vdev_virtio_net_write(d, 0x0a0, 4, rings[q][2]);
        vdev_virtio_net_write(d, 0x044, 4, 1);
    }
    vdev_virtio_net_write(d, 0x070, 4, 1 | 2 | 8 | 4); /* DRIVER_OK */
}

/* Posts receive chain `head` and notifies queue 0. */
static void net_post_rx(struct vdev_virtio_net *d, struct net_env *e, uint16_t head)
{
    put16(e->ram + RXA + 4 + 2 * (e->rx_avail % QN), head);
    put16(e->ram + RXA + 2, ++e->rx_avail);
    vdev_virtio_net_write(d, 0x050, 4, 0);
}

/* Makes transmit chain `head` available and notifies queue 1. */
static void net_send(struct vdev_virtio_net *d, struct net_env *e, uint16_t head)
{
    put16(e->ram + TXA + 4 + 2 * (e->tx_avail % QN), head);
    put16(e->ram + TXA + 2, ++e->tx_avail);
    vdev_virtio_net_write(d, 0x050, 4, 1);
}

static bool net_needs_reset(struct vdev_virtio_net *d)
{
    return (vdev_virtio_net_read(d, 0x070, 4) & 0x40) != 0;
}

/* A frame of len bytes: to 02:44:0:0:0:9 from our MAC, IPv4 type, payload seeded by `seed`. */
static void make_frame(uint8_t *f, size_t len, unsigned seed)
{
    const uint8_t to[6] = {0x02, 0x44, 0, 0, 0, 9};
    memcpy(f, to, 6);
    memcpy(f + 6, NET_MAC, 6);
    f[12] = 0x08, f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i * 31 + seed);
}

static void test_virtio_net_registers(void **state)
{
    (void)state;
    struct net_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_net *d = calloc(1, sizeof *d);
    struct vdev_virtio_host h = {n_read, n_write, n_irq, e};
    vdev_virtio_net_init(d, NET_MAC, &h, NULL);
    assert_int_equal(vdev_virtio_net_read(d, 0x000, 4), 0x74726976);
    assert_int_equal(vdev_virtio_net_read(d, 0x004, 4), 2);
    assert_int_equal(vdev_virtio_net_read(d, 0x008, 4), 1); /* network card */
    vdev_virtio_net_write(d, 0x014, 4, 0);
    assert_int_equal(vdev_virtio_net_read(d, 0x010, 4), 1u << 5 | 1u << 16); /* MAC, STATUS */
    vdev_virtio_net_write(d, 0x014, 4, 1);
    assert_int_equal(vdev_virtio_net_read(d, 0x010, 4), 1); /* VERSION_1 */
    vdev_virtio_net_write(d, 0x014, 4, 2);
    assert_int_equal(vdev_virtio_net_read(d, 0x010, 4), 0);
    /* Config space: the MAC byte by byte (as Linux reads it), then the link status. */
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(vdev_virtio_net_read(d, 0x100 + i, 1), NET_MAC[i]);
    assert_int_equal(vdev_virtio_net_read(d, 0x100, 4), 0x00004402);
    assert_int_equal(vdev_virtio_net_read(d, 0x106, 2), 1); /* VIRTIO_NET_S_LINK_UP */
    assert_int_equal(vdev_virtio_net_read(d, 0x1f0, 4), 0); /* past the config: 0 */
    /* Two queues, no control queue. */
    for (unsigned q = 0; q < 3; q++) {
        vdev_virtio_net_write(d, 0x030, 4, q);
        assert_int_equal(vdev_virtio_net_read(d, 0x034, 4), q < 2 ? VIRTIO_QUEUE_MAX : 0);
    }
    /* A frame before the driver is ready: dropped, counted. */
    uint8_t f[60];
    make_frame(f, sizeof f, 0);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), -1);
    assert_int_equal(d->rx_dropped, 1);
    free(d);
    free(e);
}

static void test_virtio_net_transmit(void **state)
{
    (void)state;
    struct net_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_net *d = calloc(1, sizeof *d);
    net_setup(d, e);
    /* Header, then the frame in two pieces, in three descriptors out of order in the table. */
    uint8_t f[100];
    make_frame(f, sizeof f, 1);
    memset(e->ram + 0x8000, 0, 12);
    memcpy(e->ram + 0x8100, f, 30);
    memcpy(e->ram + 0x8200, f + 30, 70);
    net_desc(e, TXD, 5, 0x8000, 12, 1, 2);
    net_desc(e, TXD, 2, 0x8100, 30, 1, 7);
    net_desc(e, TXD, 7, 0x8200, 70, 0, 0);
    net_send(d, e, 5);
    assert_int_equal(e->sent_count, 1);
    assert_int_equal(e->sent_len, 100);
    assert_memory_equal(e->sent, f, 100);
    assert_int_equal(get16(e->ram + TXU + 2), 1); /* used idx */
    assert_int_equal(get32(e->ram + TXU + 4), 5); /* used id: the head */
    assert_int_equal(get32(e->ram + TXU + 8), 0); /* nothing written */
    assert_true(e->irq);
    assert_int_equal(vdev_virtio_net_read(d, 0x060, 4), 1);
    vdev_virtio_net_write(d, 0x064, 4, 1);
    assert_false(e->irq);
    assert_int_equal(d->tx_frames, 1);
    assert_int_equal(d->tx_bytes, 100);
    /* Header and frame in one descriptor; the driver asked for no interrupt. */
    put16(e->ram + TXA, 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT */
    memcpy(e->ram + 0x8300 + 12, f, 60);
    net_desc(e, TXD, 0, 0x8300, 72, 0, 0);
    net_send(d, e, 0);
    assert_int_equal(e->sent_count, 2);
    assert_int_equal(e->sent_len, 60);
    assert_int_equal(get16(e->ram + TXU + 2), 2);
    assert_false(e->irq);
    /* A frame of the maximal size passes; one byte more is dropped, its buffer returned. */
    net_desc(e, TXD, 0, 0x8000, 12 + VNET_FRAME_MAX, 0, 0);
    net_send(d, e, 0);
    assert_int_equal(e->sent_count, 3);
    assert_int_equal(e->sent_len, VNET_FRAME_MAX);
    net_desc(e, TXD, 0, 0x8000, 12 + VNET_FRAME_MAX + 1, 0, 0);
    net_send(d, e, 0);
    assert_int_equal(e->sent_count, 3);
    assert_int_equal(d->tx_dropped, 1);
    assert_int_equal(e->dropped, 1);
    assert_int_equal(get16(e->ram + TXU + 2), 4);
    /* Shorter than an Ethernet header: dropped too. */
    net_desc(e, TXD, 0, 0x8000, 12 + 13, 0, 0);
    net_send(d, e, 0);
    assert_int_equal(e->sent_count, 3);
    assert_int_equal(d->tx_dropped, 2);
    assert_false(net_needs_reset(d));
    free(d);
    free(e);
}

static void test_virtio_net_receive(void **state)
{
    (void)state;
    struct net_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_net *d = calloc(1, sizeof *d);
    net_setup(d, e);
    /* One buffer as Linux posts it (header + 1518 bytes in one descriptor). */
    memset(e->ram + 0x8000, 0xee, 1600);
    net_desc(e, RXD, 3, 0x8000, 12 + 1518, 2, 0);
    net_post_rx(d, e, 3);
    assert_false(e->irq);
    uint8_t f[200];
    make_frame(f, sizeof f, 2);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), 0);
    static const uint8_t hdr[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0}; /* num_buffers = 1 */
    assert_memory_equal(e->ram + 0x8000, hdr, 12);
    assert_memory_equal(e->ram + 0x8000 + 12, f, sizeof f);
    assert_int_equal(e->ram[0x8000 + 12 + sizeof f], 0xee); /* nothing beyond */
    assert_int_equal(get16(e->ram + RXU + 2), 1);
    assert_int_equal(get32(e->ram + RXU + 4), 3);
    assert_int_equal(get32(e->ram + RXU + 8), 12 + sizeof f);
    assert_true(e->irq);
    assert_int_equal(e->delivered, 1);
    assert_int_equal(d->rx_frames, 1);
    assert_int_equal(d->rx_bytes, sizeof f);
    vdev_virtio_net_write(d, 0x064, 4, 1);
    assert_false(e->irq);
    /* A buffer split in two descriptors: the header in one, the frame in the next. */
    net_desc(e, RXD, 0, 0x9000, 12, 3, 1);
    net_desc(e, RXD, 1, 0x9100, 1518, 2, 0);
    net_post_rx(d, e, 0);
    make_frame(f, sizeof f, 3);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), 0);
    assert_memory_equal(e->ram + 0x9000, hdr, 12);
    assert_memory_equal(e->ram + 0x9100, f, sizeof f);
    assert_int_equal(get32(e->ram + RXU + 12 + 4), 12 + sizeof f);
    /* No buffer: the frames wait, in order, until the driver posts buffers. */
    vdev_virtio_net_write(d, 0x064, 4, 1);
    for (unsigned k = 0; k < 3; k++) {
        make_frame(f, 60 + k, 10 + k);
        assert_int_equal(vdev_virtio_net_receive(d, f, 60 + k), 0);
    }
    assert_false(e->irq);
    assert_int_equal(d->pending_count, 3);
    net_desc(e, RXD, 4, 0xa000, 1530, 2, 0);
    net_desc(e, RXD, 5, 0xa800, 1530, 2, 0);
    put16(e->ram + RXA + 4 + 2 * (e->rx_avail % QN), 4);
    put16(e->ram + RXA + 4 + 2 * ((e->rx_avail + 1) % QN), 5);
    e->rx_avail += 2;
    put16(e->ram + RXA + 2, e->rx_avail);
    vdev_virtio_net_write(d, 0x050, 4, 0);
    assert_true(e->irq);
    assert_int_equal(d->pending_count, 1);
    make_frame(f, 60, 10);
    assert_memory_equal(e->ram + 0xa000 + 12, f, 60);
    make_frame(f, 61, 11);
    assert_memory_equal(e->ram + 0xa800 + 12, f, 61);
    assert_int_equal(get32(e->ram + RXU + 4 + 8 * 3 + 4), 12 + 61);
    net_desc(e, RXD, 6, 0xb000, 1530, 2, 0);
    net_post_rx(d, e, 6);
    make_frame(f, 62, 12);
    assert_memory_equal(e->ram + 0xb000 + 12, f, 62);
    assert_int_equal(d->pending_count, 0);
    assert_int_equal(d->rx_frames, 5);
    /* A buffer too small for the frame: the frame is dropped, the buffer returned empty. */
    net_desc(e, RXD, 7, 0xc000, 40, 2, 0);
    net_post_rx(d, e, 7);
    make_frame(f, 100, 4);
    assert_int_equal(vdev_virtio_net_receive(d, f, 100), 0);
    assert_int_equal(get16(e->ram + RXU + 2), 6);
    assert_int_equal(get32(e->ram + RXU + 4 + 8 * 5 + 4), 0);
    assert_int_equal(d->rx_dropped, 1);
    assert_int_equal(d->rx_frames, 5);
    assert_false(net_needs_reset(d));
    free(d);
    free(e);
}

static void test_virtio_net_pending_overflow(void **state)
{
    (void)state;
    struct net_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_net *d = calloc(1, sizeof *d);
    net_setup(d, e);
    uint8_t f[64];
    for (unsigned k = 0; k < VDEV_NET_RX_PENDING; k++) {
        make_frame(f, sizeof f, k);
        assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), 0);
    }
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), -1);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), -1);
    assert_int_equal(d->rx_dropped, 2);
    assert_int_equal(e->dropped, 2);
    /* Malformed sizes are never queued. */
    assert_int_equal(vdev_virtio_net_receive(d, f, 13), -1);
    assert_int_equal(vdev_virtio_net_receive(d, f, VNET_FRAME_MAX + 1), -1);
    assert_int_equal(d->rx_dropped, 4);
    /* The oldest waiting frame is the first delivered. */
    net_desc(e, RXD, 0, 0x8000, 1530, 2, 0);
    net_post_rx(d, e, 0);
    make_frame(f, sizeof f, 0);
    assert_memory_equal(e->ram + 0x8000 + 12, f, sizeof f);
    assert_int_equal(d->pending_count, VDEV_NET_RX_PENDING - 1);
    /* A reset drops what still waits (the driver that posted for it is gone). */
    vdev_virtio_net_write(d, 0x070, 4, 0);
    assert_int_equal(d->pending_count, 0);
    assert_int_equal(d->rx_dropped, 4 + VDEV_NET_RX_PENDING - 1);
    free(d);
    free(e);
}

static void test_virtio_net_hostile_chains(void **state)
{
    (void)state;
    struct net_env *e = calloc(1, sizeof *e);
    struct vdev_virtio_net *d = calloc(1, sizeof *d);
    /* A transmit chain that loops: NEEDS_RESET, nothing sent, no hang. */
    net_setup(d, e);
    net_desc(e, TXD, 0, 0x8000, 12, 1, 1);
    net_desc(e, TXD, 1, 0x8100, 60, 1, 0);
    net_send(d, e, 0);
    assert_true(net_needs_reset(d));
    assert_int_equal(e->sent_count, 0);
    assert_true(e->irq); /* the configuration-change interrupt */
    assert_int_equal(vdev_virtio_net_read(d, 0x060, 4) & 2, 2);
    /* While broken it neither sends nor receives. */
    uint8_t f[60];
    make_frame(f, sizeof f, 0);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), -1);
    /* A frame in memory outside guest RAM. */
    net_setup(d, e);
    assert_false(net_needs_reset(d));
    net_desc(e, TXD, 0, 0x8000, 12, 1, 1);
    net_desc(e, TXD, 1, RAM_BYTES - 30, 60, 0, 0);
    net_send(d, e, 0);
    assert_true(net_needs_reset(d));
    assert_int_equal(e->sent_count, 0);
    /* A next index outside the table. */
    net_setup(d, e);
    net_desc(e, TXD, 0, 0x8000, 72, 1, 200);
    net_send(d, e, 0);
    assert_true(net_needs_reset(d));
    /* A device-writable buffer on the transmit queue, a read-only one on the receive queue. */
    net_setup(d, e);
    net_desc(e, TXD, 0, 0x8000, 72, 2, 0);
    net_send(d, e, 0);
    assert_true(net_needs_reset(d));
    net_setup(d, e);
    net_desc(e, RXD, 0, 0x8000, 1530, 0, 0);
    net_post_rx(d, e, 0);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f),
                     0); /* queued, then the chain breaks */
    assert_true(net_needs_reset(d));
    /* A receive buffer outside guest RAM. */
    net_setup(d, e);
    net_desc(e, RXD, 0, RAM_BYTES - 16, 1530, 2, 0);
    net_post_rx(d, e, 0);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), 0);
    assert_true(net_needs_reset(d));
    assert_int_equal(d->rx_frames, 0);
    /* A huge descriptor length adds up without wrapping: the frame is only dropped. */
    net_setup(d, e);
    net_desc(e, TXD, 0, 0x8000, 12, 1, 1);
    net_desc(e, TXD, 1, 0x8100, 0xffffffffu, 0, 0);
    net_send(d, e, 0);
    assert_false(net_needs_reset(d));
    assert_int_equal(d->tx_dropped, 1);
    /* An avail index running ahead of the ring. */
    net_setup(d, e);
    put16(e->ram + TXA + 2, 1000);
    vdev_virtio_net_write(d, 0x050, 4, 1);
    assert_true(net_needs_reset(d));
    net_setup(d, e);
    put16(e->ram + RXA + 2, 1000);
    vdev_virtio_net_write(d, 0x050, 4, 0);
    assert_int_equal(vdev_virtio_net_receive(d, f, sizeof f), 0);
    assert_true(net_needs_reset(d));
    free(d);
    free(e);
}

/* ---- the virtual subnet: vnet_send between real VMs of a monitor ---- */

#define SW_BANK (160ull << 20) /* calloc'ed: only the pages the VMs touch are real */
#define SW_MEM  (4ull << 20)

struct sw_host {
    uint8_t *bank;
    struct bus *bus;
    struct cpu *cpu;
    struct monitor *m;
    struct monitor_pcpu *p;
    unsigned uplinked;
    uint32_t uplink_net;
};

struct sw_port { /* a test VM's receive hook */
    unsigned frames;
    size_t last_len;
};

static uint8_t *sw_page(void *opaque, uint64_t machine)
{
    struct sw_host *h = opaque;
    return machine + 4096 <= SW_BANK ? h->bank + machine : NULL;
}

static void sw_uplink(void *opaque, uint32_t net, const uint8_t *frame, size_t len)
{
    struct sw_host *h = opaque;
    (void)frame, (void)len;
    h->uplinked++;
    h->uplink_net = net;
}

static void sw_rx(void *opaque, const uint8_t *frame, size_t len)
{
    struct sw_port *port = opaque;
    (void)frame;
    port->frames++;
    port->last_len = len;
}

/* A one-instruction MIPS64r2 little-endian kernel (never run). */
static size_t tiny_kernel(uint8_t *out)
{
    memset(out, 0, 4096);
    memcpy(out, "\177ELF\2\1\1", 7);
    put16(out + 16, 2); /* ET_EXEC */
    put16(out + 18, 8); /* EM_MIPS */
    put32(out + 20, 1);
    put64(out + 24, 0xffffffff80100000ull); /* entry */
    put64(out + 32, 64);                    /* phoff */
    put32(out + 48, 0x80000000u);           /* MIPS64r2 */
    put16(out + 52, 64);
    put16(out + 54, 56);
    put16(out + 56, 1);
    put16(out + 58, 64);
    uint8_t *ph = out + 64;
    put32(ph, 1);
    put32(ph + 4, 7);
    put64(ph + 8, 0x200);
    put64(ph + 16, 0xffffffff80100000ull);
    put64(ph + 24, 0x100000);
    put64(ph + 32, 4);
    put64(ph + 40, 4);
    put64(ph + 48, 0x1000);
    return 0x204;
}

static struct vm *sw_vm(struct sw_host *h, uint32_t id, uint32_t net, bool linux_boot)
{
    uint8_t elf[4096];
    size_t len = tiny_kernel(elf);
    struct monitor_pcpu *place[1] = {h->p};
    struct vm_spec spec = {.id = id,
                           .elf = elf,
                           .elf_len = len,
                           .memory_bytes = linux_boot ? VM_LINUX_MIN_MEMORY : SW_MEM,
                           .vcpus = 1,
                           .pcpu = place,
                           .linux_boot = linux_boot,
                           .net = net};
    struct vm *vm;
    char err[200];
    int rv = monitor_vm_create(h->m, &spec, &vm, err, sizeof err);
    if (rv != 0)
        print_error("VM %u: %s\n", id, err);
    assert_int_equal(rv, 0);
    return vm;
}

static void sw_frame(uint8_t *f, size_t len, uint32_t to, uint32_t from)
{
    memset(f, 0x5a, len);
    vnet_mac(to, f);
    vnet_mac(from, f + 6);
}

static void test_vnet_switch(void **state)
{
    (void)state;
    struct sw_host h = {0};
    h.bank = calloc(1, SW_BANK);
    h.bus = bus_create();
    assert_int_equal(bus_add_ram(h.bus, 0, SW_BANK, h.bank), 0);
    struct cpu_config cc = {.model = CPU_MODEL_MIPS64R2, .big_endian = false};
    h.cpu = cpu_create(&cc);
    cpu_attach_bus(h.cpu, h.bus);
    struct monitor_host mh = {.model = CPU_MODEL_MIPS64R2,
                              .node_count = 1,
                              .bank_bytes = SW_BANK,
                              .machine_page = sw_page,
                              .net_uplink = sw_uplink,
                              .opaque = &h};
    h.m = monitor_create(&mh);
    h.p = monitor_add_pcpu(h.m, h.cpu, h.bus, 0);
    assert_non_null(h.p);
    /* VMs 1, 2, 3 on subnet 1, VM 4 on subnet 2, VM 5 without a network. */
    struct vm *v[6] = {NULL};
    struct sw_port port[6] = {{0}};
    for (uint32_t id = 1; id <= 5; id++) {
        v[id] = sw_vm(&h, id, id <= 3 ? 1 : id == 4 ? 2 : 0, false);
        v[id]->net_rx = sw_rx;
        v[id]->net_rx_opaque = &port[id];
    }
    uint8_t f[VNET_FRAME_MAX + 1];
    /* A unicast reaches exactly its VM; both ends count it. */
    sw_frame(f, 100, 2, 1);
    assert_int_equal(vnet_send(v[1], f, 100), 0);
    assert_int_equal(port[2].frames, 1);
    assert_int_equal(port[2].last_len, 100);
    assert_int_equal(port[1].frames + port[3].frames + port[4].frames, 0);
    assert_int_equal(monitor_vm_stats(v[1])->net_tx_frames, 1);
    assert_int_equal(monitor_vm_stats(v[1])->net_tx_bytes, 100);
    assert_int_equal(h.uplinked, 0);
    /* A spoofed source MAC, an oversize and an undersize frame are dropped at the sender. */
    sw_frame(f, 100, 2, 3);
    assert_int_equal(vnet_send(v[1], f, 100), -1);
    sw_frame(f, VNET_FRAME_MAX + 1, 2, 1);
    assert_int_equal(vnet_send(v[1], f, VNET_FRAME_MAX + 1), -1);
    sw_frame(f, 60, 2, 1);
    assert_int_equal(vnet_send(v[1], f, 13), -1);
    assert_int_equal(monitor_vm_stats(v[1])->net_dropped, 3);
    assert_int_equal(port[2].frames, 1);
    /* A VM on another subnet is never reached, and never through the uplink either. */
    sw_frame(f, 60, 4, 1);
    assert_int_equal(vnet_send(v[1], f, 60), 0);
    assert_int_equal(port[4].frames, 0);
    assert_int_equal(h.uplinked, 0);
    /* A broadcast: every other VM of the subnet, and the uplink (other servers). */
    memset(f, 0xff, 6);
    assert_int_equal(vnet_send(v[1], f, 60), 0);
    assert_int_equal(port[2].frames, 2);
    assert_int_equal(port[3].frames, 1);
    assert_int_equal(port[1].frames + port[4].frames, 0);
    assert_int_equal(h.uplinked, 1);
    assert_int_equal(h.uplink_net, 1);
    /* A MAC no VM here has goes up; a VM without a network cannot send. */
    sw_frame(f, 60, 77, 1);
    assert_int_equal(vnet_send(v[1], f, 60), 0);
    assert_int_equal(h.uplinked, 2);
    sw_frame(f, 60, 1, 5);
    assert_int_equal(vnet_send(v[5], f, 60), -1);
    /* From the uplink: to the VM named, only on its subnet. */
    sw_frame(f, 60, 3, 77);
    monitor_net_deliver(h.m, 1, f, 60);
    assert_int_equal(port[3].frames, 2);
    monitor_net_deliver(h.m, 2, f, 60);
    assert_int_equal(port[3].frames, 2);

    /* A Linux VM (id 6, subnet 1) gets the virtio NIC in its device tree's slot:
     * drive it through its device page as the guest's driver would, with its
     * rings and buffers in its own RAM. */
    struct vm *lv = sw_vm(&h, 6, 1, true);
    assert_non_null(lv->net_rx);
    const struct vm_devpage *dp = NULL;
    for (unsigned k = 0; k < lv->ndevpages; k++)
        if (lv->devpage[k].gpa == VM_LINUX_NET_BASE)
            dp = &lv->devpage[k];
    assert_non_null(dp);
    assert_int_equal(dp->ops->read(dp->opaque, 0x008, 4), 1);
    assert_int_equal(dp->ops->read(dp->opaque, 0x105, 1), 6); /* MAC 02:44:00:00:00:06 */
    const uint64_t rings[2][3] = {{0x10000, 0x11000, 0x12000}, {0x13000, 0x14000, 0x15000}};
    dp->ops->write(dp->opaque, 0x070, 4, 1 | 2 | 8);
    for (unsigned q = 0; q < 2; q++) {
        dp->ops->write(dp->opaque, 0x030, 4, q);
        dp->ops->write(dp->opaque, 0x038, 4, QN);
        dp->ops->write(dp->opaque, 0x080, 4, rings[q][0]);
        dp->ops->write(dp->opaque, 0x090, 4, rings[q][1]);
        dp->ops->write(dp->opaque, 0x0a0, 4, rings[q][2]);
        dp->ops->write(dp->opaque, 0x044, 4, 1);
    }
    dp->ops->write(dp->opaque, 0x070, 4, 1 | 2 | 8 | 4);
    /* Receive: VM 1 sends before a buffer is posted; it waits, then lands in guest RAM. */
    sw_frame(f, 300, 6, 1);
    assert_int_equal(vnet_send(v[1], f, 300), 0);
    assert_int_equal(monitor_vm_stats(lv)->net_rx_frames, 0);
    uint8_t b[16];
    put64(b, 0x20000);
    put32(b + 8, 1530);
    put16(b + 12, 2);
    put16(b + 14, 0);
    assert_int_equal(monitor_vm_write_phys(lv, rings[0][0], b, 16), 0);
    put16(b, 0);
    put16(b + 2, 1);
    put16(b + 4, 0);
    assert_int_equal(monitor_vm_write_phys(lv, rings[0][1], b, 6), 0);
    dp->ops->write(dp->opaque, 0x050, 4, 0);
    assert_int_equal(monitor_vm_stats(lv)->net_rx_frames, 1);
    assert_int_equal(monitor_vm_stats(lv)->net_rx_bytes, 300);
    uint8_t got[300];
    assert_int_equal(monitor_vm_read_phys(lv, 0x20000 + 12, got, sizeof got), 0);
    assert_memory_equal(got, f, sizeof got);
    assert_int_equal(lv->vcpu[0].irq_lines & (1u << (VM_LINUX_NET_IRQ - 2)),
                     1u << (VM_LINUX_NET_IRQ - 2));
    /* Transmit: the frame reaches VM 2 through the switch and counts as the Linux VM's. */
    sw_frame(f, 200, 2, 6);
    memset(got, 0, 12);
    assert_int_equal(monitor_vm_write_phys(lv, 0x30000, got, 12), 0);
    assert_int_equal(monitor_vm_write_phys(lv, 0x30000 + 12, f, 200), 0);
    put64(b, 0x30000);
    put32(b + 8, 212);
    put16(b + 12, 0);
    put16(b + 14, 0);
    assert_int_equal(monitor_vm_write_phys(lv, rings[1][0], b, 16), 0);
    put16(b, 0);
    put16(b + 2, 1);
    put16(b + 4, 0);
    assert_int_equal(monitor_vm_write_phys(lv, rings[1][1], b, 6), 0);
    unsigned before = port[2].frames;
    dp->ops->write(dp->opaque, 0x050, 4, 1);
    assert_int_equal(port[2].frames, before + 1);
    assert_int_equal(port[2].last_len, 200);
    assert_int_equal(monitor_vm_stats(lv)->net_tx_frames, 1);
    assert_int_equal(monitor_vm_stats(lv)->net_tx_bytes, 200);
    /* Spoofing from inside the guest: the switch drops it. */
    sw_frame(f, 200, 2, 1);
    assert_int_equal(monitor_vm_write_phys(lv, 0x30000 + 12, f, 200), 0);
    put16(b + 2, 2);
    put16(b + 6, 0);
    assert_int_equal(monitor_vm_write_phys(lv, rings[1][1], b, 8), 0);
    dp->ops->write(dp->opaque, 0x050, 4, 1);
    assert_int_equal(port[2].frames, before + 1);
    assert_int_equal(monitor_vm_stats(lv)->net_dropped, 1);
    /* Once its VM ends, nothing is delivered to the device any more. */
    monitor_vm_stop(lv, "test");
    sw_frame(f, 60, 6, 1);
    assert_int_equal(vnet_send(v[1], f, 60), 0);
    assert_int_equal(monitor_vm_stats(lv)->net_rx_frames, 1);
    monitor_vm_destroy(lv);
    for (uint32_t id = 1; id <= 5; id++) {
        monitor_vm_stop(v[id], "test");
        monitor_vm_destroy(v[id]);
    }
    monitor_destroy(h.m);
    cpu_destroy(h.cpu);
    bus_destroy(h.bus);
    free(h.bank);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fdt_describes_the_vm),
        cmocka_unit_test(test_fdt_rejects_bad_config),
        cmocka_unit_test(test_uart),
        cmocka_unit_test(test_virtio_blk_requests),
        cmocka_unit_test(test_virtio_blk_hostile_chains),
        cmocka_unit_test(test_virtio_net_registers),
        cmocka_unit_test(test_virtio_net_transmit),
        cmocka_unit_test(test_virtio_net_receive),
        cmocka_unit_test(test_virtio_net_pending_overflow),
        cmocka_unit_test(test_virtio_net_hostile_chains),
        cmocka_unit_test(test_vnet_switch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
