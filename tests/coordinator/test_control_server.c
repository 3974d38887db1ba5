/*
 * test_control_server.c - the coordinator's control endpoint over a real
 * NNG ipc socket: malformed requests are answered with an error and the
 * server keeps serving; registrations are answered once all have joined.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#include "control_server.h"
#include "control_test_util.h"
#include "disco_err.h"
#include "pbcodec.h"

static char url[128];

static struct control_server *start(unsigned expected)
{
    snprintf(url, sizeof url, "ipc:///tmp/disco-test-cs-%d", (int)getpid());
    struct control_server_options o = {
        .url = url, .expected_servers = expected, .heartbeat_timeout_ms = 5000};
    struct control_server *cs;
    char err[256];
    assert_int_equal(control_server_create(&o, &cs, err, sizeof err), 0);
    return cs;
}

static nng_socket client(void)
{
    return ctl_client(url);
}

static Disco__Control__CoordReply *answer(struct control_server *cs, nng_socket s)
{
    return ctl_answer(cs, s, 50, 20);
}

static void send_register(nng_socket s, uint32_t nodes)
{
    Disco__Control__Register reg = DISCO__CONTROL__REGISTER__INIT;
    reg.protocol_version = CONTROL_PROTOCOL_VERSION;
    reg.hostname = "test";
    reg.pid = 1;
    reg.node_count = nodes;
    reg.cpus_per_node = 1;
    reg.memory_per_node_bytes = 16u << 20;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER;
    req.register_ = &reg;
    ctl_send(s, &req);
}

static void malformed_requests_get_errors(void **state)
{
    struct control_server *cs = start(1);
    nng_socket s = client();
    const char *junk[] = {"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "", "\x08\x01"};
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(nng_send(s, (void *)junk[i], strlen(junk[i]) + (i == 1), 0), 0);
        Disco__Control__CoordReply *r = answer(cs, s);
        assert_non_null(r);
        assert_int_equal(r->body_case, DISCO__CONTROL__COORD_REPLY__BODY_ERROR);
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
    assert_int_equal(control_server_rejected(cs), 3);
    /* Still serving: a valid registration completes the one-server machine. */
    send_register(s, 2);
    Disco__Control__CoordReply *r = answer(cs, s);
    assert_non_null(r);
    assert_int_equal(r->body_case, DISCO__CONTROL__COORD_REPLY__BODY_ASSIGNMENT);
    assert_int_equal(r->assignment->node_count, 2);
    assert_int_equal(control_server_phase(cs), PHASE_RUNNING);
    disco__control__coord_reply__free_unpacked(r, NULL);
    nng_close(s);
    control_server_destroy(cs);
}

static void registration_waits_for_the_whole_machine(void **state)
{
    struct control_server *cs = start(2);
    nng_socket a = client(), b = client();
    send_register(a, 1);
    assert_null(answer(cs, a)); /* deferred: only one of two joined */
    send_register(b, 3);
    Disco__Control__CoordReply *rb = answer(cs, b);
    Disco__Control__CoordReply *ra = answer(cs, a);
    assert_non_null(ra);
    assert_non_null(rb);
    assert_int_equal(ra->assignment->first_node, 0);
    assert_int_equal(rb->assignment->first_node, 1);
    assert_int_equal(rb->assignment->total_nodes, 4);
    disco__control__coord_reply__free_unpacked(ra, NULL);
    disco__control__coord_reply__free_unpacked(rb, NULL);
    /* A closed connection is reported as a lost server, by name. */
    nng_close(a);
    char err[256] = "";
    int rv = 0;
    for (int i = 0; i < 50 && rv == 0; i++)
        rv = control_server_poll(cs, 20, err, sizeof err);
    assert_int_equal(rv, DISCO_EPEERLOST);
    assert_non_null(strstr(err, "server 0 (node 0"));
    nng_close(b);
    control_server_destroy(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_requests_get_errors),
        cmocka_unit_test(registration_waits_for_the_whole_machine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
