/*
 * test_purge.c - forgetting a dead machine page (agent_purge_line,
 * dir_purge_page), as the VM host does before the monitor reuses a
 * destroyed VM's pages: two real agents and a real home directory exchange
 * messages, then the page is purged without any message or writeback and
 * the next miss is served from memory as if the line had never been cached.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coherence_agent.h"
#include "directory.h"
#include "disco_err.h"

#define BANK  (1024 * 1024ull)
#define PAGE  0x3000ull /* a page of node 0's bank */
#define LINES (4096 / COH_LINE_BYTES)

struct fixture {
    struct timing_params timing;
    struct coh_addr_map map;
    uint8_t *bank;
    struct directory *dir;
    struct agent *agent[2];
    struct coh_outbox out, work;
    unsigned lost[2];
};

static void on_lost0(void *opaque, uint64_t line)
{
    (void)line;
    ((struct fixture *)opaque)->lost[0]++;
}

static void on_lost1(void *opaque, uint64_t line)
{
    (void)line;
    ((struct fixture *)opaque)->lost[1]++;
}

/* One node with two CPUs, its bank filled with 0x5a. */
static struct fixture *setup(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    timing_defaults(&f->timing);
    f->map =
        (struct coh_addr_map){.base = 0, .bank_bytes = BANK, .node_count = 1, .cpus_per_node = 2};
    f->bank = malloc(BANK);
    memset(f->bank, 0x5a, BANK);
    struct dir_config dc = {.node_id = 0, .map = f->map, .bank = f->bank, .timing = f->timing};
    assert_int_equal(dir_create(&dc, &f->dir), 0);
    void (*lost[2])(void *, uint64_t) = {on_lost0, on_lost1};
    for (uint32_t i = 0; i < 2; i++) {
        struct agent_config ac = {
            .agent_id = i, .map = f->map, .timing = f->timing, .line_lost = lost[i], .opaque = f};
        assert_int_equal(agent_create(&ac, &f->agent[i]), 0);
    }
    coh_outbox_init(&f->out);
    coh_outbox_init(&f->work);
    return f;
}

static void teardown(struct fixture *f)
{
    agent_destroy(f->agent[0]);
    agent_destroy(f->agent[1]);
    dir_destroy(f->dir);
    coh_outbox_fini(&f->out);
    coh_outbox_fini(&f->work);
    free(f->bank);
    free(f);
}

/* Delivers messages until none is left (every handler must accept its message). */
static void pump(struct fixture *f)
{
    for (unsigned round = 0; f->out.count && round < 100; round++) {
        struct coh_outbox tmp = f->work;
        f->work = f->out;
        f->out = tmp;
        coh_outbox_clear(&f->out);
        for (size_t i = 0; i < f->work.count; i++) {
            const struct coh_msg *m = &f->work.msgs[i];
            int rv = coh_msg_to_home(m->type) ? dir_handle(f->dir, m, &f->out)
                                              : agent_handle(f->agent[m->agent], m, &f->out);
            assert_int_equal(rv, 0);
        }
    }
    assert_int_equal(f->out.count, 0);
}

/* One access by CPU cpu, completed through the protocol. */
static void access_line(struct fixture *f, uint32_t cpu, enum agent_access_kind k, uint64_t addr,
                        uint64_t *v)
{
    uint32_t cycles;
    for (unsigned tries = 0; tries < 10; tries++) {
        if (agent_access(f->agent[cpu], k, addr, v, sizeof *v, &f->out, &cycles) == AGENT_DONE)
            return;
        pump(f);
    }
    fail_msg("access to 0x%llx did not complete", (unsigned long long)addr);
}

static void test_purge_forgets_owned_and_shared_lines(void **state)
{
    (void)state;
    struct fixture *f = setup();
    uint64_t v = 0x1111111111111111ull, got = 0;
    access_line(f, 0, AGENT_STORE, PAGE + 0x80, &v); /* CPU 0 owns it dirty */
    access_line(f, 0, AGENT_LOAD, PAGE + 0x100, &got);
    access_line(f, 1, AGENT_LOAD, PAGE + 0x100, &got); /* shared by both */
    assert_int_equal(agent_line_state(f->agent[0], PAGE + 0x80), CACHE_MODIFIED);
    assert_int_equal(agent_line_state(f->agent[1], PAGE + 0x100), CACHE_SHARED);
    struct dir_page_misses pm;
    assert_int_equal(dir_page_misses(f->dir, PAGE, &pm), 0);
    assert_true(pm.read_misses + pm.write_misses > 0);

    unsigned held[2] = {0, 0};
    for (uint32_t cpu = 0; cpu < 2; cpu++)
        for (uint64_t l = 0; l < LINES; l++) {
            bool h;
            assert_int_equal(agent_purge_line(f->agent[cpu], PAGE + l * COH_LINE_BYTES, &h), 0);
            held[cpu] += h;
        }
    assert_int_equal(held[0], 2);
    assert_int_equal(held[1], 1);
    assert_int_equal(f->lost[0], 2);
    assert_int_equal(f->lost[1], 1);
    assert_int_equal(f->out.count, 0); /* no PUT, no message at all */
    assert_int_equal(agent_line_state(f->agent[0], PAGE + 0x80), CACHE_INVALID);
    assert_int_equal(agent_get_stats(f->agent[0])->writebacks, 0);

    assert_int_equal(dir_purge_page(f->dir, PAGE + 0x40), 0);
    for (uint64_t l = 0; l < LINES; l++) {
        struct dir_line_info li;
        assert_int_equal(dir_line_info(f->dir, PAGE + l * COH_LINE_BYTES, &li), 0);
        assert_int_equal(li.state, DIR_UNOWNED);
        assert_false(li.busy);
        assert_true(sharers_is_empty(&li.sharers));
    }
    assert_int_equal(dir_page_misses(f->dir, PAGE, &pm), 0);
    assert_int_equal(pm.read_misses + pm.write_misses, 0);
    /* The dirty data died in the cache: memory still holds the old bytes. */
    assert_int_equal(f->bank[PAGE + 0x80], 0x5a);

    /* The page is reusable: the host fills it directly, the next miss reads it. */
    memset(f->bank + PAGE, 0x77, 4096);
    access_line(f, 1, AGENT_STORE, PAGE + 0x80, &v);
    access_line(f, 0, AGENT_LOAD, PAGE + 0x88, &got);
    assert_int_equal(got, 0x7777777777777777ull);
    access_line(f, 0, AGENT_LOAD, PAGE + 0x80, &got);
    assert_int_equal(got, v);
    assert_int_equal(dir_get_stats(f->dir)->protocol_errors, 0);
    assert_int_equal(agent_get_stats(f->agent[0])->protocol_errors, 0);
    assert_int_equal(agent_get_stats(f->agent[1])->protocol_errors, 0);
    teardown(f);
}

static void test_purge_refuses_lines_in_flight(void **state)
{
    (void)state;
    struct fixture *f = setup();
    uint64_t v;
    uint32_t cycles;
    bool held = true;
    assert_int_equal(agent_access(f->agent[0], AGENT_LOAD, PAGE, &v, 8, &f->out, &cycles),
                     AGENT_PENDING);
    assert_int_equal(agent_purge_line(f->agent[0], PAGE + 8, &held), DISCO_EBUSY);
    /* The GET reaches the home: the line is busy until the requester's DONE. */
    struct coh_msg get = f->out.msgs[0];
    coh_outbox_clear(&f->out);
    assert_int_equal(dir_handle(f->dir, &get, &f->out), 0);
    assert_int_equal(dir_purge_page(f->dir, PAGE + 0xf80), DISCO_EBUSY);
    pump(f);
    assert_int_equal(agent_purge_line(f->agent[0], PAGE, &held), 0);
    assert_true(held);
    assert_int_equal(dir_purge_page(f->dir, PAGE), 0);
    /* Not homed here. */
    assert_int_equal(dir_purge_page(f->dir, BANK + PAGE), DISCO_EINVAL);
    /* A line never held is no error. */
    assert_int_equal(agent_purge_line(f->agent[1], PAGE, &held), 0);
    assert_false(held);
    teardown(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_purge_forgets_owned_and_shared_lines),
        cmocka_unit_test(test_purge_refuses_lines_in_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
