/*
 * bare_run.c - console, exit status, statistics and page miss counters of a
 * disco-coord --bare run, gathered from the servers' barrier arrivals
 * (bare_run.h).
 */
#include "bare_run.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct line_buf {
    char *text;
    size_t len, cap;
};

struct bare_run {
    struct bare_run_options o;
    uint32_t total_cpus;
    struct line_buf *line; /* [total_cpus], --console-prefix only */
    /* The first EXIT of the quantum that saw one. */
    bool exited, exit_this_quantum;
    uint32_t exit_status, exit_cpu;
    uint64_t exit_cycle;
    bool exceeded;
    char error[256];
    Disco__Control__NodeStats *stats; /* [total_nodes], latest report */
    bool *have_stats;
    /* Page miss counters of the final reports: totals and the busiest page. */
    uint64_t pages_with_misses, page_reads, page_writes;
    uint64_t busiest_page, busiest_misses;
    uint32_t busiest_top_node;
};

struct bare_run *bare_run_create(const struct bare_run_options *options)
{
    struct bare_run *r = xcalloc(1, sizeof *r);
    r->o = *options;
    r->total_cpus = options->total_nodes * options->cpus_per_node;
    r->line = xcalloc(r->total_cpus + 1, sizeof *r->line);
    r->stats = xcalloc(options->total_nodes + 1, sizeof *r->stats);
    r->have_stats = xcalloc(options->total_nodes + 1, sizeof *r->have_stats);
    return r;
}

void bare_run_destroy(struct bare_run *r)
{
    if (r == NULL)
        return;
    for (uint32_t i = 0; i < r->total_cpus; i++)
        free(r->line[i].text);
    free(r->line);
    free(r->stats);
    free(r->have_stats);
    free(r);
}

static void console_bytes(struct bare_run *r, uint32_t cpu, const uint8_t *data, size_t len)
{
    if (!r->o.console_prefix) {
        fwrite(data, 1, len, r->o.console);
        fflush(r->o.console);
        return;
    }
    struct line_buf *l = &r->line[cpu];
    for (size_t i = 0; i < len; i++) {
        if (l->len == l->cap) {
            l->cap = l->cap ? l->cap * 2 : 128;
            l->text = xrealloc(l->text, l->cap);
        }
        l->text[l->len++] = (char)data[i];
        if (data[i] == '\n') {
            fprintf(r->o.console, "cpu%u: %.*s", cpu, (int)l->len, l->text);
            l->len = 0;
        }
    }
    fflush(r->o.console);
}

void bare_run_arrive(void *arg, const Disco__Control__BarrierArrive *a)
{
    struct bare_run *r = arg;
    for (size_t i = 0; i < a->n_console; i++) {
        const Disco__Control__ConsoleChunk *c = a->console[i];
        if (c->cpu < r->total_cpus)
            console_bytes(r, c->cpu, c->data.data, c->data.len);
    }
    /* The first EXIT wins: the earliest in simulated time within the quantum. */
    if (a->has_exited && a->exited && !r->exited &&
        (!r->exit_this_quantum || a->exit_cycle < r->exit_cycle ||
         (a->exit_cycle == r->exit_cycle && a->exit_cpu < r->exit_cpu))) {
        r->exit_this_quantum = true;
        r->exit_status = a->exit_status & 0xff;
        r->exit_cpu = a->exit_cpu;
        r->exit_cycle = a->exit_cycle;
    }
    for (size_t i = 0; i < a->n_stats; i++) {
        const Disco__Control__NodeStats *s = a->stats[i];
        if (s->node < r->o.total_nodes) {
            r->stats[s->node] = *s;
            r->have_stats[s->node] = true;
        }
    }
    /* The final report's pages: what the run's summary line counts. */
    for (size_t i = 0; a->has_final && a->final && i < a->n_pages; i++) {
        const Disco__Control__PageMisses *p = a->pages[i];
        uint64_t misses = (uint64_t)p->read_misses + p->write_misses;
        r->pages_with_misses++;
        r->page_reads += p->read_misses;
        r->page_writes += p->write_misses;
        if (misses > r->busiest_misses) {
            r->busiest_misses = misses;
            r->busiest_page = p->page_addr;
            r->busiest_top_node = p->n_top_node ? p->top_node[0] : 0;
        }
    }
    if (a->error && !r->error[0])
        snprintf(r->error, sizeof r->error, "server %u: %s", a->server_index, a->error);
}

bool bare_run_release(void *arg, uint64_t quantum)
{
    struct bare_run *r = arg;
    if (r->exit_this_quantum)
        r->exited = true;
    if (r->exited || r->error[0])
        return true;
    if (r->o.max_cycles && (quantum + 1) * r->o.quantum_cycles >= r->o.max_cycles) {
        r->exceeded = true;
        return true;
    }
    return false;
}

int bare_run_finish(struct bare_run *r, FILE *out)
{
    for (uint32_t i = 0; r->o.console_prefix && i < r->total_cpus; i++)
        if (r->line[i].len)
            fprintf(r->o.console, "cpu%u: %.*s\n", i, (int)r->line[i].len, r->line[i].text);
    fflush(r->o.console);
    fprintf(out, "\n%-6s %14s %14s %12s %12s %14s\n", "node", "sim-cycles", "instructions",
            "local-miss", "remote-miss", "avg-miss-cyc");
    uint64_t cyc = 0, ins = 0, lm = 0, rm = 0, mc = 0;
    for (uint32_t n = 0; n < r->o.total_nodes; n++) {
        const Disco__Control__NodeStats *s = &r->stats[n];
        uint64_t misses = s->local_misses + s->remote_misses;
        fprintf(out, "%-6u %14llu %14llu %12llu %12llu %14.1f\n", n, (unsigned long long)s->cycles,
                (unsigned long long)s->instructions, (unsigned long long)s->local_misses,
                (unsigned long long)s->remote_misses,
                misses ? (double)s->miss_cycles / (double)misses : 0.0);
        cyc = s->cycles > cyc ? s->cycles : cyc;
        ins += s->instructions;
        lm += s->local_misses;
        rm += s->remote_misses;
        mc += s->miss_cycles;
    }
    fprintf(out, "%-6s %14llu %14llu %12llu %12llu %14.1f\n", "total", (unsigned long long)cyc,
            (unsigned long long)ins, (unsigned long long)lm, (unsigned long long)rm,
            lm + rm ? (double)mc / (double)(lm + rm) : 0.0);
    fprintf(out, "pages with misses: %llu (%llu read, %llu write misses)",
            (unsigned long long)r->pages_with_misses, (unsigned long long)r->page_reads,
            (unsigned long long)r->page_writes);
    if (r->busiest_misses)
        fprintf(out, "; busiest 0x%llx: %llu misses, most from node %u",
                (unsigned long long)r->busiest_page, (unsigned long long)r->busiest_misses,
                r->busiest_top_node);
    fprintf(out, "\n");
    fflush(out);
    if (r->error[0]) {
        fprintf(stderr, "disco-coord: run failed: %s\n", r->error);
        return 1;
    }
    if (r->exceeded) {
        fprintf(stderr, "disco-coord: the program ran past --max-cycles %llu without exiting\n",
                (unsigned long long)r->o.max_cycles);
        return 1;
    }
    if (!r->exited) {
        fprintf(stderr, "disco-coord: the run ended without an exit status\n");
        return 1;
    }
    fprintf(out, "exit status %u (cpu %u at cycle %llu)\n", r->exit_status, r->exit_cpu,
            (unsigned long long)r->exit_cycle);
    return (int)r->exit_status;
}
