/*
 * vdev_virtio_net.h - a virtio network device over virtio-mmio version 2
 * (OASIS virtio 1.1, sections 4.2 and 5.1): receiveq 0, transmitq 1, no
 * control queue; features VERSION_1, MAC and STATUS only, so a 12-byte
 * virtio_net_hdr_v1 precedes every frame. The VM's port on its subnet
 * (vnet.h); every guest address goes through the host's checked DMA.
 */
#ifndef DISCO_MONITOR_VDEV_VIRTIO_NET_H
#define DISCO_MONITOR_VDEV_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdev_virtio_blk.h" /* struct vdev_virtio_host, VIRTIO_MMIO_SIZE, VIRTIO_QUEUE_MAX */
#include "vnet.h"            /* VNET_FRAME_MIN/MAX */

#define VDEV_NET_HDR_LEN    12u /* struct virtio_net_hdr_v1 (virtio 1.1, 5.1.6) */
#define VDEV_NET_QUEUES     2u  /* 0: receiveq, 1: transmitq */
#define VDEV_NET_RX_PENDING 64u /* frames held for a driver with no buffer posted */

/* What the device tells its host besides DMA and interrupts (may be NULL each). */
struct vdev_virtio_net_ops {
    /* The driver sent a frame (VNET_FRAME_MIN..VNET_FRAME_MAX bytes, no header). */
    void (*transmit)(void *opaque, const uint8_t *frame, size_t len);
    /* A received frame of len bytes reached the driver's buffer. */
    void (*delivered)(void *opaque, size_t len);
    /* A frame was dropped by the device (either direction). */
    void (*dropped)(void *opaque);
};

struct vdev_virtio_net {
    struct vdev_virtio_host host; /* DMA, interrupt line; host.opaque is passed to ops too */
    struct vdev_virtio_net_ops ops;
    uint8_t mac[6];
    uint32_t status, dev_features_sel, drv_features_sel, queue_sel, int_status;
    uint64_t drv_features;
    struct vdev_net_queue {
        uint32_t num;
        bool ready;
        uint64_t desc, avail, used;
        uint16_t last_avail; /* next avail ring entry the device takes */
        uint16_t used_idx;   /* the device's own copy: the driver cannot move it */
    } q[VDEV_NET_QUEUES];
    /* Received frames waiting for receive buffers: a ring. */
    struct {
        uint16_t len;
        uint8_t bytes[VNET_FRAME_MAX];
    } pending[VDEV_NET_RX_PENDING];
    unsigned pending_head, pending_count;
    /* Counters: frames/bytes (without the header) sent and delivered, drops. */
    uint64_t tx_frames, tx_bytes, rx_frames, rx_bytes, tx_dropped, rx_dropped;
};

/* Sets the device up in its reset state (no allocation: nothing to free). */
void vdev_virtio_net_init(struct vdev_virtio_net *d, const uint8_t mac[6],
                          const struct vdev_virtio_host *host,
                          const struct vdev_virtio_net_ops *ops);
/* Register access at offset (0 .. VIRTIO_MMIO_SIZE) of the device's page. */
uint64_t vdev_virtio_net_read(struct vdev_virtio_net *d, uint64_t offset, unsigned size);
void vdev_virtio_net_write(struct vdev_virtio_net *d, uint64_t offset, unsigned size,
                           uint64_t value);
/*
 * A frame for the driver (destination MAC, source MAC, type, payload; no
 * FCS). Written into a posted receive buffer with a zero header (num_buffers
 * = 1) and the interrupt raised; without a buffer it waits in the pending
 * queue (delivered when the driver next notifies the receive queue); dropped
 * and counted when that queue is full, the driver is not ready or the frame
 * is malformed. Returns 0 if delivered or queued, -1 if dropped.
 */
int vdev_virtio_net_receive(struct vdev_virtio_net *d, const uint8_t *frame, size_t len);

#endif
