/*
 * vdev_virtio_net.c - the virtio-mmio network device of vdev_virtio_net.h.
 * Transmit runs when the driver notifies queue 1; receive fills the next
 * posted buffer or waits in a bounded queue. A malformed chain (loop, index
 * outside the table, buffer outside guest RAM, wrong direction) marks the
 * device as needing a reset; a frame of a bad size is only dropped.
 */
#include "vdev_virtio_net.h"

#include <string.h>

#include "virtio_mmio.h"

#define VIRTIO_ID_NET        1u
#define F_NET_MAC            5u /* virtio 1.1, 5.1.3 */
#define F_NET_STATUS         16u
#define NET_S_LINK_UP        1u
#define AVAIL_F_NO_INTERRUPT 1u /* virtio 1.1, 2.6.7: the driver asks for no used notification */
#define RXQ                  0u
#define TXQ                  1u
#define CHAIN_MAX            VIRTIO_QUEUE_MAX /* a chain longer than the table must loop */
#define PACKET_MAX           (VDEV_NET_HDR_LEN + VNET_FRAME_MAX)

static void dropped(struct vdev_virtio_net *d, bool rx)
{
    if (rx)
        d->rx_dropped++;
    else
        d->tx_dropped++;
    if (d->ops.dropped)
        d->ops.dropped(d->host.opaque);
}

static void set_irq(struct vdev_virtio_net *d, bool level)
{
    if (d->host.set_irq)
        d->host.set_irq(d->host.opaque, level);
}

static void reset(struct vdev_virtio_net *d)
{
    /* Frames still waiting had a driver that is now gone. */
    while (d->pending_count > 0) {
        d->pending_count--;
        dropped(d, true);
    }
    d->pending_head = 0;
    d->status = d->int_status = 0;
    d->drv_features = 0;
    d->queue_sel = d->dev_features_sel = d->drv_features_sel = 0;
    memset(d->q, 0, sizeof d->q);
    set_irq(d, false);
}

void vdev_virtio_net_init(struct vdev_virtio_net *d, const uint8_t mac[6],
                          const struct vdev_virtio_host *host,
                          const struct vdev_virtio_net_ops *ops)
{
    memset(d, 0, sizeof *d);
    d->host = *host;
    if (ops)
        d->ops = *ops;
    memcpy(d->mac, mac, 6);
}

/* virtio 1.1, 2.1.2: the device signals an unrecoverable error in the driver's rings. */
static void broken(struct vdev_virtio_net *d)
{
    d->status |= STATUS_NEEDS_RESET;
    d->int_status |= 2; /* configuration change */
    set_irq(d, true);
}

static bool usable(const struct vdev_virtio_net *d, unsigned qi)
{
    const struct vdev_net_queue *q = &d->q[qi];
    return (d->status & STATUS_DRIVER_OK) && !(d->status & STATUS_NEEDS_RESET) && q->ready &&
           q->num > 0;
}

static int read_desc(struct vdev_virtio_net *d, const struct vdev_net_queue *q, uint16_t i,
                     struct virtio_desc *out)
{
    uint8_t b[16];
    if (i >= q->num || d->host.dma_read(d->host.opaque, q->desc + 16ull * i, b, sizeof b))
        return -1;
    *out = virtio_desc_decode(b);
    return 0;
}

/*
 * The chain at head, every descriptor of direction `writable`, into chain[];
 * returns its length, or -1 if malformed (a loop, an index outside the
 * table, a descriptor of the other direction).
 */
static int walk(struct vdev_virtio_net *d, const struct vdev_net_queue *q, uint16_t head,
                bool writable, struct virtio_desc *chain)
{
    unsigned n = 0;
    uint16_t i = head;
    for (;;) {
        if (n == CHAIN_MAX || read_desc(d, q, i, &chain[n]) != 0)
            return -1;
        if (((chain[n].flags & DESC_F_WRITE) != 0) != writable)
            return -1;
        if (!(chain[n].flags & DESC_F_NEXT))
            return (int)n + 1;
        i = chain[n++].next;
    }
}

/* How many chains the driver made available on q; -1 if it claims more than the ring holds. */
static int available(struct vdev_virtio_net *d, struct vdev_net_queue *q)
{
    uint8_t idx[2];
    if (d->host.dma_read(d->host.opaque, q->avail + 2, idx, 2))
        return -1;
    uint16_t n = (uint16_t)((uint16_t)virtio_le(idx, 2) - q->last_avail);
    return n > q->num ? -1 : n;
}

/* The head of the next available chain (consumed), or -1. */
static int take(struct vdev_virtio_net *d, struct vdev_net_queue *q)
{
    uint8_t e[2];
    if (d->host.dma_read(d->host.opaque, q->avail + 4 + 2ull * (q->last_avail % q->num), e, 2))
        return -1;
    q->last_avail++;
    return (int)virtio_le(e, 2);
}

/* Returns chain head to the driver with `len` bytes written; -1 if the used ring is unreachable. */
static int give_back(struct vdev_virtio_net *d, struct vdev_net_queue *q, uint16_t head,
                     uint32_t len)
{
    uint8_t used[8], uidx[2];
    virtio_put_le(used, head, 4);
    virtio_put_le(used + 4, len, 4);
    if (d->host.dma_write(d->host.opaque, q->used + 4 + 8ull * (q->used_idx % q->num), used, 8))
        return -1;
    q->used_idx++;
    virtio_put_le(uidx, q->used_idx, 2);
    return d->host.dma_write(d->host.opaque, q->used + 2, uidx, 2) ? -1 : 0;
}

/* A used buffer notification (virtio 1.1, 4.2.3.4), unless the driver suppressed it. */
static void notify_used(struct vdev_virtio_net *d, struct vdev_net_queue *q)
{
    uint8_t flags[2];
    if (d->host.dma_read(d->host.opaque, q->avail, flags, 2) == 0 &&
        (virtio_le(flags, 2) & AVAIL_F_NO_INTERRUPT))
        return;
    d->int_status |= 1;
    set_irq(d, true);
}

/* ---- transmit ---- */

/* Sends the chain at head; -1 if malformed (the device then needs a reset). */
static int send_chain(struct vdev_virtio_net *d, struct vdev_net_queue *q, uint16_t head)
{
    struct virtio_desc chain[CHAIN_MAX];
    int n = walk(d, q, head, false, chain);
    if (n < 0)
        return -1;
    uint64_t total = 0;
    for (int k = 0; k < n; k++)
        total += chain[k].len;
    if (total < VDEV_NET_HDR_LEN + VNET_FRAME_MIN || total > PACKET_MAX) {
        dropped(d, false); /* not a frame the subnet carries: the driver gets the buffer back */
        return 0;
    }
    uint8_t packet[PACKET_MAX];
    size_t at = 0;
    for (int k = 0; k < n; k++) {
        if (d->host.dma_read(d->host.opaque, chain[k].addr, packet + at, chain[k].len))
            return -1;
        at += chain[k].len;
    }
    /* The header asks for nothing we offered (no checksum or segmentation offload): ignored. */
    d->tx_frames++;
    d->tx_bytes += at - VDEV_NET_HDR_LEN;
    if (d->ops.transmit)
        d->ops.transmit(d->host.opaque, packet + VDEV_NET_HDR_LEN, at - VDEV_NET_HDR_LEN);
    return 0;
}

static void transmit_all(struct vdev_virtio_net *d)
{
    struct vdev_net_queue *q = &d->q[TXQ];
    if (!usable(d, TXQ))
        return;
    int n = available(d, q);
    if (n < 0)
        goto bad;
    for (int k = 0; k < n; k++) {
        int head = take(d, q);
        if (head < 0 || send_chain(d, q, (uint16_t)head) != 0 ||
            give_back(d, q, (uint16_t)head, 0) != 0)
            goto bad;
    }
    if (n > 0)
        notify_used(d, q);
    return;
bad:
    broken(d);
}

/* ---- receive ---- */

/*
 * Puts the oldest pending frame into the chain at head. Returns 1 if
 * delivered, 0 if the buffer was too small (the frame is dropped, the buffer
 * returned empty), -1 if the chain is malformed.
 */
static int fill_chain(struct vdev_virtio_net *d, struct vdev_net_queue *q, uint16_t head)
{
    struct virtio_desc chain[CHAIN_MAX];
    int n = walk(d, q, head, true, chain);
    if (n < 0)
        return -1;
    const uint8_t *frame = d->pending[d->pending_head].bytes;
    size_t len = d->pending[d->pending_head].len;
    uint8_t packet[PACKET_MAX] = {0};
    /* struct virtio_net_hdr_v1: no flags, no GSO, num_buffers = 1 (virtio 1.1, 5.1.6.4). */
    virtio_put_le(packet + 10, 1, 2);
    memcpy(packet + VDEV_NET_HDR_LEN, frame, len);
    size_t total = VDEV_NET_HDR_LEN + len, at = 0;
    uint64_t room = 0;
    for (int k = 0; k < n; k++)
        room += chain[k].len;
    if (room < total) {
        dropped(d, true);
        return give_back(d, q, head, 0) == 0 ? 0 : -1;
    }
    for (int k = 0; k < n && at < total; k++) {
        size_t part = total - at < chain[k].len ? total - at : chain[k].len;
        if (d->host.dma_write(d->host.opaque, chain[k].addr, packet + at, part))
            return -1;
        at += part;
    }
    if (give_back(d, q, head, (uint32_t)total) != 0)
        return -1;
    d->rx_frames++;
    d->rx_bytes += len;
    if (d->ops.delivered)
        d->ops.delivered(d->host.opaque, len);
    return 1;
}

/* Delivers pending frames while the driver has buffers posted; one interrupt at the end. */
static void flush_pending(struct vdev_virtio_net *d)
{
    struct vdev_net_queue *q = &d->q[RXQ];
    if (d->pending_count == 0 || !usable(d, RXQ))
        return;
    int n = available(d, q);
    if (n < 0)
        goto bad;
    bool used = false;
    for (int k = 0; k < n && d->pending_count > 0; k++) {
        int head = take(d, q);
        if (head < 0 || fill_chain(d, q, (uint16_t)head) < 0)
            goto bad;
        used = true;
        d->pending_head = (d->pending_head + 1) % VDEV_NET_RX_PENDING;
        d->pending_count--;
    }
    if (used)
        notify_used(d, q);
    return;
bad:
    broken(d);
}

int vdev_virtio_net_receive(struct vdev_virtio_net *d, const uint8_t *frame, size_t len)
{
    if (len < VNET_FRAME_MIN || len > VNET_FRAME_MAX || !usable(d, RXQ)) {
        dropped(d, true); /* no driver listening yet (or a broken one): the wire drops it */
        return -1;
    }
    flush_pending(d);
    if (d->pending_count == VDEV_NET_RX_PENDING) {
        dropped(d, true);
        return -1;
    }
    unsigned slot = (d->pending_head + d->pending_count) % VDEV_NET_RX_PENDING;
    d->pending[slot].len = (uint16_t)len;
    memcpy(d->pending[slot].bytes, frame, len);
    d->pending_count++;
    flush_pending(d);
    return 0;
}

/* ---- registers ---- */

uint64_t vdev_virtio_net_read(struct vdev_virtio_net *d, uint64_t offset, unsigned size)
{
    if (offset >= VM_CONFIG) {
        /* struct virtio_net_config (5.1.4): mac, status, max_virtqueue_pairs, mtu. */
        uint8_t cfg[16] = {0};
        memcpy(cfg, d->mac, 6);
        virtio_put_le(cfg + 6, NET_S_LINK_UP, 2);
        virtio_put_le(cfg + 8, 1, 2);
        virtio_put_le(cfg + 10, VNET_FRAME_MAX - 14, 2);
        uint64_t off = offset - VM_CONFIG;
        return size <= 8 && off + size <= sizeof cfg ? virtio_le(cfg + off, size) : 0;
    }
    const struct vdev_net_queue *q = d->queue_sel < VDEV_NET_QUEUES ? &d->q[d->queue_sel] : NULL;
    switch (offset) {
    case VM_MAGIC: return VIRTIO_MAGIC;
    case VM_VERSION: return 2;
    case VM_DEVICE_ID: return VIRTIO_ID_NET;
    case VM_VENDOR_ID: return VIRTIO_VENDOR;
    case VM_DEV_FEATURES:
        if (d->dev_features_sel == 0)
            return 1u << F_NET_MAC | 1u << F_NET_STATUS;
        return d->dev_features_sel == 1 ? 1u << (VIRTIO_F_VERSION_1 - 32) : 0;
    case VM_QUEUE_NUM_MAX: return q ? VIRTIO_QUEUE_MAX : 0;
    case VM_QUEUE_READY: return q && q->ready;
    case VM_INT_STATUS: return d->int_status;
    case VM_STATUS: return d->status;
    case VM_CONFIG_GEN: return 0;
    default: return 0;
    }
}

void vdev_virtio_net_write(struct vdev_virtio_net *d, uint64_t offset, unsigned size,
                           uint64_t value)
{
    (void)size;
    struct vdev_net_queue *q = d->queue_sel < VDEV_NET_QUEUES ? &d->q[d->queue_sel] : NULL;
    switch (offset) {
    case VM_DEV_FEATURES_SEL: d->dev_features_sel = (uint32_t)value; break;
    case VM_DRV_FEATURES_SEL: d->drv_features_sel = (uint32_t)value; break;
    case VM_DRV_FEATURES:
        if (d->drv_features_sel < 2)
            virtio_set_half(&d->drv_features, d->drv_features_sel == 1, value);
        break;
    case VM_QUEUE_SEL: d->queue_sel = (uint32_t)value; break;
    case VM_QUEUE_NUM:
        if (q && value > 0 && value <= VIRTIO_QUEUE_MAX && (value & (value - 1)) == 0)
            q->num = (uint32_t)value;
        break;
    case VM_QUEUE_READY:
        if (q)
            q->ready = value & 1;
        break;
    case VM_QUEUE_NOTIFY:
        /* The value is the queue's index (4.2.2); the receive queue got new buffers. */
        if (value == TXQ)
            transmit_all(d);
        else if (value == RXQ)
            flush_pending(d);
        break;
    case VM_INT_ACK:
        d->int_status &= ~(uint32_t)value;
        if (d->int_status == 0)
            set_irq(d, false);
        break;
    case VM_STATUS:
        if (value == 0)
            reset(d);
        else
            d->status = (uint32_t)value | (d->status & STATUS_NEEDS_RESET);
        break;
    case VM_QUEUE_DESC_LO:
    case VM_QUEUE_DESC_HI:
        if (q)
            virtio_set_half(&q->desc, offset == VM_QUEUE_DESC_HI, value);
        break;
    case VM_QUEUE_AVAIL_LO:
    case VM_QUEUE_AVAIL_HI:
        if (q)
            virtio_set_half(&q->avail, offset == VM_QUEUE_AVAIL_HI, value);
        break;
    case VM_QUEUE_USED_LO:
    case VM_QUEUE_USED_HI:
        if (q)
            virtio_set_half(&q->used, offset == VM_QUEUE_USED_HI, value);
        break;
    default: break;
    }
}
