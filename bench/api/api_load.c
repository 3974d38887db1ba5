/*
 * api_load.c - bounded load test of the public API on loopback: C client
 * threads (one libdiscoclient connection each) run R rounds of a mixed
 * workload - submit a job, list jobs, get the job, get cluster status,
 * stream a finished VM's console - and the latency of every call is
 * recorded. Prints percentiles per operation and the request rate; exits 1
 * on any error. Run by bench/api/run.sh (bench/run.sh), not by ctest.
 *   api_load URL CA CERT KEY IMAGE-SHA256 DONE-VM-ID CLIENTS ROUNDS
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "discoclient.h"

enum { OP_SUBMIT, OP_LIST, OP_GET, OP_STATUS, OP_STREAM, OP_COUNT };
static const char *const op_names[OP_COUNT] = {[OP_SUBMIT] = "SubmitJob",
                                               [OP_LIST] = "ListJobs",
                                               [OP_GET] = "GetJob",
                                               [OP_STATUS] = "GetStatus",
                                               [OP_STREAM] = "StreamConsole"};

struct load {
    struct disco_client_config cfg;
    const char *image;
    uint64_t vm;
    unsigned rounds;
    pthread_mutex_t lock;
    double *lat[OP_COUNT]; /* milliseconds */
    size_t n[OP_COUNT];
    unsigned errors;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void record(struct load *l, int op, double ms, int rv, const struct disco_error *err)
{
    pthread_mutex_lock(&l->lock);
    if (rv == 0)
        l->lat[op][l->n[op]++] = ms;
    else if (l->errors++ < 5)
        fprintf(stderr, "api_load: %s: %s\n", op_names[op], err->msg);
    pthread_mutex_unlock(&l->lock);
}

static int count_chunk(void *arg, const ProtobufCMessage *m)
{
    (*(size_t *)arg)++;
    return 0;
}

static int one_call(struct disco_client *c, int op, struct load *l, uint64_t *job,
                    struct disco_error *err)
{
    ProtobufCMessage *m = NULL;
    int rv;
    switch (op) {
    case OP_SUBMIT: {
        Disco__Api__VmSpec vm = DISCO__API__VM_SPEC__INIT;
        Disco__Api__JobSpec spec = DISCO__API__JOB_SPEC__INIT;
        Disco__Api__SubmitJobRequest q = DISCO__API__SUBMIT_JOB_REQUEST__INIT;
        vm.kernel = (char *)l->image;
        spec.vm = &vm;
        q.spec = &spec;
        rv = disco_call(c, "Jobs", "SubmitJob", &q.base, &disco__api__job__descriptor, &m, err);
        if (rv == 0)
            *job = ((Disco__Api__Job *)m)->id;
        break;
    }
    case OP_LIST: {
        Disco__Api__ListJobsRequest q = DISCO__API__LIST_JOBS_REQUEST__INIT;
        q.has_limit = true;
        q.limit = 20;
        rv = disco_call(c, "Jobs", "ListJobs", &q.base, &disco__api__list_jobs_response__descriptor,
                        &m, err);
        break;
    }
    case OP_GET: {
        Disco__Api__JobRef q = DISCO__API__JOB_REF__INIT;
        q.id = *job;
        rv = disco_call(c, "Jobs", "GetJob", &q.base, &disco__api__job__descriptor, &m, err);
        break;
    }
    case OP_STATUS: {
        Disco__Api__GetStatusRequest q = DISCO__API__GET_STATUS_REQUEST__INIT;
        rv = disco_call(c, "Cluster", "GetStatus", &q.base, &disco__api__cluster_status__descriptor,
                        &m, err);
        break;
    }
    default: {
        Disco__Api__StreamConsoleRequest q = DISCO__API__STREAM_CONSOLE_REQUEST__INIT;
        size_t chunks = 0;
        q.id = l->vm;
        rv = disco_stream(c, "Vms", "StreamConsole", &q.base,
                          &disco__api__console_chunk__descriptor, count_chunk, &chunks, err);
        if (rv == 0 && chunks == 0) {
            snprintf(err->msg, sizeof err->msg, "an empty console");
            rv = 1;
        }
    }
    }
    if (m)
        protobuf_c_message_free_unpacked(m, NULL);
    return rv;
}

static void *client(void *arg)
{
    struct load *l = arg;
    struct disco_client *c;
    struct disco_error err;
    if (disco_client_open(&l->cfg, &c, &err) != 0) {
        record(l, OP_STATUS, 0, 1, &err);
        return NULL;
    }
    uint64_t job = 0;
    for (unsigned r = 0; r < l->rounds; r++) {
        for (int op = 0; op < OP_COUNT; op++) {
            double t = now_ms();
            int rv = one_call(c, op, l, &job, &err);
            record(l, op, now_ms() - t, rv, &err);
        }
    }
    disco_client_close(c);
    return NULL;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    return n ? v[(size_t)(p / 100.0 * (double)(n - 1) + 0.5)] : 0;
}

int main(int argc, char **argv)
{
    if (argc != 9) {
        fprintf(stderr, "usage: api_load URL CA CERT KEY IMAGE DONE-VM CLIENTS ROUNDS\n");
        return 2;
    }
    struct load l = {
        .cfg = {.url = argv[1], .ca_file = argv[2], .cert_file = argv[3], .key_file = argv[4]},
        .image = argv[5],
        .vm = strtoull(argv[6], NULL, 10),
        .rounds = (unsigned)atoi(argv[8])};
    unsigned clients = (unsigned)atoi(argv[7]);
    pthread_mutex_init(&l.lock, NULL);
    for (int op = 0; op < OP_COUNT; op++)
        l.lat[op] = calloc((size_t)clients * l.rounds, sizeof(double));
    pthread_t *t = calloc(clients, sizeof *t);
    double start = now_ms();
    for (unsigned i = 0; i < clients; i++)
        pthread_create(&t[i], NULL, client, &l);
    for (unsigned i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    double wall = (now_ms() - start) / 1e3;
    size_t total = 0;
    printf(
        "| operation | calls | p50 ms | p90 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n");
    for (int op = 0; op < OP_COUNT; op++) {
        qsort(l.lat[op], l.n[op], sizeof(double), by_value);
        total += l.n[op];
        printf("| %s | %zu | %.2f | %.2f | %.2f | %.2f |\n", op_names[op], l.n[op],
               pct(l.lat[op], l.n[op], 50), pct(l.lat[op], l.n[op], 90),
               pct(l.lat[op], l.n[op], 99), l.n[op] ? l.lat[op][l.n[op] - 1] : 0);
    }
    printf("\n%u clients x %u rounds: %zu calls in %.2f s (%.0f calls/s), %u errors\n", clients,
           l.rounds, total, wall, (double)total / wall, l.errors);
    return l.errors ? 1 : 0;
}
