/*
 * api_server.c - HTTPS front of the public API (see api_server.h): TLS with
 * required client certificates (the subject CN is the user) and an optional
 * CRL re-read when it changes, Twirp routing POST /twirp/disco.api.S/M
 * through the services' method tables, Twirp JSON errors, and chunked server
 * streams of 5-byte frames (frame.h). One thread, one event loop.
 */
#include "api_server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/thread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api_internal.h"
#include "disco_err.h"
#include "frame.h"
#include "log.h"
#include "pbcodec.h"
#include "pbjson.h"
#include "xalloc.h"

#define API_MAX_HEADERS_BYTES 16384
#define STREAM_POLL_US        50000
#define STREAM_BACKLOG_BYTES  (256u << 10) /* unsent bytes before a stream waits */
#define CRL_CHECK_INTERVAL_S  1
#define USER_CACHE            64
#define USER_REFRESH_S        60
#define ADMIN_OU              "disco-admin"
#define TWIRP_PREFIX          "/twirp/disco.api."

enum { SERVICE_CLUSTER, SERVICE_IMAGES, SERVICE_VMS, SERVICE_JOBS, SERVICE_COUNT };
static const struct api_service *const services[SERVICE_COUNT] = {
    [SERVICE_CLUSTER] = &api_cluster_service,
    [SERVICE_IMAGES] = &api_images_service,
    [SERVICE_VMS] = &api_vms_service,
    [SERVICE_JOBS] = &api_jobs_service,
};

static const struct {
    const char *name;
    int http;
} codes[API_CODE_COUNT] = {
    [API_CANCELED] = {"canceled", 408},
    [API_UNKNOWN] = {"unknown", 500},
    [API_INVALID_ARGUMENT] = {"invalid_argument", 400},
    [API_MALFORMED] = {"malformed", 400},
    [API_DEADLINE_EXCEEDED] = {"deadline_exceeded", 408},
    [API_NOT_FOUND] = {"not_found", 404},
    [API_BAD_ROUTE] = {"bad_route", 404},
    [API_ALREADY_EXISTS] = {"already_exists", 409},
    [API_PERMISSION_DENIED] = {"permission_denied", 403},
    [API_UNAUTHENTICATED] = {"unauthenticated", 401},
    [API_RESOURCE_EXHAUSTED] = {"resource_exhausted", 429},
    [API_FAILED_PRECONDITION] = {"failed_precondition", 412},
    [API_ABORTED] = {"aborted", 409},
    [API_OUT_OF_RANGE] = {"out_of_range", 400},
    [API_UNIMPLEMENTED] = {"unimplemented", 501},
    [API_INTERNAL] = {"internal", 500},
    [API_UNAVAILABLE] = {"unavailable", 503},
    [API_DATALOSS] = {"data_loss", 500},
};

struct user_seen {
    char cn[STORE_NAME_MAX];
    int64_t written;
};

struct api_server {
    struct api_server_options o;
    char *strings; /* copies of the option strings */
    struct api_context ctx;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    SSL_CTX *ssl_ctx;
    struct event *crl_ev;
    struct timespec crl_mtime;
    struct runner_process_config runner;
    pthread_t thread;
    bool running;
    unsigned port;
    struct user_seen users[USER_CACHE];
    unsigned next_user;
};

struct api_stream {
    struct api_context *ctx;
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    struct event *timer;
    api_stream_poll_fn poll;
    void (*done)(void *arg);
    void *arg;
    bool json; /* frames hold JSON text instead of protobuf */
    bool finished;
};

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *api_code_name(enum api_code code)
{
    return (unsigned)code < API_CODE_COUNT ? codes[code].name : "unknown";
}

int api_code_http_status(enum api_code code)
{
    return (unsigned)code < API_CODE_COUNT ? codes[code].http : 500;
}

/* ------------------------------------------------------------ replies */

/* Appends s to out as a JSON string body (quotes and escapes). */
static void json_string(struct evbuffer *out, const char *s)
{
    evbuffer_add(out, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            evbuffer_add_printf(out, "\\%c", *p);
        else if (*p < 0x20)
            evbuffer_add_printf(out, "\\u%04x", *p);
        else
            evbuffer_add(out, p, 1);
    }
    evbuffer_add(out, "\"", 1);
}

static void send_error(struct evhttp_request *req, enum api_code code, const char *msg)
{
    struct evbuffer *body = evbuffer_new();
    evbuffer_add_printf(body, "{\"code\":\"%s\",\"msg\":", api_code_name(code));
    json_string(body, msg);
    evbuffer_add_printf(body, "}\n");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_send_reply(req, api_code_http_status(code), api_code_name(code), body);
    evbuffer_free(body);
}

void api_fail(struct api_call *call, enum api_code code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    call->answered = true;
    call->ctx->errors++;
    log_debug("api: %s: %s: %s", call->user, api_code_name(code), msg);
    send_error(call->req, code, msg);
}

void api_fail_err(struct api_call *call, int err, const char *what)
{
    static const enum api_code map[DISCO_ERR_COUNT] = {
        [DISCO_ENOMEM] = API_RESOURCE_EXHAUSTED,
        [DISCO_EINVAL] = API_INVALID_ARGUMENT,
        [DISCO_EIO] = API_INTERNAL,
        [DISCO_ENOENT] = API_NOT_FOUND,
        [DISCO_EFORMAT] = API_MALFORMED,
        [DISCO_ETOOBIG] = API_OUT_OF_RANGE,
        [DISCO_ETIMEDOUT] = API_DEADLINE_EXCEEDED,
        [DISCO_ECLOSED] = API_FAILED_PRECONDITION,
        [DISCO_EAUTH] = API_PERMISSION_DENIED,
        [DISCO_EBUSY] = API_FAILED_PRECONDITION,
        [DISCO_EUNSUPPORTED] = API_UNIMPLEMENTED,
        [DISCO_EEXIST] = API_ALREADY_EXISTS,
    };
    enum api_code code = err > 0 && err < DISCO_ERR_COUNT && map[err] ? map[err] : API_INTERNAL;
    api_fail(call, code, "%s: %s", what, disco_strerror(err));
}

/* Encodes msg as the call asked: protobuf, or JSON text. Caller frees *out. */
static void encode(bool json, const ProtobufCMessage *msg, uint8_t **out, size_t *len)
{
    if (!json) {
        pbcodec_pack(msg, out, len);
        return;
    }
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (f == NULL)
        abort(); /* out of memory, as xmalloc would */
    pbjson_write(f, msg, 0);
    fclose(f);
    *out = (uint8_t *)text;
}

void api_reply(struct api_call *call, const ProtobufCMessage *response)
{
    uint8_t *buf;
    size_t len;
    encode(call->json, response, &buf, &len);
    struct evbuffer *body = evbuffer_new();
    evbuffer_add(body, buf, len);
    free(buf);
    evhttp_add_header(evhttp_request_get_output_headers(call->req), "Content-Type",
                      call->json ? "application/json" : "application/protobuf");
    evhttp_send_reply(call->req, 200, "OK", body);
    evbuffer_free(body);
    call->answered = true;
}

bool api_may_access(const struct api_call *call, const char *owner)
{
    return call->admin || strcmp(call->user, owner) == 0;
}

/* ------------------------------------------------------------ streams */

struct api_context *api_stream_context(struct api_stream *stream)
{
    return stream->ctx;
}

static void stream_free(struct api_stream *s)
{
    if (s->timer)
        event_free(s->timer);
    s->done(s->arg);
    s->ctx->streams--;
    free(s);
}

static void on_stream_closed(struct evhttp_connection *conn, void *arg)
{
    struct api_stream *s = arg;
    log_debug("api: stream client went away");
    /* libevent 2.1 detaches an unfinished reply from a connection that
     * failed (EOF, timeout) and leaves the request to us; one still attached
     * is freed with its connection. */
    if (evhttp_request_get_connection(s->req) == NULL)
        evhttp_request_free(s->req);
    stream_free(s);
}

static void write_frame(struct api_stream *s, uint8_t flags, const ProtobufCMessage *msg)
{
    uint8_t *buf, header[FRAME_HEADER_BYTES];
    size_t len;
    encode(s->json, msg, &buf, &len);
    frame_write_header(header, flags, (uint32_t)len);
    struct evbuffer *chunk = evbuffer_new();
    evbuffer_add(chunk, header, sizeof header);
    evbuffer_add(chunk, buf, len);
    free(buf);
    evhttp_send_reply_chunk(s->req, chunk);
    evbuffer_free(chunk);
}

void api_stream_send(struct api_stream *s, const ProtobufCMessage *msg)
{
    if (!s->finished)
        write_frame(s, 0, msg);
}

void api_stream_finish(struct api_stream *s, const char *code, const char *msg, int vm_state)
{
    if (s->finished)
        return;
    Disco__Api__StreamEnd end = DISCO__API__STREAM_END__INIT;
    end.code = (char *)code;
    end.msg = (char *)msg;
    if (vm_state >= 0) {
        end.has_state = true;
        end.state = vm_state;
    }
    write_frame(s, FRAME_FLAG_END, &end.base);
    s->finished = true;
}

static size_t stream_backlog(const struct api_stream *s)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(s->conn);
    return bev ? evbuffer_get_length(bufferevent_get_output(bev)) : 0;
}

static void on_stream_timer(evutil_socket_t fd, short what, void *arg)
{
    struct api_stream *s = arg;
    if (!s->finished && stream_backlog(s) < STREAM_BACKLOG_BYTES)
        s->poll(s, s->arg);
    if (s->finished) {
        evhttp_connection_set_closecb(s->conn, NULL, NULL);
        evhttp_send_reply_end(s->req);
        stream_free(s);
    }
}

void api_stream_start(struct api_call *call, api_stream_poll_fn poll, void (*done)(void *arg),
                      void *arg)
{
    struct api_stream *s = xcalloc(1, sizeof *s);
    s->ctx = call->ctx;
    s->req = call->req;
    s->conn = evhttp_request_get_connection(call->req);
    s->poll = poll;
    s->done = done;
    s->arg = arg;
    s->json = call->json;
    call->answered = true;
    call->ctx->streams++;
    evhttp_add_header(evhttp_request_get_output_headers(call->req), "Content-Type",
                      call->json ? "application/disco-stream+json"
                                 : "application/disco-stream+protobuf");
    evhttp_send_reply_start(call->req, 200, "OK");
    evhttp_connection_set_closecb(s->conn, on_stream_closed, s);
    /* A follower sends nothing while it reads: keep only the write timeout,
     * which still drops a client that stops reading. */
    struct bufferevent *bev = evhttp_connection_get_bufferevent(s->conn);
    struct timeval write_tv = {(time_t)call->ctx->options->timeout_s, 0};
    if (bev)
        bufferevent_set_timeouts(bev, NULL, &write_tv);
    s->timer = event_new(call->ctx->base, -1, EV_PERSIST, on_stream_timer, s);
    struct timeval tv = {0, STREAM_POLL_US};
    event_add(s->timer, &tv);
    event_active(s->timer, EV_TIMEOUT, 0);
}

/* ------------------------------------------------------------ requests */

static bool valid_user_name(const char *cn)
{
    size_t n = strlen(cn);
    if (n == 0 || n >= STORE_NAME_MAX)
        return false;
    for (const char *p = cn; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* Who the client is: its certificate's CN, and whether it is an admin. */
static int identify(struct api_server *srv, struct evhttp_request *req, struct api_call *call)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    X509 *cert = ssl ? SSL_get1_peer_certificate(ssl) : NULL;
    if (cert == NULL || SSL_get_verify_result(ssl) != X509_V_OK) {
        X509_free(cert);
        return DISCO_EAUTH;
    }
    X509_NAME *subject = X509_get_subject_name(cert);
    char ou[64] = "";
    int n = X509_NAME_get_text_by_NID(subject, NID_commonName, call->user, sizeof call->user);
    X509_NAME_get_text_by_NID(subject, NID_organizationalUnitName, ou, sizeof ou);
    X509_free(cert);
    if (n <= 0 || !valid_user_name(call->user))
        return DISCO_EAUTH;
    call->admin = strcmp(ou, ADMIN_OU) == 0;
    for (unsigned i = 0; i < srv->o.admin_count; i++)
        call->admin |= strcmp(srv->o.admins[i], call->user) == 0;
    return DISCO_OK;
}

/* Records the user in the store, at most once a minute per user. */
static void note_user(struct api_server *srv, const struct api_call *call)
{
    int64_t now = (int64_t)time(NULL);
    for (unsigned i = 0; i < USER_CACHE; i++)
        if (strcmp(srv->users[i].cn, call->user) == 0 &&
            now - srv->users[i].written < USER_REFRESH_S)
            return;
    struct user_seen *u = &srv->users[srv->next_user++ % USER_CACHE];
    snprintf(u->cn, sizeof u->cn, "%s", call->user);
    u->written = now;
    if (store_user_seen(srv->ctx.store, call->user, call->admin, now) != 0)
        log_warn("api: cannot record user %s", call->user);
}

static const struct api_method *route(const char *path, enum api_code *why)
{
    *why = API_BAD_ROUTE;
    if (path == NULL || strncmp(path, TWIRP_PREFIX, strlen(TWIRP_PREFIX)) != 0)
        return NULL;
    const char *service = path + strlen(TWIRP_PREFIX);
    const char *slash = strchr(service, '/');
    if (slash == NULL)
        return NULL;
    size_t slen = (size_t)(slash - service);
    for (unsigned i = 0; i < SERVICE_COUNT; i++) {
        const struct api_service *s = services[i];
        if (strlen(s->name) != slen || strncmp(s->name, service, slen) != 0)
            continue;
        for (unsigned m = 0; m < s->count; m++)
            if (s->methods[m].name && strcmp(s->methods[m].name, slash + 1) == 0)
                return &s->methods[m];
    }
    return NULL;
}

enum body_type { BODY_UNSUPPORTED, BODY_PROTOBUF, BODY_JSON };

/* application/protobuf or application/json (parameters such as charset ignored). */
static enum body_type content_type(struct evhttp_request *req)
{
    const char *type = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    if (type == NULL)
        return BODY_UNSUPPORTED;
    size_t n = strcspn(type, "; ");
    if (n == strlen("application/protobuf") && strncasecmp(type, "application/protobuf", n) == 0)
        return BODY_PROTOBUF;
    if (n == strlen("application/json") && strncasecmp(type, "application/json", n) == 0)
        return BODY_JSON;
    return BODY_UNSUPPORTED;
}

/* Decodes the request body as m's input, in the body's type. */
static int decode_body(struct api_call *call, const struct api_method *m, ProtobufCMessage **msg)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(call->req);
    size_t len = evbuffer_get_length(in);
    const uint8_t *body = len ? evbuffer_pullup(in, -1) : (const uint8_t *)"";
    char why[160];
    if (call->json) {
        if (pbjson_parse(m->input, (const char *)body, len, msg, why, sizeof why) == 0)
            return 0;
        api_fail(call, API_MALFORMED, "the body is not a valid %s: %s", m->input->name, why);
        return -1;
    }
    if (pbcodec_unpack(m->input, body, len, API_MAX_BODY_BYTES, msg) == 0)
        return 0;
    api_fail(call, API_MALFORMED, "the body is not a valid %s (%zu bytes)", m->input->name, len);
    return -1;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct api_server *srv = arg;
    struct api_call call = {.ctx = &srv->ctx, .req = req};
    enum api_code why;
    srv->ctx.requests++;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
    if (identify(srv, req, &call) != 0) {
        snprintf(call.user, sizeof call.user, "(unknown)");
        api_fail(&call, API_UNAUTHENTICATED, "a client certificate with a valid CN is required");
        return;
    }
    note_user(srv, &call);
    const struct api_method *m = route(path, &why);
    if (m == NULL) {
        api_fail(&call, why, "no method %s (see docs/api.md)", path ? path : "?");
        return;
    }
    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
        api_fail(&call, API_BAD_ROUTE, "%s must be called with POST", path);
        return;
    }
    enum body_type type = content_type(req);
    if (type == BODY_UNSUPPORTED) {
        api_fail(&call, API_BAD_ROUTE,
                 "unsupported Content-Type: send application/protobuf or application/json");
        return;
    }
    call.json = type == BODY_JSON;
    ProtobufCMessage *msg;
    if (decode_body(&call, m, &msg) != 0)
        return;
    m->handler(&call, msg);
    protobuf_c_message_free_unpacked(msg, NULL);
    if (!call.answered)
        api_fail(&call, API_INTERNAL, "the method did not answer");
}

/* ------------------------------------------------------------ TLS */

static void log_ssl_errors(const char *what, char *err, size_t errlen)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, errlen, "%s: %s", what, e ? buf : "unknown TLS error");
    ERR_clear_error();
}

/* A fresh verification store: the users' CA and, if given, the CRL. */
static X509_STORE *load_trust(const struct tls_files *t, char *err, size_t errlen)
{
    X509_STORE *store = X509_STORE_new();
    if (!X509_STORE_load_file(store, t->ca_file)) {
        log_ssl_errors(t->ca_file, err, errlen);
        X509_STORE_free(store);
        return NULL;
    }
    if (t->crl_file) {
        X509_LOOKUP *lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
        if (lookup == NULL || X509_load_crl_file(lookup, t->crl_file, X509_FILETYPE_PEM) <= 0) {
            log_ssl_errors(t->crl_file, err, errlen);
            X509_STORE_free(store);
            return NULL;
        }
        X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
    }
    return store;
}

static int tls_create(struct api_server *srv, char *err, size_t errlen)
{
    const struct tls_files *t = &srv->o.tls;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (ctx == NULL) {
        log_ssl_errors("SSL_CTX_new", err, errlen);
        return DISCO_ETLS;
    }
    /* libevent 2.1 predates OpenSSL 3's strict EOF handling. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, t->cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, t->key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        log_ssl_errors(t->cert_file, err, errlen);
        SSL_CTX_free(ctx);
        return DISCO_ETLS;
    }
    X509_STORE *store = load_trust(t, err, errlen);
    STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(t->ca_file);
    if (store == NULL || names == NULL) {
        if (names == NULL && store)
            log_ssl_errors(t->ca_file, err, errlen);
        X509_STORE_free(store);
        SSL_CTX_free(ctx);
        return DISCO_ETLS;
    }
    SSL_CTX_set_cert_store(ctx, store);
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    srv->ssl_ctx = ctx;
    return DISCO_OK;
}

/* A revocation takes effect within a second: the CRL is re-read when it changes. */
static void on_crl_timer(evutil_socket_t fd, short what, void *arg)
{
    struct api_server *srv = arg;
    struct stat st;
    if (stat(srv->o.tls.crl_file, &st) != 0)
        return;
    if (st.st_mtim.tv_sec == srv->crl_mtime.tv_sec && st.st_mtim.tv_nsec == srv->crl_mtime.tv_nsec)
        return;
    char err[256];
    X509_STORE *store = load_trust(&srv->o.tls, err, sizeof err);
    if (store == NULL) {
        log_warn("api: keeping the previous CRL: %s", err);
        return;
    }
    srv->crl_mtime = st.st_mtim;
    SSL_CTX_set_cert_store(srv->ssl_ctx, store);
    log_info("api: CRL %s reloaded", srv->o.tls.crl_file);
}

static struct bufferevent *make_connection(struct event_base *base, void *arg)
{
    struct api_server *srv = arg;
    SSL *ssl = SSL_new(srv->ssl_ctx);
    if (ssl == NULL)
        return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (bev)
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

/* ------------------------------------------------------------ life cycle */

static const char *keep(struct api_server *srv, size_t *used, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = srv->strings + *used;
    memcpy(d, s, n);
    *used += n;
    return d;
}

/* Copies the options and every string they point to. */
static void copy_options(struct api_server *srv, const struct api_server_options *o)
{
    size_t total = 0, used = 0;
    const char *all[] = {o->listen,       o->state_dir,    o->tls.ca_file, o->tls.cert_file,
                         o->tls.key_file, o->tls.crl_file, o->flash_run};
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++)
        total += all[i] ? strlen(all[i]) + 1 : 0;
    for (unsigned i = 0; i < o->admin_count; i++)
        total += strlen(o->admins[i]) + 1;
    srv->strings = xmalloc(total + 1);
    srv->o = *o;
    srv->o.listen = keep(srv, &used, o->listen);
    srv->o.state_dir = keep(srv, &used, o->state_dir);
    srv->o.tls.ca_file = keep(srv, &used, o->tls.ca_file);
    srv->o.tls.cert_file = keep(srv, &used, o->tls.cert_file);
    srv->o.tls.key_file = keep(srv, &used, o->tls.key_file);
    srv->o.tls.crl_file = keep(srv, &used, o->tls.crl_file);
    srv->o.flash_run = keep(srv, &used, o->flash_run);
    for (unsigned i = 0; i < o->admin_count; i++)
        srv->o.admins[i] = keep(srv, &used, o->admins[i]);
}

static int bind_listener(struct api_server *srv, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(srv->o.listen, ':');
    char *end;
    unsigned long port = colon ? strtoul(colon + 1, &end, 10) : 0;
    if (colon == NULL || colon == srv->o.listen || *end != '\0' || port > 65535 ||
        (size_t)(colon - srv->o.listen) >= sizeof host) {
        snprintf(err, errlen, "--api-listen must be ADDR:PORT, not '%s'", srv->o.listen);
        return DISCO_EINVAL;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - srv->o.listen), srv->o.listen);
    srv->bound = evhttp_bind_socket_with_handle(srv->http, host, (ev_uint16_t)port);
    if (srv->bound == NULL) {
        snprintf(err, errlen, "cannot listen on %s: %s", srv->o.listen, strerror(errno));
        return DISCO_EIO;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    evutil_socket_t fd = evhttp_bound_socket_get_fd(srv->bound);
    /* Accepted connections inherit it: small answers go out without
     * waiting for the client's delayed ACK (Nagle). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        srv->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    return DISCO_OK;
}

static int open_state(struct api_server *srv, char *err, size_t errlen)
{
    char path[600];
    int rv;
    if (mkdir(srv->o.state_dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", srv->o.state_dir, strerror(errno));
        return DISCO_EIO;
    }
    snprintf(path, sizeof path, "%s/disco.db", srv->o.state_dir);
    if ((rv = store_open(path, &srv->ctx.store, err, errlen)) != 0)
        return rv;
    srv->runner = (struct runner_process_config){
        .base = srv->base, .flash_run = srv->o.flash_run, .sandbox_abi = runner_sandbox_abi()};
    if (srv->runner.sandbox_abi == 0)
        log_warn("api: Landlock is not available: guests run unconfined, as this user");
    else
        log_info("api: guests confined with Landlock ABI %d", srv->runner.sandbox_abi);
    if (srv->o.vms)
        vm_service_bind(srv->o.vms, srv->base);
    struct jobs_options jo = {.store = srv->ctx.store,
                              .base = srv->base,
                              .runner = &runner_process_ops,
                              .runner_ctx = &srv->runner,
                              .vm_runner = srv->o.vms ? &runner_vm_ops : NULL,
                              .vm_runner_ctx = srv->o.vms,
                              .state_dir = srv->o.state_dir,
                              .max_running = srv->o.max_running,
                              .console_cap_bytes = 1u << 20,
                              .max_attempts = 2};
    return jobs_create(&jo, &srv->ctx.jobs, err, errlen);
}

int api_server_create(const struct api_server_options *options, struct api_server **out, char *err,
                      size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, (void (*)(void))evthread_use_pthreads);
    struct api_server *srv = xcalloc(1, sizeof *srv);
    copy_options(srv, options);
    int rv;
    srv->base = event_base_new();
    srv->ctx =
        (struct api_context){.options = &srv->o, .base = srv->base, .started_ms = monotonic_ms()};
    if ((rv = tls_create(srv, err, errlen)) != 0 || (rv = open_state(srv, err, errlen)) != 0)
        goto fail;
    srv->http = evhttp_new(srv->base);
    evhttp_set_bevcb(srv->http, make_connection, srv);
    evhttp_set_gencb(srv->http, on_request, srv);
    evhttp_set_max_body_size(srv->http, API_MAX_BODY_BYTES);
    evhttp_set_max_headers_size(srv->http, API_MAX_HEADERS_BYTES);
    evhttp_set_timeout(srv->http, (int)srv->o.timeout_s);
    evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_POST | EVHTTP_REQ_GET | EVHTTP_REQ_PUT |
                                              EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
    if ((rv = bind_listener(srv, err, errlen)) != 0)
        goto fail;
    if (srv->o.tls.crl_file) {
        struct stat st;
        if (stat(srv->o.tls.crl_file, &st) == 0)
            srv->crl_mtime = st.st_mtim;
        srv->crl_ev = event_new(srv->base, -1, EV_PERSIST, on_crl_timer, srv);
        struct timeval tv = {CRL_CHECK_INTERVAL_S, 0};
        event_add(srv->crl_ev, &tv);
    }
    *out = srv;
    return DISCO_OK;
fail:
    api_server_destroy(srv);
    return rv;
}

unsigned api_server_port(const struct api_server *srv)
{
    return srv->port;
}

static void *run_loop(void *arg)
{
    struct api_server *srv = arg;
    event_base_dispatch(srv->base);
    return NULL;
}

int api_server_start(struct api_server *srv, char *err, size_t errlen)
{
    int e = pthread_create(&srv->thread, NULL, run_loop, srv);
    if (e != 0) {
        snprintf(err, errlen, "cannot start the API thread: %s", strerror(e));
        return DISCO_EIO;
    }
    srv->running = true;
    return DISCO_OK;
}

void api_server_destroy(struct api_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->running) {
        event_base_loopbreak(srv->base);
        pthread_join(srv->thread, NULL);
    }
    jobs_destroy(srv->ctx.jobs);
    vm_service_unbind(srv->o.vms); /* its wake-up event lives on our base */
    if (srv->http)
        evhttp_free(srv->http);
    if (srv->crl_ev)
        event_free(srv->crl_ev);
    store_close(srv->ctx.store);
    if (srv->ssl_ctx)
        SSL_CTX_free(srv->ssl_ctx);
    event_base_free(srv->base);
    free(srv->strings);
    free(srv);
}

/* ------------------------------------------------------------ shared helpers */

void api_cluster_view(struct api_context *ctx, struct api_cluster_view *view)
{
    memset(view, 0, sizeof *view);
    snprintf(view->phase, sizeof view->phase, "unknown");
    if (ctx->options->snapshot)
        ctx->options->snapshot(ctx->options->snapshot_arg, view);
}

uint64_t api_console_bytes(struct api_context *ctx, uint64_t vm_id)
{
    char path[600];
    struct stat st;
    jobs_console_path(ctx->jobs, vm_id, path, sizeof path);
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}
