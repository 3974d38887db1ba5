/*
 * client_helpers.c - libdiscoclient's helpers over disco_call: pushing an
 * image in resumable chunks (asking the server where a previous attempt
 * stopped) and waiting for a job to finish.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "discoclient.h"
#include "disco_err.h"
#include "xalloc.h"

#define PUSH_CHUNK_BYTES (1u << 20)
#define WAIT_POLL_MIN_MS 10  /* first re-poll: short jobs end within tens of ms */
#define WAIT_POLL_MAX_MS 250 /* the interval doubles up to this */

static int hash_file(FILE *f, char sha256[65], uint64_t *size)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    uint8_t buf[65536];
    size_t n;
    *size = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        EVP_DigestUpdate(md, buf, n);
        *size += n;
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dlen;
    EVP_DigestFinal_ex(md, d, &dlen);
    EVP_MD_CTX_free(md);
    for (unsigned i = 0; i < 32; i++)
        snprintf(sha256 + 2 * i, 3, "%02x", d[i]);
    return ferror(f) ? DISCO_EIO : DISCO_OK;
}

/* Where to resume: the server's received count, or 0. */
static uint64_t resume_offset(struct disco_client *c, const char *sha256, bool *complete)
{
    Disco__Api__GetUploadRequest q = DISCO__API__GET_UPLOAD_REQUEST__INIT;
    ProtobufCMessage *m;
    struct disco_error e;
    q.sha256 = (char *)sha256;
    *complete = false;
    if (disco_call(c, "Images", "GetUpload", &q.base, &disco__api__upload_status__descriptor, &m,
                   &e) != 0)
        return 0;
    Disco__Api__UploadStatus *s = (Disco__Api__UploadStatus *)m;
    uint64_t at = s->received;
    *complete = s->complete;
    protobuf_c_message_free_unpacked(m, NULL);
    return at;
}

static int send_chunks(struct disco_client *c, FILE *f, const char *sha256, uint64_t size,
                       uint64_t offset, Disco__Api__ImageKind kind, const char *name,
                       disco_progress_fn progress, void *arg, struct disco_error *err)
{
    uint8_t *buf = xmalloc(PUSH_CHUNK_BYTES);
    int rv = DISCO_OK;
    if (fseeko(f, (off_t)offset, SEEK_SET) != 0)
        rv = DISCO_EIO;
    while (rv == 0 && offset < size) {
        size_t n = fread(buf, 1, PUSH_CHUNK_BYTES, f);
        if (n == 0) {
            rv = DISCO_EIO;
            break;
        }
        Disco__Api__UploadChunkRequest q = DISCO__API__UPLOAD_CHUNK_REQUEST__INIT;
        q.sha256 = (char *)sha256;
        q.size = size;
        q.offset = offset;
        q.data.data = buf;
        q.data.len = n;
        q.name = (char *)name;
        q.has_kind = true;
        q.kind = kind;
        ProtobufCMessage *m;
        if ((rv = disco_call(c, "Images", "UploadChunk", &q.base,
                             &disco__api__upload_status__descriptor, &m, err)) != 0)
            break;
        offset = ((Disco__Api__UploadStatus *)m)->received;
        protobuf_c_message_free_unpacked(m, NULL);
        if (progress)
            progress(arg, offset, size);
        if (fseeko(f, (off_t)offset, SEEK_SET) != 0)
            rv = DISCO_EIO;
    }
    free(buf);
    return rv;
}

int disco_image_push(struct disco_client *c, const char *path, Disco__Api__ImageKind kind,
                     const char *name, disco_progress_fn progress, void *arg, char sha256[65],
                     struct disco_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err->code, sizeof err->code, "transport");
        snprintf(err->msg, sizeof err->msg, "cannot open %s: %s", path, strerror(errno));
        err->http_status = 0;
        return errno == ENOENT ? DISCO_ENOENT : DISCO_EIO;
    }
    uint64_t size;
    int rv = hash_file(f, sha256, &size);
    bool complete = false;
    if (rv == 0) {
        uint64_t offset = resume_offset(c, sha256, &complete);
        if (!complete)
            rv = send_chunks(c, f, sha256, size, offset, kind, name, progress, arg, err);
        else if (progress)
            progress(arg, size, size);
    } else {
        snprintf(err->msg, sizeof err->msg, "cannot read %s", path);
    }
    fclose(f);
    return rv;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int disco_job_wait(struct disco_client *c, uint64_t job_id, int64_t timeout_ms,
                   disco_progress_fn progress, void *arg, Disco__Api__Job **job,
                   struct disco_error *err)
{
    int64_t start = now_ms();
    unsigned interval_ms = WAIT_POLL_MIN_MS;
    *job = NULL;
    for (;;) {
        Disco__Api__JobRef q = DISCO__API__JOB_REF__INIT;
        ProtobufCMessage *m;
        q.id = job_id;
        int rv = disco_call(c, "Jobs", "GetJob", &q.base, &disco__api__job__descriptor, &m, err);
        if (rv != 0)
            return rv;
        if (*job)
            protobuf_c_message_free_unpacked(&(*job)->base, NULL);
        *job = (Disco__Api__Job *)m;
        if ((*job)->state > DISCO__API__JOB_STATE__JOB_RUNNING)
            return DISCO_OK;
        int64_t elapsed = now_ms() - start;
        if (progress)
            progress(arg, (uint64_t)elapsed, (uint64_t)(*job)->spec->time_limit_s * 1000);
        if (timeout_ms && elapsed >= timeout_ms) {
            snprintf(err->code, sizeof err->code, "deadline_exceeded");
            snprintf(err->msg, sizeof err->msg, "job %llu still unfinished after %lld ms",
                     (unsigned long long)job_id, (long long)elapsed);
            err->http_status = 0;
            return DISCO_ETIMEDOUT;
        }
        usleep(interval_ms * 1000);
        interval_ms = interval_ms * 2 > WAIT_POLL_MAX_MS ? WAIT_POLL_MAX_MS : interval_ms * 2;
    }
}
