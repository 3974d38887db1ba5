/*
 * api_probe.c - a test tool for the public API, used by the tests/api scripts:
 *   api_probe body SERVICE/METHOD [a.b=value ...]   request bytes on stdout (for curl)
 *   api_probe decode SERVICE/METHOD                  response bytes on stdin -> JSON
 *   api_probe slow URL CA CERT KEY TIMEOUT_S         a client that sends its headers
 *        byte by byte then stalls: checks the server drops it within the timeout
 *        while it keeps answering other clients
 *   api_probe abandon URL CA CERT KEY VM_ID          opens a console stream and
 *        disconnects in the middle of it
 */
#include <errno.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.pb-c.h"
#include "discoclient.h"
#include "pbcodec.h"

struct method {
    const char *name;
    const ProtobufCMessageDescriptor *in, *out;
};

static const struct method methods[] = {
    {"Cluster/WhoAmI", &disco__api__who_am_irequest__descriptor,
     &disco__api__who_am_iresponse__descriptor},
    {"Cluster/GetStatus", &disco__api__get_status_request__descriptor,
     &disco__api__cluster_status__descriptor},
    {"Cluster/ListNodes", &disco__api__list_nodes_request__descriptor,
     &disco__api__list_nodes_response__descriptor},
    {"Cluster/GetStats", &disco__api__get_stats_request__descriptor,
     &disco__api__stats_response__descriptor},
    {"Images/UploadChunk", &disco__api__upload_chunk_request__descriptor,
     &disco__api__upload_status__descriptor},
    {"Images/GetUpload", &disco__api__get_upload_request__descriptor,
     &disco__api__upload_status__descriptor},
    {"Images/ListImages", &disco__api__list_images_request__descriptor,
     &disco__api__list_images_response__descriptor},
    {"Images/DeleteImage", &disco__api__delete_image_request__descriptor,
     &disco__api__delete_image_response__descriptor},
    {"Vms/SubmitVm", &disco__api__submit_vm_request__descriptor, &disco__api__vm__descriptor},
    {"Vms/ListVms", &disco__api__list_vms_request__descriptor,
     &disco__api__list_vms_response__descriptor},
    {"Vms/GetVm", &disco__api__vm_ref__descriptor, &disco__api__vm__descriptor},
    {"Vms/StopVm", &disco__api__vm_ref__descriptor, &disco__api__vm__descriptor},
    {"Vms/DestroyVm", &disco__api__vm_ref__descriptor,
     &disco__api__destroy_vm_response__descriptor},
    {"Vms/StreamConsole", &disco__api__stream_console_request__descriptor,
     &disco__api__console_chunk__descriptor},
    {"Vms/WriteConsole", &disco__api__write_console_request__descriptor,
     &disco__api__write_console_response__descriptor},
    {"Jobs/SubmitJob", &disco__api__submit_job_request__descriptor, &disco__api__job__descriptor},
    {"Jobs/ListJobs", &disco__api__list_jobs_request__descriptor,
     &disco__api__list_jobs_response__descriptor},
    {"Jobs/GetJob", &disco__api__job_ref__descriptor, &disco__api__job__descriptor},
    {"Jobs/CancelJob", &disco__api__job_ref__descriptor, &disco__api__job__descriptor},
    {"Jobs/GetResults", &disco__api__job_ref__descriptor, &disco__api__job_results__descriptor},
};

static const struct method *find_method(const char *name)
{
    for (unsigned i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].name, name) == 0)
            return &methods[i];
    fprintf(stderr, "api_probe: no method %s\n", name);
    exit(2);
}

/* Sets path=value in m (creating sub-messages along a dotted path). */
static void set_field(ProtobufCMessage *m, char *path, const char *value)
{
    char *dot = strchr(path, '.');
    if (dot)
        *dot = '\0';
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(m->descriptor, path);
    if (f == NULL) {
        fprintf(stderr, "api_probe: %s has no field %s\n", m->descriptor->name, path);
        exit(2);
    }
    char *base = (char *)m;
    if (f->quantifier_offset && f->label == PROTOBUF_C_LABEL_OPTIONAL)
        *(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        fprintf(stderr, "api_probe: repeated fields are not supported\n");
        exit(2);
    }
    void *p = base + f->offset;
    switch (f->type) {
    case PROTOBUF_C_TYPE_MESSAGE: {
        ProtobufCMessage **sub = p;
        if (*sub == NULL) {
            const ProtobufCMessageDescriptor *d = f->descriptor;
            *sub = calloc(1, d->sizeof_message);
            d->message_init(*sub);
        }
        if (dot)
            set_field(*sub, dot + 1, value);
        break;
    }
    case PROTOBUF_C_TYPE_STRING: *(char **)p = strdup(value); break;
    case PROTOBUF_C_TYPE_BYTES: {
        ProtobufCBinaryData *b = p;
        b->data = (uint8_t *)strdup(value);
        b->len = strlen(value);
        break;
    }
    case PROTOBUF_C_TYPE_BOOL: *(protobuf_c_boolean *)p = strcmp(value, "true") == 0; break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_INT64: *(uint64_t *)p = strtoull(value, NULL, 0); break;
    default: *(uint32_t *)p = (uint32_t)strtoul(value, NULL, 0); break;
    }
}

static int cmd_body(int argc, char **argv)
{
    const struct method *m = find_method(argv[2]);
    ProtobufCMessage *msg = calloc(1, m->in->sizeof_message);
    m->in->message_init(msg);
    for (int i = 3; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL)
            return 2;
        *eq = '\0';
        set_field(msg, argv[i], eq + 1);
    }
    uint8_t *buf;
    size_t len;
    pbcodec_pack(msg, &buf, &len);
    fwrite(buf, 1, len, stdout);
    free(buf);
    protobuf_c_message_free_unpacked(msg, NULL); /* every part was malloc'ed */
    return 0;
}

static int cmd_decode(int argc, char **argv)
{
    const struct method *m = find_method(argv[2]);
    static uint8_t buf[64 << 20];
    size_t len = fread(buf, 1, sizeof buf, stdin);
    ProtobufCMessage *msg;
    if (pbcodec_unpack(m->out, buf, len, sizeof buf, &msg) != 0) {
        fprintf(stderr, "api_probe: not a %s (%zu bytes)\n", m->out->name, len);
        return 1;
    }
    disco_json_write(stdout, msg, 0);
    protobuf_c_message_free_unpacked(msg, NULL);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void raw_close(SSL *ssl)
{
    int fd = SSL_get_fd(ssl);
    SSL_free(ssl);
    if (fd >= 0)
        close(fd);
}

/* A raw TLS connection with our certificate. */
static SSL *raw_connect(const char *url, const char *ca, const char *cert, const char *key)
{
    char host[128], port[16];
    if (sscanf(url, "https://%127[^:]:%15s", host, port) != 2)
        return NULL;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return NULL;
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    int ok = connect(fd, res->ai_addr, res->ai_addrlen) == 0;
    freeaddrinfo(res);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx, ca, NULL);
    SSL_CTX_use_certificate_file(ctx, cert, SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM);
    SSL *ssl = SSL_new(ctx);
    SSL_CTX_free(ctx); /* the SSL holds it now */
    SSL_set_fd(ssl, fd);
    if (!ok || SSL_connect(ssl) != 1) {
        raw_close(ssl);
        return NULL;
    }
    return ssl;
}

static int calls_ok(struct disco_client *c)
{
    Disco__Api__WhoAmIRequest q = DISCO__API__WHO_AM_IREQUEST__INIT;
    ProtobufCMessage *m;
    struct disco_error err;
    if (disco_call(c, "Cluster", "WhoAmI", &q.base, &disco__api__who_am_iresponse__descriptor, &m,
                   &err) != 0) {
        fprintf(stderr, "api_probe: a normal call failed: %s\n", err.msg);
        return 0;
    }
    protobuf_c_message_free_unpacked(m, NULL);
    return 1;
}

static int cmd_slow(int argc, char **argv)
{
    const char *url = argv[2], *ca = argv[3], *cert = argv[4], *key = argv[5];
    double timeout = atof(argv[6]);
    struct disco_client_config cfg = {
        .url = url, .ca_file = ca, .cert_file = cert, .key_file = key};
    struct disco_client *c;
    struct disco_error err;
    if (disco_client_open(&cfg, &c, &err) != 0)
        return 1;
    SSL *slow = raw_connect(url, ca, cert, key);
    if (slow == NULL) {
        fprintf(stderr, "api_probe: cannot connect\n");
        return 1;
    }
    const char *head = "POST /twirp/disco.api.Cluster/WhoAmI HTTP/1.1\r\nHost: x\r\n";
    double start = now_s();
    unsigned served = 0;
    for (const char *p = head; *p; p++) { /* one byte every 50 ms, serving others meanwhile */
        if (SSL_write(slow, p, 1) != 1)
            break;
        served += (unsigned)calls_ok(c);
        usleep(50000);
    }
    /* Now stall: the server must drop us within its timeout. */
    int fd = SSL_get_fd(slow);
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[512];
    double stall = now_s();
    for (;;) {
        int n = SSL_read(slow, buf, sizeof buf);
        if (n > 0)
            continue; /* an error page is fine too */
        if (SSL_get_error(slow, n) == SSL_ERROR_SYSCALL &&
            (errno == EAGAIN || errno == EWOULDBLOCK)) {
            served += (unsigned)calls_ok(c);
            if (now_s() - stall > timeout + 5) {
                fprintf(stderr, "api_probe: the slow client was not dropped after %.1f s\n",
                        now_s() - stall);
                return 1;
            }
            continue;
        }
        break;
    }
    double dropped = now_s() - stall;
    printf(
        "slow client dropped %.1f s after it stalled (%.1f s in all); %u calls served meanwhile\n",
        dropped, now_s() - start, served);
    raw_close(slow);
    disco_client_close(c);
    return dropped <= timeout + 3 && served > 10 ? 0 : 1;
}

static int cmd_abandon(int argc, char **argv)
{
    SSL *s = raw_connect(argv[2], argv[3], argv[4], argv[5]);
    if (s == NULL)
        return 1;
    Disco__Api__StreamConsoleRequest q = DISCO__API__STREAM_CONSOLE_REQUEST__INIT;
    q.id = strtoull(argv[6], NULL, 10);
    q.has_follow = q.follow = 1;
    uint8_t *body;
    size_t len;
    pbcodec_pack(&q.base, &body, &len);
    char head[256];
    int n = snprintf(head, sizeof head,
                     "POST /twirp/disco.api.Vms/StreamConsole HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/protobuf\r\nContent-Length: %zu\r\n\r\n",
                     len);
    SSL_write(s, head, n);
    SSL_write(s, body, (int)len);
    char buf[256];
    n = SSL_read(s, buf, sizeof buf); /* the start of the stream */
    free(body);
    raw_close(s); /* and gone, without a TLS close */
    printf("abandoned a console stream after %d bytes\n", n);
    return n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "body") == 0)
        return cmd_body(argc, argv);
    if (argc == 3 && strcmp(argv[1], "decode") == 0)
        return cmd_decode(argc, argv);
    if (argc == 7 && strcmp(argv[1], "slow") == 0)
        return cmd_slow(argc, argv);
    if (argc == 7 && strcmp(argv[1], "abandon") == 0)
        return cmd_abandon(argc, argv);
    fprintf(stderr, "usage: see the top of api_probe.c\n");
    return 2;
}
