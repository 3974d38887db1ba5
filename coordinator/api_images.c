/*
 * api_images.c - the Images service: chunked, resumable uploads named by
 * their SHA-256 (checked over the whole content when the last byte
 * arrives), with a size limit; the content is stored once per SHA-256
 * (STATE_DIR/images/SHA) and owned by every user who uploaded it. Partial
 * uploads live in STATE_DIR/uploads/ until complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_internal.h"
#include "disco_err.h"
#include "log.h"

#define HASH_BUFFER (1u << 16)

static bool valid_sha(const char *s)
{
    if (s == NULL || strlen(s) != STORE_SHA_HEX)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* STATE_DIR/uploads/SHA.OWNERHASH: owner names can hold any character. */
static void partial_path(struct api_call *call, const char *sha, char *buf, size_t len)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    EVP_Digest(call->user, strlen(call->user), digest, &dlen, EVP_sha256(), NULL);
    snprintf(buf, len, "%s/uploads/%s.%02x%02x%02x%02x%02x%02x%02x%02x",
             call->ctx->options->state_dir, sha, digest[0], digest[1], digest[2], digest[3],
             digest[4], digest[5], digest[6], digest[7]);
}

/* Hex SHA-256 of a file. */
static int hash_file(const char *path, char hex[STORE_SHA_HEX + 1])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return DISCO_EIO;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    static unsigned char buf[HASH_BUFFER];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        EVP_DigestUpdate(md, buf, (size_t)n);
    close(fd);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    EVP_DigestFinal_ex(md, digest, &dlen);
    EVP_MD_CTX_free(md);
    if (n < 0)
        return DISCO_EIO;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    return DISCO_OK;
}

static void reply_status(struct api_call *call, const char *sha, uint64_t size, uint64_t received,
                         const struct image_row *image)
{
    Disco__Api__UploadStatus r = DISCO__API__UPLOAD_STATUS__INIT;
    Disco__Api__Image img;
    r.sha256 = (char *)sha;
    r.size = size;
    r.received = received;
    r.complete = image != NULL;
    if (image) {
        api_image_from_row(image, &img);
        r.image = &img;
    }
    api_reply(call, &r.base);
}

static bool is_elf(const char *path)
{
    unsigned char magic[4] = {0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, magic, sizeof magic);
    close(fd);
    return n == 4 && memcmp(magic, "\177ELF", 4) == 0;
}

/* The last chunk arrived: check the content and make it an image. */
static void finish_upload(struct api_call *call, const struct upload_row *up, const char *partial)
{
    char hex[STORE_SHA_HEX + 1], blob[600];
    if (truncate(partial, (off_t)up->size) != 0 || hash_file(partial, hex) != 0) {
        api_fail(call, API_INTERNAL, "cannot read back the upload");
        return;
    }
    char what[128] = "";
    if (strcmp(hex, up->sha256) != 0)
        snprintf(what, sizeof what, "its content has SHA-256 %s", hex);
    else if (up->kind != DISCO__API__IMAGE_KIND__KIND_DISK && !is_elf(partial))
        snprintf(what, sizeof what, "a kernel or program must be an ELF file");
    if (what[0]) {
        unlink(partial);
        if (store_upload_delete(call->ctx->store, up->sha256, call->user) != 0)
            log_warn("api: cannot forget a failed upload");
        api_fail(call, API_INVALID_ARGUMENT, "upload %.16s... refused: %s; send it again",
                 up->sha256, what);
        return;
    }
    jobs_image_path(call->ctx->jobs, up->sha256, blob, sizeof blob);
    struct stat st;
    if (stat(blob, &st) == 0)
        unlink(partial); /* someone else's identical content is already stored */
    else if (rename(partial, blob) != 0) {
        api_fail(call, API_INTERNAL, "cannot store the image: %s", strerror(errno));
        return;
    }
    struct image_row img = {.kind = up->kind, .size = up->size, .created = (int64_t)time(NULL)};
    snprintf(img.sha256, sizeof img.sha256, "%s", up->sha256);
    snprintf(img.owner, sizeof img.owner, "%s", call->user);
    snprintf(img.name, sizeof img.name, "%s", up->name);
    if (store_upload_finish(call->ctx->store, &img) != 0) {
        api_fail(call, API_INTERNAL, "cannot record the image");
        return;
    }
    log_info("api: %s pushed image %.16s... (%llu bytes)", call->user, img.sha256,
             (unsigned long long)img.size);
    reply_status(call, img.sha256, img.size, img.size, &img);
}

static int write_chunk(const char *path, uint64_t offset, const ProtobufCBinaryData *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return DISCO_EIO;
    size_t done = 0;
    while (done < data->len) {
        ssize_t n = pwrite(fd, data->data + done, data->len - done, (off_t)(offset + done));
        if (n <= 0) {
            close(fd);
            return DISCO_EIO;
        }
        done += (size_t)n;
    }
    close(fd);
    return DISCO_OK;
}

/* Checks a chunk against the upload so far (creating it at offset 0). */
static int check_chunk(struct api_call *call, const Disco__Api__UploadChunkRequest *r,
                       struct upload_row *up)
{
    uint64_t limit = call->ctx->options->image_max_bytes;
    if (r->size == 0 || r->size > limit) {
        api_fail(call, API_OUT_OF_RANGE, "image size %llu: must be 1 to %llu bytes",
                 (unsigned long long)r->size, (unsigned long long)limit);
        return -1;
    }
    if (r->data.len > API_MAX_CHUNK_BYTES || r->offset > r->size ||
        r->data.len > r->size - r->offset) {
        api_fail(call, API_OUT_OF_RANGE, "chunk [%llu, +%zu) outside the image or over %u bytes",
                 (unsigned long long)r->offset, r->data.len, API_MAX_CHUNK_BYTES);
        return -1;
    }
    if (r->name && strlen(r->name) >= STORE_NAME_MAX) {
        api_fail(call, API_INVALID_ARGUMENT, "image name longer than %d bytes", STORE_NAME_MAX - 1);
        return -1;
    }
    if (store_upload_get(call->ctx->store, r->sha256, call->user, up) != 0) {
        *up = (struct upload_row){.kind = r->kind, .size = r->size};
        snprintf(up->sha256, sizeof up->sha256, "%s", r->sha256);
        snprintf(up->owner, sizeof up->owner, "%s", call->user);
        snprintf(up->name, sizeof up->name, "%s", r->name ? r->name : "");
    }
    if (up->size != r->size) {
        api_fail(call, API_INVALID_ARGUMENT, "the upload of %.16s... announced %llu bytes",
                 r->sha256, (unsigned long long)up->size);
        return -1;
    }
    if (r->offset != up->received) {
        api_fail(call, API_FAILED_PRECONDITION, "the upload continues at offset %llu",
                 (unsigned long long)up->received);
        return -1;
    }
    return 0;
}

static void upload_chunk(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__UploadChunkRequest *r = (const Disco__Api__UploadChunkRequest *)request;
    struct upload_row up;
    struct image_row have;
    char partial[600];
    if (!valid_sha(r->sha256)) {
        api_fail(call, API_INVALID_ARGUMENT, "sha256 must be 64 lowercase hex digits");
        return;
    }
    if ((unsigned)r->kind > DISCO__API__IMAGE_KIND__KIND_DISK) {
        api_fail(call, API_INVALID_ARGUMENT, "unknown image kind %d", (int)r->kind);
        return;
    }
    if (store_image_get(call->ctx->store, r->sha256, call->user, &have) == 0) {
        reply_status(call, have.sha256, have.size, have.size, &have);
        return;
    }
    if (check_chunk(call, r, &up) != 0)
        return;
    partial_path(call, r->sha256, partial, sizeof partial);
    if (write_chunk(partial, r->offset, &r->data) != 0) {
        api_fail(call, API_INTERNAL, "cannot write the upload: %s", strerror(errno));
        return;
    }
    up.received = r->offset + r->data.len;
    up.updated = (int64_t)time(NULL);
    if (store_upload_put(call->ctx->store, &up) != 0) {
        api_fail(call, API_INTERNAL, "cannot record the upload");
        return;
    }
    if (up.received == up.size)
        finish_upload(call, &up, partial);
    else
        reply_status(call, up.sha256, up.size, up.received, NULL);
}

static void get_upload(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__GetUploadRequest *r = (const Disco__Api__GetUploadRequest *)request;
    struct upload_row up;
    struct image_row have;
    if (!valid_sha(r->sha256)) {
        api_fail(call, API_INVALID_ARGUMENT, "sha256 must be 64 lowercase hex digits");
        return;
    }
    if (store_image_get(call->ctx->store, r->sha256, call->user, &have) == 0)
        reply_status(call, have.sha256, have.size, have.size, &have);
    else if (store_upload_get(call->ctx->store, r->sha256, call->user, &up) == 0)
        reply_status(call, up.sha256, up.size, up.received, NULL);
    else
        api_fail(call, API_NOT_FOUND, "no upload or image %.16s... of yours", r->sha256);
}

struct image_list {
    Disco__Api__Image *img;
    struct image_row *rows;
    Disco__Api__Image **ptrs;
    size_t n, cap;
};

static int collect_image(void *arg, const struct image_row *row)
{
    struct image_list *l = arg;
    if (l->n == l->cap)
        return 1;
    l->rows[l->n] = *row;
    api_image_from_row(&l->rows[l->n], &l->img[l->n]);
    l->ptrs[l->n] = &l->img[l->n];
    l->n++;
    return 0;
}

static void list_images(struct api_call *call, const ProtobufCMessage *request)
{
    struct image_list l = {.cap = API_MAX_LIST};
    l.img = calloc(l.cap, sizeof *l.img);
    l.rows = calloc(l.cap, sizeof *l.rows);
    l.ptrs = calloc(l.cap, sizeof *l.ptrs);
    if (!l.img || !l.rows || !l.ptrs ||
        store_image_list(call->ctx->store, call->admin ? NULL : call->user, collect_image, &l) !=
            0) {
        api_fail(call, API_INTERNAL, "cannot list images");
    } else {
        Disco__Api__ListImagesResponse r = DISCO__API__LIST_IMAGES_RESPONSE__INIT;
        r.n_images = l.n;
        r.images = l.ptrs;
        api_reply(call, &r.base);
    }
    free(l.img);
    free(l.rows);
    free(l.ptrs);
}

static void delete_image(struct api_call *call, const ProtobufCMessage *request)
{
    const Disco__Api__DeleteImageRequest *r = (const Disco__Api__DeleteImageRequest *)request;
    struct image_row have;
    unsigned owners;
    if (!valid_sha(r->sha256) || store_image_get(call->ctx->store, r->sha256, call->user, &have)) {
        api_fail(call, API_NOT_FOUND, "no image %.16s of yours", r->sha256 ? r->sha256 : "");
        return;
    }
    if (store_image_delete(call->ctx->store, r->sha256, call->user) != 0 ||
        store_image_owners(call->ctx->store, r->sha256, &owners) != 0) {
        api_fail(call, API_INTERNAL, "cannot delete the image");
        return;
    }
    if (owners == 0) {
        char blob[600];
        jobs_image_path(call->ctx->jobs, r->sha256, blob, sizeof blob);
        unlink(blob);
    }
    Disco__Api__DeleteImageResponse resp = DISCO__API__DELETE_IMAGE_RESPONSE__INIT;
    api_reply(call, &resp.base);
}

enum { IMAGES_UPLOAD, IMAGES_GET_UPLOAD, IMAGES_LIST, IMAGES_DELETE, IMAGES_METHODS };
static const struct api_method methods[IMAGES_METHODS] = {
    [IMAGES_UPLOAD] = {"UploadChunk", &disco__api__upload_chunk_request__descriptor, upload_chunk},
    [IMAGES_GET_UPLOAD] = {"GetUpload", &disco__api__get_upload_request__descriptor, get_upload},
    [IMAGES_LIST] = {"ListImages", &disco__api__list_images_request__descriptor, list_images},
    [IMAGES_DELETE] = {"DeleteImage", &disco__api__delete_image_request__descriptor, delete_image},
};
const struct api_service api_images_service = {"Images", methods, IMAGES_METHODS};
