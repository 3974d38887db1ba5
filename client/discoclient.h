/*
 * discoclient.h - libdiscoclient, the C client of a Disco/FLASH cluster's
 * public API (docs/api.md): Twirp-style protobuf calls over HTTPS with a
 * client certificate, server streams, and two helpers built on them
 * (resumable image upload, waiting for a job). Used by discoctl and the
 * API tests; a complete example program is in docs/api.md.
 *
 * A client holds one keep-alive connection and is not thread-safe: use one
 * client per thread. Every fallible call returns 0 or a DISCO_E* code
 * (disco_err.h) and fills a struct disco_error with the details.
 */
#ifndef DISCO_CLIENT_DISCOCLIENT_H
#define DISCO_CLIENT_DISCOCLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "api.pb-c.h"

struct disco_client_config {
    const char *url;       /* https://HOST:PORT */
    const char *ca_file;   /* CA that signed the server's certificate */
    const char *cert_file; /* the user's certificate (its CN is the user) */
    const char *key_file;  /* the user's private key */
    int timeout_ms;        /* per read/write; 0: 30000 */
};

struct disco_error {
    int http_status; /* 0 if no HTTP answer */
    char code[32];   /* a Twirp code ("not_found"...), or "transport", "tls", "protocol" */
    char msg[512];
};

struct disco_client;

/* Checks the configuration and loads the certificates (connects lazily). */
int disco_client_open(const struct disco_client_config *config, struct disco_client **out,
                      struct disco_error *err) __attribute__((warn_unused_result));
void disco_client_close(struct disco_client *client);

/*
 * Calls disco.api.SERVICE/METHOD with request. On success *response is the
 * decoded answer of type response_desc (free it with
 * protobuf_c_message_free_unpacked(*response, NULL)). Twirp errors map to
 * DISCO_ENOENT (not_found, bad_route), DISCO_EAUTH (unauthenticated,
 * permission_denied), DISCO_EINVAL (invalid_argument, malformed,
 * out_of_range), DISCO_EBUSY (failed_precondition, resource_exhausted,
 * aborted), DISCO_ETIMEDOUT and DISCO_EIO (anything else); transport
 * failures to DISCO_ENET, DISCO_ETLS or DISCO_EPROTO.
 */
int disco_call(struct disco_client *client, const char *service, const char *method,
               const ProtobufCMessage *request, const ProtobufCMessageDescriptor *response_desc,
               ProtobufCMessage **response, struct disco_error *err)
    __attribute__((warn_unused_result));

/*
 * Calls a server-streaming method: on_message(arg, msg) for each message
 * (of type message_desc; freed after the call; return non-zero to stop
 * early), then the stream's end. Returns 0 if the server ended with "ok".
 */
typedef int (*disco_stream_fn)(void *arg, const ProtobufCMessage *message);
int disco_stream(struct disco_client *client, const char *service, const char *method,
                 const ProtobufCMessage *request, const ProtobufCMessageDescriptor *message_desc,
                 disco_stream_fn on_message, void *arg, struct disco_error *err)
    __attribute__((warn_unused_result));

/* Progress of a long operation: done out of total (total 0: unknown). */
typedef void (*disco_progress_fn)(void *arg, uint64_t done, uint64_t total);

/*
 * Uploads the file at path as an image of kind, resuming a partial upload
 * of the same content. Fills sha256 (65 bytes) with the image's name.
 */
int disco_image_push(struct disco_client *client, const char *path, Disco__Api__ImageKind kind,
                     const char *name, disco_progress_fn progress, void *arg, char sha256[65],
                     struct disco_error *err) __attribute__((warn_unused_result));

/*
 * Polls job_id until it has finished or timeout_ms passed (0: no limit;
 * DISCO_ETIMEDOUT). *job is the last state seen (free it as above).
 * progress gets elapsed and time-limit milliseconds.
 */
int disco_job_wait(struct disco_client *client, uint64_t job_id, int64_t timeout_ms,
                   disco_progress_fn progress, void *arg, Disco__Api__Job **job,
                   struct disco_error *err) __attribute__((warn_unused_result));

/* Writes message as JSON (field names in lowerCamelCase, enums by name, bytes in base64). */
void disco_json_write(FILE *out, const ProtobufCMessage *message, int indent);

#endif
