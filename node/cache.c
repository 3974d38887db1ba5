/*
 * cache.c - the set-associative array of cache.h: index by the line address
 * bits above the 128-byte offset, LRU by a per-cache use counter.
 */
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

struct cache {
    struct cache_config config;
    uint32_t sets;
    uint64_t use_clock;
    struct cache_line *lines; /* sets * ways, set-major */
    uint8_t *bytes;           /* sets * ways * COH_LINE_BYTES, or NULL */
    struct cache_stats stats;
};

int cache_create(const struct cache_config *config, struct cache **out)
{
    uint64_t way_bytes = (uint64_t)config->ways * COH_LINE_BYTES;
    if (config->ways == 0 || config->ways > 64 || config->size_bytes % way_bytes)
        return DISCO_EINVAL;
    uint64_t sets = config->size_bytes / way_bytes;
    if (sets == 0 || (sets & (sets - 1)))
        return DISCO_EINVAL;
    struct cache *c = xcalloc(1, sizeof(*c));
    c->config = *config;
    c->sets = (uint32_t)sets;
    size_t n = (size_t)sets * config->ways;
    c->lines = xcalloc(n, sizeof(*c->lines));
    if (config->with_data) {
        c->bytes = xcalloc(n, COH_LINE_BYTES);
        for (size_t i = 0; i < n; i++)
            c->lines[i].data = c->bytes + i * COH_LINE_BYTES;
    }
    *out = c;
    return 0;
}

void cache_destroy(struct cache *cache)
{
    if (!cache)
        return;
    free(cache->bytes);
    free(cache->lines);
    free(cache);
}

static struct cache_line *set_of(struct cache *c, uint64_t addr)
{
    uint64_t index = (addr >> COH_LINE_SHIFT) & (c->sets - 1);
    return &c->lines[index * c->config.ways];
}

struct cache_line *cache_lookup(struct cache *c, uint64_t addr)
{
    uint64_t line_addr = coh_line_of(addr);
    struct cache_line *set = set_of(c, addr);
    for (uint32_t w = 0; w < c->config.ways; w++)
        if (set[w].state != CACHE_INVALID && set[w].addr == line_addr)
            return &set[w];
    return NULL;
}

void cache_touch(struct cache *c, struct cache_line *line)
{
    line->lru_stamp = ++c->use_clock;
}

struct cache_line *cache_access(struct cache *c, uint64_t addr)
{
    struct cache_line *line = cache_lookup(c, addr);
    if (line) {
        c->stats.hits++;
        cache_touch(c, line);
    } else {
        c->stats.misses++;
    }
    return line;
}

struct cache_line *cache_victim(struct cache *c, uint64_t addr)
{
    struct cache_line *set = set_of(c, addr);
    struct cache_line *best = NULL;
    for (uint32_t w = 0; w < c->config.ways; w++) {
        if (set[w].pinned)
            continue; /* a pending transaction, or a way reserved for a fill */
        if (set[w].state == CACHE_INVALID)
            return &set[w];
        if (!best || set[w].lru_stamp < best->lru_stamp)
            best = &set[w];
    }
    return best;
}

void cache_fill(struct cache *c, struct cache_line *line, uint64_t addr, enum cache_state state)
{
    line->addr = coh_line_of(addr);
    line->state = (uint8_t)state;
    line->pinned = false;
    c->stats.fills++;
    cache_touch(c, line);
}

bool cache_invalidate(struct cache *c, uint64_t addr)
{
    struct cache_line *line = cache_lookup(c, addr);
    if (!line)
        return false;
    line->state = CACHE_INVALID;
    line->pinned = false;
    c->stats.invalidations++;
    return true;
}

uint32_t cache_hit_cycles(const struct cache *c)
{
    return c->config.hit_cycles;
}

uint32_t cache_sets(const struct cache *c)
{
    return c->sets;
}

uint32_t cache_ways(const struct cache *c)
{
    return c->config.ways;
}

const struct cache_stats *cache_get_stats(const struct cache *c)
{
    return &c->stats;
}

void cache_for_each(struct cache *c, void (*fn)(void *opaque, struct cache_line *line),
                    void *opaque)
{
    size_t n = (size_t)c->sets * c->config.ways;
    for (size_t i = 0; i < n; i++)
        if (c->lines[i].state != CACHE_INVALID)
            fn(opaque, &c->lines[i]);
}
