/*
 * cache.h - a set-associative cache array with 128-byte lines and LRU.
 *
 * Tags, MESI states, LRU order and (optionally) the bytes of each line held.
 * Policy lives in the caller: the cache agent (coherence_agent.c) decides
 * what to fill, evict and invalidate and keeps the split L1s inclusive in the
 * unified L2. The array never allocates after cache_create().
 */
#ifndef DISCO_NODE_CACHE_H
#define DISCO_NODE_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "coherence.h"

enum cache_state {
    CACHE_INVALID = 0,
    CACHE_SHARED,    /* clean, other caches may hold it */
    CACHE_EXCLUSIVE, /* clean, only copy: a store makes it MODIFIED silently */
    CACHE_MODIFIED,  /* dirty, only copy: must be written back */
};

struct cache_config {
    uint32_t size_bytes; /* ways * sets * COH_LINE_BYTES, sets a power of two */
    uint32_t ways;       /* 1 (direct mapped) .. 64 */
    uint32_t hit_cycles; /* charged by the caller on a hit */
    bool with_data;      /* keep the line's bytes (the L2); L1s are tag-only */
};

struct cache_line {
    uint64_t addr;      /* line address (valid when state != CACHE_INVALID) */
    uint64_t lru_stamp; /* larger = more recently used */
    uint8_t state;      /* enum cache_state */
    bool pinned;        /* a transaction is pending, or the way is reserved for a
                           fill (state INVALID, addr = the line): never a victim */
    uint8_t *data;      /* COH_LINE_BYTES, or NULL without with_data */
};

struct cache_stats {
    uint64_t hits;
    uint64_t misses;
    uint64_t fills;
    uint64_t invalidations;
};

struct cache;

/* Creates an empty cache; DISCO_EINVAL for an impossible geometry. */
int cache_create(const struct cache_config *config, struct cache **out)
    __attribute__((warn_unused_result));
void cache_destroy(struct cache *cache);

/* The valid line holding addr, or NULL. No statistics, no LRU change. */
struct cache_line *cache_lookup(struct cache *cache, uint64_t addr);
/* A lookup that counts a hit or miss and marks a hit most recently used. */
struct cache_line *cache_access(struct cache *cache, uint64_t addr);
void cache_touch(struct cache *cache, struct cache_line *line);

/* The way addr would be filled into: an unpinned invalid way if there is
 * one, else the least recently used unpinned way; NULL if every way is
 * pinned. A pinned invalid way is one the caller reserved for a fill. The
 * caller writes back or drops the victim's contents before cache_fill(). */
struct cache_line *cache_victim(struct cache *cache, uint64_t addr);
/* Installs addr in the given way (from cache_victim) with a state; most
 * recently used. The data bytes are left to the caller. */
void cache_fill(struct cache *cache, struct cache_line *line, uint64_t addr,
                enum cache_state state);
/* Drops addr if present; returns whether it was. */
bool cache_invalidate(struct cache *cache, uint64_t addr);

uint32_t cache_hit_cycles(const struct cache *cache);
uint32_t cache_sets(const struct cache *cache);
uint32_t cache_ways(const struct cache *cache);
const struct cache_stats *cache_get_stats(const struct cache *cache);
/* Calls fn for every valid line (for flushes and checks in tests). */
void cache_for_each(struct cache *cache, void (*fn)(void *opaque, struct cache_line *line),
                    void *opaque);

#endif
