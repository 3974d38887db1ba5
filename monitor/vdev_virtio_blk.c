/*
 * vdev_virtio_blk.c - the virtio-mmio block device of vdev_virtio_blk.h.
 * Requests are served synchronously when the driver writes QueueNotify: each
 * available descriptor chain is a header (type, sector), data buffers and a
 * one-byte status (virtio 1.1, 5.2.6). A malformed chain (a loop, a buffer
 * outside guest RAM, a sector past the end) fails with VIRTIO_BLK_S_IOERR or
 * marks the device as needing a reset; the guest never reaches host memory
 * outside its disk and its own RAM.
 */
#include "vdev_virtio_blk.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disco_err.h"
#include "virtio_mmio.h"

#define VIRTIO_ID_BLOCK 2u
#define BLK_T_IN        0u
#define BLK_T_OUT       1u
#define BLK_T_FLUSH     4u
#define BLK_T_GET_ID    8u
#define BLK_S_OK        0u
#define BLK_S_IOERR     1u
#define BLK_S_UNSUPP    2u
#define SECTOR          512u
#define CHAIN_MAX       (VIRTIO_QUEUE_MAX + 2u)

int vdev_virtio_blk_open(struct vdev_virtio_blk *d, const char *path,
                         const struct vdev_virtio_host *host)
{
    memset(d, 0, sizeof *d);
    d->host = *host;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return DISCO_ENOENT;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)SECTOR || st.st_size % SECTOR != 0) {
        close(fd);
        return DISCO_EINVAL;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return DISCO_ENOMEM;
    d->disk = p;
    d->disk_bytes = (uint64_t)st.st_size;
    return DISCO_OK;
}

void vdev_virtio_blk_close(struct vdev_virtio_blk *d)
{
    if (d->disk)
        munmap(d->disk, d->disk_bytes);
    d->disk = NULL;
}

static void reset(struct vdev_virtio_blk *d)
{
    d->status = d->int_status = 0;
    d->drv_features = 0;
    memset(&d->q, 0, sizeof d->q);
    if (d->host.set_irq)
        d->host.set_irq(d->host.opaque, false);
}

static int read_desc(struct vdev_virtio_blk *d, uint16_t i, struct virtio_desc *out)
{
    uint8_t b[16];
    if (i >= d->q.num || d->host.dma_read(d->host.opaque, d->q.desc + 16ull * i, b, sizeof b))
        return -1;
    *out = virtio_desc_decode(b);
    return 0;
}

/* Moves len bytes between the disk at byte `at` and the guest buffer. */
static int transfer(struct vdev_virtio_blk *d, const struct virtio_desc *b, uint64_t at,
                    bool to_guest)
{
    if (at > d->disk_bytes || b->len > d->disk_bytes - at)
        return -1;
    if (to_guest) {
        d->bytes_read += b->len;
        return d->host.dma_write(d->host.opaque, b->addr, d->disk + at, b->len);
    }
    d->bytes_written += b->len;
    return d->host.dma_read(d->host.opaque, b->addr, d->disk + at, b->len);
}

/* Serves the chain at head; returns the bytes written into guest buffers, or -1 if malformed. */
static int64_t serve(struct vdev_virtio_blk *d, uint16_t head)
{
    struct virtio_desc chain[CHAIN_MAX];
    unsigned n = 0;
    uint16_t i = head;
    for (;;) {
        if (n == CHAIN_MAX || read_desc(d, i, &chain[n]) != 0)
            return -1; /* a loop or an index outside the table */
        if (!(chain[n].flags & DESC_F_NEXT))
            break;
        i = chain[n++].next;
    }
    n++;
    const struct virtio_desc *st = &chain[n - 1];
    uint8_t hdr[16];
    if (n < 2 || chain[0].len < sizeof hdr || (chain[0].flags & DESC_F_WRITE) ||
        !(st->flags & DESC_F_WRITE) || st->len < 1 ||
        d->host.dma_read(d->host.opaque, chain[0].addr, hdr, sizeof hdr))
        return -1;
    uint32_t type = (uint32_t)virtio_le(hdr, 4);
    uint64_t at = virtio_le(hdr + 8, 8) * SECTOR;
    uint8_t status = BLK_S_OK;
    int64_t written = 1;
    d->requests++;
    for (unsigned k = 1; k + 1 < n && status == BLK_S_OK; k++) {
        const struct virtio_desc *b = &chain[k];
        bool guest_writes_it = (b->flags & DESC_F_WRITE) != 0;
        if (type == BLK_T_IN && guest_writes_it) {
            if (transfer(d, b, at, true) != 0)
                status = BLK_S_IOERR;
            written += b->len;
        } else if (type == BLK_T_OUT && !guest_writes_it) {
            if (transfer(d, b, at, false) != 0)
                status = BLK_S_IOERR;
        } else if (type == BLK_T_GET_ID && guest_writes_it) {
            uint8_t id[20] = "disco-vda";
            size_t len = b->len < sizeof id ? b->len : sizeof id;
            if (d->host.dma_write(d->host.opaque, b->addr, id, len))
                status = BLK_S_IOERR;
            written += (int64_t)len;
        } else if (type != BLK_T_FLUSH) {
            status = BLK_S_UNSUPP;
        }
        at += b->len;
    }
    if (type != BLK_T_IN && type != BLK_T_OUT && type != BLK_T_FLUSH && type != BLK_T_GET_ID)
        status = BLK_S_UNSUPP;
    if (status != BLK_S_OK)
        d->errors++;
    if (d->host.dma_write(d->host.opaque, st->addr, &status, 1))
        return -1;
    return written;
}

/* Serves every chain the driver made available, then interrupts once. */
static void notify(struct vdev_virtio_blk *d)
{
    if (!d->q.ready || d->q.num == 0 || (d->status & STATUS_NEEDS_RESET))
        return;
    uint8_t idx[2];
    if (d->host.dma_read(d->host.opaque, d->q.avail + 2, idx, 2))
        goto broken;
    uint16_t avail_idx = (uint16_t)virtio_le(idx, 2);
    if ((uint16_t)(avail_idx - d->q.last_avail) > d->q.num)
        goto broken; /* the driver claims more than the ring holds */
    bool served = false;
    while (d->q.last_avail != avail_idx) {
        uint8_t e[2], used[8], uidx[2];
        uint16_t slot = d->q.last_avail % d->q.num;
        if (d->host.dma_read(d->host.opaque, d->q.avail + 4 + 2ull * slot, e, 2))
            goto broken;
        uint16_t head = (uint16_t)virtio_le(e, 2);
        int64_t len = serve(d, head);
        if (len < 0)
            goto broken;
        if (d->host.dma_read(d->host.opaque, d->q.used + 2, uidx, 2))
            goto broken;
        uint16_t used_idx = (uint16_t)virtio_le(uidx, 2);
        virtio_put_le(used, head, 4);
        virtio_put_le(used + 4, (uint64_t)len, 4);
        if (d->host.dma_write(d->host.opaque, d->q.used + 4 + 8ull * (used_idx % d->q.num), used,
                              8))
            goto broken;
        virtio_put_le(uidx, (uint16_t)(used_idx + 1), 2);
        if (d->host.dma_write(d->host.opaque, d->q.used + 2, uidx, 2))
            goto broken;
        d->q.last_avail++;
        served = true;
    }
    if (served) {
        d->int_status |= 1; /* used buffer notification */
        d->host.set_irq(d->host.opaque, true);
    }
    return;
broken:
    /* virtio 1.1, 2.1.2: the device signals an unrecoverable error. */
    d->status |= STATUS_NEEDS_RESET;
    d->int_status |= 2; /* configuration change */
    d->host.set_irq(d->host.opaque, true);
}

uint64_t vdev_virtio_blk_read(struct vdev_virtio_blk *d, uint64_t offset, unsigned size)
{
    if (offset >= VM_CONFIG) {
        /* struct virtio_blk_config: capacity in sectors, then fields we leave 0. */
        uint8_t cfg[64] = {0};
        virtio_put_le(cfg, d->disk_bytes / SECTOR, 8);
        uint64_t off = offset - VM_CONFIG;
        return off + size <= sizeof cfg ? virtio_le(cfg + off, size) : 0;
    }
    switch (offset) {
    case VM_MAGIC: return VIRTIO_MAGIC;
    case VM_VERSION: return 2;
    case VM_DEVICE_ID: return VIRTIO_ID_BLOCK;
    case VM_VENDOR_ID: return VIRTIO_VENDOR;
    case VM_DEV_FEATURES: return d->dev_features_sel == 1 ? 1u << (VIRTIO_F_VERSION_1 - 32) : 0;
    case VM_QUEUE_NUM_MAX: return d->queue_sel == 0 ? VIRTIO_QUEUE_MAX : 0;
    case VM_QUEUE_READY: return d->queue_sel == 0 && d->q.ready;
    case VM_INT_STATUS: return d->int_status;
    case VM_STATUS: return d->status;
    case VM_CONFIG_GEN: return 0;
    default: return 0;
    }
}

void vdev_virtio_blk_write(struct vdev_virtio_blk *d, uint64_t offset, unsigned size,
                           uint64_t value)
{
    (void)size;
    bool q0 = d->queue_sel == 0;
    switch (offset) {
    case VM_DEV_FEATURES_SEL: d->dev_features_sel = (uint32_t)value; break;
    case VM_DRV_FEATURES_SEL: d->drv_features_sel = (uint32_t)value; break;
    case VM_DRV_FEATURES:
        if (d->drv_features_sel < 2)
            virtio_set_half(&d->drv_features, d->drv_features_sel == 1, value);
        break;
    case VM_QUEUE_SEL: d->queue_sel = (uint32_t)value; break;
    case VM_QUEUE_NUM:
        if (q0 && value > 0 && value <= VIRTIO_QUEUE_MAX && (value & (value - 1)) == 0)
            d->q.num = (uint32_t)value;
        break;
    case VM_QUEUE_READY:
        if (q0)
            d->q.ready = value & 1;
        break;
    case VM_QUEUE_NOTIFY: notify(d); break;
    case VM_INT_ACK:
        d->int_status &= ~(uint32_t)value;
        if (d->int_status == 0)
            d->host.set_irq(d->host.opaque, false);
        break;
    case VM_STATUS:
        if (value == 0)
            reset(d);
        else
            d->status = (uint32_t)value;
        break;
    case VM_QUEUE_DESC_LO:
    case VM_QUEUE_DESC_HI:
        if (q0)
            virtio_set_half(&d->q.desc, offset == VM_QUEUE_DESC_HI, value);
        break;
    case VM_QUEUE_AVAIL_LO:
    case VM_QUEUE_AVAIL_HI:
        if (q0)
            virtio_set_half(&d->q.avail, offset == VM_QUEUE_AVAIL_HI, value);
        break;
    case VM_QUEUE_USED_LO:
    case VM_QUEUE_USED_HI:
        if (q0)
            virtio_set_half(&d->q.used, offset == VM_QUEUE_USED_HI, value);
        break;
    default: break;
    }
}
