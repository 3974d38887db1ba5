/*
 * pbjson.h - JSON for any protobuf-c message, driven by its descriptor
 * (protobuf-c 1.4 has none): the proto3 JSON mapping's lowerCamelCase names
 * (the proto names are accepted too), enums by name, bytes in base64,
 * 64-bit integers as numbers (quoted ones are accepted). Used by the API
 * server for Twirp's application/json and by discoctl --json.
 */
#ifndef DISCO_PBJSON_H
#define DISCO_PBJSON_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdio.h>

#define PBJSON_MAX_DEPTH 16

/* Writes msg as JSON; indent 0 writes one line. */
void pbjson_write(FILE *out, const ProtobufCMessage *msg, int indent);

/*
 * Parses len bytes of untrusted JSON into a new message of type desc (free
 * with protobuf_c_message_free_unpacked). Unknown fields are ignored, nesting
 * is capped at PBJSON_MAX_DEPTH, required fields are checked. Returns 0, or
 * DISCO_EFORMAT with the reason in err.
 */
int pbjson_parse(const ProtobufCMessageDescriptor *desc, const char *text, size_t len,
                 ProtobufCMessage **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif
