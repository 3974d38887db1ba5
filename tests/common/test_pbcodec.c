/* test_pbcodec.c - protobuf pack and bounded unpack of control messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.pb-c.h"
#include "disco_err.h"
#include "pbcodec.h"

static void pack(uint8_t **buf, size_t *len)
{
    Disco__Control__Register reg = DISCO__CONTROL__REGISTER__INIT;
    reg.protocol_version = 1;
    reg.hostname = "host-a";
    reg.pid = 42;
    reg.node_count = 4;
    reg.cpus_per_node = 1;
    reg.memory_per_node_bytes = 64u << 20;
    Disco__Control__NodeRequest req = DISCO__CONTROL__NODE_REQUEST__INIT;
    req.body_case = DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER;
    req.register_ = &reg;
    pbcodec_pack(&req.base, buf, len);
}

static void round_trip(void **state)
{
    uint8_t *buf;
    size_t len;
    pack(&buf, &len);
    ProtobufCMessage *m;
    assert_int_equal(pbcodec_unpack(&disco__control__node_request__descriptor, buf, len, 1024, &m),
                     0);
    Disco__Control__NodeRequest *r = (Disco__Control__NodeRequest *)m;
    assert_int_equal(r->body_case, DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER);
    assert_string_equal(r->register_->hostname, "host-a");
    assert_int_equal(r->register_->node_count, 4);
    assert_int_equal(r->register_->memory_per_node_bytes, 64u << 20);
    protobuf_c_message_free_unpacked(m, NULL);
    free(buf);
}

static void size_cap_applies_before_decoding(void **state)
{
    uint8_t *buf;
    size_t len;
    pack(&buf, &len);
    ProtobufCMessage *m = (ProtobufCMessage *)1;
    assert_int_equal(
        pbcodec_unpack(&disco__control__node_request__descriptor, buf, len, len - 1, &m),
        DISCO_ETOOBIG);
    assert_null(m);
    free(buf);
}

static void garbage_and_truncation_rejected(void **state)
{
    uint8_t *buf;
    size_t len;
    pack(&buf, &len);
    ProtobufCMessage *m;
    /* Every strict prefix either fails or decodes without the required fields. */
    for (size_t n = 1; n < len; n++) {
        int rv = pbcodec_unpack(&disco__control__node_request__descriptor, buf, n, 1024, &m);
        if (rv == 0) {
            Disco__Control__NodeRequest *r = (Disco__Control__NodeRequest *)m;
            assert_true(r->body_case != DISCO__CONTROL__NODE_REQUEST__BODY_REGISTER ||
                        r->register_->memory_per_node_bytes != (64u << 20));
            protobuf_c_message_free_unpacked(m, NULL);
        } else {
            assert_int_equal(rv, DISCO_EFORMAT);
        }
    }
    uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(
        pbcodec_unpack(&disco__control__node_request__descriptor, junk, sizeof junk, 1024, &m),
        DISCO_EFORMAT);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(size_cap_applies_before_decoding),
        cmocka_unit_test(garbage_and_truncation_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
