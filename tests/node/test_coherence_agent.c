/*
 * test_coherence_agent.c - the cache-side controller driven message by
 * message: miss/pending/fill, E->M, L1/L2 hits and their cycles, recalls,
 * the lost upgrade, the crossing writeback, L1 inclusion and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coherence_agent.h"
#include "disco_err.h"

#define BASE 0x10000000ull
#define BANK (1024 * 1024ull)

struct fixture {
    struct agent *agent;
    struct coh_outbox out;
    struct timing_params timing;
    unsigned lost;
    uint64_t last_lost;
};

static void on_lost(void *opaque, uint64_t line)
{
    struct fixture *f = opaque;
    f->lost++;
    f->last_lost = line;
}

/* Agent 1 (node 1 of 4) with a 2-set, 2-way L2 so evictions are easy. */
static struct fixture *setup(void)
{
    struct fixture *f = calloc(1, sizeof(*f));
    timing_defaults(&f->timing);
    f->timing.l2_size_bytes = 512;
    f->timing.l1d_size_bytes = 256;
    f->timing.l1i_size_bytes = 256;
    struct agent_config ac = {
        .agent_id = 1,
        .map = {.base = BASE, .bank_bytes = BANK, .node_count = 4, .cpus_per_node = 1},
        .timing = f->timing,
        .line_lost = on_lost,
        .opaque = f,
    };
    assert_int_equal(agent_create(&ac, &f->agent), 0);
    coh_outbox_init(&f->out);
    return f;
}

static void teardown(struct fixture *f)
{
    agent_destroy(f->agent);
    coh_outbox_fini(&f->out);
    free(f);
}

static enum agent_status access64(struct fixture *f, enum agent_access_kind k, uint64_t addr,
                                  uint64_t *v, uint32_t *cycles)
{
    coh_outbox_clear(&f->out);
    return agent_access(f->agent, k, addr, v, sizeof(*v), &f->out, cycles);
}

static int deliver(struct fixture *f, unsigned type, uint64_t line, uint8_t flags, uint8_t fill)
{
    uint32_t home = (uint32_t)((line - BASE) / BANK);
    struct coh_msg m = {
        .type = (uint8_t)type, .flags = flags, .agent = 1, .home = home, .line_addr = line};
    memset(m.data, fill, sizeof(m.data));
    coh_outbox_clear(&f->out);
    return agent_handle(f->agent, &m, &f->out);
}

static const struct coh_msg *expect_one(struct fixture *f, unsigned type)
{
    assert_int_equal(f->out.count, 1);
    assert_string_equal(coh_msg_type_name(f->out.msgs[0].type), coh_msg_type_name(type));
    return &f->out.msgs[0];
}

/* Brings line into the L2 in state E (read miss answered DATA_X). */
static void fetch_exclusive(struct fixture *f, uint64_t line, uint8_t fill)
{
    uint64_t v;
    uint32_t c;
    assert_int_equal(access64(f, AGENT_LOAD, line, &v, &c), AGENT_PENDING);
    assert_int_equal(deliver(f, COH_DATA_X, line, COH_FLAG_DATA, fill), 0);
    expect_one(f, COH_DONE);
}

static void test_miss_fill_and_hits(void **state)
{
    struct fixture *f = setup();
    uint64_t line = BASE + 2 * BANK + 0x300; /* homed on node 2: remote */
    uint64_t v = 0;
    uint32_t cycles;
    assert_int_equal(access64(f, AGENT_LOAD, line + 8, &v, &cycles), AGENT_PENDING);
    const struct coh_msg *m = expect_one(f, COH_GET);
    assert_int_equal(m->home, 2);
    assert_int_equal(m->agent, 1);
    assert_int_equal(m->line_addr, line);
    /* retrying while the miss is out sends nothing new */
    assert_int_equal(access64(f, AGENT_LOAD, line + 8, &v, &cycles), AGENT_PENDING);
    assert_int_equal(f->out.count, 0);
    assert_int_equal(agent_outstanding(f->agent), 1);
    struct coh_msg data = {.type = COH_DATA_X,
                           .flags = COH_FLAG_DATA,
                           .agent = 1,
                           .home = 2,
                           .line_addr = line,
                           .cost_cycles = 10};
    for (unsigned b = 0; b < COH_LINE_BYTES; b++)
        data.data[b] = (uint8_t)b;
    coh_outbox_clear(&f->out);
    assert_int_equal(agent_handle(f->agent, &data, &f->out), 0);
    expect_one(f, COH_DONE);
    assert_int_equal(agent_line_state(f->agent, line), CACHE_EXCLUSIVE);
    /* the retry: an L2 hit plus the latency of the miss */
    assert_int_equal(access64(f, AGENT_LOAD, line + 8, &v, &cycles), AGENT_DONE);
    uint64_t expect;
    memcpy(&expect, data.data + 8, 8);
    assert_int_equal(v, expect);
    uint32_t miss = timing_miss_cycles(&f->timing, 4, 1, 2) + 10;
    assert_int_equal(cycles, f->timing.l2_hit_cycles + miss);
    assert_true(miss > 3 * f->timing.local_miss_cycles); /* remote is 3-5x local */
    /* next access: an L1 hit */
    assert_int_equal(access64(f, AGENT_LOAD, line + 16, &v, &cycles), AGENT_DONE);
    assert_int_equal(cycles, f->timing.l1_hit_cycles);
    /* a store to E: silently M, no message */
    v = 0x1122334455667788ull;
    assert_int_equal(access64(f, AGENT_STORE, line + 24, &v, &cycles), AGENT_DONE);
    assert_int_equal(f->out.count, 0);
    assert_int_equal(agent_line_state(f->agent, line), CACHE_MODIFIED);
    const struct agent_stats *st = agent_get_stats(f->agent);
    assert_int_equal(st->remote_misses, 1);
    assert_int_equal(st->local_misses, 0);
    assert_int_equal(st->miss_cycles, miss);
    assert_int_equal(st->l1_hits, 2);
    teardown(f);
}

static void test_recalls(void **state)
{
    struct fixture *f = setup();
    uint64_t line = BASE + BANK; /* local home (node 1) */
    fetch_exclusive(f, line, 0x33);
    uint64_t v = 0xabababababababab;
    uint32_t c;
    assert_int_equal(access64(f, AGENT_STORE, line, &v, &c), AGENT_DONE);
    assert_int_equal(deliver(f, COH_INV, line, 0, 0), DISCO_EPROTO); /* owners are recalled */
    assert_int_equal(deliver(f, COH_RECALL_S, line, 0, 0), 0);
    const struct coh_msg *m = expect_one(f, COH_RECALL_ACK);
    assert_int_equal(m->flags, COH_FLAG_DATA | COH_FLAG_DIRTY | COH_FLAG_KEEP_SHARED);
    assert_int_equal(m->data[0], 0xab);
    assert_int_equal(m->data[8], 0x33);
    assert_int_equal(agent_line_state(f->agent, line), CACHE_SHARED);
    assert_int_equal(f->lost, 0);
    /* a shared line answers INV and is gone, with its LL reservation */
    assert_int_equal(deliver(f, COH_INV, line, 0, 0), 0);
    expect_one(f, COH_INV_ACK);
    assert_int_equal(agent_line_state(f->agent, line), CACHE_INVALID);
    assert_int_equal(f->lost, 1);
    assert_int_equal(f->last_lost, line);
    /* INV for a line not held (stale sharer bit): still acknowledged */
    assert_int_equal(deliver(f, COH_INV, line + 128, 0, 0), 0);
    expect_one(f, COH_INV_ACK);
    /* RECALL_X of a clean E line: data, not dirty, invalidated */
    fetch_exclusive(f, line + 256, 0x44);
    assert_int_equal(deliver(f, COH_RECALL_X, line + 256, 0, 0), 0);
    m = expect_one(f, COH_RECALL_ACK);
    assert_int_equal(m->flags, COH_FLAG_DATA);
    assert_int_equal(agent_line_state(f->agent, line + 256), CACHE_INVALID);
    /* a recall for a line not owned is a protocol error */
    assert_int_equal(deliver(f, COH_RECALL_X, line + 256, 0, 0), DISCO_EPROTO);
    teardown(f);
}

static void test_lost_upgrade(void **state)
{
    struct fixture *f = setup();
    uint64_t line = BASE + 3 * BANK;
    uint64_t v = 5;
    uint32_t c;
    assert_int_equal(access64(f, AGENT_LOAD, line, &v, &c), AGENT_PENDING);
    assert_int_equal(deliver(f, COH_DATA_S, line, COH_FLAG_DATA, 0x10), 0);
    assert_int_equal(access64(f, AGENT_STORE, line, &v, &c), AGENT_PENDING);
    expect_one(f, COH_UPGRADE);
    /* loads still hit the shared copy while the upgrade is out */
    assert_int_equal(access64(f, AGENT_LOAD, line, &v, &c), AGENT_DONE);
    assert_int_equal(v, 0x1010101010101010ull);
    /* another writer wins: our copy goes, the upgrade will be answered with data */
    assert_int_equal(deliver(f, COH_INV, line, 0, 0), 0);
    expect_one(f, COH_INV_ACK);
    assert_int_equal(access64(f, AGENT_LOAD, line, &v, &c), AGENT_PENDING);
    assert_int_equal(f->out.count, 0);
    assert_int_equal(deliver(f, COH_GRANT_X, line, 0, 0), DISCO_EPROTO);
    assert_int_equal(deliver(f, COH_NACK, line, 0, 0), 0);
    expect_one(f, COH_GETX); /* the retry asks for data now */
    assert_int_equal(deliver(f, COH_DATA_X, line, COH_FLAG_DATA, 0x20), 0);
    expect_one(f, COH_DONE);
    v = 7;
    assert_int_equal(access64(f, AGENT_STORE, line, &v, &c), AGENT_DONE);
    assert_int_equal(agent_line_state(f->agent, line), CACHE_MODIFIED);
    assert_int_equal(agent_get_stats(f->agent)->upgrades, 1);
    teardown(f);
}

/* Two owned lines fill a set; a third evicts the LRU one with a PUT, and a
 * recall crosses it. The L1 copy goes with the L2 copy (inclusion). */
static void test_eviction_and_crossing_recall(void **state)
{
    struct fixture *f = setup();
    uint64_t a = BASE, b = BASE + 256, d = BASE + 512; /* one L2 set (2 sets of 128 B) */
    uint64_t v = 0x5a5a5a5a5a5a5a5aull;
    uint32_t c;
    fetch_exclusive(f, a, 1);
    assert_int_equal(access64(f, AGENT_STORE, a, &v, &c), AGENT_DONE);
    assert_non_null(cache_lookup(agent_l1d(f->agent), a));
    fetch_exclusive(f, b, 2);
    assert_int_equal(access64(f, AGENT_LOAD, b, &v, &c), AGENT_DONE);
    assert_int_equal(access64(f, AGENT_LOAD, d, &v, &c), AGENT_PENDING);
    assert_int_equal(f->out.count, 2);
    const struct coh_msg *put = &f->out.msgs[0];
    assert_int_equal(put->type, COH_PUT);
    assert_int_equal(put->line_addr, a);
    assert_int_equal(put->flags, COH_FLAG_DATA | COH_FLAG_DIRTY);
    assert_int_equal(put->data[0], 0x5a);
    assert_int_equal(f->out.msgs[1].type, COH_GET);
    assert_null(cache_lookup(agent_l1d(f->agent), a)); /* inclusion */
    assert_int_equal(f->lost, 1);
    /* accessing the line being written back waits for the writeback */
    assert_int_equal(access64(f, AGENT_LOAD, a, &v, &c), AGENT_PENDING);
    assert_int_equal(f->out.count, 0);
    /* the recall crosses the PUT: answered from the writeback buffer */
    assert_int_equal(deliver(f, COH_RECALL_X, a, 0, 0), 0);
    const struct coh_msg *m = expect_one(f, COH_RECALL_ACK);
    assert_int_equal(m->flags, COH_FLAG_DATA | COH_FLAG_DIRTY);
    assert_int_equal(m->data[1], 0x5a);
    /* the PUT is NACKed (home was busy): nothing left to write back */
    assert_int_equal(deliver(f, COH_NACK, a, 0, 0), 0);
    assert_int_equal(f->out.count, 0);
    assert_int_equal(deliver(f, COH_WB_ACK, a, 0, 0), DISCO_EPROTO);
    assert_int_equal(deliver(f, COH_DATA_S, d, COH_FLAG_DATA, 3), 0);
    assert_int_equal(agent_outstanding(f->agent), 0);
    assert_int_equal(agent_get_stats(f->agent)->writebacks, 1);
    teardown(f);
}

static void test_bad_input(void **state)
{
    struct fixture *f = setup();
    uint64_t v;
    uint32_t c;
    assert_int_equal(access64(f, AGENT_LOAD, BASE - 8, &v, &c), AGENT_BUS_ERROR);
    assert_int_equal(access64(f, AGENT_LOAD, BASE + 4 * BANK, &v, &c), AGENT_BUS_ERROR);
    assert_int_equal(access64(f, AGENT_LOAD, BASE + 124, &v, &c), AGENT_BUS_ERROR); /* crosses */
    struct coh_msg m = {.type = COH_DATA_S, .agent = 2, .home = 0, .line_addr = BASE};
    assert_int_equal(agent_handle(f->agent, &m, &f->out), DISCO_EINVAL); /* not our agent */
    m.agent = 1;
    m.home = 3; /* wrong home for the address */
    assert_int_equal(agent_handle(f->agent, &m, &f->out), DISCO_EINVAL);
    m.home = 0;
    m.type = COH_GET; /* a request to a cache */
    assert_int_equal(agent_handle(f->agent, &m, &f->out), DISCO_EINVAL);
    m.type = COH_DATA_S; /* data nobody asked for */
    assert_int_equal(agent_handle(f->agent, &m, &f->out), DISCO_EPROTO);
    assert_int_equal(agent_get_stats(f->agent)->protocol_errors, 4);
    teardown(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_miss_fill_and_hits),
        cmocka_unit_test(test_recalls),
        cmocka_unit_test(test_lost_upgrade),
        cmocka_unit_test(test_eviction_and_crossing_recall),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
