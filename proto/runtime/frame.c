/* frame.c - the 5-byte length-prefixed envelope (see frame.h). */
#include "frame.h"

#include "disco_err.h"

void frame_write_header(uint8_t header[FRAME_HEADER_BYTES], uint8_t flags, uint32_t length)
{
    header[0] = flags;
    header[1] = (uint8_t)(length >> 24);
    header[2] = (uint8_t)(length >> 16);
    header[3] = (uint8_t)(length >> 8);
    header[4] = (uint8_t)length;
}

int frame_parse(const uint8_t *buf, size_t len, uint32_t max_payload, struct frame *out,
                size_t *consumed)
{
    if (len < FRAME_HEADER_BYTES)
        return DISCO_EAGAIN;
    uint8_t flags = buf[0];
    if (flags & ~(uint8_t)FRAME_FLAG_END)
        return DISCO_EFORMAT;
    uint32_t length =
        (uint32_t)buf[1] << 24 | (uint32_t)buf[2] << 16 | (uint32_t)buf[3] << 8 | buf[4];
    if (length > max_payload)
        return DISCO_ETOOBIG;
    if (len - FRAME_HEADER_BYTES < length)
        return DISCO_EAGAIN;
    out->flags = flags;
    out->length = length;
    out->payload = buf + FRAME_HEADER_BYTES;
    *consumed = FRAME_HEADER_BYTES + (size_t)length;
    return DISCO_OK;
}
