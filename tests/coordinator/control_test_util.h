/*
 * control_test_util.h - helpers shared by the control-server tests: a REQ
 * client that dials the server under test, sending one NodeRequest, and
 * polling the server until the client's answer arrives (or the bound runs out).
 */
#ifndef DISCO_TEST_CONTROL_TEST_UTIL_H
#define DISCO_TEST_CONTROL_TEST_UTIL_H

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <stdlib.h>

#include "control_server.h"
#include "pbcodec.h"

static inline nng_socket ctl_client(const char *url)
{
    nng_socket s;
    assert_int_equal(nng_req0_open(&s), 0);
    assert_int_equal(nng_dial(s, url, NULL, 0), 0);
    nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, 100);
    return s;
}

static inline void ctl_send(nng_socket s, const Disco__Control__NodeRequest *req)
{
    uint8_t *buf;
    size_t len;
    pbcodec_pack(&req->base, &buf, &len);
    assert_int_equal(nng_send(s, buf, len, 0), 0);
    free(buf);
}

/* Polls cs tries times for poll_ms each; returns the decoded answer or NULL. */
static inline Disco__Control__CoordReply *ctl_answer(struct control_server *cs, nng_socket s,
                                                     int tries, int poll_ms)
{
    char err[256];
    for (int i = 0; i < tries; i++) {
        assert_int_equal(control_server_poll(cs, poll_ms, err, sizeof err), 0);
        void *buf;
        size_t len;
        if (nng_recv(s, &buf, &len, NNG_FLAG_ALLOC | NNG_FLAG_NONBLOCK) == 0) {
            ProtobufCMessage *m;
            assert_int_equal(
                pbcodec_unpack(&disco__control__coord_reply__descriptor, buf, len, 1 << 20, &m), 0);
            nng_free(buf, len);
            return (Disco__Control__CoordReply *)m;
        }
    }
    return NULL;
}

#endif
