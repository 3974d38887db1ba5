/*
 * fuzz_virtio.c - the guest side of the virtio-mmio devices is hostile input:
 * register writes in any order, rings and descriptor tables with any
 * contents. This target drives the block (vdev_virtio_blk.c) and network
 * (vdev_virtio_net.c) models with an input-chosen guest RAM image and a
 * sequence of register accesses, notifies and incoming frames. Built for
 * libFuzzer with -DDISCO_FUZZ=ON (clang); with FUZZ_VIRTIO_SMOKE it is a
 * bounded, seeded ctest program (also run under ASan/UBSan). A crash, a
 * sanitizer report, a DMA outside guest RAM or a transmitted frame of an
 * impossible size is a bug.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vdev_virtio_blk.h"
#include "vdev_virtio_net.h"

#define RAM_BYTES 16384u /* guest RAM at guest physical 0 */
#define OP_BYTES  6u     /* kind, register, 4-byte value */
#define OPS_MAX   255u   /* counted in one byte */

struct guest {
    uint8_t ram[RAM_BYTES];
    bool irq;
    uint64_t transmitted;
};

static int dma_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
    struct guest *g = opaque;
    if (gpa > RAM_BYTES || len > RAM_BYTES - gpa)
        return -1;
    memcpy(buf, g->ram + gpa, len);
    return 0;
}

static int dma_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
    struct guest *g = opaque;
    if (gpa > RAM_BYTES || len > RAM_BYTES - gpa)
        return -1;
    memcpy(g->ram + gpa, buf, len);
    return 0;
}

static void set_irq(void *opaque, bool level)
{
    ((struct guest *)opaque)->irq = level;
}

static void transmit(void *opaque, const uint8_t *frame, size_t len)
{
    struct guest *g = opaque;
    if (len < VNET_FRAME_MIN || len > VNET_FRAME_MAX) {
        fprintf(stderr, "fuzz_virtio: the device transmitted a %zu-byte frame\n", len);
        abort();
    }
    g->transmitted += frame[len - 1] + 1u; /* touch the last byte: ASan checks the bound */
}

/* A 64 KiB disk image shared by every run (the device maps it privately). */
static const char *disk_path(void)
{
    static char path[64];
    if (path[0])
        return path;
    snprintf(path, sizeof path, "/tmp/fuzz-virtio-disk-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        abort();
    for (unsigned i = 0; i < 65536; i++)
        fputc((int)(i * 7 + (i >> 9)) & 0xff, f);
    fclose(f);
    return path;
}

/* What the runs reached, summed (the smoke run checks its seeds get deep). */
static uint64_t total_tx, total_rx, total_blk_requests, total_resets;

/* Input: a selector byte (bit 0: network, else block), the number of
 * operations, the 6-byte operations (kind, register index, 4-byte value),
 * then guest RAM (zero beyond the input): small inputs already run. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static struct guest g;
    memset(&g, 0, sizeof g);
    bool net = data[0] & 1;
    size_t nops = data[1];
    data += 2, size -= 2;
    if (nops > size / OP_BYTES)
        nops = size / OP_BYTES;
    const uint8_t *op = data;
    size_t ram = size - nops * OP_BYTES;
    memcpy(g.ram, data + nops * OP_BYTES, ram < RAM_BYTES ? ram : RAM_BYTES);

    struct vdev_virtio_host host = {
        .dma_read = dma_read, .dma_write = dma_write, .set_irq = set_irq, .opaque = &g};
    static struct vdev_virtio_net nd;
    static struct vdev_virtio_blk bd;
    if (net) {
        static const uint8_t mac[6] = {0x02, 0x44, 0, 0, 0, 1};
        struct vdev_virtio_net_ops ops = {.transmit = transmit};
        vdev_virtio_net_init(&nd, mac, &host, &ops);
    } else if (vdev_virtio_blk_open(&bd, disk_path(), &host) != 0) {
        abort();
    }
    for (size_t n = 0; n < nops; n++, op += OP_BYTES) {
        uint64_t off = (uint64_t)op[1] * 4 % VIRTIO_MMIO_SIZE;
        uint32_t value =
            (uint32_t)op[2] | (uint32_t)op[3] << 8 | (uint32_t)op[4] << 16 | (uint32_t)op[5] << 24;
        switch (op[0] % 4) {
        case 0: /* register write */
            if (net)
                vdev_virtio_net_write(&nd, off, 4, value);
            else
                vdev_virtio_blk_write(&bd, off, 4, value);
            break;
        case 1: /* register read, config space included */
            if (net)
                (void)vdev_virtio_net_read(&nd, off, 1u << (op[2] % 4));
            else
                (void)vdev_virtio_blk_read(&bd, off, 1u << (op[2] % 4));
            break;
        case 2: /* a frame arrives from the subnet: its bytes are a piece of RAM */
            if (net) {
                size_t len = value % (VNET_FRAME_MAX + 64);
                size_t at = (value >> 16) % RAM_BYTES;
                if (len > RAM_BYTES - at)
                    len = RAM_BYTES - at;
                (void)vdev_virtio_net_receive(&nd, g.ram + at, len);
            }
            break;
        default: /* the guest changes a byte of RAM (the driver filling its rings) */
            g.ram[value % RAM_BYTES] = op[1];
            break;
        }
        if (net && nd.pending_count > VDEV_NET_RX_PENDING)
            abort();
    }
    if (net) {
        total_tx += nd.tx_frames;
        total_rx += nd.rx_frames;
        total_resets += (nd.status & 0x40) != 0;
    } else {
        total_blk_requests += bd.requests;
        total_resets += (bd.status & 0x40) != 0;
        vdev_virtio_blk_close(&bd);
    }
    return 0;
}

#ifdef FUZZ_VIRTIO_SMOKE
/*
 * Seeded inputs that get past the handshake: a driver that sets the queues
 * up properly (descriptor table, avail and used rings in RAM, QueueReady,
 * DRIVER_OK), then random descriptors, ring indexes, notifies, frames and
 * register writes.
 */
static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static size_t put_op(uint8_t *p, uint8_t kind, uint8_t reg, uint32_t value)
{
    p[0] = kind;
    p[1] = reg;
    for (int i = 0; i < 4; i++)
        p[2 + i] = (uint8_t)(value >> 8 * i);
    return OP_BYTES;
}

static size_t seed(uint8_t *buf, bool net)
{
    static uint8_t ram[RAM_BYTES];
    static uint8_t ops[OPS_MAX * OP_BYTES];
    /* RAM: per queue q, descriptors at q * 0x1000 (16 entries), the avail ring at + 0x400,
     * the used ring at + 0x800, buffers from 0x2000; the rest random. */
    for (unsigned i = 0; i < RAM_BYTES; i++)
        ram[i] = (uint8_t)next();
    /* Mostly well-formed: queue 1 (transmit) chains of header + frame, queue 0 (receive)
     * device-writable buffers, the block queue header/data/status; one descriptor in eight
     * is garbage, and the avail index starts anywhere up to 24. */
    for (unsigned q = 0; q < 2; q++) {
        for (unsigned i = 0; i < 16; i++) {
            uint8_t *d = ram + q * 0x1000 + 16 * i;
            uint64_t addr = 0x2000 + next() % 0x1000;
            uint32_t len;
            uint16_t flags, nxt = (uint16_t)((i + 1) % 16);
            if (net && q == 1) { /* header + frame in one or two descriptors */
                len = 12 + VNET_FRAME_MIN + next() % 400;
                flags = next() % 3 == 0 ? 1 : 0;
            } else if (net) { /* a receive buffer */
                len = 12 + VNET_FRAME_MAX;
                flags = 2;
            } else { /* header (read), data (write or read), status (write) */
                len = i % 3 == 0 ? 16 : i % 3 == 1 ? 512 : 1;
                flags = i % 3 == 0 ? 1 : i % 3 == 1 ? (uint16_t)(1 | (next() % 2 ? 2 : 0)) : 2;
            }
            if (next() % 8 == 0) {
                addr = next() % 0x4000, len = next(), flags = (uint16_t)next(),
                nxt = (uint16_t)next();
            }
            memcpy(d, &addr, 8), memcpy(d + 8, &len, 4), memcpy(d + 12, &flags, 2);
            memcpy(d + 14, &nxt, 2);
            uint16_t head = (uint16_t)(net ? i : i / 3 * 3);
            memcpy(ram + q * 0x1000 + 0x404 + 2 * i, &head, 2);
        }
        uint16_t flags = 0, idx = (uint16_t)(next() % 24);
        memcpy(ram + q * 0x1000 + 0x400, &flags, 2);
        memcpy(ram + q * 0x1000 + 0x402, &idx, 2);
        memset(ram + q * 0x1000 + 0x800, 0, 4); /* used ring flags and index */
    }
    size_t n = 0;
    n += put_op(ops + n, 0, 0x070 / 4, 1 | 2 | 8); /* ACKNOWLEDGE, DRIVER, FEATURES_OK */
    for (unsigned q = 0; q < (net ? 2u : 1u); q++) {
        n += put_op(ops + n, 0, 0x030 / 4, q);
        n += put_op(ops + n, 0, 0x038 / 4, 16);
        n += put_op(ops + n, 0, 0x080 / 4, q * 0x1000);
        n += put_op(ops + n, 0, 0x090 / 4, q * 0x1000 + 0x400);
        n += put_op(ops + n, 0, 0x0a0 / 4, q * 0x1000 + 0x800);
        n += put_op(ops + n, 0, 0x044 / 4, 1);
    }
    n += put_op(ops + n, 0, 0x070 / 4, 1 | 2 | 4 | 8);
    size_t count = OPS_MAX / 2 + next() % (OPS_MAX / 2);
    while (n < count * OP_BYTES) {
        switch (next() % 8) {
        case 0:
        case 1: n += put_op(ops + n, 0, 0x050 / 4, next() % 3); break; /* notify */
        case 2: n += put_op(ops + n, 2, 0, next()); break;             /* a frame */
        case 3: n += put_op(ops + n, 1, (uint8_t)next(), next()); break;
        case 4: n += put_op(ops + n, 0, (uint8_t)next(), next() % 64); break;
        case 5: n += put_op(ops + n, 0, 0x064 / 4, 1); break; /* interrupt ACK */
        default: /* bump an avail index or rewrite a descriptor byte */
            n += put_op(ops + n, 3, (uint8_t)next(),
                        next() % 2 ? (next() % 2) * 0x1000 + 0x402 : next() % 0x2000);
            break;
        }
    }
    buf[0] = net;
    buf[1] = (uint8_t)(n / OP_BYTES);
    memcpy(buf + 2, ops, n);
    memcpy(buf + 2 + n, ram, RAM_BYTES);
    return 2 + n + RAM_BYTES;
}

/* With FUZZ_VIRTIO_SEEDS=DIR, the seeds are also written there: a corpus for libFuzzer. */
static void save_seed(const uint8_t *buf, size_t n, unsigned i)
{
    const char *dir = getenv("FUZZ_VIRTIO_SEEDS");
    if (dir == NULL || i >= 64)
        return;
    char path[512];
    snprintf(path, sizeof path, "%s/seed-%02u", dir, i);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(buf, 1, n, f);
        fclose(f);
    }
}

int main(void)
{
    static uint8_t buf[2 + OPS_MAX * OP_BYTES + RAM_BYTES];
    unsigned runs = 0;
    for (unsigned i = 0; i < 3000; i++) {
        size_t n = seed(buf, i % 2);
        save_seed(buf, n, i);
        LLVMFuzzerTestOneInput(buf, n);
        /* and a truncated copy: part of the RAM image missing (zero) */
        LLVMFuzzerTestOneInput(buf, 2 + (size_t)next() % (n - 2));
        runs += 2;
    }
    unlink(disk_path());
    printf("fuzz_virtio: %u runs: %llu frames sent, %llu received, %llu block requests, %llu "
           "devices broken by their driver; nothing escaped\n",
           runs, (unsigned long long)total_tx, (unsigned long long)total_rx,
           (unsigned long long)total_blk_requests, (unsigned long long)total_resets);
    /* The seeds must reach the data paths and the error paths, or the run proves little. */
    return total_tx && total_rx && total_blk_requests && total_resets ? 0 : 1;
}
#endif
