/*
 * test_directory.c - the home directory state machine driven message by
 * message: every stable-state transition, the busy/NACK rule, the race
 * cases (crossing writeback, lost upgrade, coarse-vector upgrade), bad
 * input, transaction-slot exhaustion, miss counters and charged costs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "directory.h"
#include "disco_err.h"

#define BASE 0x40000000ull
#define BANK (64 * 1024ull)

struct fixture {
    struct directory *dir;
    uint8_t *bank;
    struct coh_outbox out;
    struct timing_params timing;
    uint32_t nodes;
};

/* Node 0's directory of a machine with `nodes` one-CPU nodes. */
static struct fixture *setup(uint32_t nodes, uint32_t max_txns)
{
    struct fixture *f = calloc(1, sizeof(*f));
    f->bank = calloc(1, BANK);
    for (size_t i = 0; i < BANK; i++)
        f->bank[i] = (uint8_t)(i * 7);
    timing_defaults(&f->timing);
    f->timing.dir_max_transactions = max_txns;
    f->nodes = nodes;
    struct dir_config dc = {
        .node_id = 0,
        .map = {.base = BASE, .bank_bytes = BANK, .node_count = nodes, .cpus_per_node = 1},
        .bank = f->bank,
        .timing = f->timing,
    };
    assert_int_equal(dir_create(&dc, &f->dir), 0);
    coh_outbox_init(&f->out);
    return f;
}

static void teardown(struct fixture *f)
{
    dir_destroy(f->dir);
    coh_outbox_fini(&f->out);
    free(f->bank);
    free(f);
}

static int send(struct fixture *f, unsigned type, uint32_t agent, uint64_t line, uint8_t flags,
                uint8_t fill)
{
    struct coh_msg m = {
        .type = (uint8_t)type, .flags = flags, .agent = agent, .home = 0, .line_addr = line};
    memset(m.data, fill, sizeof(m.data));
    coh_outbox_clear(&f->out);
    return dir_handle(f->dir, &m, &f->out);
}

static void ok(struct fixture *f, unsigned type, uint32_t agent, uint64_t line, uint8_t flags,
               uint8_t fill)
{
    assert_int_equal(send(f, type, agent, line, flags, fill), 0);
}

/* The outbox holds exactly one message of this type to this agent. */
static const struct coh_msg *expect_one(struct fixture *f, unsigned type, uint32_t agent)
{
    assert_int_equal(f->out.count, 1);
    const struct coh_msg *m = &f->out.msgs[0];
    assert_string_equal(coh_msg_type_name(m->type), coh_msg_type_name(type));
    assert_int_equal(m->agent, agent);
    return m;
}

static struct dir_line_info info(struct fixture *f, uint64_t line)
{
    struct dir_line_info i;
    assert_int_equal(dir_line_info(f->dir, line, &i), 0);
    return i;
}

static void test_read_miss_unowned_gives_exclusive(void **state)
{
    struct fixture *f = setup(4, 8);
    uint64_t line = BASE + 3 * 128;
    ok(f, COH_GET, 2, line, 0, 0);
    const struct coh_msg *r = expect_one(f, COH_DATA_X, 2);
    assert_true(r->flags & COH_FLAG_DATA);
    assert_memory_equal(r->data, f->bank + 3 * 128, 128);
    assert_int_equal(r->cost_cycles, f->timing.directory_occupancy_cycles);
    assert_true(info(f, line).busy);
    assert_int_equal(dir_busy_lines(f->dir), 1);
    /* busy until DONE: any request is NACKed */
    ok(f, COH_GET, 1, line, 0, 0);
    expect_one(f, COH_NACK, 1);
    ok(f, COH_DONE, 2, line, 0, 0);
    assert_int_equal(f->out.count, 0);
    struct dir_line_info i = info(f, line);
    assert_false(i.busy);
    assert_int_equal(i.state, DIR_EXCLUSIVE);
    assert_int_equal(i.owner, 2);
    assert_int_equal(dir_get_stats(f->dir)->nacks, 1);
    teardown(f);
}

/* Owner A, reader B: RECALL_S, dirty data reaches memory, both share. */
static void test_read_of_owned_line_recalls(void **state)
{
    struct fixture *f = setup(4, 8);
    uint64_t line = BASE;
    ok(f, COH_GETX, 1, line, 0, 0);
    expect_one(f, COH_DATA_X, 1);
    ok(f, COH_DONE, 1, line, 0, 0);
    ok(f, COH_GET, 3, line, 0, 0);
    expect_one(f, COH_RECALL_S, 1);
    /* an ack from the wrong agent is refused */
    assert_int_equal(send(f, COH_RECALL_ACK, 2, line, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x55),
                     DISCO_EPROTO);
    ok(f, COH_RECALL_ACK, 1, line, COH_FLAG_DATA | COH_FLAG_DIRTY | COH_FLAG_KEEP_SHARED, 0x55);
    const struct coh_msg *r = expect_one(f, COH_DATA_S, 3);
    assert_int_equal(r->data[0], 0x55);
    assert_int_equal(f->bank[0], 0x55);
    /* the recall leg to node 1 and back shows in the cost */
    uint32_t leg = timing_leg_cycles(&f->timing, 4, 0, 1);
    assert_int_equal(r->cost_cycles, 2 * f->timing.directory_occupancy_cycles + 2 * leg);
    ok(f, COH_DONE, 3, line, 0, 0);
    struct dir_line_info i = info(f, line);
    assert_int_equal(i.state, DIR_SHARED);
    assert_true(sharers_contains_exact(&i.sharers, 1, 4));
    assert_true(sharers_contains_exact(&i.sharers, 3, 4));
    assert_int_equal(dir_get_stats(f->dir)->protocol_errors, 1);
    teardown(f);
}

static void make_shared(struct fixture *f, uint64_t line, const uint32_t *agents, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        ok(f, COH_GET, agents[k], line, 0, 0);
        if (k == 0) {
            /* first reader gets E; a recall makes it shared */
            ok(f, COH_DONE, agents[0], line, 0, 0);
            continue;
        }
        if (f->out.msgs[0].type == COH_RECALL_S)
            ok(f, COH_RECALL_ACK, agents[0], line, COH_FLAG_DATA | COH_FLAG_KEEP_SHARED, 0);
        ok(f, COH_DONE, agents[k], line, 0, 0);
    }
}

/* GETX on a shared line invalidates the others; data only after all acks. */
static void test_write_miss_invalidates_sharers(void **state)
{
    struct fixture *f = setup(4, 8);
    uint64_t line = BASE + 128;
    uint32_t readers[] = {0, 1, 2};
    make_shared(f, line, readers, 3);
    ok(f, COH_GETX, 3, line, 0, 0);
    assert_int_equal(f->out.count, 3);
    for (size_t k = 0; k < 3; k++)
        assert_int_equal(f->out.msgs[k].type, COH_INV);
    ok(f, COH_INV_ACK, 0, line, 0, 0);
    assert_int_equal(f->out.count, 0);
    ok(f, COH_INV_ACK, 2, line, 0, 0);
    ok(f, COH_INV_ACK, 1, line, 0, 0);
    const struct coh_msg *r = expect_one(f, COH_DATA_X, 3);
    assert_memory_equal(r->data, f->bank + 128, 128);
    ok(f, COH_DONE, 3, line, 0, 0);
    assert_int_equal(info(f, line).owner, 3);
    assert_int_equal(dir_get_stats(f->dir)->invalidations, 3);
    teardown(f);
}

/* An upgrade from a recorded sharer needs no data; one that lost its copy
 * (invalidated by a competing writer) gets data. */
static void test_upgrade_with_and_without_data(void **state)
{
    struct fixture *f = setup(4, 8);
    uint64_t line = BASE + 256;
    uint32_t readers[] = {0, 1};
    make_shared(f, line, readers, 2);
    /* both upgrade; 1 wins */
    ok(f, COH_UPGRADE, 1, line, 0, 0);
    expect_one(f, COH_INV, 0);
    ok(f, COH_UPGRADE, 0, line, 0, 0);
    expect_one(f, COH_NACK, 0);
    ok(f, COH_INV_ACK, 0, line, 0, 0);
    const struct coh_msg *r = expect_one(f, COH_GRANT_X, 1);
    assert_false(r->flags & COH_FLAG_DATA);
    ok(f, COH_DONE, 1, line, 0, 0);
    /* the loser's retried UPGRADE: the line is now owned by 1 */
    ok(f, COH_UPGRADE, 0, line, 0, 0);
    expect_one(f, COH_RECALL_X, 1);
    ok(f, COH_RECALL_ACK, 1, line, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x77);
    r = expect_one(f, COH_DATA_X, 0);
    assert_true(r->flags & COH_FLAG_DATA);
    assert_int_equal(r->data[9], 0x77);
    ok(f, COH_DONE, 0, line, 0, 0);
    assert_int_equal(dir_get_stats(f->dir)->dataless_grants, 1);
    teardown(f);
}

/* 100 agents: after overflow, an upgrade from an agent covered only by its
 * group's bit cannot prove it still has the data, so it gets data. */
static void test_coarse_vector_upgrade_gets_data(void **state)
{
    struct fixture *f = setup(100, 8);
    uint64_t line = BASE + 512;
    uint32_t readers[] = {10, 20, 30, 40};
    make_shared(f, line, readers, 4);
    struct dir_line_info i = info(f, line);
    assert_false(sharers_is_pointers(&i.sharers));
    assert_true(sharers_may_contain(&i.sharers, 11, 100)); /* 10 and 11 share a bit */
    ok(f, COH_UPGRADE, 11, line, 0, 0);
    /* INVs to every covered agent but the requester: groups {10,11}, {20,21}... */
    assert_int_equal(f->out.count, 7);
    for (size_t k = 0; k < f->out.count; k++)
        assert_int_not_equal(f->out.msgs[k].agent, 11);
    uint32_t acks[] = {10, 20, 21, 30, 31, 40, 41};
    for (size_t k = 0; k < 7; k++)
        ok(f, COH_INV_ACK, acks[k], line, 0, 0);
    const struct coh_msg *r = expect_one(f, COH_DATA_X, 11);
    assert_true(r->flags & COH_FLAG_DATA);
    teardown(f);
}

/* The owner evicts while a recall is on its way (a crossing writeback). */
static void test_crossing_writeback(void **state)
{
    struct fixture *f = setup(4, 8);
    uint64_t line = BASE + 1024;
    ok(f, COH_GETX, 2, line, 0, 0);
    ok(f, COH_DONE, 2, line, 0, 0);
    ok(f, COH_GETX, 3, line, 0, 0);
    expect_one(f, COH_RECALL_X, 2);
    ok(f, COH_PUT, 2, line, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x99); /* crossed the recall */
    expect_one(f, COH_NACK, 2);
    ok(f, COH_RECALL_ACK, 2, line, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x99); /* from its buffer */
    expect_one(f, COH_DATA_X, 3);
    ok(f, COH_DONE, 3, line, 0, 0);
    f->bank[1024] = 0x11; /* memory is stale now anyway; mark it */
    ok(f, COH_PUT, 2, line, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x99); /* the retried PUT */
    expect_one(f, COH_WB_ACK, 2);
    assert_int_equal(f->bank[1024], 0x11); /* stale: memory not touched */
    assert_int_equal(info(f, line).owner, 3);
    assert_int_equal(dir_get_stats(f->dir)->stale_puts, 1);
    /* the real owner's writeback: memory updated, line unowned */
    ok(f, COH_PUT, 3, line, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x42);
    expect_one(f, COH_WB_ACK, 3);
    assert_int_equal(f->bank[1024], 0x42);
    assert_int_equal(info(f, line).state, DIR_UNOWNED);
    /* a clean writeback (E evicted) needs no data */
    ok(f, COH_GET, 1, line, 0, 0);
    ok(f, COH_DONE, 1, line, 0, 0);
    ok(f, COH_PUT, 1, line, 0, 0);
    expect_one(f, COH_WB_ACK, 1);
    assert_int_equal(f->bank[1024], 0x42);
    assert_int_equal(dir_get_stats(f->dir)->writebacks, 2);
    teardown(f);
}

/* dir_flush_line: memory becomes the only copy, for DMA and page copies. */
static void test_flush_line(void **state)
{
    struct fixture *f = setup(4, 8);
    uint64_t owned = BASE + 2048, shared = BASE + 2176, unowned = BASE + 2304;
    /* unowned: done at once */
    coh_outbox_clear(&f->out);
    assert_int_equal(dir_flush_line(f->dir, unowned + 5, &f->out), 0);
    assert_int_equal(f->out.count, 0);
    /* owned: recall exclusive, busy until the data is home */
    ok(f, COH_GETX, 2, owned, 0, 0);
    ok(f, COH_DONE, 2, owned, 0, 0);
    coh_outbox_clear(&f->out);
    assert_int_equal(dir_flush_line(f->dir, owned, &f->out), DISCO_EBUSY);
    expect_one(f, COH_RECALL_X, 2);
    coh_outbox_clear(&f->out);
    assert_int_equal(dir_flush_line(f->dir, owned, &f->out), DISCO_EBUSY); /* in progress */
    assert_int_equal(f->out.count, 0);
    ok(f, COH_GET, 1, owned, 0, 0); /* requests meanwhile are NACKed */
    expect_one(f, COH_NACK, 1);
    ok(f, COH_RECALL_ACK, 2, owned, COH_FLAG_DATA | COH_FLAG_DIRTY, 0x66);
    assert_int_equal(f->out.count, 0); /* nobody to answer */
    assert_int_equal(f->bank[2048], 0x66);
    struct dir_line_info i = info(f, owned);
    assert_int_equal(i.state, DIR_UNOWNED);
    assert_false(i.busy);
    coh_outbox_clear(&f->out);
    assert_int_equal(dir_flush_line(f->dir, owned, &f->out), 0);
    /* shared: every sharer invalidated */
    uint32_t readers[] = {0, 3};
    make_shared(f, shared, readers, 2);
    coh_outbox_clear(&f->out);
    assert_int_equal(dir_flush_line(f->dir, shared, &f->out), DISCO_EBUSY);
    assert_int_equal(f->out.count, 2);
    assert_int_equal(f->out.msgs[0].type, COH_INV);
    assert_int_equal(f->out.msgs[1].type, COH_INV);
    ok(f, COH_INV_ACK, 3, shared, 0, 0);
    ok(f, COH_INV_ACK, 0, shared, 0, 0);
    assert_int_equal(f->out.count, 0);
    assert_int_equal(info(f, shared).state, DIR_UNOWNED);
    assert_int_equal(dir_get_stats(f->dir)->flushes, 2);
    /* a line not homed here is refused */
    assert_int_equal(dir_flush_line(f->dir, BASE + BANK, &f->out), DISCO_EINVAL);
    teardown(f);
}

static void test_bad_messages_are_refused(void **state)
{
    struct fixture *f = setup(4, 8);
    struct coh_msg m = {.type = COH_GET, .agent = 1, .home = 0, .line_addr = BASE};
    struct coh_msg bad[] = {m, m, m, m, m, m, m, m};
    bad[0].home = 1;                /* not this home */
    bad[1].line_addr = BASE + 4;    /* misaligned */
    bad[2].line_addr = BASE + BANK; /* homed elsewhere */
    bad[3].agent = 4;               /* no such agent */
    bad[4].type = COH_DATA_S;       /* a home never receives this */
    bad[5].type = 200;
    bad[6].flags = 0x80;
    bad[7].type = COH_PUT; /* dirty without data */
    bad[7].flags = COH_FLAG_DIRTY;
    for (size_t i = 0; i < 8; i++) {
        coh_outbox_clear(&f->out);
        assert_int_not_equal(dir_handle(f->dir, &bad[i], &f->out), 0);
        assert_int_equal(f->out.count, 0);
    }
    /* replies that match no transaction */
    assert_int_equal(send(f, COH_DONE, 1, BASE, 0, 0), DISCO_EPROTO);
    assert_int_equal(send(f, COH_INV_ACK, 1, BASE, 0, 0), DISCO_EPROTO);
    /* the owner asking for its own line */
    ok(f, COH_GETX, 1, BASE, 0, 0);
    ok(f, COH_DONE, 1, BASE, 0, 0);
    assert_int_equal(send(f, COH_GET, 1, BASE, 0, 0), DISCO_EPROTO);
    assert_int_equal(dir_get_stats(f->dir)->protocol_errors, 11);
    assert_int_equal(info(f, BASE).owner, 1); /* nothing changed */
    teardown(f);
}

static void test_transaction_slots_bound_concurrency(void **state)
{
    struct fixture *f = setup(4, 2);
    ok(f, COH_GET, 1, BASE, 0, 0);
    ok(f, COH_GET, 1, BASE + 128, 0, 0);
    ok(f, COH_GET, 1, BASE + 256, 0, 0);
    expect_one(f, COH_NACK, 1);
    assert_int_equal(dir_get_stats(f->dir)->nacks_no_slot, 1);
    ok(f, COH_DONE, 1, BASE, 0, 0);
    ok(f, COH_GET, 1, BASE + 256, 0, 0);
    expect_one(f, COH_DATA_X, 1);
    teardown(f);
}

static void test_page_miss_counters(void **state)
{
    struct fixture *f = setup(8, 64);
    uint64_t page = BASE + 4096;
    /* node 5 misses 3 times, node 2 once, on one page; another page once */
    uint32_t who[] = {5, 5, 2, 5};
    for (size_t k = 0; k < 4; k++) {
        uint64_t line = page + k * 128;
        ok(f, k == 1 ? COH_GETX : COH_GET, who[k], line, 0, 0);
        ok(f, COH_DONE, who[k], line, 0, 0);
    }
    ok(f, COH_GET, 7, BASE, 0, 0);
    struct dir_page_misses pm;
    assert_int_equal(dir_page_misses(f->dir, page + 100, &pm), 0);
    assert_int_equal(pm.read_misses, 3);
    assert_int_equal(pm.write_misses, 1);
    assert_int_equal(pm.top_count, 2);
    assert_int_equal(pm.node[0], 5);
    assert_int_equal(pm.misses[0], 3);
    assert_int_equal(pm.node[1], 2);
    assert_int_equal(pm.misses[1], 1);
    /* NACKed retries are not misses */
    ok(f, COH_GET, 6, BASE, 0, 0);
    expect_one(f, COH_NACK, 6);
    assert_int_equal(dir_page_misses(f->dir, BASE, &pm), 0);
    assert_int_equal(pm.read_misses, 1);
    /* more nodes than slots: the space-saving rule keeps the heavy hitter */
    for (uint32_t n = 0; n < 8; n++) {
        uint64_t line = page + (8 + n) * 128;
        ok(f, COH_GET, n, line, 0, 0);
        ok(f, COH_DONE, n, line, 0, 0);
    }
    assert_int_equal(dir_page_misses(f->dir, page, &pm), 0);
    assert_int_equal(pm.top_count, DIR_PAGE_TOP_NODES);
    bool found5 = false;
    for (uint32_t k = 0; k < pm.top_count; k++)
        found5 |= pm.node[k] == 5 && pm.misses[k] >= 4;
    assert_true(found5);
    dir_reset_page_misses(f->dir);
    assert_int_equal(dir_page_misses(f->dir, page, &pm), 0);
    assert_int_equal(pm.read_misses + pm.write_misses + pm.top_count, 0);
    assert_int_equal(dir_page_misses(f->dir, BASE + BANK, &pm), DISCO_EINVAL);
    teardown(f);
}

static void test_config_and_size(void **state)
{
    struct directory *d;
    uint8_t bank[256];
    struct dir_config dc = {
        .node_id = 2,
        .map = {.base = 0, .bank_bytes = 256, .node_count = 2, .cpus_per_node = 1},
        .bank = bank};
    timing_defaults(&dc.timing);
    assert_int_equal(dir_create(&dc, &d), DISCO_EINVAL); /* node 2 of 2 */
    dc.node_id = 1;
    dc.map.bank_bytes = 200; /* not whole lines */
    assert_int_equal(dir_create(&dc, &d), DISCO_EINVAL);
    assert_int_equal(dir_bytes_per_line(), 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_miss_unowned_gives_exclusive),
        cmocka_unit_test(test_read_of_owned_line_recalls),
        cmocka_unit_test(test_write_miss_invalidates_sharers),
        cmocka_unit_test(test_upgrade_with_and_without_data),
        cmocka_unit_test(test_coarse_vector_upgrade_gets_data),
        cmocka_unit_test(test_crossing_writeback),
        cmocka_unit_test(test_flush_line),
        cmocka_unit_test(test_bad_messages_are_refused),
        cmocka_unit_test(test_transaction_slots_bound_concurrency),
        cmocka_unit_test(test_page_miss_counters),
        cmocka_unit_test(test_config_and_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
