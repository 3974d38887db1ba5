/* test_frame.c - the 5-byte envelope: round trip, partial input, limits, bad flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disco_err.h"
#include "frame.h"

static void round_trip(void **state)
{
    uint8_t buf[64];
    const char *msg = "hello, FLASH";
    frame_write_header(buf, FRAME_FLAG_END, (uint32_t)strlen(msg));
    memcpy(buf + FRAME_HEADER_BYTES, msg, strlen(msg));
    struct frame f;
    size_t used;
    assert_int_equal(frame_parse(buf, FRAME_HEADER_BYTES + strlen(msg), 100, &f, &used), 0);
    assert_int_equal(f.flags, FRAME_FLAG_END);
    assert_int_equal(f.length, strlen(msg));
    assert_memory_equal(f.payload, msg, strlen(msg));
    assert_int_equal(used, FRAME_HEADER_BYTES + strlen(msg));
}

static void header_is_big_endian(void **state)
{
    uint8_t h[FRAME_HEADER_BYTES];
    frame_write_header(h, 0, 0x01020304);
    uint8_t want[] = {0, 1, 2, 3, 4};
    assert_memory_equal(h, want, sizeof want);
}

static void partial_input_asks_for_more(void **state)
{
    uint8_t buf[16] = {0};
    frame_write_header(buf, 0, 10);
    struct frame f;
    size_t used;
    for (size_t n = 0; n < FRAME_HEADER_BYTES + 10; n++)
        assert_int_equal(frame_parse(buf, n, 100, &f, &used), DISCO_EAGAIN);
    assert_int_equal(frame_parse(buf, FRAME_HEADER_BYTES + 10, 100, &f, &used), 0);
}

static void oversized_and_bad_flags_rejected(void **state)
{
    uint8_t buf[8];
    struct frame f;
    size_t used;
    frame_write_header(buf, 0, 0xffffffffu);
    assert_int_equal(frame_parse(buf, sizeof buf, 1 << 20, &f, &used), DISCO_ETOOBIG);
    frame_write_header(buf, FRAME_FLAG_COMPRESSED, 1);
    assert_int_equal(frame_parse(buf, sizeof buf, 100, &f, &used), DISCO_EFORMAT);
    frame_write_header(buf, 0x80, 1);
    assert_int_equal(frame_parse(buf, sizeof buf, 100, &f, &used), DISCO_EFORMAT);
}

static void two_frames_back_to_back(void **state)
{
    uint8_t buf[32];
    frame_write_header(buf, 0, 2);
    buf[5] = 'a';
    buf[6] = 'b';
    frame_write_header(buf + 7, FRAME_FLAG_END, 1);
    buf[12] = 'c';
    struct frame f;
    size_t used, off = 0;
    assert_int_equal(frame_parse(buf, 13, 100, &f, &used), 0);
    off += used;
    assert_int_equal(frame_parse(buf + off, 13 - off, 100, &f, &used), 0);
    assert_int_equal(f.length, 1);
    assert_int_equal(f.payload[0], 'c');
    assert_int_equal(off + used, 13);
}

static void strerror_covers_every_code(void **state)
{
    for (int e = 0; e < DISCO_ERR_COUNT; e++)
        assert_string_not_equal(disco_strerror(e), "unknown error");
    assert_string_equal(disco_strerror(-1), "unknown error");
    assert_string_equal(disco_strerror(DISCO_ERR_COUNT), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(header_is_big_endian),
        cmocka_unit_test(partial_input_asks_for_more),
        cmocka_unit_test(oversized_and_bad_flags_rejected),
        cmocka_unit_test(two_frames_back_to_back),
        cmocka_unit_test(strerror_covers_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
