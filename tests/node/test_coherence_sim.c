/*
 * test_coherence_sim.c - many cache agents against the home directories
 * through an in-memory network that delivers messages in a random order.
 *
 * The module-level multi-agent litmus test of the protocol: random loads,
 * stores and fetches on a few hot lines, with caches small enough to evict
 * constantly. Every completed load must return the value of the last
 * completed store to that address (the data-value invariant); at every step
 * at most one cache may own a line and then nobody else may hold it (the
 * single-writer invariant); the run must drain with nothing stuck. Homes
 * also play DMA engines: they flush a line (dir_flush_line), check that
 * memory is current, and write a new value into the bank directly.
 * Deterministic: each configuration runs a fixed list of seeds.
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

struct sim_config {
    uint32_t nodes;
    uint32_t cpus_per_node;
    uint32_t lines_per_node; /* lines homed per node that the ops touch */
    uint32_t l2_bytes;       /* tiny, to force evictions */
    uint32_t active_agents;  /* agents that issue operations (the rest stay idle) */
    uint32_t hot_nodes;      /* ops touch the lines of nodes 0..hot_nodes-1 (0 = all) */
    bool dma;                /* homes also flush lines and write them by DMA */
    uint32_t ops;            /* completed operations to reach */
};

struct pending_op {
    bool busy;
    enum agent_access_kind kind;
    uint64_t addr;
    uint64_t value; /* the value a store writes */
};

struct sim {
    struct sim_config cfg;
    struct coh_addr_map map;
    struct timing_params timing;
    uint64_t rng;
    uint32_t agent_count;
    struct agent **agents;
    struct directory **dirs;
    uint8_t **banks;
    uint8_t *golden; /* what every address holds after the last completed store */
    struct pending_op *ops;
    struct pending_op *dma; /* per node: a DMA write waiting for its flush */
    struct coh_outbox net;  /* in flight, delivered in random order */
    struct coh_outbox scratch;
    uint64_t done_ops, next_value, delivered, max_in_flight, dma_writes;
};

#define BANK_BYTES 4096u

static uint64_t next_random(struct sim *s)
{
    /* xorshift64* */
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 2685821657736338717ull;
}

static uint64_t random_below(struct sim *s, uint64_t n)
{
    return (next_random(s) >> 11) % n;
}

static void sim_init(struct sim *s, const struct sim_config *cfg, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->cfg = *cfg;
    s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    s->map = (struct coh_addr_map){.base = 0x100000,
                                   .bank_bytes = BANK_BYTES,
                                   .node_count = cfg->nodes,
                                   .cpus_per_node = cfg->cpus_per_node};
    timing_defaults(&s->timing);
    s->timing.l1i_size_bytes = 256;
    s->timing.l1d_size_bytes = 256;
    s->timing.l2_size_bytes = cfg->l2_bytes;
    s->timing.agent_max_outstanding = 4;
    s->timing.dir_max_transactions = 8;
    s->agent_count = cfg->nodes * cfg->cpus_per_node;
    s->agents = calloc(s->agent_count, sizeof(*s->agents));
    s->ops = calloc(s->agent_count, sizeof(*s->ops));
    s->dma = calloc(cfg->nodes, sizeof(*s->dma));
    s->dirs = calloc(cfg->nodes, sizeof(*s->dirs));
    s->banks = calloc(cfg->nodes, sizeof(*s->banks));
    s->golden = calloc(cfg->nodes, BANK_BYTES);
    for (uint32_t n = 0; n < cfg->nodes; n++) {
        s->banks[n] = calloc(1, BANK_BYTES);
        struct dir_config dc = {
            .node_id = n, .map = s->map, .bank = s->banks[n], .timing = s->timing};
        assert_int_equal(dir_create(&dc, &s->dirs[n]), 0);
    }
    for (uint32_t a = 0; a < s->agent_count; a++) {
        struct agent_config ac = {.agent_id = a, .map = s->map, .timing = s->timing};
        assert_int_equal(agent_create(&ac, &s->agents[a]), 0);
    }
    coh_outbox_init(&s->net);
    coh_outbox_init(&s->scratch);
}

static void sim_fini(struct sim *s)
{
    for (uint32_t a = 0; a < s->agent_count; a++)
        agent_destroy(s->agents[a]);
    for (uint32_t n = 0; n < s->cfg.nodes; n++) {
        dir_destroy(s->dirs[n]);
        free(s->banks[n]);
    }
    free(s->agents);
    free(s->ops);
    free(s->dma);
    free(s->dirs);
    free(s->banks);
    free(s->golden);
    coh_outbox_fini(&s->net);
    coh_outbox_fini(&s->scratch);
}

static void post_scratch(struct sim *s)
{
    for (size_t i = 0; i < s->scratch.count; i++)
        *coh_outbox_push(&s->net) = s->scratch.msgs[i];
    coh_outbox_clear(&s->scratch);
    if (s->net.count > s->max_in_flight)
        s->max_in_flight = s->net.count;
}

static uint64_t *golden_word(struct sim *s, uint64_t addr)
{
    return (uint64_t *)(s->golden + (addr - s->map.base));
}

/* Tries the agent's operation; on completion checks it against the golden memory. */
static void try_op(struct sim *s, uint32_t a)
{
    struct pending_op *op = &s->ops[a];
    uint64_t value = op->value;
    uint32_t cycles;
    enum agent_status st =
        agent_access(s->agents[a], op->kind, op->addr, &value, sizeof(value), &s->scratch, &cycles);
    post_scratch(s);
    assert_int_not_equal(st, AGENT_BUS_ERROR);
    if (st == AGENT_PENDING)
        return;
    if (op->kind == AGENT_STORE)
        *golden_word(s, op->addr) = op->value;
    else if (value != *golden_word(s, op->addr))
        fail_msg("agent %u read %#llx at %#llx, last store wrote %#llx", a,
                 (unsigned long long)value, (unsigned long long)op->addr,
                 (unsigned long long)*golden_word(s, op->addr));
    assert_true(cycles >= 1);
    op->busy = false;
    s->done_ops++;
}

static uint64_t random_addr(struct sim *s)
{
    uint32_t node = (uint32_t)random_below(s, s->cfg.hot_nodes ? s->cfg.hot_nodes : s->cfg.nodes);
    uint32_t line = (uint32_t)random_below(s, s->cfg.lines_per_node);
    uint32_t word = (uint32_t)random_below(s, COH_LINE_BYTES / 8);
    return s->map.base + (uint64_t)node * BANK_BYTES + line * COH_LINE_BYTES + word * 8;
}

/* A home's DMA write: once the flush says memory is the only copy, memory
 * must hold the last stored value, and a write to it must be seen by all. */
static void try_dma(struct sim *s, uint32_t node)
{
    struct pending_op *op = &s->dma[node];
    int rv = dir_flush_line(s->dirs[node], op->addr, &s->scratch);
    post_scratch(s);
    if (rv == DISCO_EBUSY)
        return;
    assert_int_equal(rv, 0);
    uint64_t offset = op->addr - s->map.base - (uint64_t)node * BANK_BYTES;
    uint64_t *word = (uint64_t *)(s->banks[node] + offset);
    if (*word != *golden_word(s, op->addr))
        fail_msg("flushed %#llx: memory %#llx, last store %#llx", (unsigned long long)op->addr,
                 (unsigned long long)*word, (unsigned long long)*golden_word(s, op->addr));
    *word = op->value;
    *golden_word(s, op->addr) = op->value;
    op->busy = false;
    s->dma_writes++;
}

static void start_dma(struct sim *s)
{
    uint64_t addr = random_addr(s);
    uint32_t node = 0;
    assert_true(coh_map_home(&s->map, addr, &node));
    if (s->dma[node].busy)
        return;
    s->dma[node] = (struct pending_op){.busy = true, .addr = addr, .value = ++s->next_value};
    try_dma(s, node);
}

static void start_op(struct sim *s, uint32_t a)
{
    struct pending_op *op = &s->ops[a];
    op->addr = random_addr(s);
    uint64_t r = random_below(s, 10);
    op->kind = r < 5 ? AGENT_LOAD : r < 9 ? AGENT_STORE : AGENT_FETCH;
    op->value = ++s->next_value;
    op->busy = true;
    try_op(s, a);
}

static void deliver_one(struct sim *s)
{
    /* Half the time the newest message: the others then linger, which is
     * what lets stale writebacks and lost upgrades arrive late. */
    size_t i = random_below(s, 2) ? s->net.count - 1 : random_below(s, s->net.count);
    struct coh_msg m = s->net.msgs[i];
    coh_outbox_remove(&s->net, i);
    s->delivered++;
    if (coh_msg_to_home(m.type)) {
        assert_int_equal(dir_handle(s->dirs[m.home], &m, &s->scratch), 0);
        post_scratch(s);
        if (s->dma[m.home].busy)
            try_dma(s, m.home);
        return;
    }
    assert_int_equal(agent_handle(s->agents[m.agent], &m, &s->scratch), 0);
    post_scratch(s);
    /* The node restarts a waiting CPU as soon as a message for it was handled. */
    if (s->ops[m.agent].busy)
        try_op(s, m.agent);
}

/* Single writer: an E/M copy excludes every other valid copy. */
static void check_single_writer(struct sim *s)
{
    for (uint32_t n = 0; n < s->cfg.nodes; n++) {
        for (uint32_t l = 0; l < s->cfg.lines_per_node; l++) {
            uint64_t addr = s->map.base + (uint64_t)n * BANK_BYTES + l * COH_LINE_BYTES;
            uint32_t owners = 0, holders = 0;
            for (uint32_t a = 0; a < s->agent_count; a++) {
                enum cache_state st = agent_line_state(s->agents[a], addr);
                holders += st != CACHE_INVALID;
                owners += st == CACHE_EXCLUSIVE || st == CACHE_MODIFIED;
            }
            if (owners > 1 || (owners == 1 && holders > 1))
                fail_msg("line %#llx: %u owners, %u holders", (unsigned long long)addr, owners,
                         holders);
        }
    }
}

/* After draining: every valid copy, or else memory, equals the golden line. */
static void check_final_values(struct sim *s)
{
    for (uint32_t n = 0; n < s->cfg.nodes; n++) {
        for (uint32_t l = 0; l < s->cfg.lines_per_node; l++) {
            uint64_t addr = s->map.base + (uint64_t)n * BANK_BYTES + l * COH_LINE_BYTES;
            const uint8_t *golden = s->golden + (addr - s->map.base);
            bool owned = false;
            for (uint32_t a = 0; a < s->agent_count; a++) {
                struct cache_line *cl = cache_lookup(agent_l2(s->agents[a]), addr);
                if (!cl)
                    continue;
                assert_memory_equal(cl->data, golden, COH_LINE_BYTES);
                owned |= cl->state == CACHE_EXCLUSIVE || cl->state == CACHE_MODIFIED;
            }
            if (!owned)
                assert_memory_equal(s->banks[n] + l * COH_LINE_BYTES, golden, COH_LINE_BYTES);
            struct dir_line_info info;
            assert_int_equal(dir_line_info(s->dirs[n], addr, &info), 0);
            assert_false(info.busy);
        }
    }
}

static uint32_t busy_agents(const struct sim *s)
{
    uint32_t n = 0;
    for (uint32_t a = 0; a < s->agent_count; a++)
        n += s->ops[a].busy;
    for (uint32_t h = 0; h < s->cfg.nodes; h++)
        n += s->dma[h].busy;
    return n;
}

static void run_sim(const struct sim_config *cfg, uint64_t seed)
{
    struct sim s;
    sim_init(&s, cfg, seed);
    uint64_t steps = 0;
    while (s.done_ops < cfg->ops || s.net.count || busy_agents(&s)) {
        bool can_issue = s.done_ops + busy_agents(&s) < cfg->ops;
        if (can_issue && (s.net.count == 0 || random_below(&s, 3) == 0)) {
            uint32_t a = (uint32_t)random_below(&s, cfg->active_agents);
            if (cfg->dma && random_below(&s, 20) == 0)
                start_dma(&s);
            else if (!s.ops[a].busy)
                start_op(&s, a);
        } else if (s.net.count) {
            deliver_one(&s);
        } else {
            /* Nothing in flight: a waiting CPU must be able to start its miss now. */
            size_t before = s.delivered;
            for (uint32_t a = 0; a < s.agent_count; a++)
                if (s.ops[a].busy)
                    try_op(&s, a);
            for (uint32_t h = 0; h < cfg->nodes; h++)
                if (s.dma[h].busy)
                    try_dma(&s, h);
            if (s.net.count == 0 && busy_agents(&s) && before == s.delivered)
                fail_msg("seed %llu: deadlock, %u CPUs waiting and nothing in flight",
                         (unsigned long long)seed, busy_agents(&s));
        }
        if (++steps % (s.agent_count > 16 ? 64 : 1) == 0)
            check_single_writer(&s);
        assert_true(steps < 200ull * cfg->ops);
    }
    check_single_writer(&s);
    check_final_values(&s);
    uint64_t remote = 0, local = 0, nacks = 0, writebacks = 0, stale = 0, dataless = 0;
    for (uint32_t a = 0; a < s.agent_count; a++) {
        const struct agent_stats *st = agent_get_stats(s.agents[a]);
        remote += st->remote_misses;
        local += st->local_misses;
        nacks += st->nacks;
        writebacks += st->writebacks;
        assert_int_equal(st->protocol_errors, 0);
        assert_int_equal(agent_outstanding(s.agents[a]), 0);
    }
    for (uint32_t n = 0; n < cfg->nodes; n++) {
        assert_int_equal(dir_get_stats(s.dirs[n])->protocol_errors, 0);
        assert_int_equal(dir_busy_lines(s.dirs[n]), 0);
        stale += dir_get_stats(s.dirs[n])->stale_puts;
        dataless += dir_get_stats(s.dirs[n])->dataless_grants;
    }
    /* The run must have exercised the protocol, not just hit in caches. */
    assert_true(remote > 0);
    assert_true(writebacks > 0);
    assert_true(!cfg->dma || s.dma_writes > 0);
    if (cfg->nodes > 1 && seed == 1)
        print_message("  %u nodes x %u cpus: %llu ops, %llu msgs, %llu local + %llu remote misses, "
                      "%llu nacks, %llu writebacks (%llu stale), %llu dataless upgrades, "
                      "%llu DMA writes, max %llu in flight\n",
                      cfg->nodes, cfg->cpus_per_node, (unsigned long long)s.done_ops,
                      (unsigned long long)s.delivered, (unsigned long long)local,
                      (unsigned long long)remote, (unsigned long long)nacks,
                      (unsigned long long)writebacks, (unsigned long long)stale,
                      (unsigned long long)dataless, (unsigned long long)s.dma_writes,
                      (unsigned long long)s.max_in_flight);
    sim_fini(&s);
}

static void run_seeds(const struct sim_config *cfg, unsigned seeds)
{
    for (uint64_t seed = 1; seed <= seeds; seed++)
        run_sim(cfg, seed);
}

/* Four nodes fighting over two lines each: races on every transaction. */
static void test_hot_lines(void **state)
{
    struct sim_config cfg = {.nodes = 4,
                             .cpus_per_node = 2,
                             .lines_per_node = 1,
                             .l2_bytes = 512,
                             .active_agents = 8,
                             .dma = true,
                             .ops = 20000};
    run_seeds(&cfg, 8);
}

/* Two CPUs per node, more lines than the 2-way L2 holds: evictions and
 * writebacks crossing recalls all the time. */
static void test_evictions(void **state)
{
    struct sim_config cfg = {.nodes = 3,
                             .cpus_per_node = 2,
                             .lines_per_node = 6,
                             .l2_bytes = 512,
                             .active_agents = 6,
                             .dma = true,
                             .ops = 20000};
    run_seeds(&cfg, 8);
}

/* 70 agents: more than the 63 bits of the coarse vector, so sharer sets
 * overflow into inexact groups (extra INVs, upgrades answered with data). */
static void test_coarse_vector(void **state)
{
    struct sim_config cfg = {.nodes = 70,
                             .cpus_per_node = 1,
                             .lines_per_node = 1,
                             .l2_bytes = 512,
                             .active_agents = 70,
                             .hot_nodes = 3,
                             .ops = 10000};
    run_seeds(&cfg, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hot_lines),
        cmocka_unit_test(test_evictions),
        cmocka_unit_test(test_coarse_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
