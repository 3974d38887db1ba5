/*
 * fuzz_api_request.c - fuzz target for the public API's request decoders:
 * the first byte picks a method from the server's own method tables
 * (coordinator/api_*.c), the rest is decoded as that method's request with
 * the server's size cap (pbcodec_unpack), re-encoded and decoded again, and
 * walked by the JSON writer; the same bytes are also parsed as the
 * method's JSON request (Twirp's application/json) and go through the
 * stream frame parser. Built as libFuzzer binary fuzz_api_request with
 * -DDISCO_FUZZ=ON (clang); with FUZZ_API_SMOKE it is a plain program that
 * feeds seeded mutations of valid requests (the unit test fuzz_api_smoke,
 * registered in tests/api/CMakeLists.txt).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"
#include "discoclient.h"
#include "frame.h"
#include "pbcodec.h"
#include "pbjson.h"

static const struct api_service *const services[] = {&api_cluster_service, &api_images_service,
                                                     &api_vms_service, &api_jobs_service};

static const struct api_method *pick(uint8_t selector)
{
    unsigned total = 0;
    for (unsigned i = 0; i < 4; i++)
        total += services[i]->count;
    unsigned k = selector % total;
    for (unsigned i = 0; i < 4; i++) {
        if (k < services[i]->count)
            return &services[i]->methods[k];
        k -= services[i]->count;
    }
    abort();
}

static void frames(const uint8_t *data, size_t size)
{
    struct frame f;
    size_t used;
    while (size && frame_parse(data, size, 1u << 20, &f, &used) == 0) {
        data += used;
        size -= used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *sink;
    if (sink == NULL)
        sink = fopen("/dev/null", "w");
    if (size < 1)
        return 0;
    frames(data, size);
    const struct api_method *m = pick(data[0]);
    ProtobufCMessage *msg;
    char why[160];
    if (pbjson_parse(m->input, (const char *)data + 1, size - 1, &msg, why, sizeof why) == 0) {
        pbjson_write(sink, msg, 0); /* what JSON gave must print */
        protobuf_c_message_free_unpacked(msg, NULL);
    }
    if (pbcodec_unpack(m->input, data + 1, size - 1, API_MAX_BODY_BYTES, &msg) != 0)
        return 0;
    disco_json_write(sink, msg, 0);
    /*
     * Found by this target: protobuf-c 1.4.1 keeps a field numbered 0 written
     * as a two-byte varint (80 00) as an unknown field, but refuses it once
     * re-encoded canonically (00). The server ignores unknown fields, so the
     * round trip is only checked for messages without them.
     */
    if (msg->n_unknown_fields) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return 0;
    }
    uint8_t *buf;
    size_t len;
    pbcodec_pack(msg, &buf, &len);
    ProtobufCMessage *again;
    if (pbcodec_unpack(m->input, buf, len, API_MAX_BODY_BYTES, &again) != 0)
        abort(); /* what we decoded must re-encode into something decodable */
    uint8_t *buf2;
    size_t len2;
    pbcodec_pack(again, &buf2, &len2);
    if (len2 != len || memcmp(buf, buf2, len) != 0)
        abort();
    free(buf);
    free(buf2);
    protobuf_c_message_free_unpacked(again, NULL);
    protobuf_c_message_free_unpacked(msg, NULL);
    return 0;
}

#ifdef FUZZ_API_SMOKE
/* Valid requests of a few methods, mutated by a seeded generator. */
static size_t seed_request(unsigned i, uint8_t *out, size_t cap)
{
    Disco__Api__VmSpec vm = DISCO__API__VM_SPEC__INIT;
    Disco__Api__JobSpec spec = DISCO__API__JOB_SPEC__INIT;
    Disco__Api__SubmitJobRequest job = DISCO__API__SUBMIT_JOB_REQUEST__INIT;
    Disco__Api__UploadChunkRequest up = DISCO__API__UPLOAD_CHUNK_REQUEST__INIT;
    uint32_t nodes[2] = {0, 1};
    vm.kernel = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    vm.cmdline = "a b c";
    vm.n_placement = 2;
    vm.placement = nodes;
    spec.vm = &vm;
    job.spec = &spec;
    up.sha256 = vm.kernel;
    up.size = 100;
    up.data.data = (uint8_t *)"data";
    up.data.len = 4;
    const ProtobufCMessage *m = i % 2 ? &job.base : &up.base;
    size_t n = protobuf_c_message_get_packed_size(m);
    return n <= cap ? protobuf_c_message_pack(m, out) : 0;
}

int main(void)
{
    uint8_t buf[4096];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (unsigned round = 0; round < 1000000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = 1 + seed_request(round, buf + 1, sizeof buf - 1);
        buf[0] = (uint8_t)x;
        for (unsigned k = 0; k < (x >> 8) % 6; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[1 + (x >> 16) % (n - 1 ? n - 1 : 1)] = (uint8_t)(x >> 40);
        }
        if ((x >> 50) % 4 == 0)
            n = 1 + (x >> 20) % n; /* truncated */
        LLVMFuzzerTestOneInput(buf, n);
    }
    printf("fuzz_api_smoke: 1000000 mutated requests decoded or refused\n");
    return 0;
}
#endif
