/*
 * pbcodec.h - packing and bounded unpacking of protobuf-c messages.
 *
 * Every message from outside goes through pbcodec_unpack(): it caps the size
 * before decoding and maps protobuf-c's NULL into DISCO_EFORMAT, so callers
 * have one place that treats untrusted bytes (see REFERENCE.md: protobuf-c
 * accepts some truncated inputs, so callers still check required content).
 */
#ifndef DISCO_PBCODEC_H
#define DISCO_PBCODEC_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

/* Packs msg into a new heap buffer (caller frees with free()). */
void pbcodec_pack(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len);

/*
 * Unpacks len bytes as a message of type desc. Returns 0 and the message
 * (free with protobuf_c_message_free_unpacked), DISCO_ETOOBIG over max_len,
 * DISCO_EFORMAT if it does not decode or is not of that type.
 */
int pbcodec_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                   size_t max_len, ProtobufCMessage **out) __attribute__((warn_unused_result));

#endif
