/*
 * test_vm_net.c - the coordinator's switch of the virtual subnet between
 * servers (vm_run.c, docs/architecture.md "The virtual subnet"), without
 * servers: unicasts to the server of the VM their MAC names, broadcasts to
 * every other server with a VM on the subnet, subnets kept apart, the
 * sender never served its own frames, malformed and spoofed frames dropped,
 * the per-release bound, frames waiting behind a large create, and the
 * counters in the statistics JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../monitor/vnet.h"
#include "disco_err.h"
#include "vm_run.h"

static const uint8_t fake_elf[64] = {0x7f, 'E', 'L', 'F', 2, 1};

/* 3 servers x 1 node x 2 CPUs, 256 MiB per node. */
static struct vm_run *setup(void)
{
    struct vm_run_options o = {.total_nodes = 3,
                               .cpus_per_node = 2,
                               .memory_per_node_bytes = 256u << 20,
                               .quantum_cycles = 10000,
                               .batch = true,
                               .console = stdout};
    struct vm_run *r = vm_run_create(&o);
    uint32_t first[3] = {0, 1, 2}, count[3] = {1, 1, 1};
    vm_run_set_layout(r, 3, first, count);
    return r;
}

static uint32_t submit_linux(struct vm_run *r, int32_t node, uint32_t net, const uint8_t *initrd,
                             size_t initrd_len)
{
    struct vm_run_spec s = {.elf = fake_elf,
                            .elf_len = sizeof fake_elf,
                            .memory_bytes = 32u << 20,
                            .vcpus = 1,
                            .first_node = node,
                            .linux_boot = true,
                            .initrd = initrd,
                            .initrd_len = initrd_len,
                            .net = net};
    uint32_t id = 0;
    char err[200];
    assert_int_equal(vm_run_submit(r, &s, &id, err, sizeof err), 0);
    return id;
}

static Disco__Control__BarrierRelease release_for(struct vm_run *r, unsigned server)
{
    Disco__Control__BarrierRelease rel = DISCO__CONTROL__BARRIER_RELEASE__INIT;
    vm_run_fill_release(r, server, &rel);
    return rel;
}

/* An Ethernet frame from VM `from` to MAC `to` (VM `to`, or broadcast if
 * to == 0), `len` bytes, its payload a pattern naming it. */
static void make_frame(uint8_t *f, size_t len, uint32_t to, uint32_t from, uint8_t tag)
{
    memset(f, tag, len);
    if (to)
        vnet_mac(to, f);
    else
        memset(f, 0xff, 6);
    vnet_mac(from, f + 6);
    f[12] = 0x08;
    f[13] = 0x00;
}

/* One arrival of `server` with n frames on the given subnets. */
static void arrive_frames(struct vm_run *r, unsigned server, uint8_t (*frames)[1514],
                          const size_t *len, const uint32_t *net, size_t n)
{
    Disco__Control__NetFrame nf[n + 1], *ptr[n + 1];
    for (size_t i = 0; i < n; i++) {
        disco__control__net_frame__init(&nf[i]);
        nf[i].net = net[i];
        nf[i].data.data = frames[i];
        nf[i].data.len = len[i];
        ptr[i] = &nf[i];
    }
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    a.server_index = server;
    a.n_frames = n;
    a.frames = ptr;
    vm_run_arrive(r, &a);
}

static void report_end(struct vm_run *r, unsigned server, uint32_t id)
{
    Disco__Control__VmReport rep = DISCO__CONTROL__VM_REPORT__INIT, *ptr[1] = {&rep};
    rep.vm_id = id;
    rep.has_ended = rep.has_exited = rep.has_exit_status = true;
    rep.ended = rep.exited = true;
    Disco__Control__BarrierArrive a = DISCO__CONTROL__BARRIER_ARRIVE__INIT;
    a.server_index = server;
    a.n_vms = 1;
    a.vms = ptr;
    vm_run_arrive(r, &a);
}

/* Creates go out (the VMs run from then on); the subnet rides in VmSpec.net. */
static void start_all(struct vm_run *r, const uint32_t *want_net)
{
    for (unsigned s = 0; s < 3; s++) {
        Disco__Control__BarrierRelease rel = release_for(r, s);
        for (size_t i = 0; i < rel.n_commands; i++) {
            const Disco__Control__VmSpec *sp = rel.commands[i]->create;
            assert_non_null(sp);
            assert_int_equal(sp->has_net, want_net[sp->vm_id] != 0);
            assert_int_equal(sp->net, want_net[sp->vm_id]);
        }
    }
}

/* VM 1 on server 0 and VM 2 on server 1, both running on subnet `net`. */
static struct vm_run *setup_pair(uint32_t net)
{
    struct vm_run *r = setup();
    assert_int_equal(submit_linux(r, 0, net, NULL, 0), 1);
    assert_int_equal(submit_linux(r, 1, net, NULL, 0), 2);
    const uint32_t want_net[3] = {[1] = net, [2] = net};
    start_all(r, want_net);
    return r;
}

static void test_switching(void **state)
{
    (void)state;
    struct vm_run *r = setup();
    uint32_t a = submit_linux(r, 0, 1, NULL, 0); /* server 0, subnet 1 */
    uint32_t b = submit_linux(r, 1, 1, NULL, 0); /* server 1, subnet 1 */
    uint32_t c = submit_linux(r, 2, 2, NULL, 0); /* server 2, subnet 2 */
    uint32_t d = submit_linux(r, 0, 1, NULL, 0); /* server 0, subnet 1, beside a */
    /* A VM that is not Linux gets no NIC whatever its spec says. */
    struct vm_run_spec plain = {.elf = fake_elf,
                                .elf_len = 64,
                                .memory_bytes = 4096,
                                .vcpus = 1,
                                .first_node = 2,
                                .net = 1};
    uint32_t e;
    char err[200];
    assert_int_equal(vm_run_submit(r, &plain, &e, err, sizeof err), 0);
    const uint32_t want_net[6] = {[1] = 1, [2] = 1, [3] = 2, [4] = 1, [5] = 0};
    start_all(r, want_net);

    static uint8_t f[10][1514];
    size_t len[10];
    uint32_t net[10];
    size_t n = 0;
    make_frame(f[n], len[n] = 100, b, a, 1), net[n++] = 1;   /* a -> b: server 1 */
    make_frame(f[n], len[n] = 60, 0, a, 2), net[n++] = 1;    /* broadcast: server 1 only */
    make_frame(f[n], len[n] = 60, c, a, 3), net[n++] = 1;    /* c is on subnet 2: dropped */
    make_frame(f[n], len[n] = 60, d, a, 4), net[n++] = 1;    /* d is on the sender's server */
    make_frame(f[n], len[n] = 10, b, a, 5), net[n++] = 1;    /* shorter than a header */
    make_frame(f[n], len[n] = 60, b, a, 6), net[n++] = 0;    /* subnet 0 */
    make_frame(f[n], len[n] = 60, b, c, 7), net[n++] = 1;    /* c's MAC, not a VM of server 0 */
    make_frame(f[n], len[n] = 60, b, a, 8), net[n++] = 1;    /* a -> b again */
    make_frame(f[n], len[n] = 60, 99, a, 9), net[n++] = 1;   /* no such VM */
    make_frame(f[n], len[n] = 1514, b, d, 10), net[n++] = 1; /* d -> b, a full frame */
    arrive_frames(r, 0, f, len, net, n);
    /* Server 2's c broadcasts on subnet 2: no other server has subnet 2. */
    make_frame(f[0], len[0] = 42, 0, c, 11), net[0] = 2;
    arrive_frames(r, 2, f, len, net, 1);
    /* Server 1's b answers a. */
    make_frame(f[0], len[0] = 70, a, b, 12), net[0] = 1;
    arrive_frames(r, 1, f, len, net, 1);
    assert_false(vm_run_release(r, 0));

    Disco__Control__BarrierRelease r0 = release_for(r, 0);
    assert_int_equal(r0.n_frames, 1);
    assert_int_equal(r0.frames[0]->net, 1);
    assert_int_equal(r0.frames[0]->data.len, 70);
    assert_int_equal(r0.frames[0]->data.data[20], 12);
    Disco__Control__BarrierRelease r1 = release_for(r, 1);
    assert_int_equal(r1.n_frames, 4);
    const uint8_t want_tag[4] = {1, 2, 8, 10};
    const size_t want_len[4] = {100, 60, 60, 1514};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(r1.frames[i]->net, 1);
        assert_int_equal(r1.frames[i]->data.len, want_len[i]);
        assert_int_equal(r1.frames[i]->data.data[20], want_tag[i]);
    }
    Disco__Control__BarrierRelease r2 = release_for(r, 2);
    assert_int_equal(r2.n_frames, 0); /* subnet 1 never reaches server 2 */

    struct vm_run_net_stats ns;
    vm_run_net_stats(r, &ns);
    assert_int_equal(ns.frames_in, 12);
    assert_int_equal(ns.frames_switched, 5);
    assert_int_equal(ns.bytes_switched, 100 + 60 + 60 + 1514 + 70);
    assert_int_equal(ns.dropped_invalid, 3);    /* short, subnet 0, spoofed source */
    assert_int_equal(ns.dropped_unroutable, 4); /* other subnet, same server, no VM, lone subnet */
    assert_int_equal(ns.dropped_full, 0);

    /* Sent once; and an ended VM receives nothing more. */
    assert_false(vm_run_release(r, 1));
    assert_int_equal(release_for(r, 1).n_frames, 0);
    report_end(r, 1, b);
    make_frame(f[0], len[0] = 60, b, a, 13), net[0] = 1;
    make_frame(f[1], len[1] = 60, 0, a, 14), net[1] = 1;
    arrive_frames(r, 0, f, len, net, 2);
    assert_false(vm_run_release(r, 2));
    assert_int_equal(release_for(r, 1).n_frames, 0);
    vm_run_net_stats(r, &ns);
    assert_int_equal(ns.dropped_unroutable, 6);

    /* The statistics JSON has the switch's counters and each VM's subnet. */
    char path[] = "/tmp/test_vm_net_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    FILE *out = fopen("/dev/null", "w");
    (void)vm_run_finish(r, out, path);
    fclose(out);
    char json[8192] = "";
    FILE *jf = fopen(path, "r");
    assert_non_null(jf);
    size_t got = fread(json, 1, sizeof json - 1, jf);
    json[got] = '\0';
    fclose(jf);
    unlink(path);
    assert_non_null(strstr(json, "\"frames_switched\": 5,"));
    assert_non_null(strstr(json, "\"dropped_invalid\": 3,"));
    assert_non_null(strstr(json, "\"server\": 2, \"net\": 2,"));
    assert_non_null(strstr(json, "\"net_rx_frames\": 0"));
    vm_run_destroy(r);
}

/* A flood: a release carries at most VM_RUN_NET_RELEASE_BYTES; the rest is dropped. */
static void test_release_bound(void **state)
{
    (void)state;
    struct vm_run *r = setup_pair(7);
    static uint8_t f[64][1514];
    size_t len[64];
    uint32_t net[64];
    for (size_t i = 0; i < 64; i++)
        make_frame(f[i], len[i] = 1514, 2, 1, (uint8_t)i), net[i] = 7;
    size_t fit = VM_RUN_NET_RELEASE_BYTES / 1514, sent = 0;
    for (unsigned k = 0; k < 50; k++, sent += 64)
        arrive_frames(r, 0, f, len, net, 64); /* 3200 frames, 4.6 MiB */
    assert_false(vm_run_release(r, 0));
    Disco__Control__BarrierRelease r1 = release_for(r, 1);
    assert_int_equal(r1.n_frames, fit);
    size_t bytes = 0;
    for (size_t i = 0; i < r1.n_frames; i++)
        bytes += r1.frames[i]->data.len;
    assert_true(bytes <= VM_RUN_NET_RELEASE_BYTES);
    struct vm_run_net_stats ns;
    vm_run_net_stats(r, &ns);
    assert_int_equal(ns.dropped_full, sent - fit);
    assert_int_equal(ns.frames_switched, fit);
    vm_run_destroy(r);
}

/* Frames wait for the next release when a create leaves no room under the reply cap. */
static void test_frames_wait_behind_create(void **state)
{
    (void)state;
    struct vm_run *r = setup_pair(3);
    /* A Linux VM on server 1 whose images take 55 MiB of the 56 MiB budget. */
    size_t big = (55u << 20);
    uint8_t *initrd = calloc(1, big);
    assert_non_null(initrd);
    (void)submit_linux(r, 1, 3, initrd, big);
    free(initrd);
    static uint8_t f[1][1514];
    size_t len[1] = {1514};
    uint32_t net[1] = {3};
    make_frame(f[0], len[0], 2, 1, 1);
    for (unsigned k = 0; k < 800; k++) /* 1.2 MiB of frames: no room beside the create */
        arrive_frames(r, 0, f, len, net, 1);
    assert_false(vm_run_release(r, 0));
    Disco__Control__BarrierRelease r1 = release_for(r, 1);
    assert_int_equal(r1.n_commands, 1);
    assert_int_equal(r1.n_frames, 0);
    assert_false(vm_run_release(r, 1));
    r1 = release_for(r, 1);
    assert_int_equal(r1.n_commands, 0);
    assert_int_equal(r1.n_frames, 800);
    vm_run_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_switching),
        cmocka_unit_test(test_release_bound),
        cmocka_unit_test(test_frames_wait_behind_create),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
