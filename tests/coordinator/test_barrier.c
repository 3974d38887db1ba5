/*
 * test_barrier.c - the quantum barrier of a --bare run on the coordinator's
 * control endpoint (control_server.h) over a real NNG ipc socket: the
 * Assignment carries the program; a release waits for every server; the
 * release callback decides the end of the run; an arrival out of step is
 * refused; after the run-over release the final arrivals complete the run;
 * a page-counter request rides on the next release; a VM host's idle
 * hold keeps the release back until the hold callback lets it go, and
 * arrivals during shutdown wait there (the servers leave on their
 * heartbeats' Shutdown).
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
#include "pbcodec.h"

static char url[128];
static const uint8_t program[] = "\x7f"
                                 "ELF not really";

struct seen {
    unsigned arrivals, finals;
    uint64_t stop_at; /* release() ends the run at this quantum */
    uint64_t last_released;
    uint64_t console_bytes;
    bool hold;           /* the hold callback's answer */
    unsigned hold_asked; /* times it was asked */
};

static bool on_hold(void *arg)
{
    struct seen *s = arg;
    s->hold_asked++;
    return s->hold;
}

static void on_arrive(void *arg, const Disco__Control__BarrierArrive *a)
{
    struct seen *s = arg;
    s->arrivals++;
    s->finals += a->has_final && a->final;
    for (size_t i = 0; i < a->n_console; i++)
        s->console_bytes += a->console[i]->data.len;
}

static bool on_release(void *arg, uint64_t quantum)
{
    struct seen *s = arg;
    s->last_released = quantum;
    return quantum >= s->stop_at;
}

static struct control_server *start_with(struct seen *seen, bool hold)
{
    snprintf(url, sizeof url, "ipc:///tmp/disco-test-barrier-%d", (int)getpid());
    struct control_server_options o = {.url = url,
                                       .expected_servers = 2,
                                       .heartbeat_timeout_ms = 5000,
                                       .bare_elf = program,
                                       .bare_elf_len = sizeof program,
                                       .quantum_cycles = 500,
                                       .barrier = {on_arrive, on_release, seen}};
    if (hold)
        o.barrier.hold = on_hold;
    struct control_server *cs;
    char err[256];
    assert_int_equal(control_server_create(&o, &cs, err, sizeof err), 0);
    return cs;
}

static struct control_server *start(struct seen *seen)
{
    return start_with(seen, false);
}

static nng_socket client(void)
{
    return ctl_client(url);
}

static Disco__Control__CoordReply *answer(struct control_server *cs, nng_socket s)
{
    return ctl_answer(cs, s, 30, 10);
}

static void send_req(nng_socket s, Disco__Control__NodeRequest *req)
{
    ctl_send(s, req);
}

static void send_register(nng_socket s)
{
    Disco__Control__Register reg = DISCO__CONTROL__REGISTER__INIT;
    reg.protocol_version = CONTROL_PROTOCOL_VERSION;
    reg.hostname = "test";
    reg.pid = 1;
    reg.node_count = 1;
    reg.cpus_per_node = 1;
    reg.memory_per_node_bytes = 16u << 20;
    reg.interconnect_url = "ipc:///x-req";
    reg.interconnect_reply_url = "ipc:///x-rep";
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER;
    req.register_ = &reg;
    send_req(s, &req);
}

static void send_arrive(nng_socket s, unsigned index, uint64_t quantum, bool final)
{
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    Disco__Control__ConsoleChunk chunk = DISCO__CONTROL__CONSOLE_CHUNK__INIT;
    Disco__Control__ConsoleChunk *chunks[1] = {&chunk};
    chunk.cpu = index;
    chunk.data.data = (uint8_t *)"hi\n";
    chunk.data.len = 3;
    a.server_index = index;
    a.quantum = quantum;
    a.has_final = true;
    a.final = final;
    a.n_console = 1;
    a.console = chunks;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_BARRIER;
    req.barrier = &a;
    send_req(s, &req);
}

static void barrier_rounds_and_the_end_of_a_run(void **state)
{
    (void)state;
    struct seen seen = {.stop_at = 1};
    struct control_server *cs = start(&seen);
    nng_socket s[2] = {client(), client()};
    send_register(s[0]);
    assert_null(answer(cs, s[0]));
    send_register(s[1]);
    unsigned index[2];
    for (unsigned i = 0; i < 2; i++) {
        Disco__Control__CoordReply *r = answer(cs, s[i]);
        assert_non_null(r);
        assert_int_equal(r->body_case, DISCO__CONTROL__COORD_REPLY__BODY_ASSIGNMENT);
        assert_non_null(r->assignment->bare);
        assert_int_equal(r->assignment->bare->quantum_cycles, 500);
        assert_int_equal(r->assignment->bare->elf.len, sizeof program);
        assert_string_equal(r->assignment->servers[i]->interconnect_reply_url, "ipc:///x-rep");
        index[i] = r->assignment->server_index;
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
    /* Quantum 0: held until both arrive; not over. */
    send_arrive(s[0], index[0], 0, false);
    assert_null(answer(cs, s[0]));
    control_server_request_pages(cs, true);
    send_arrive(s[1], index[1], 0, false);
    for (unsigned i = 0; i < 2; i++) {
        Disco__Control__CoordReply *r = answer(cs, s[i]);
        assert_non_null(r);
        assert_int_equal(r->body_case, DISCO__CONTROL__COORD_REPLY__BODY_RELEASE);
        assert_int_equal(r->release->quantum, 0);
        assert_false(r->release->run_over);
        assert_true(r->release->want_pages);
        assert_true(r->release->reset_pages);
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
    /* An arrival for the wrong quantum is refused and changes nothing. */
    send_arrive(s[0], index[0], 5, false);
    Disco__Control__CoordReply *bad = answer(cs, s[0]);
    assert_non_null(bad);
    assert_int_equal(bad->body_case, DISCO__CONTROL__COORD_REPLY__BODY_ERROR);
    disco__control__coord_reply__free_unpacked(bad, NULL);
    /* Quantum 1: the callback ends the run. */
    for (unsigned i = 0; i < 2; i++)
        send_arrive(s[i], index[i], 1, false);
    for (unsigned i = 0; i < 2; i++) {
        Disco__Control__CoordReply *r = answer(cs, s[i]);
        assert_non_null(r);
        assert_true(r->release->run_over);
        assert_false(r->release->want_pages);
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
    assert_false(control_server_run_complete(cs));
    /* The final arrivals complete it. */
    for (unsigned i = 0; i < 2; i++)
        send_arrive(s[i], index[i], 1, true);
    for (unsigned i = 0; i < 2; i++) {
        Disco__Control__CoordReply *r = answer(cs, s[i]);
        assert_non_null(r);
        assert_true(r->release->run_over);
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
    assert_true(control_server_run_complete(cs));
    assert_int_equal(seen.arrivals, 6);
    assert_int_equal(seen.finals, 2);
    assert_int_equal(seen.console_bytes, 18);
    assert_int_equal(seen.last_released, 1);
    nng_close(s[0]);
    nng_close(s[1]);
    control_server_destroy(cs);
}

/* Registers two clients and returns their server indexes. */
static void join_two(struct control_server *cs, nng_socket *s, unsigned *index)
{
    send_register(s[0]);
    assert_null(answer(cs, s[0]));
    send_register(s[1]);
    for (unsigned i = 0; i < 2; i++) {
        Disco__Control__CoordReply *r = answer(cs, s[i]);
        assert_non_null(r);
        index[i] = r->assignment->server_index;
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
}

static void idle_hold_and_shutdown(void **state)
{
    (void)state;
    struct seen seen = {.stop_at = 1000, .hold = true};
    struct control_server *cs = start_with(&seen, true);
    nng_socket s[2] = {client(), client()};
    unsigned index[2];
    join_two(cs, s, index);
    for (unsigned i = 0; i < 2; i++)
        send_arrive(s[i], index[i], 0, false);
    /* Held: no release while the callback says so, and it is asked again. */
    assert_null(answer(cs, s[0]));
    assert_null(answer(cs, s[1]));
    assert_true(seen.hold_asked >= 5);
    assert_int_equal(seen.last_released, 0);
    /* Let go: the next poll releases both. */
    seen.hold = false;
    for (unsigned i = 0; i < 2; i++) {
        Disco__Control__CoordReply *r = answer(cs, s[i]);
        assert_non_null(r);
        assert_int_equal(r->body_case, DISCO__CONTROL__COORD_REPLY__BODY_RELEASE);
        assert_int_equal(r->release->quantum, 0);
        disco__control__coord_reply__free_unpacked(r, NULL);
    }
    /* Shutting down: an arrival waits (no error), then leaves on Shutdown. */
    control_server_begin_shutdown(cs, "test over");
    send_arrive(s[0], index[0], 1, false);
    assert_null(answer(cs, s[0]));
    nng_close(s[0]);
    nng_close(s[1]);
    control_server_destroy(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(barrier_rounds_and_the_end_of_a_run),
        cmocka_unit_test(idle_hold_and_shutdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
