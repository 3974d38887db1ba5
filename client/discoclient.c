/*
 * discoclient.c - libdiscoclient's transport (see discoclient.h): one
 * keep-alive HTTPS/1.1 connection with OpenSSL (server verified against the
 * given CA and host name, our certificate presented), requests with a
 * Content-Length, responses with a Content-Length or chunked, Twirp JSON
 * errors decoded, and server streams read frame by frame (frame.h).
 */
#include "discoclient.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "disco_err.h"
#include "frame.h"
#include "pbcodec.h"
#include "pbjson.h"
#include "xalloc.h"

#define RESPONSE_MAX_BYTES (64u << 20)
#define FRAME_MAX_BYTES    (8u << 20)
#define LINE_MAX_BYTES     8192
#define DEFAULT_TIMEOUT_MS 30000

struct disco_client {
    char host[256], port[16];
    int timeout_ms;
    SSL_CTX *ctx;
    SSL *ssl;
    int fd;
    uint8_t in[16384]; /* read buffer */
    size_t in_pos, in_len;
};

struct response {
    int status;
    bool chunked, close;
    long long length; /* -1: not given */
    char type[128];
    size_t chunk_left; /* bytes left in the current chunk (chunked) */
    bool body_done;
};

static int fail(struct disco_error *err, int rv, int http, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(struct disco_error *err, int rv, int http, const char *code, const char *fmt, ...)
{
    if (err) {
        err->http_status = http;
        snprintf(err->code, sizeof err->code, "%s", code);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return rv;
}

static int tls_fail(struct disco_error *err, const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return fail(err, DISCO_ETLS, 0, "tls", "%s: %s", what, e ? buf : "connection closed");
}

/* ------------------------------------------------------------ set-up */

static int parse_url(struct disco_client *c, const char *url, struct disco_error *err)
{
    if (url == NULL || strncmp(url, "https://", 8) != 0)
        return fail(err, DISCO_EINVAL, 0, "transport",
                    "the URL must be https://HOST:PORT, not '%s'", url ? url : "");
    const char *host = url + 8, *end = host + strcspn(host, "/");
    const char *colon = memchr(host, ':', (size_t)(end - host));
    if (host[0] == '[')
        return fail(err, DISCO_EINVAL, 0, "transport", "IPv6 literals are not supported: %s", url);
    size_t hlen = (size_t)((colon ? colon : end) - host);
    if (hlen == 0 || hlen >= sizeof c->host)
        return fail(err, DISCO_EINVAL, 0, "transport", "no host in '%s'", url);
    memcpy(c->host, host, hlen);
    c->host[hlen] = '\0';
    snprintf(c->port, sizeof c->port, "%.*s", colon ? (int)(end - colon - 1) : 3,
             colon ? colon + 1 : "443");
    return DISCO_OK;
}

int disco_client_open(const struct disco_client_config *cfg, struct disco_client **out,
                      struct disco_error *err)
{
    struct disco_client *c = xcalloc(1, sizeof *c);
    int rv;
    c->fd = -1;
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    if ((rv = parse_url(c, cfg->url, err)) != 0)
        goto fail;
    if (!cfg->ca_file || !cfg->cert_file || !cfg->key_file) {
        rv = fail(err, DISCO_EINVAL, 0, "tls",
                  "a CA, a certificate and a key are needed (--ca/--cert/--key or DISCO_CA, "
                  "DISCO_CERT, DISCO_KEY)");
        goto fail;
    }
    c->ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(c->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    if (SSL_CTX_load_verify_locations(c->ctx, cfg->ca_file, NULL) != 1) {
        rv = tls_fail(err, cfg->ca_file);
        goto fail;
    }
    if (SSL_CTX_use_certificate_chain_file(c->ctx, cfg->cert_file) != 1) {
        rv = tls_fail(err, cfg->cert_file);
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(c->ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c->ctx) != 1) {
        rv = tls_fail(err, cfg->key_file);
        goto fail;
    }
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    *out = c;
    return DISCO_OK;
fail:
    disco_client_close(c);
    return rv;
}

static void sigpipe_block(sigset_t *old);
static void sigpipe_restore(const sigset_t *old);

static void disconnect(struct disco_client *c)
{
    if (c->ssl) {
        sigset_t old;
        sigpipe_block(&old);
        SSL_shutdown(c->ssl);
        sigpipe_restore(&old);
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->in_pos = c->in_len = 0;
}

void disco_client_close(struct disco_client *c)
{
    if (c == NULL)
        return;
    disconnect(c);
    if (c->ctx)
        SSL_CTX_free(c->ctx);
    free(c);
}

static int tcp_connect(struct disco_client *c, struct disco_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    int e = getaddrinfo(c->host, c->port, &hints, &res);
    if (e != 0)
        return fail(err, DISCO_ENET, 0, "transport", "%s: %s", c->host, gai_strerror(e));
    int saved = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0)
            continue;
        struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        /* Requests are small: do not let Nagle wait for the server's delayed ACK. */
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        saved = errno;
        close(c->fd);
        c->fd = -1;
    }
    freeaddrinfo(res);
    if (c->fd < 0)
        return fail(err, DISCO_ENET, 0, "transport", "cannot connect to %s:%s: %s", c->host,
                    c->port, strerror(saved));
    return DISCO_OK;
}

static int ensure_connected(struct disco_client *c, struct disco_error *err)
{
    if (c->ssl)
        return DISCO_OK;
    int rv = tcp_connect(c, err);
    if (rv != 0)
        return rv;
    c->ssl = SSL_new(c->ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, c->host);
    SSL_set1_host(c->ssl, c->host);
    sigset_t old;
    sigpipe_block(&old);
    int ok = SSL_connect(c->ssl);
    sigpipe_restore(&old);
    if (ok != 1) {
        long v = SSL_get_verify_result(c->ssl);
        rv = v != X509_V_OK ? fail(err, DISCO_ETLS, 0, "tls", "the server's certificate: %s",
                                   X509_verify_cert_error_string(v))
                            : tls_fail(err, "TLS handshake");
        disconnect(c);
        return rv;
    }
    return DISCO_OK;
}

/* ------------------------------------------------------------ I/O */

/*
 * A server that closed the connection must not kill the caller with
 * SIGPIPE: around our writes the signal is blocked in this thread and a
 * pending one is consumed, leaving the process's handlers alone.
 */
static void sigpipe_block(sigset_t *old)
{
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, old);
}

static void sigpipe_restore(const sigset_t *old)
{
    sigset_t pending, pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) && !sigismember(old, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_only, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int write_all(struct disco_client *c, const void *buf, size_t len, struct disco_error *err)
{
    sigset_t old;
    sigpipe_block(&old);
    size_t done = 0;
    int rv = DISCO_OK;
    while (done < len) {
        int n = SSL_write(c->ssl, (const uint8_t *)buf + done, (int)(len - done));
        if (n <= 0) {
            rv = tls_fail(err, "sending the request");
            break;
        }
        done += (size_t)n;
    }
    sigpipe_restore(&old);
    return rv;
}

/* Refills the read buffer; DISCO_ECLOSED at end of stream. */
static int fill(struct disco_client *c, struct disco_error *err)
{
    int n = SSL_read(c->ssl, c->in, sizeof c->in);
    if (n <= 0) {
        int e = SSL_get_error(c->ssl, n);
        if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0) ||
            e == SSL_ERROR_SSL) {
            /* A TLS 1.3 server refuses our certificate only after the handshake. */
            if (e == SSL_ERROR_SSL)
                return tls_fail(err, "the server closed the connection");
            return fail(err, DISCO_ECLOSED, 0, "transport", "the server closed the connection");
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return fail(err, DISCO_ETIMEDOUT, 0, "transport", "no answer within %d ms",
                        c->timeout_ms);
        return tls_fail(err, "reading the answer");
    }
    c->in_pos = 0;
    c->in_len = (size_t)n;
    return DISCO_OK;
}

static int read_bytes(struct disco_client *c, uint8_t *buf, size_t len, struct disco_error *err)
{
    while (len) {
        if (c->in_pos == c->in_len) {
            int rv = fill(c, err);
            if (rv != 0)
                return rv;
        }
        size_t take = c->in_len - c->in_pos < len ? c->in_len - c->in_pos : len;
        memcpy(buf, c->in + c->in_pos, take);
        c->in_pos += take;
        buf += take;
        len -= take;
    }
    return DISCO_OK;
}

/* Reads one CRLF-terminated line (without the CRLF). */
static int read_line(struct disco_client *c, char *line, size_t len, struct disco_error *err)
{
    size_t n = 0;
    for (;;) {
        uint8_t ch;
        int rv = read_bytes(c, &ch, 1, err);
        if (rv != 0)
            return rv;
        if (ch == '\n')
            break;
        if (n + 1 >= len)
            return fail(err, DISCO_EPROTO, 0, "protocol", "an over-long line in the answer");
        line[n++] = (char)ch;
    }
    if (n && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return DISCO_OK;
}

static int read_head(struct disco_client *c, struct response *r, struct disco_error *err)
{
    char line[LINE_MAX_BYTES];
    int rv = read_line(c, line, sizeof line, err);
    if (rv != 0)
        return rv;
    *r = (struct response){.length = -1};
    if (sscanf(line, "HTTP/1.%*d %d", &r->status) != 1)
        return fail(err, DISCO_EPROTO, 0, "protocol", "not an HTTP answer: %.60s", line);
    for (;;) {
        if ((rv = read_line(c, line, sizeof line, err)) != 0)
            return rv;
        if (line[0] == '\0')
            break;
        char *v = strchr(line, ':');
        if (v == NULL)
            continue;
        *v++ = '\0';
        v += strspn(v, " \t");
        if (strcasecmp(line, "Content-Length") == 0)
            r->length = atoll(v);
        else if (strcasecmp(line, "Transfer-Encoding") == 0 && strcasestr(v, "chunked"))
            r->chunked = true;
        else if (strcasecmp(line, "Connection") == 0 && strcasestr(v, "close"))
            r->close = true;
        else if (strcasecmp(line, "Content-Type") == 0)
            snprintf(r->type, sizeof r->type, "%s", v);
    }
    if (!r->chunked && r->length < 0)
        r->close = true; /* the body runs to the end of the connection */
    return DISCO_OK;
}

/* Reads up to len body bytes; *got 0 at the end of the body. */
static int read_body(struct disco_client *c, struct response *r, uint8_t *buf, size_t len,
                     size_t *got, struct disco_error *err)
{
    *got = 0;
    if (r->body_done)
        return DISCO_OK;
    if (r->chunked && r->chunk_left == 0) {
        char line[64];
        int rv = read_line(c, line, sizeof line, err);
        if (rv == 0 && line[0] == '\0') /* the CRLF after the previous chunk */
            rv = read_line(c, line, sizeof line, err);
        if (rv != 0)
            return rv;
        r->chunk_left = strtoull(line, NULL, 16);
        if (r->chunk_left == 0) {
            while ((rv = read_line(c, line, sizeof line, err)) == 0 && line[0] != '\0')
                ; /* trailers */
            r->body_done = true;
            return rv;
        }
    }
    size_t left = r->chunked ? r->chunk_left : r->length >= 0 ? (size_t)r->length : len;
    size_t want = left < len ? left : len;
    if (want == 0) {
        r->body_done = true;
        return DISCO_OK;
    }
    if (!r->chunked && r->length < 0) {
        /* Until EOF: take whatever is there. */
        if (c->in_pos == c->in_len) {
            int rv = fill(c, err);
            if (rv == DISCO_ECLOSED) {
                r->body_done = true;
                return DISCO_OK;
            }
            if (rv != 0)
                return rv;
        }
        want = c->in_len - c->in_pos < want ? c->in_len - c->in_pos : want;
    }
    int rv = read_bytes(c, buf, want, err);
    if (rv != 0)
        return rv;
    *got = want;
    if (r->chunked)
        r->chunk_left -= want;
    else if (r->length >= 0)
        r->length -= (long long)want;
    return DISCO_OK;
}

/* Reads the whole body (capped) into a heap buffer. */
static int read_all(struct disco_client *c, struct response *r, uint8_t **out, size_t *len,
                    struct disco_error *err)
{
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = xmalloc(cap);
    int rv;
    for (;;) {
        if (n == cap) {
            if (cap >= RESPONSE_MAX_BYTES) {
                free(buf);
                return fail(err, DISCO_ETOOBIG, r->status, "protocol", "answer over %u bytes",
                            RESPONSE_MAX_BYTES);
            }
            buf = xrealloc(buf, cap *= 2);
        }
        if ((rv = read_body(c, r, buf + n, cap - n, &got, err)) != 0) {
            free(buf);
            return rv;
        }
        if (got == 0)
            break;
        n += got;
    }
    *out = buf;
    *len = n;
    return DISCO_OK;
}

/* ------------------------------------------------------------ calls */

static int map_code(const char *code)
{
    static const struct {
        const char *code;
        int err;
    } map[] = {
        {"not_found", DISCO_ENOENT},
        {"bad_route", DISCO_ENOENT},
        {"unauthenticated", DISCO_EAUTH},
        {"permission_denied", DISCO_EAUTH},
        {"invalid_argument", DISCO_EINVAL},
        {"malformed", DISCO_EINVAL},
        {"out_of_range", DISCO_EINVAL},
        {"failed_precondition", DISCO_EBUSY},
        {"resource_exhausted", DISCO_EBUSY},
        {"aborted", DISCO_EBUSY},
        {"deadline_exceeded", DISCO_ETIMEDOUT},
    };
    for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].code, code) == 0)
            return map[i].err;
    return DISCO_EIO;
}

/* Extracts "key":"value" from a flat JSON object (Twirp's error body). */
static void json_field(const char *json, const char *key, char *out, size_t len)
{
    char pat[40];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    out[0] = '\0';
    if (p == NULL)
        return;
    p += strlen(pat);
    p += strspn(p, " ");
    if (*p++ != '"')
        return;
    size_t n = 0;
    for (; *p && *p != '"' && n + 1 < len; p++) {
        if (*p == '\\' && p[1])
            p++;
        out[n++] = *p;
    }
    out[n] = '\0';
}

static int twirp_error(const struct response *r, const uint8_t *body, size_t len,
                       struct disco_error *err)
{
    char *text = xmalloc(len + 1), code[32], msg[512];
    memcpy(text, body, len);
    text[len] = '\0';
    json_field(text, "code", code, sizeof code);
    json_field(text, "msg", msg, sizeof msg);
    if (code[0] == '\0') { /* not Twirp: e.g. the HTTP layer's 413 */
        snprintf(code, sizeof code, "%s", r->status == 413 ? "out_of_range" : "unknown");
        snprintf(msg, sizeof msg, "HTTP status %d", r->status);
    }
    free(text);
    return fail(err, map_code(code), r->status, code, "%s", msg);
}

static int send_request(struct disco_client *c, const char *service, const char *method,
                        const ProtobufCMessage *request, struct disco_error *err)
{
    uint8_t *body;
    size_t len;
    char head[768];
    pbcodec_pack(request, &body, &len);
    int n = snprintf(head, sizeof head,
                     "POST /twirp/disco.api.%s/%s HTTP/1.1\r\nHost: %s:%s\r\n"
                     "Content-Type: application/protobuf\r\nContent-Length: %zu\r\n"
                     "User-Agent: libdiscoclient/0.1\r\n\r\n",
                     service, method, c->host, c->port, len);
    /* One write, one TLS record where it fits. */
    uint8_t *all = xmalloc((size_t)n + len);
    memcpy(all, head, (size_t)n);
    memcpy(all + n, body, len);
    int rv = write_all(c, all, (size_t)n + len, err);
    free(all);
    free(body);
    return rv;
}

/* Sends the request and reads the answer's head, reconnecting once if a
 * kept-alive connection turns out to be closed. */
static int exchange(struct disco_client *c, const char *service, const char *method,
                    const ProtobufCMessage *request, struct response *r, struct disco_error *err)
{
    for (int attempt = 0;; attempt++) {
        bool reused = c->ssl != NULL;
        int rv = ensure_connected(c, err);
        if (rv == 0)
            rv = send_request(c, service, method, request, err);
        if (rv == 0)
            rv = read_head(c, r, err);
        if (rv == 0)
            return DISCO_OK;
        disconnect(c);
        if (!reused || attempt > 0 || rv == DISCO_ETIMEDOUT)
            return rv;
    }
}

int disco_call(struct disco_client *c, const char *service, const char *method,
               const ProtobufCMessage *request, const ProtobufCMessageDescriptor *response_desc,
               ProtobufCMessage **response, struct disco_error *err)
{
    struct response r;
    uint8_t *body;
    size_t len;
    int rv = exchange(c, service, method, request, &r, err);
    if (rv == 0)
        rv = read_all(c, &r, &body, &len, err);
    if (rv != 0) {
        disconnect(c);
        return rv;
    }
    if (r.close)
        disconnect(c);
    if (r.status != 200) {
        rv = twirp_error(&r, body, len, err);
    } else if (pbcodec_unpack(response_desc, body, len, RESPONSE_MAX_BYTES, response) != 0) {
        rv = fail(err, DISCO_EPROTO, 200, "protocol", "the answer is not a valid %s",
                  response_desc->name);
    }
    free(body);
    return rv;
}

/* Reads the next frame of a stream into a heap buffer. */
static int read_frame(struct disco_client *c, struct response *r, uint8_t *flags, uint8_t **payload,
                      size_t *len, struct disco_error *err)
{
    uint8_t head[FRAME_HEADER_BYTES];
    size_t have = 0, got;
    int rv;
    while (have < sizeof head) {
        if ((rv = read_body(c, r, head + have, sizeof head - have, &got, err)) != 0)
            return rv;
        if (got == 0)
            return fail(err, DISCO_EPROTO, r->status, "protocol",
                        "the stream ended without an end frame");
        have += got;
    }
    struct frame f;
    size_t consumed;
    uint8_t probe[FRAME_HEADER_BYTES];
    memcpy(probe, head, sizeof head);
    rv = frame_parse(probe, sizeof probe, FRAME_MAX_BYTES, &f, &consumed);
    if (rv != 0 && rv != DISCO_EAGAIN)
        return fail(err, DISCO_EPROTO, r->status, "protocol", "a bad stream frame: %s",
                    disco_strerror(rv));
    uint32_t n =
        (uint32_t)head[1] << 24 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 8 | head[4];
    *payload = xmalloc(n + 1);
    for (have = 0; have < n; have += got) {
        if ((rv = read_body(c, r, *payload + have, n - have, &got, err)) != 0 || got == 0) {
            free(*payload);
            return rv ? rv : fail(err, DISCO_EPROTO, r->status, "protocol", "a truncated frame");
        }
    }
    *flags = head[0];
    *len = n;
    return DISCO_OK;
}

static int stream_loop(struct disco_client *c, struct response *r,
                       const ProtobufCMessageDescriptor *desc, disco_stream_fn fn, void *arg,
                       struct disco_error *err)
{
    for (;;) {
        uint8_t flags = 0, *payload = NULL;
        size_t len = 0;
        int rv = read_frame(c, r, &flags, &payload, &len, err);
        if (rv != 0)
            return rv;
        ProtobufCMessage *m;
        bool end = flags & FRAME_FLAG_END;
        rv = pbcodec_unpack(end ? &disco__api__stream_end__descriptor : desc, payload, len,
                            FRAME_MAX_BYTES, &m);
        free(payload);
        if (rv != 0)
            return fail(err, DISCO_EPROTO, r->status, "protocol", "a frame that does not decode");
        if (end) {
            Disco__Api__StreamEnd *e = (Disco__Api__StreamEnd *)m;
            rv = strcmp(e->code, "ok") == 0
                     ? DISCO_OK
                     : fail(err, map_code(e->code), r->status, e->code, "%s", e->msg ? e->msg : "");
            protobuf_c_message_free_unpacked(m, NULL);
            return rv;
        }
        int stop = fn(arg, m);
        protobuf_c_message_free_unpacked(m, NULL);
        if (stop)
            return DISCO_ECLOSED;
    }
}

int disco_stream(struct disco_client *c, const char *service, const char *method,
                 const ProtobufCMessage *request, const ProtobufCMessageDescriptor *message_desc,
                 disco_stream_fn on_message, void *arg, struct disco_error *err)
{
    struct response r;
    int rv = exchange(c, service, method, request, &r, err);
    if (rv != 0)
        return rv;
    if (r.status != 200) {
        uint8_t *body;
        size_t len;
        if ((rv = read_all(c, &r, &body, &len, err)) == 0) {
            rv = twirp_error(&r, body, len, err);
            free(body);
        }
        disconnect(c);
        return rv;
    }
    rv = stream_loop(c, &r, message_desc, on_message, arg, err);
    if (rv == 0) {
        uint8_t rest[64];
        size_t got;
        while (read_body(c, &r, rest, sizeof rest, &got, err) == 0 && got) /* to the last chunk */
            ;
    }
    if (rv != 0 || r.close)
        disconnect(c);
    return rv == DISCO_ECLOSED ? DISCO_OK : rv;
}

void disco_json_write(FILE *out, const ProtobufCMessage *message, int indent)
{
    pbjson_write(out, message, indent);
}
