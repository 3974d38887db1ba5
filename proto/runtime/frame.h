/*
 * frame.h - the length-prefixed envelope used on every byte stream of the
 * project (API server streams, control-plane batches): one flags byte, a
 * 4-byte big-endian payload length, then the payload (Connect-style).
 * Pure functions over caller buffers; the parser never reads past len and
 * enforces a caller-given payload limit.
 */
#ifndef DISCO_FRAME_H
#define DISCO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_HEADER_BYTES 5

enum {
    FRAME_FLAG_COMPRESSED = 0x01, /* reserved: never set by us, rejected on input */
    FRAME_FLAG_END = 0x02,        /* end of stream; the payload is a trailer */
};

struct frame {
    uint8_t flags;
    uint32_t length;
    const uint8_t *payload; /* points into the parsed buffer */
};

/* Writes the 5-byte header for a payload of length bytes. */
void frame_write_header(uint8_t header[FRAME_HEADER_BYTES], uint8_t flags, uint32_t length);

/*
 * Parses one frame at the start of buf[0..len). Returns 0 and sets *out and
 * *consumed; DISCO_EAGAIN if buf holds only part of a frame; DISCO_ETOOBIG if
 * the announced payload exceeds max_payload; DISCO_EFORMAT for unknown flags.
 */
int frame_parse(const uint8_t *buf, size_t len, uint32_t max_payload, struct frame *out,
                size_t *consumed) __attribute__((warn_unused_result));

#endif
