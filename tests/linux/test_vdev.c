/*
 * test_vdev.c - unit tests of the Linux guest's virtual hardware (issue 7):
 * the device tree vm_fdt_build() writes (read back with libfdt), the 16550
 * model's transmit, interrupt and receive behaviour, and the virtio-mmio
 * block device serving requests from a fake guest memory, including chains
 * a hostile driver could build (loops, buffers outside RAM, sectors past the
 * end of the disk).
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

#include "vdev_uart.h"
#include "vdev_virtio_blk.h"
#include "vm_fdt.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fdt_describes_the_vm),
        cmocka_unit_test(test_fdt_rejects_bad_config),
        cmocka_unit_test(test_uart),
        cmocka_unit_test(test_virtio_blk_requests),
        cmocka_unit_test(test_virtio_blk_hostile_chains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
