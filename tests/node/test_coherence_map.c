/*
 * test_coherence_map.c - the machine address map (which node homes an
 * address, which node an agent lives on), message metadata, the outbox, and
 * the hop/latency arithmetic of the timing table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "coherence.h"
#include "disco_err.h"
#include "timing.h"

static void test_address_map(void **state)
{
    struct coh_addr_map map = {
        .base = 0x1000000, .bank_bytes = 64ull << 20, .node_count = 8, .cpus_per_node = 2};
    uint32_t home = 99;
    assert_int_equal(coh_map_check(&map), 0);
    assert_false(coh_map_home(&map, 0xfffff8, &home));
    assert_true(coh_map_home(&map, 0x1000000, &home));
    assert_int_equal(home, 0);
    assert_true(coh_map_home(&map, 0x1000000 + 3 * (64ull << 20) + 5, &home));
    assert_int_equal(home, 3);
    assert_true(coh_map_home(&map, 0x1000000 + 8 * (64ull << 20) - 1, &home));
    assert_int_equal(home, 7);
    assert_false(coh_map_home(&map, 0x1000000 + 8 * (64ull << 20), &home));
    assert_int_equal(coh_map_agent_count(&map), 16);
    assert_int_equal(coh_map_agent_node(&map, 0), 0);
    assert_int_equal(coh_map_agent_node(&map, 13), 6);
    assert_int_equal(coh_line_of(0x12345), 0x12300);

    struct coh_addr_map bad[] = {map, map, map, map, map};
    bad[0].node_count = 0;
    bad[1].cpus_per_node = 0;
    bad[2].bank_bytes = 1000;                            /* not whole lines */
    bad[3].base = 64;                                    /* not line aligned */
    bad[4].bank_bytes = UINT64_MAX / 4 & ~COH_LINE_MASK; /* the machine would wrap */
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(coh_map_check(&bad[i]), DISCO_EINVAL);
}

static void test_message_metadata(void **state)
{
    for (unsigned t = COH_GET; t <= COH_RECALL_X; t++)
        assert_int_equal(coh_msg_channel(t), COH_CHANNEL_REQUEST);
    for (unsigned t = COH_DATA_S; t < COH_MSG_TYPE_COUNT; t++)
        assert_int_equal(coh_msg_channel(t), COH_CHANNEL_REPLY);
    assert_true(coh_msg_to_home(COH_PUT));
    assert_true(coh_msg_to_home(COH_DONE));
    assert_false(coh_msg_to_home(COH_INV));
    assert_false(coh_msg_to_home(COH_NACK));
    assert_string_equal(coh_msg_type_name(COH_RECALL_ACK), "RECALL_ACK");
    assert_string_equal(coh_msg_type_name(999), "?");
}

static void test_outbox(void **state)
{
    struct coh_outbox box;
    coh_outbox_init(&box);
    for (unsigned i = 0; i < 100; i++) {
        struct coh_msg *m = coh_outbox_push(&box);
        assert_int_equal(m->type, 0);
        m->type = COH_GET;
        m->agent = i;
    }
    assert_int_equal(box.count, 100);
    coh_outbox_remove(&box, 0); /* the last one moves into its place */
    assert_int_equal(box.count, 99);
    assert_int_equal(box.msgs[0].agent, 99);
    coh_outbox_remove(&box, 500); /* out of range: ignored */
    assert_int_equal(box.count, 99);
    coh_outbox_clear(&box);
    assert_int_equal(box.count, 0);
    coh_outbox_fini(&box);
}

static void test_hops_and_latency(void **state)
{
    struct timing_params t;
    timing_defaults(&t);
    /* 16 nodes: a 4 x 4 mesh */
    assert_int_equal(timing_hops(16, 0, 0), 0);
    assert_int_equal(timing_hops(16, 0, 15), 6);
    assert_int_equal(timing_hops(16, 5, 6), 1);
    assert_int_equal(timing_hops(16, 4, 1), 2);
    /* 5 nodes: 3 columns */
    assert_int_equal(timing_hops(5, 0, 4), 2);
    assert_int_equal(timing_leg_cycles(&t, 16, 3, 3), 0);
    assert_int_equal(timing_leg_cycles(&t, 16, 0, 15), t.remote_base_cycles / 2 + 6 * t.hop_cycles);
    uint32_t local = timing_miss_cycles(&t, 16, 2, 2);
    uint32_t near = timing_miss_cycles(&t, 16, 5, 6);
    uint32_t far = timing_miss_cycles(&t, 16, 0, 15);
    assert_int_equal(local, t.local_miss_cycles);
    /* FLASH: remote misses cost 3-5x a local one */
    assert_true(near >= 3 * local && near <= 5 * local);
    assert_true(far > near);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_map),
        cmocka_unit_test(test_message_metadata),
        cmocka_unit_test(test_outbox),
        cmocka_unit_test(test_hops_and_latency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
