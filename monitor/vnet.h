/*
 * vnet.h - the virtual subnet (paper, section 4.2.4: VMs of one machine talk
 * over a subnet the monitor provides). Each VM with a network device has a
 * fixed MAC made from its VM id, 02:44:ID (the id big-endian in the last
 * four bytes; 02: locally administered). Frames travel only between VMs on
 * the same subnet number (vm_spec.net): inside one server the monitor
 * switches them directly (vnet.c); across servers the host's uplink carries
 * them and the coordinator switches them by the VM id in the destination
 * MAC (coordinator/vm_run.c). A VM cannot send with another source MAC.
 * Dependency-free, so the coordinator can use the MAC helpers too.
 */
#ifndef DISCO_MONITOR_VNET_H
#define DISCO_MONITOR_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNET_FRAME_MIN 14u   /* an Ethernet header */
#define VNET_FRAME_MAX 1514u /* MTU 1500 plus the header (no FCS) */
#define VNET_MAC_0     0x02u
#define VNET_MAC_1     0x44u

struct vm;

/* The MAC address of VM `vm_id`. */
static inline void vnet_mac(uint32_t vm_id, uint8_t mac[6])
{
    mac[0] = VNET_MAC_0;
    mac[1] = VNET_MAC_1;
    mac[2] = (uint8_t)(vm_id >> 24);
    mac[3] = (uint8_t)(vm_id >> 16);
    mac[4] = (uint8_t)(vm_id >> 8);
    mac[5] = (uint8_t)vm_id;
}

/* The VM id a subnet MAC names; false if the MAC is not one of ours. */
static inline bool vnet_mac_vm(const uint8_t mac[6], uint32_t *vm_id)
{
    if (mac[0] != VNET_MAC_0 || mac[1] != VNET_MAC_1)
        return false;
    *vm_id = (uint32_t)mac[2] << 24 | (uint32_t)mac[3] << 16 | (uint32_t)mac[4] << 8 | mac[5];
    return true;
}

/* A broadcast or multicast destination (the group bit of the first byte). */
static inline bool vnet_mac_group(const uint8_t mac[6])
{
    return (mac[0] & 1u) != 0;
}

/*
 * The network device of `vm` transmits a frame (destination MAC, source MAC,
 * type, payload; no FCS). Dropped, and counted in vm_stats.net_dropped, when
 * its length is outside [VNET_FRAME_MIN, VNET_FRAME_MAX], its source is not
 * the VM's own MAC, or the VM has no subnet. Otherwise counted as sent and
 * delivered to the local VMs it is for; a unicast to a MAC no local VM has
 * and every broadcast/multicast also go to the host's uplink. Returns 0 if
 * the frame was accepted, -1 if dropped.
 */
int vnet_send(struct vm *vm, const uint8_t *frame, size_t len);

#endif
