/* membership.c - node server registration, layout and liveness bookkeeping. */
#include "membership.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

void membership_init(struct membership *m, unsigned expected_servers)
{
    memset(m, 0, sizeof *m);
    m->expected = expected_servers;
    m->server = xcalloc(expected_servers ? expected_servers : 1, sizeof(struct server_entry));
}

void membership_fini(struct membership *m)
{
    free(m->server);
    m->server = NULL;
}

static int check_register(const struct membership *m, const Disco__Control__Register *reg,
                          char *err, size_t errlen)
{
    if (reg->protocol_version != CONTROL_PROTOCOL_VERSION) {
        snprintf(err, errlen, "control protocol version %u, coordinator speaks %u",
                 reg->protocol_version, CONTROL_PROTOCOL_VERSION);
        return DISCO_EPROTO;
    }
    if (reg->node_count == 0 || reg->node_count > MEMBERSHIP_MAX_NODES_PER_SERVER) {
        snprintf(err, errlen, "node count %u outside 1..%u", reg->node_count,
                 MEMBERSHIP_MAX_NODES_PER_SERVER);
        return DISCO_EINVAL;
    }
    if (reg->cpus_per_node == 0 || reg->cpus_per_node > MEMBERSHIP_MAX_CPUS_PER_NODE) {
        snprintf(err, errlen, "cpus per node %u outside 1..%u", reg->cpus_per_node,
                 MEMBERSHIP_MAX_CPUS_PER_NODE);
        return DISCO_EINVAL;
    }
    uint64_t mem = reg->memory_per_node_bytes;
    if (mem < MEMBERSHIP_MIN_NODE_MEMORY || mem > MEMBERSHIP_MAX_NODE_MEMORY || mem % 4096) {
        snprintf(err, errlen, "memory per node %llu bytes: must be 1 MiB..64 GiB in 4 KiB pages",
                 (unsigned long long)mem);
        return DISCO_EINVAL;
    }
    if (m->joined > 0 && (mem != m->memory_per_node || reg->cpus_per_node != m->cpus_per_node)) {
        snprintf(err, errlen,
                 "machine is homogeneous: this server offers %u cpus and %llu bytes per node, "
                 "the others %u and %llu",
                 reg->cpus_per_node, (unsigned long long)mem, m->cpus_per_node,
                 (unsigned long long)m->memory_per_node);
        return DISCO_EINVAL;
    }
    if (m->total_nodes + reg->node_count > MEMBERSHIP_MAX_NODES) {
        snprintf(err, errlen, "machine would exceed %u nodes", MEMBERSHIP_MAX_NODES);
        return DISCO_EINVAL;
    }
    if (strlen(reg->hostname) >= sizeof m->server[0].hostname ||
        (reg->interconnect_url &&
         strlen(reg->interconnect_url) >= sizeof m->server[0].interconnect_url) ||
        (reg->interconnect_reply_url &&
         strlen(reg->interconnect_reply_url) >= sizeof m->server[0].interconnect_reply_url)) {
        snprintf(err, errlen, "host name or interconnect URL too long");
        return DISCO_EINVAL;
    }
    return DISCO_OK;
}

int membership_join(struct membership *m, const Disco__Control__Register *reg, uint32_t pipe,
                    int64_t now_ms, unsigned *index, char *err, size_t errlen)
{
    if (m->joined == m->expected) {
        snprintf(err, errlen, "machine already complete with %u servers", m->expected);
        return DISCO_EEXIST;
    }
    for (unsigned i = 0; i < m->joined; i++) {
        if (m->server[i].pipe == pipe) {
            snprintf(err, errlen, "this connection already registered as server %u", i);
            return DISCO_EEXIST;
        }
    }
    int rv = check_register(m, reg, err, errlen);
    if (rv != 0)
        return rv;
    /* Servers get consecutive node ids in the order they join. */
    struct server_entry *s = &m->server[m->joined];
    memset(s, 0, sizeof *s);
    s->pipe = pipe;
    snprintf(s->hostname, sizeof s->hostname, "%s", reg->hostname);
    snprintf(s->interconnect_url, sizeof s->interconnect_url, "%s",
             reg->interconnect_url ? reg->interconnect_url : "");
    snprintf(s->interconnect_reply_url, sizeof s->interconnect_reply_url, "%s",
             reg->interconnect_reply_url ? reg->interconnect_reply_url : "");
    s->pid = reg->pid;
    s->node_count = reg->node_count;
    s->first_node = m->total_nodes;
    s->last_seen_ms = now_ms;
    m->total_nodes += reg->node_count;
    m->memory_per_node = reg->memory_per_node_bytes;
    m->cpus_per_node = reg->cpus_per_node;
    *index = m->joined++;
    return DISCO_OK;
}

bool membership_complete(const struct membership *m)
{
    return m->joined == m->expected;
}

void membership_assignment(const struct membership *m, unsigned index,
                           Disco__Control__Assignment *out, Disco__Control__ServerInfo *servers,
                           Disco__Control__ServerInfo **server_ptrs)
{
    disco__control__assignment__init(out);
    out->server_index = index;
    out->first_node = m->server[index].first_node;
    out->node_count = m->server[index].node_count;
    out->total_nodes = m->total_nodes;
    out->memory_per_node_bytes = m->memory_per_node;
    out->cpus_per_node = m->cpus_per_node;
    for (unsigned i = 0; i < m->joined; i++) {
        const struct server_entry *s = &m->server[i];
        disco__control__server_info__init(&servers[i]);
        servers[i].index = i;
        servers[i].first_node = s->first_node;
        servers[i].node_count = s->node_count;
        servers[i].hostname = (char *)s->hostname;
        servers[i].pid = s->pid;
        servers[i].interconnect_url = s->interconnect_url[0] ? (char *)s->interconnect_url : NULL;
        servers[i].interconnect_reply_url =
            s->interconnect_reply_url[0] ? (char *)s->interconnect_reply_url : NULL;
        server_ptrs[i] = &servers[i];
    }
    out->n_servers = m->joined;
    out->servers = server_ptrs;
}

int membership_heartbeat(struct membership *m, unsigned index, uint32_t pipe, int64_t now_ms)
{
    if (index >= m->joined || m->server[index].pipe != pipe || m->server[index].lost)
        return DISCO_EPROTO;
    m->server[index].last_seen_ms = now_ms;
    return DISCO_OK;
}

int membership_pipe_closed(struct membership *m, uint32_t pipe)
{
    for (unsigned i = 0; i < m->joined; i++) {
        if (m->server[i].pipe == pipe) {
            m->server[i].pipe = 0;
            if (!m->server[i].left)
                m->server[i].lost = true;
            return (int)i;
        }
    }
    return -1;
}

int membership_find_silent(const struct membership *m, int64_t now_ms, int64_t timeout_ms)
{
    for (unsigned i = 0; i < m->joined; i++) {
        const struct server_entry *s = &m->server[i];
        if (!s->left && (s->lost || now_ms - s->last_seen_ms > timeout_ms))
            return (int)i;
    }
    return -1;
}

void membership_describe(const struct membership *m, unsigned index, char *buf, size_t len)
{
    const struct server_entry *s = &m->server[index];
    if (s->node_count == 1)
        snprintf(buf, len, "server %u (node %u, host %s, pid %u)", index, s->first_node,
                 s->hostname, s->pid);
    else
        snprintf(buf, len, "server %u (nodes %u-%u, host %s, pid %u)", index, s->first_node,
                 s->first_node + s->node_count - 1, s->hostname, s->pid);
}
