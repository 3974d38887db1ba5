/*
 * api_internal.h - what the API's service files (api_cluster.c,
 * api_images.c, api_vms.c, api_jobs.c) share with api_server.c: Twirp error
 * codes, the per-request call with its authenticated user, replies, errors,
 * server streams, and the method tables the server dispatches through.
 * Everything here runs on the API thread.
 */
#ifndef DISCO_COORD_API_INTERNAL_H
#define DISCO_COORD_API_INTERNAL_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.pb-c.h"
#include "api_server.h"
#include "jobs.h"
#include "store.h"

#define API_MAX_BODY_BYTES  (5u << 20) /* one request, a 4 MiB upload chunk with room */
#define API_MAX_CHUNK_BYTES (4u << 20) /* image bytes per UploadChunk */
#define API_MAX_LIST        1000       /* rows in one list answer */

/* Twirp's error codes (https://twitchtv.github.io/twirp/docs/spec_v7.html). */
enum api_code {
    API_CANCELED,
    API_UNKNOWN,
    API_INVALID_ARGUMENT,
    API_MALFORMED,
    API_DEADLINE_EXCEEDED,
    API_NOT_FOUND,
    API_BAD_ROUTE,
    API_ALREADY_EXISTS,
    API_PERMISSION_DENIED,
    API_UNAUTHENTICATED,
    API_RESOURCE_EXHAUSTED,
    API_FAILED_PRECONDITION,
    API_ABORTED,
    API_OUT_OF_RANGE,
    API_UNIMPLEMENTED,
    API_INTERNAL,
    API_UNAVAILABLE,
    API_DATALOSS,
    API_CODE_COUNT
};

/* Shared state of the API thread. */
struct api_context {
    const struct api_server_options *options;
    struct store *store;
    struct jobs *jobs;
    struct event_base *base;
    int64_t started_ms;
    uint64_t requests, errors, streams;
};

/* One request being answered. */
struct api_call {
    struct api_context *ctx;
    struct evhttp_request *req;
    char user[STORE_NAME_MAX];
    bool admin;
    bool json; /* the request came as application/json: answer in JSON */
    bool answered;
};

/* A handler answers with api_reply, api_fail or api_stream_start; the
 * request message is freed when it returns. */
typedef void (*api_handler)(struct api_call *call, const ProtobufCMessage *request);

struct api_method {
    const char *name;
    const ProtobufCMessageDescriptor *input;
    api_handler handler;
};

struct api_service {
    const char *name;
    const struct api_method *methods;
    unsigned count;
};

extern const struct api_service api_cluster_service;
extern const struct api_service api_images_service;
extern const struct api_service api_vms_service;
extern const struct api_service api_jobs_service;

const char *api_code_name(enum api_code code);
int api_code_http_status(enum api_code code);

void api_reply(struct api_call *call, const ProtobufCMessage *response);
void api_fail(struct api_call *call, enum api_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Answers a DISCO_E* failure of what with the matching Twirp code. */
void api_fail_err(struct api_call *call, int err, const char *what);
/* True if the caller may see or act on an object of owner (its own, or admin). */
bool api_may_access(const struct api_call *call, const char *owner);

/*
 * Server streams. After api_stream_start the server calls poll(stream, arg)
 * at once and then every few tens of milliseconds while the client keeps up;
 * poll sends frames with api_stream_send and ends with api_stream_finish.
 * done(arg) is called exactly once, when the stream is finished or the
 * client went away.
 */
struct api_stream;
typedef void (*api_stream_poll_fn)(struct api_stream *stream, void *arg);
void api_stream_start(struct api_call *call, api_stream_poll_fn poll, void (*done)(void *arg),
                      void *arg);
void api_stream_send(struct api_stream *stream, const ProtobufCMessage *msg);
void api_stream_finish(struct api_stream *stream, const char *code, const char *msg, int vm_state);
struct api_context *api_stream_context(struct api_stream *stream);

/* A statistics answer being built (names are copied). */
#define API_MAX_STATS 96
struct api_stats {
    Disco__Api__Stat stat[API_MAX_STATS];
    Disco__Api__Stat *ptr[API_MAX_STATS];
    char name[API_MAX_STATS][64];
    size_t n;
};
void api_stats_add(struct api_stats *l, const char *name, double value, const char *unit);
/* A VM's statistics (VmStats): instructions, cycles by mode, TLB and L2TLB,
 * monitor cycles by group and by cause, host time in the monitor. */
void api_stats_add_vm(struct api_stats *l, const struct vm_run_stats *s);

/* Converters from store rows to API messages (api_convert.c); strings point into the row. */
void api_vm_from_row(const struct vm_row *row, uint64_t console_bytes, Disco__Api__Vm *out);
void api_job_from_row(const struct job_row *row, Disco__Api__Job *out);
void api_image_from_row(const struct image_row *row, Disco__Api__Image *out);
/* Validates a VM spec against the caller's images and the cluster; fills why. */
int api_check_vm_spec(struct api_call *call, const Disco__Api__VmSpec *spec, char *why,
                      size_t whylen);
/* Size of a VM's console so far. */
uint64_t api_console_bytes(struct api_context *ctx, uint64_t vm_id);
/* Takes a cluster snapshot (free view->node afterwards). */
void api_cluster_view(struct api_context *ctx, struct api_cluster_view *view);

#endif
