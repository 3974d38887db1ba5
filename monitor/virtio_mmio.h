/*
 * virtio_mmio.h - what the virtio-mmio devices (vdev_virtio_blk.c,
 * vdev_virtio_net.c) share: the version 2 register map (OASIS virtio 1.1,
 * 4.2.2), the common status and descriptor bits, the split-ring descriptor
 * as read from guest memory (2.6.5), and the little-endian field helpers
 * (virtio 1.x structures are little-endian whatever the guest's byte order).
 */
#ifndef DISCO_MONITOR_VIRTIO_MMIO_H
#define DISCO_MONITOR_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

enum {
    VM_MAGIC = 0x000,
    VM_VERSION = 0x004,
    VM_DEVICE_ID = 0x008,
    VM_VENDOR_ID = 0x00c,
    VM_DEV_FEATURES = 0x010,
    VM_DEV_FEATURES_SEL = 0x014,
    VM_DRV_FEATURES = 0x020,
    VM_DRV_FEATURES_SEL = 0x024,
    VM_QUEUE_SEL = 0x030,
    VM_QUEUE_NUM_MAX = 0x034,
    VM_QUEUE_NUM = 0x038,
    VM_QUEUE_READY = 0x044,
    VM_QUEUE_NOTIFY = 0x050,
    VM_INT_STATUS = 0x060,
    VM_INT_ACK = 0x064,
    VM_STATUS = 0x070,
    VM_QUEUE_DESC_LO = 0x080,
    VM_QUEUE_DESC_HI = 0x084,
    VM_QUEUE_AVAIL_LO = 0x090,
    VM_QUEUE_AVAIL_HI = 0x094,
    VM_QUEUE_USED_LO = 0x0a0,
    VM_QUEUE_USED_HI = 0x0a4,
    VM_CONFIG_GEN = 0x0fc,
    VM_CONFIG = 0x100,
};

#define VIRTIO_MAGIC       0x74726976u /* "virt" */
#define VIRTIO_VENDOR      0x44495343u /* "DISC" */
#define VIRTIO_F_VERSION_1 32u
#define STATUS_DRIVER_OK   0x04u
#define STATUS_NEEDS_RESET 0x40u
#define DESC_F_NEXT        1u
#define DESC_F_WRITE       2u
#define VIRTIO_DESC_BYTES  16u

struct virtio_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
};

static inline uint64_t virtio_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static inline void virtio_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

/* A descriptor from its 16 bytes in the table. */
static inline struct virtio_desc virtio_desc_decode(const uint8_t b[VIRTIO_DESC_BYTES])
{
    return (struct virtio_desc){.addr = virtio_le(b, 8),
                                .len = (uint32_t)virtio_le(b + 8, 4),
                                .flags = (uint16_t)virtio_le(b + 12, 2),
                                .next = (uint16_t)virtio_le(b + 14, 2)};
}

/* Writes the low or high 32 bits of a 64-bit register pair (QueueDescLow/High, ...). */
static inline void virtio_set_half(uint64_t *v, bool high, uint64_t value)
{
    *v = high ? (*v & 0xffffffffull) | (value & 0xffffffffull) << 32
              : (*v & ~0xffffffffull) | (value & 0xffffffffull);
}

#endif
