/*
 * vnet.c - the virtual subnet's switch inside one monitor (vnet.h). The
 * MACs are fixed by VM id, so the switch needs no learning: a unicast goes
 * to the VM its destination MAC names if that VM is here, on the same subnet
 * and running; otherwise up to the host. Delivery is a copy into the
 * receiving device (its net_rx hook), in the sender's simulated instant.
 */
#include "vnet.h"

#include <string.h>

#include "monitor_internal.h"

static void deliver(struct vm *to, const uint8_t *frame, size_t len)
{
    if (to->status.state != VM_RUNNING || to->net_rx == NULL) {
        to->stats.net_dropped++;
        return;
    }
    to->net_rx(to->net_rx_opaque, frame, len);
}

/* Local delivery of a frame on `net`, except to `from` (NULL: it came from the uplink).
 * Returns true if a unicast found its VM here (nothing left for the uplink). */
static bool switch_local(struct monitor *m, struct vm *from, uint32_t net, const uint8_t *frame,
                         size_t len)
{
    if (vnet_mac_group(frame)) {
        for (struct vm *o = m->vms; o; o = o->next)
            if (o != from && o->net == net)
                deliver(o, frame, len);
        return false;
    }
    uint32_t id;
    if (!vnet_mac_vm(frame, &id))
        return false;
    for (struct vm *o = m->vms; o; o = o->next)
        if (o->id == id) {
            if (o->net == net && o != from)
                deliver(o, frame, len);
            return true; /* here, whether it took the frame or not: never another server's */
        }
    return false;
}

int vnet_send(struct vm *vm, const uint8_t *frame, size_t len)
{
    uint8_t own[6];
    vnet_mac(vm->id, own);
    if (vm->net == 0 || len < VNET_FRAME_MIN || len > VNET_FRAME_MAX ||
        memcmp(frame + 6, own, 6) != 0) {
        vm->stats.net_dropped++;
        return -1;
    }
    vm->stats.net_tx_frames++;
    vm->stats.net_tx_bytes += len;
    struct monitor *m = vm->m;
    if (!switch_local(m, vm, vm->net, frame, len) && m->host.net_uplink)
        m->host.net_uplink(m->host.opaque, vm->net, frame, len);
    return 0;
}

void monitor_net_deliver(struct monitor *m, uint32_t net, const uint8_t *frame, size_t len)
{
    if (net == 0 || len < VNET_FRAME_MIN || len > VNET_FRAME_MAX)
        return;
    (void)switch_local(m, NULL, net, frame, len);
}
