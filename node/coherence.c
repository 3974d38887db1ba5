/*
 * coherence.c - message metadata, the outbox and the address map of the
 * directory protocol (see coherence.h and docs/protocol.md).
 */
#include "coherence.h"

#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

void coh_outbox_init(struct coh_outbox *box)
{
    memset(box, 0, sizeof(*box));
}

void coh_outbox_fini(struct coh_outbox *box)
{
    free(box->msgs);
    memset(box, 0, sizeof(*box));
}

void coh_outbox_clear(struct coh_outbox *box)
{
    box->count = 0;
}

struct coh_msg *coh_outbox_push(struct coh_outbox *box)
{
    if (box->count == box->capacity) {
        box->capacity = box->capacity ? box->capacity * 2 : 16;
        box->msgs = xrealloc(box->msgs, box->capacity * sizeof(*box->msgs));
    }
    struct coh_msg *m = &box->msgs[box->count++];
    memset(m, 0, offsetof(struct coh_msg, data));
    return m;
}

void coh_outbox_remove(struct coh_outbox *box, size_t i)
{
    if (i >= box->count)
        return;
    box->count--;
    if (i != box->count)
        box->msgs[i] = box->msgs[box->count];
}

int coh_map_check(const struct coh_addr_map *map)
{
    if (map->node_count == 0 || map->cpus_per_node == 0)
        return DISCO_EINVAL;
    if (map->bank_bytes == 0 || (map->bank_bytes & COH_LINE_MASK) || (map->base & COH_LINE_MASK))
        return DISCO_EINVAL;
    if (map->bank_bytes > UINT64_MAX / map->node_count)
        return DISCO_EINVAL;
    if ((uint64_t)map->node_count * map->cpus_per_node > UINT32_MAX)
        return DISCO_EINVAL;
    return 0;
}

bool coh_map_home(const struct coh_addr_map *map, uint64_t paddr, uint32_t *home)
{
    if (paddr < map->base)
        return false;
    uint64_t node = (paddr - map->base) / map->bank_bytes;
    if (node >= map->node_count)
        return false;
    *home = (uint32_t)node;
    return true;
}

uint32_t coh_map_agent_node(const struct coh_addr_map *map, uint32_t agent)
{
    return agent / map->cpus_per_node;
}

uint32_t coh_map_agent_count(const struct coh_addr_map *map)
{
    return map->node_count * map->cpus_per_node;
}

static const char *const type_names[COH_MSG_TYPE_COUNT] = {
    [COH_MSG_NONE] = "NONE",     [COH_GET] = "GET",           [COH_GETX] = "GETX",
    [COH_UPGRADE] = "UPGRADE",   [COH_PUT] = "PUT",           [COH_INV] = "INV",
    [COH_RECALL_S] = "RECALL_S", [COH_RECALL_X] = "RECALL_X", [COH_DATA_S] = "DATA_S",
    [COH_DATA_X] = "DATA_X",     [COH_GRANT_X] = "GRANT_X",   [COH_NACK] = "NACK",
    [COH_WB_ACK] = "WB_ACK",     [COH_INV_ACK] = "INV_ACK",   [COH_RECALL_ACK] = "RECALL_ACK",
    [COH_DONE] = "DONE",
};

const char *coh_msg_type_name(unsigned type)
{
    return type < COH_MSG_TYPE_COUNT ? type_names[type] : "?";
}

enum coh_channel coh_msg_channel(unsigned type)
{
    switch (type) {
    case COH_GET:
    case COH_GETX:
    case COH_UPGRADE:
    case COH_PUT:
    case COH_INV:
    case COH_RECALL_S:
    case COH_RECALL_X: return COH_CHANNEL_REQUEST;
    default: return COH_CHANNEL_REPLY;
    }
}

bool coh_msg_to_home(unsigned type)
{
    switch (type) {
    case COH_GET:
    case COH_GETX:
    case COH_UPGRADE:
    case COH_PUT:
    case COH_INV_ACK:
    case COH_RECALL_ACK:
    case COH_DONE: return true;
    default: return false;
    }
}
