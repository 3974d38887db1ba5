/* test_membership.c - registration checks, node layout, liveness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "disco_err.h"
#include "membership.h"

static Disco__Control__Register offer(uint32_t nodes, uint64_t mem)
{
    Disco__Control__Register r = DISCO__CONTROL__REGISTER__INIT;
    r.protocol_version = CONTROL_PROTOCOL_VERSION;
    r.hostname = "h";
    r.pid = 7;
    r.node_count = nodes;
    r.cpus_per_node = 1;
    r.memory_per_node_bytes = mem;
    return r;
}

static void layout_is_consecutive(void **state)
{
    struct membership m;
    char err[256];
    unsigned idx;
    membership_init(&m, 3);
    for (uint32_t i = 0; i < 3; i++) {
        Disco__Control__Register r = offer(i + 1, 32u << 20);
        assert_int_equal(membership_join(&m, &r, 100 + i, 0, &idx, err, sizeof err), 0);
        assert_int_equal(idx, i);
    }
    assert_true(membership_complete(&m));
    assert_int_equal(m.total_nodes, 6);
    Disco__Control__ServerInfo servers[3], *ptrs[3];
    Disco__Control__Assignment a;
    membership_assignment(&m, 2, &a, servers, ptrs);
    assert_int_equal(a.first_node, 3); /* after 1 + 2 nodes */
    assert_int_equal(a.node_count, 3);
    assert_int_equal(a.total_nodes, 6);
    assert_int_equal(a.n_servers, 3);
    assert_int_equal(a.servers[1]->first_node, 1);
    membership_fini(&m);
}

static void bad_offers_refused(void **state)
{
    struct membership m;
    char err[256];
    unsigned idx;
    membership_init(&m, 2);
    Disco__Control__Register r = offer(1, 32u << 20);
    r.protocol_version = 99;
    assert_int_equal(membership_join(&m, &r, 1, 0, &idx, err, sizeof err), DISCO_EPROTO);
    r = offer(0, 32u << 20);
    assert_int_equal(membership_join(&m, &r, 1, 0, &idx, err, sizeof err), DISCO_EINVAL);
    r = offer(1, (32u << 20) + 1);
    assert_int_equal(membership_join(&m, &r, 1, 0, &idx, err, sizeof err), DISCO_EINVAL);
    assert_non_null(strstr(err, "4 KiB"));
    r = offer(1, 32u << 20);
    assert_int_equal(membership_join(&m, &r, 1, 0, &idx, err, sizeof err), 0);
    /* Same connection twice, then a server that disagrees on node memory. */
    assert_int_equal(membership_join(&m, &r, 1, 0, &idx, err, sizeof err), DISCO_EEXIST);
    r = offer(1, 64u << 20);
    assert_int_equal(membership_join(&m, &r, 2, 0, &idx, err, sizeof err), DISCO_EINVAL);
    assert_non_null(strstr(err, "homogeneous"));
    assert_int_equal(m.joined, 1);
    membership_fini(&m);
}

static void liveness(void **state)
{
    struct membership m;
    char err[256], who[160];
    unsigned idx;
    membership_init(&m, 2);
    Disco__Control__Register r = offer(2, 32u << 20);
    assert_int_equal(membership_join(&m, &r, 10, 0, &idx, err, sizeof err), 0);
    assert_int_equal(membership_join(&m, &r, 11, 0, &idx, err, sizeof err), 0);
    assert_int_equal(membership_find_silent(&m, 500, 1000), -1);
    assert_int_equal(membership_heartbeat(&m, 0, 10, 900), 0);
    assert_int_equal(membership_heartbeat(&m, 1, 10, 900), DISCO_EPROTO); /* wrong connection */
    assert_int_equal(membership_find_silent(&m, 1500, 1000), 1);
    assert_int_equal(membership_heartbeat(&m, 1, 11, 1500), 0);
    assert_int_equal(membership_pipe_closed(&m, 10), 0);
    assert_int_equal(membership_find_silent(&m, 1600, 1000), 0);
    membership_describe(&m, 1, who, sizeof who);
    assert_string_equal(who, "server 1 (nodes 2-3, host h, pid 7)");
    membership_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_is_consecutive),
        cmocka_unit_test(bad_offers_refused),
        cmocka_unit_test(liveness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
