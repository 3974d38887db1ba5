/*
 * fuzz_interconnect.c - libFuzzer target for the interconnect decoder and
 * the protocol state machines behind it (built with -DDISCO_FUZZ=ON, clang).
 *
 * Input byte 0 picks the mode. Even: the rest is one wire batch as a peer
 * would send it. Odd: the rest is read 8 bytes per message, encoded, then
 * decoded, so the fuzzer reaches the state machines without having to
 * discover protobuf framing. Whatever decodes is fed to a home directory
 * and a cache agent: hostile but well-formed messages must be refused with
 * an error code, never crash or trip an assert.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "coherence_agent.h"
#include "directory.h"
#include "interconnect_codec.h"

#define BANK_BYTES 8192u

static struct directory *dir;
static struct agent *agent;
static uint8_t bank[BANK_BYTES];
static struct coh_outbox out;

static void setup_once(void)
{
    struct timing_params t;
    timing_defaults(&t);
    t.l2_size_bytes = 1024;
    t.l1i_size_bytes = t.l1d_size_bytes = 256;
    /* two nodes of 2 CPUs: node 0's home and agent 0 are the targets */
    struct coh_addr_map map = {
        .base = 0, .bank_bytes = BANK_BYTES, .node_count = 2, .cpus_per_node = 2};
    struct dir_config dc = {.node_id = 0, .map = map, .bank = bank, .timing = t};
    struct agent_config ac = {.agent_id = 0, .map = map, .timing = t};
    if (dir_create(&dc, &dir) || agent_create(&ac, &agent))
        abort();
    coh_outbox_init(&out);
}

/* Odd mode: builds a valid wire batch from 8-byte records. */
static size_t build_batch(const uint8_t *data, size_t size, uint8_t *wire, size_t capacity)
{
    static struct coh_msg built[64];
    size_t n = 0;
    for (; n < 64 && (n + 1) * 8 <= size; n++) {
        const uint8_t *r = data + n * 8;
        struct coh_msg *m = &built[n];
        m->type = (uint8_t)(1 + r[0] % (COH_MSG_TYPE_COUNT - 1));
        m->flags = r[1] & COH_FLAG_ALL;
        m->agent = r[2] % 4;
        m->home = r[3] % 2;
        m->line_addr =
            (uint64_t)((r[4] | r[5] << 8) % (2 * BANK_BYTES / COH_LINE_BYTES)) * COH_LINE_BYTES;
        m->cost_cycles = r[6];
        for (unsigned b = 0; b < COH_LINE_BYTES; b++)
            m->data[b] = (uint8_t)(r[7] + b);
    }
    struct interconnect_header h = {.sender = 1, .sequence = 1};
    size_t len = 0;
    if (interconnect_encode(&h, built, n, wire, capacity, &len))
        return 0;
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t wire[INTERCONNECT_MAX_BATCH_BYTES];
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        size = build_batch(data + 1, size - 1, wire, sizeof(wire));
        data = wire;
    } else {
        data++;
        size--;
    }
    static struct coh_msg msgs[INTERCONNECT_MAX_BATCH_MSGS];
    static struct interconnect_codec_stats stats;
    struct interconnect_limits limits = {.node_count = 2, .agent_count = 4};
    struct interconnect_header header;
    size_t count;
    if (!dir)
        setup_once();
    if (interconnect_decode(data, size, &limits, &header, msgs, INTERCONNECT_MAX_BATCH_MSGS, &count,
                            &stats))
        return 0;
    for (size_t i = 0; i < count; i++) {
        coh_outbox_clear(&out);
        /* Results are ignored on purpose: refusing is the expected outcome. */
        if (coh_msg_to_home(msgs[i].type))
            (void)!dir_handle(dir, &msgs[i], &out);
        else
            (void)!agent_handle(agent, &msgs[i], &out);
    }
    /* Exercise the CPU side too, on addresses taken from the input. */
    uint64_t value = 0;
    uint32_t cycles;
    for (size_t i = 0; i < count; i++) {
        coh_outbox_clear(&out);
        (void)agent_access(agent, (enum agent_access_kind)(msgs[i].flags % 3), msgs[i].line_addr,
                           &value, sizeof(value), &out, &cycles);
    }
    return 0;
}
