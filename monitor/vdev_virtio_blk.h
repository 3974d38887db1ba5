/*
 * vdev_virtio_blk.h - a virtio block device over the virtio-mmio transport
 * (OASIS virtio 1.1, sections 4.2 and 5.2; "virtio,mmio" in the device tree),
 * version 2 registers, one split virtqueue. The disk is host memory the
 * device owns (a private copy-on-write mapping of an image file: guest
 * writes never reach the file). Every descriptor address goes through the
 * host's DMA callbacks, which check it (the monitor: monitor_vm_read_phys /
 * write_phys through the pmap). Used by Linux VMs and bare Linux.
 */
#ifndef DISCO_MONITOR_VDEV_VIRTIO_BLK_H
#define DISCO_MONITOR_VDEV_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTIO_MMIO_SIZE 0x200u
#define VIRTIO_QUEUE_MAX 128u

struct vdev_virtio_host {
    /* Guest physical DMA; nonzero when [gpa, gpa + len) is not all guest RAM. */
    int (*dma_read)(void *opaque, uint64_t gpa, void *buf, size_t len);
    int (*dma_write)(void *opaque, uint64_t gpa, const void *buf, size_t len);
    void (*set_irq)(void *opaque, bool level);
    void *opaque;
};

struct vdev_virtio_blk {
    struct vdev_virtio_host host;
    uint8_t *disk; /* the disk's bytes (mmap'ed privately) */
    uint64_t disk_bytes;
    uint32_t status, dev_features_sel, drv_features_sel, queue_sel, int_status;
    uint64_t drv_features;
    struct {
        uint32_t num;
        bool ready;
        uint64_t desc, avail, used;
        uint16_t last_avail;
    } q;
    uint64_t requests, bytes_read, bytes_written, errors;
};

/* Maps the image file (private: guest writes stay in memory). Returns 0 or a DISCO_E* code. */
int vdev_virtio_blk_open(struct vdev_virtio_blk *d, const char *path,
                         const struct vdev_virtio_host *host) __attribute__((warn_unused_result));
void vdev_virtio_blk_close(struct vdev_virtio_blk *d);
uint64_t vdev_virtio_blk_read(struct vdev_virtio_blk *d, uint64_t offset, unsigned size);
void vdev_virtio_blk_write(struct vdev_virtio_blk *d, uint64_t offset, unsigned size,
                           uint64_t value);

#endif
