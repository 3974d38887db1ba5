/* pbcodec.c - protobuf-c pack and size-capped unpack. */
#include "pbcodec.h"

#include "disco_err.h"
#include "xalloc.h"

void pbcodec_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *buf = xmalloc(n);
    size_t written = protobuf_c_message_pack(msg, buf);
    *out = buf;
    *out_len = written;
}

int pbcodec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                   size_t max_len, ProtobufCMessage **out)
{
    *out = NULL;
    if (len > max_len)
        return DISCO_ETOOBIG;
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, len, buf);
    if (msg == NULL)
        return DISCO_EFORMAT;
    if (msg->descriptor != desc || !protobuf_c_message_check(msg)) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return DISCO_EFORMAT;
    }
    *out = msg;
    return DISCO_OK;
}
