/*
 * test_interconnect_codec.c - batches of protocol messages through the
 * protobuf-c wire format: round trips, size caps, field validation, and a
 * deterministic storm of random and bit-flipped inputs that must be either
 * decoded into valid messages or rejected and counted, never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disco_err.h"
#include "interconnect.pb-c.h"
#include "interconnect_codec.h"

static const struct interconnect_limits limits = {.node_count = 16, .agent_count = 32};

static struct coh_msg sample(unsigned i)
{
    struct coh_msg m = {.type = (uint8_t)(COH_GET + i % (COH_MSG_TYPE_COUNT - 1)),
                        .agent = i % 32,
                        .home = i % 16,
                        .cost_cycles = i * 3,
                        .line_addr = 0x80000000ull + i * 128};
    if (i % 3 == 0) {
        m.flags = COH_FLAG_DATA | COH_FLAG_DIRTY;
        for (unsigned b = 0; b < COH_LINE_BYTES; b++)
            m.data[b] = (uint8_t)(i + b);
    }
    return m;
}

static void test_round_trip(void **state)
{
    enum { N = 40 };
    struct coh_msg in[N], out[N];
    for (unsigned i = 0; i < N; i++)
        in[i] = sample(i);
    struct interconnect_header h = {.sender = 7, .sequence = 123456789012ull}, h2;
    size_t need = interconnect_encoded_size(&h, in, N);
    uint8_t *buf = malloc(need);
    size_t len = 0, count = 0;
    assert_int_equal(interconnect_encode(&h, in, N, buf, need, &len), 0);
    assert_int_equal(len, need);
    struct interconnect_codec_stats st = {0};
    assert_int_equal(interconnect_decode(buf, len, &limits, &h2, out, N, &count, &st), 0);
    assert_int_equal(count, N);
    assert_int_equal(h2.sender, 7);
    assert_int_equal(h2.sequence, 123456789012ull);
    for (unsigned i = 0; i < N; i++) {
        assert_int_equal(out[i].type, in[i].type);
        assert_int_equal(out[i].flags, in[i].flags);
        assert_int_equal(out[i].agent, in[i].agent);
        assert_int_equal(out[i].home, in[i].home);
        assert_int_equal(out[i].cost_cycles, in[i].cost_cycles);
        assert_int_equal(out[i].line_addr, in[i].line_addr);
        if (in[i].flags & COH_FLAG_DATA)
            assert_memory_equal(out[i].data, in[i].data, COH_LINE_BYTES);
    }
    assert_int_equal(st.batches_decoded, 1);
    assert_int_equal(st.msgs_decoded, N);
    /* a data message costs ~150 bytes, a control one ~20 */
    assert_true(need < N * 160);
    /* too small a buffer, too many messages, invalid type */
    assert_int_equal(interconnect_encode(&h, in, N, buf, need - 1, &len), DISCO_ETOOBIG);
    in[3].type = 0;
    assert_int_equal(interconnect_encode(&h, in, N, buf, need, &len), DISCO_EINVAL);
    free(buf);
    /* an empty batch is valid */
    uint8_t small[16];
    assert_int_equal(interconnect_encode(&h, NULL, 0, small, sizeof(small), &len), 0);
    assert_int_equal(interconnect_decode(small, len, &limits, &h2, out, N, &count, NULL), 0);
    assert_int_equal(count, 0);
}

static void test_size_limits(void **state)
{
    struct coh_msg in[8], out[4];
    for (unsigned i = 0; i < 8; i++)
        in[i] = sample(i + 1);
    struct interconnect_header h = {0}, h2;
    uint8_t buf[4096];
    size_t len, count = 99;
    struct interconnect_codec_stats st = {0};
    assert_int_equal(interconnect_encode(&h, in, 8, buf, sizeof(buf), &len), 0);
    /* more messages than the caller has room for */
    assert_int_equal(interconnect_decode(buf, len, &limits, &h2, out, 4, &count, &st),
                     DISCO_ETOOBIG);
    assert_int_equal(count, 0);
    /* over the byte cap, refused before parsing */
    struct interconnect_limits tight = limits;
    tight.max_bytes = len - 1;
    assert_int_equal(interconnect_decode(buf, len, &tight, &h2, out, 4, &count, &st),
                     DISCO_ETOOBIG);
    assert_int_equal(st.rejected_oversize, 2);
    assert_int_equal(interconnect_decode(buf, INTERCONNECT_MAX_BATCH_BYTES + 1, &limits, &h2, out,
                                         4, &count, &st),
                     DISCO_ETOOBIG);
    assert_int_equal(st.rejected_oversize, 3);
}

/* Encodes one hand-built wire message, bypassing interconnect_encode's checks. */
static size_t encode_raw(Disco__Interconnect__CohMsg *w, uint8_t *buf)
{
    Disco__Interconnect__Batch b = DISCO__INTERCONNECT__BATCH__INIT;
    b.n_coh = 1;
    b.coh = &w;
    return disco__interconnect__batch__pack(&b, buf);
}

static void test_field_validation(void **state)
{
    uint8_t line[COH_LINE_BYTES] = {0}, shortdata[127] = {0};
    uint8_t buf[512];
    struct coh_msg out[2];
    struct interconnect_header h;
    size_t count;
    struct interconnect_codec_stats st = {0};
    for (int k = 0; k < 8; k++) {
        Disco__Interconnect__CohMsg w = DISCO__INTERCONNECT__COH_MSG__INIT;
        w.type = COH_DATA_S;
        w.agent = 1;
        w.home = 2;
        w.line_addr = 0x1000;
        w.has_flags = 1;
        w.flags = COH_FLAG_DATA;
        w.has_data = 1;
        w.data.len = sizeof(line);
        w.data.data = line;
        switch (k) {
        case 0: break; /* valid */
        case 1: w.type = COH_MSG_TYPE_COUNT; break;
        case 2: w.agent = 32; break;
        case 3: w.home = 16; break;
        case 4: w.line_addr = 0x1001; break;
        case 5:
            w.data.len = sizeof(shortdata);
            w.data.data = shortdata;
            break;
        case 6:
            w.has_data = 0;
            w.data.len = 0;
            break; /* DATA flag without data */
        case 7: w.flags = 0x40 | COH_FLAG_DATA; break;
        }
        size_t len = encode_raw(&w, buf);
        int rv = interconnect_decode(buf, len, &limits, &h, out, 2, &count, &st);
        assert_int_equal(rv, k == 0 ? 0 : DISCO_EFORMAT);
    }
    assert_int_equal(st.rejected_fields, 7);
    assert_int_equal(st.batches_decoded, 1);
    /* bytes that are not a batch at all */
    const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_int_equal(interconnect_decode(junk, sizeof(junk), &limits, &h, out, 2, &count, &st),
                     DISCO_EFORMAT);
    assert_int_equal(st.rejected_malformed, 1);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_decoded(const struct coh_msg *m, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        assert_true(m[i].type > 0 && m[i].type < COH_MSG_TYPE_COUNT);
        assert_true(m[i].agent < limits.agent_count);
        assert_true(m[i].home < limits.node_count);
        assert_int_equal(m[i].line_addr & COH_LINE_MASK, 0);
        assert_int_equal(m[i].flags & ~COH_FLAG_ALL, 0);
    }
}

/* Random bytes and bit-flipped valid batches: accepted ones are valid. */
static void test_random_inputs(void **state)
{
    static struct coh_msg out[INTERCONNECT_MAX_BATCH_MSGS];
    struct coh_msg in[12];
    uint8_t valid[4096], buf[4096];
    struct interconnect_header h = {.sender = 3, .sequence = 9}, h2;
    size_t vlen, count;
    for (unsigned i = 0; i < 12; i++)
        in[i] = sample(i + 1);
    assert_int_equal(interconnect_encode(&h, in, 12, valid, sizeof(valid), &vlen), 0);
    struct interconnect_codec_stats st = {0};
    unsigned accepted = 0, rounds = 20000;
    for (unsigned r = 0; r < rounds; r++) {
        size_t len;
        if (r % 2) {
            len = next_random() % 300;
            for (size_t b = 0; b < len; b++)
                buf[b] = (uint8_t)next_random();
        } else {
            len = vlen - (r % 7 == 0 ? next_random() % vlen : 0); /* sometimes truncated */
            memcpy(buf, valid, len);
            for (unsigned f = 0; f < 1 + next_random() % 4; f++)
                buf[next_random() % vlen % (len ? len : 1)] ^= (uint8_t)(1u << (next_random() % 8));
        }
        int rv = interconnect_decode(buf, len, &limits, &h2, out, INTERCONNECT_MAX_BATCH_MSGS,
                                     &count, &st);
        if (rv == 0) {
            accepted++;
            check_decoded(out, count);
        } else {
            assert_int_equal(count, 0);
        }
    }
    uint64_t rejected = st.rejected_fields + st.rejected_malformed + st.rejected_oversize;
    assert_int_equal(st.batches_decoded + rejected, rounds);
    assert_int_equal(st.batches_decoded, accepted);
    assert_true(rejected > rounds / 2);
    print_message("  %u accepted, %llu malformed, %llu bad fields\n", accepted,
                  (unsigned long long)st.rejected_malformed,
                  (unsigned long long)st.rejected_fields);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_size_limits),
        cmocka_unit_test(test_field_validation),
        cmocka_unit_test(test_random_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
