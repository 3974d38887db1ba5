/*
 * timing.c - defaults of the memory-system parameter table and the hop and
 * latency arithmetic of the interconnect model (see timing.h).
 */
#include "timing.h"

void timing_defaults(struct timing_params *p)
{
    *p = (struct timing_params){
        .cpu_clock_mhz = 200,
        .l1i_size_bytes = 32 * 1024,
        .l1i_ways = 2,
        .l1d_size_bytes = 32 * 1024,
        .l1d_ways = 2,
        .l2_size_bytes = 1024 * 1024,
        .l2_ways = 2,
        .l1_hit_cycles = 1,
        .l2_hit_cycles = 10,
        .local_miss_cycles = 60,
        .remote_base_cycles = 100,
        .hop_cycles = 20,
        .directory_occupancy_cycles = 10,
        .page_bytes = 4096,
        .dir_max_transactions = 64,
        .agent_max_outstanding = 16,
    };
}

static uint32_t mesh_side(uint32_t node_count)
{
    uint32_t side = 1;
    while ((uint64_t)side * side < node_count)
        side++;
    return side;
}

uint32_t timing_hops(uint32_t node_count, uint32_t from, uint32_t to)
{
    if (from == to)
        return 0;
    uint32_t side = mesh_side(node_count);
    uint32_t dx = from % side > to % side ? from % side - to % side : to % side - from % side;
    uint32_t dy = from / side > to / side ? from / side - to / side : to / side - from / side;
    return dx + dy;
}

uint32_t timing_leg_cycles(const struct timing_params *p, uint32_t node_count, uint32_t from,
                           uint32_t to)
{
    if (from == to)
        return 0;
    return p->remote_base_cycles / 2 + timing_hops(node_count, from, to) * p->hop_cycles;
}

uint32_t timing_miss_cycles(const struct timing_params *p, uint32_t node_count,
                            uint32_t requester_node, uint32_t home)
{
    return p->local_miss_cycles + 2 * timing_leg_cycles(p, node_count, requester_node, home);
}
