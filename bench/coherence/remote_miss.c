/*
 * remote_miss.c - the real time of one remote miss against a raw NNG round
 * trip on the same transport (docs/performance.md, "Coherent memory").
 *
 * Two processes. The home process runs node 0's directory over its bank
 * behind an interconnect endpoint (interconnect.h), serving messages the
 * way the node server's run loop does (poll, receive, handle, flush). The
 * requester process runs CPU 1's cache agent on node 1 and reads N distinct
 * lines homed on node 0, one at a time: agent_access -> GET over the
 * network -> DATA_X back -> agent_handle -> DONE -> the retried access hits.
 * Then the same two processes ping-pong a GET-sized and a DATA-sized raw
 * message over plain NNG PUSH/PULL sockets with blocking receives. Prints the
 * mean microseconds of each and the ratio.
 *
 * Usage: remote_miss [ipc|tcp] [N]
 */
#include <nng/nng.h>
#include <nng/protocol/pipeline0/pull.h>
#include <nng/protocol/pipeline0/push.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "coherence_agent.h"
#include "directory.h"
#include "interconnect.h"

#define BANK_BYTES (8u << 20)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "remote_miss: %s: %s\n", what, err);
    exit(1);
}

static struct coh_addr_map map = {
    .base = 0, .bank_bytes = BANK_BYTES, .node_count = 2, .cpus_per_node = 1};

/* The home: serves until killed. */
static void run_home(struct interconnect *ic)
{
    struct timing_params t;
    timing_defaults(&t);
    uint8_t *bank =
        mmap(NULL, BANK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    struct directory *dir;
    struct dir_config dc = {.node_id = 0, .map = map, .bank = bank, .timing = t};
    if (bank == MAP_FAILED || dir_create(&dc, &dir) != 0)
        die("home", "cannot build the directory");
    static struct coh_msg rx[INTERCONNECT_MAX_BATCH_MSGS];
    struct coh_outbox out;
    coh_outbox_init(&out);
    for (;;) {
        size_t n = 0;
        for (unsigned ch = 0; ch < 2; ch++) {
            size_t k;
            while ((k = interconnect_receive(ic, ch, rx, INTERCONNECT_MAX_BATCH_MSGS)) > 0) {
                for (size_t i = 0; i < k; i++)
                    if (dir_handle(dir, &rx[i], &out) != 0)
                        die("home", "protocol error");
                n += k;
            }
        }
        for (size_t i = 0; i < out.count; i++)
            interconnect_queue(ic, 1, &out.msgs[i]);
        coh_outbox_clear(&out);
        interconnect_flush(ic);
        if (n == 0)
            interconnect_wait(ic, 1, -1);
    }
}

/* The requester: N sequential read misses; returns mean seconds per miss. */
static double run_requester(struct interconnect *ic, unsigned n)
{
    struct timing_params t;
    timing_defaults(&t);
    struct agent *a;
    struct agent_config ac = {.agent_id = 1, .map = map, .timing = t};
    if (agent_create(&ac, &a) != 0)
        die("requester", "cannot build the agent");
    static struct coh_msg rx[INTERCONNECT_MAX_BATCH_MSGS];
    struct coh_outbox out;
    coh_outbox_init(&out);
    double start = 0;
    for (unsigned i = 0; i < n + 100; i++) {
        if (i == 100)
            start = now_s(); /* the first 100 warm up connections */
        uint64_t paddr = (uint64_t)(i % (BANK_BYTES / COH_LINE_BYTES)) * COH_LINE_BYTES;
        uint8_t buf[8];
        uint32_t cycles;
        for (;;) {
            enum agent_status st = agent_access(a, AGENT_LOAD, paddr, buf, 8, &out, &cycles);
            if (st == AGENT_DONE)
                break; /* the DONE goes out with the next miss, as in a scheduler round */
            for (size_t k = 0; k < out.count; k++)
                interconnect_queue(ic, 0, &out.msgs[k]);
            coh_outbox_clear(&out);
            interconnect_flush(ic);
            size_t got = 0;
            while (got == 0) {
                for (unsigned ch = 0; ch < 2; ch++) {
                    size_t k = interconnect_receive(ic, ch, rx, INTERCONNECT_MAX_BATCH_MSGS);
                    for (size_t j = 0; j < k; j++)
                        if (agent_handle(a, &rx[j], &out) != 0)
                            die("requester", "protocol error");
                    got += k;
                }
                if (got == 0)
                    interconnect_wait(ic, 1, -1);
            }
        }
    }
    double per = (now_s() - start) / n;
    agent_destroy(a);
    return per;
}

/* The raw echo side: PULL on url_b, PUSH back to url_a, until killed. */
static void run_echo(const char *url_a, const char *url_b)
{
    nng_socket in, out;
    int rv;
    char buf[4096];
    if ((rv = nng_pull0_open(&in)) != 0 || (rv = nng_push0_open(&out)) != 0 ||
        (rv = nng_listen(in, url_b, NULL, 0)) != 0 ||
        (rv = nng_dial(out, url_a, NULL, NNG_FLAG_NONBLOCK)) != 0)
        die("raw echo", nng_strerror(rv));
    for (;;) {
        size_t sz = sizeof buf;
        if (nng_recv(in, buf, &sz, 0) != 0 || nng_send(out, buf, sz, 0) != 0)
            _exit(0);
    }
}

/* Raw NNG: mean round trip of a message of len bytes over PUSH/PULL. */
static double raw_rtt(nng_socket in, nng_socket out, size_t len, unsigned n)
{
    char buf[4096] = {0};
    double start = 0;
    for (unsigned i = 0; i < n + 100; i++) {
        if (i == 100)
            start = now_s();
        size_t sz = sizeof buf;
        if (nng_send(out, buf, len, 0) != 0 || nng_recv(in, buf, &sz, 0) != 0)
            die("raw", "round trip failed");
    }
    return (now_s() - start) / n;
}

/* The same, but waiting the way the run loop does: poll() on NNG's receive
 * descriptor, then a non-blocking receive. */
static double raw_rtt_poll(nng_socket in, nng_socket out, size_t len, unsigned n)
{
    char buf[4096] = {0};
    int fd = -1;
    nng_socket_get_int(in, NNG_OPT_RECVFD, &fd);
    double start = 0;
    for (unsigned i = 0; i < n + 100; i++) {
        if (i == 100)
            start = now_s();
        size_t sz = sizeof buf;
        if (nng_send(out, buf, len, 0) != 0)
            die("raw", "send failed");
        while (nng_recv(in, buf, &sz, NNG_FLAG_NONBLOCK) != 0) {
            struct pollfd p = {.fd = fd, .events = POLLIN};
            poll(&p, 1, 1);
            sz = sizeof buf;
        }
    }
    return (now_s() - start) / n;
}

/* URLs: ipc paths in dir, or fixed loopback ports from base. */
static void make_url(char *out, size_t len, bool ipc, const char *dir, const char *name, int port)
{
    if (ipc)
        snprintf(out, len, "ipc://%s/%s", dir, name);
    else
        snprintf(out, len, "tcp://127.0.0.1:%d", port);
}

int main(int argc, char **argv)
{
    const char *transport = argc > 1 ? argv[1] : "ipc";
    unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 5000;
    char dir[] = "/tmp/disco-bench-XXXXXX", err[256];
    if (mkdtemp(dir) == NULL)
        die("mkdtemp", "failed");
    bool ipc = strcmp(transport, "ipc") == 0;
    int base = 21000 + (int)(getpid() % 9000) * 4;
    char url[6][160];
    const char *names[6] = {"h-req", "h-rep", "r-req", "r-rep", "raw-a", "raw-b"};
    for (unsigned i = 0; i < 6; i++)
        make_url(url[i], sizeof url[i], ipc, dir, names[i], base + (int)i);
    /* NNG may not be used across fork(): both children start before any socket. */
    pid_t home = fork();
    if (home == 0) {
        struct interconnect *ic;
        if (interconnect_create_at(url[0], url[1], NULL, &ic, err, sizeof err) != 0)
            die("home listen", err);
        const char *reqs[2] = {url[0], url[2]}, *reps[2] = {url[1], url[3]};
        struct interconnect_limits lim = {.node_count = 2, .agent_count = 2};
        if (interconnect_connect(ic, 0, 2, reqs, reps, 0, &lim, err, sizeof err) != 0)
            die("home connect", err);
        run_home(ic);
        _exit(0);
    }
    pid_t echo = fork();
    if (echo == 0) {
        run_echo(url[4], url[5]);
        _exit(0);
    }

    /* 1. A remote miss through the protocol stack. */
    struct interconnect *ic;
    if (interconnect_create_at(url[2], url[3], NULL, &ic, err, sizeof err) != 0)
        die("listen", err);
    const char *reqs[2] = {url[0], url[2]}, *reps[2] = {url[1], url[3]};
    struct interconnect_limits lim = {.node_count = 2, .agent_count = 2};
    if (interconnect_connect(ic, 1, 2, reqs, reps, 1, &lim, err, sizeof err) != 0)
        die("connect", err);
    double miss = run_requester(ic, n);

    /* 2. Raw round trips of a GET-sized and a DATA-sized message. */
    nng_socket in, out;
    int rv;
    if ((rv = nng_pull0_open(&in)) != 0 || (rv = nng_push0_open(&out)) != 0 ||
        (rv = nng_listen(in, url[4], NULL, 0)) != 0 ||
        (rv = nng_dial(out, url[5], NULL, NNG_FLAG_NONBLOCK)) != 0)
        die("raw", nng_strerror(rv));
    double rtt_small = raw_rtt(in, out, 24, n);
    double rtt_data = raw_rtt(in, out, 160, n);
    double rtt_poll = raw_rtt_poll(in, out, 160, n);
    kill(home, SIGKILL);
    kill(echo, SIGKILL);
    waitpid(home, NULL, 0);
    waitpid(echo, NULL, 0);
    /* A miss is GET out, DATA back (the DONE travels off the critical path). */
    double rtt = (rtt_small + rtt_data) / 2;
    printf("%-4s remote miss %7.1f us   raw NNG round trip %7.1f us (24 B %.1f, 160 B %.1f; "
           "with poll() %.1f)   ratio %.2f   (%u misses)\n",
           transport, miss * 1e6, rtt * 1e6, rtt_small * 1e6, rtt_data * 1e6, rtt_poll * 1e6,
           miss / rtt, n);
    nng_close(in);
    nng_close(out);
    interconnect_destroy(ic);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) != 0;
}
