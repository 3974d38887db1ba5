/*
 * test_interconnect.c - the network between node servers (interconnect.h)
 * over ipc in a private directory: messages queued for a peer arrive in
 * order on their own channel, data intact; a batch that is not a protocol
 * batch, or holds a message for the wrong channel, is rejected and counted
 * while the endpoint keeps working.
 */
#include <nng/nng.h>
#include <nng/protocol/pipeline0/push.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "interconnect.h"

struct pair {
    char dir[64];
    struct interconnect *ic[2];
    char req[2][256], rep[2][256];
};

static int setup(void **state)
{
    struct pair *p = calloc(1, sizeof *p);
    snprintf(p->dir, sizeof p->dir, "/tmp/disco-ic-test-XXXXXX");
    assert_non_null(mkdtemp(p->dir));
    char tmpl[128], err[256];
    snprintf(tmpl, sizeof tmpl, "ipc://%s/ic", p->dir);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(interconnect_create(tmpl, i, NULL, &p->ic[i], p->req[i], p->rep[i],
                                             sizeof p->req[i], err, sizeof err),
                         0);
    const char *req[2] = {p->req[0], p->req[1]}, *rep[2] = {p->rep[0], p->rep[1]};
    struct interconnect_limits lim = {.node_count = 2, .agent_count = 2};
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(interconnect_connect(p->ic[i], i, 2, req, rep, i, &lim, err, sizeof err),
                         0);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct pair *p = *state;
    for (unsigned i = 0; i < 2; i++)
        interconnect_destroy(p->ic[i]);
    rmdir(p->dir);
    free(p);
    return 0;
}

/* Receives one batch of channel ch at ic, waiting up to ~2 s. */
static size_t receive(struct interconnect *ic, enum coh_channel ch, struct coh_msg *out)
{
    for (int i = 0; i < 2000; i++) {
        size_t n = interconnect_receive(ic, ch, out, INTERCONNECT_MAX_BATCH_MSGS);
        if (n)
            return n;
        if (i % 100 == 0)
            interconnect_flush(ic); /* harmless; keeps a backlog moving */
        interconnect_wait(ic, 1, -1);
    }
    return 0;
}

static void test_channels_order_and_data(void **state)
{
    struct pair *p = *state;
    static struct coh_msg out[INTERCONNECT_MAX_BATCH_MSGS];
    for (unsigned i = 0; i < 3; i++) {
        struct coh_msg m = {.type = COH_GET, .agent = 0, .home = 1, .line_addr = 128u * i};
        interconnect_queue(p->ic[0], 1, &m);
    }
    struct coh_msg d = {.type = COH_DATA_X,
                        .flags = COH_FLAG_DATA,
                        .agent = 1,
                        .home = 0,
                        .line_addr = 0x1000,
                        .cost_cycles = 7};
    for (unsigned i = 0; i < COH_LINE_BYTES; i++)
        d.data[i] = (uint8_t)(i * 3);
    interconnect_queue(p->ic[0], 1, &d);
    interconnect_flush(p->ic[0]);

    assert_int_equal(receive(p->ic[1], COH_CHANNEL_REPLY, out), 1);
    assert_int_equal(out[0].type, COH_DATA_X);
    assert_int_equal(out[0].cost_cycles, 7);
    assert_memory_equal(out[0].data, d.data, COH_LINE_BYTES);
    assert_int_equal(receive(p->ic[1], COH_CHANNEL_REQUEST, out), 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(out[i].type, COH_GET);
        assert_int_equal(out[i].line_addr, 128u * i);
    }
    const struct interconnect_stats *s = interconnect_get_stats(p->ic[1]);
    assert_int_equal(s->msgs_received, 4);
    assert_int_equal(s->rejected, 0);
}

static void test_garbage_rejected_and_counted(void **state)
{
    struct pair *p = *state;
    static struct coh_msg out[INTERCONNECT_MAX_BATCH_MSGS];
    nng_socket raw;
    assert_int_equal(nng_push0_open(&raw), 0);
    assert_int_equal(nng_dial(raw, p->req[1], NULL, 0), 0);
    const char junk[] = "\xff\xff\xff\xff not a batch";
    assert_int_equal(nng_send(raw, (void *)junk, sizeof junk, 0), 0);
    for (int i = 0; i < 2000 && interconnect_get_stats(p->ic[1])->rejected == 0; i++) {
        assert_int_equal(
            interconnect_receive(p->ic[1], COH_CHANNEL_REQUEST, out, INTERCONNECT_MAX_BATCH_MSGS),
            0);
        interconnect_wait(p->ic[1], 1, -1);
    }
    assert_int_equal(interconnect_get_stats(p->ic[1])->rejected, 1);
    nng_close(raw);
    /* Still working afterwards. */
    struct coh_msg m = {.type = COH_PUT, .agent = 0, .home = 1, .line_addr = 0x80};
    interconnect_queue(p->ic[0], 1, &m);
    interconnect_flush(p->ic[0]);
    assert_int_equal(receive(p->ic[1], COH_CHANNEL_REQUEST, out), 1);
    assert_int_equal(out[0].type, COH_PUT);
}

static void test_wrong_channel_dropped(void **state)
{
    struct pair *p = *state;
    static struct coh_msg out[INTERCONNECT_MAX_BATCH_MSGS];
    /* A reply smuggled onto the request listener. */
    struct coh_msg m = {.type = COH_NACK, .agent = 1, .home = 0, .line_addr = 0x100};
    struct interconnect_header h = {.sender = 0};
    uint8_t buf[1024];
    size_t len;
    assert_int_equal(interconnect_encode(&h, &m, 1, buf, sizeof buf, &len), 0);
    nng_socket raw;
    assert_int_equal(nng_push0_open(&raw), 0);
    assert_int_equal(nng_dial(raw, p->req[1], NULL, 0), 0);
    assert_int_equal(nng_send(raw, buf, len, 0), 0);
    for (int i = 0; i < 2000 && interconnect_get_stats(p->ic[1])->rejected == 0; i++) {
        assert_int_equal(
            interconnect_receive(p->ic[1], COH_CHANNEL_REQUEST, out, INTERCONNECT_MAX_BATCH_MSGS),
            0);
        interconnect_wait(p->ic[1], 1, -1);
    }
    assert_int_equal(interconnect_get_stats(p->ic[1])->rejected, 1);
    nng_close(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_channels_order_and_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_rejected_and_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_channel_dropped, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
