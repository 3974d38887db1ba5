/* node_server.c - the FLASH nodes of one flash-node process and their memory banks. */
#include "node_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "disco_err.h"
#include "xalloc.h"

static uint64_t bank_bytes_of(const struct node_server *ns)
{
    return ns->node_count ? ns->node[0].bank_bytes : 0;
}

int node_server_init(struct node_server *ns, const Disco__Control__Assignment *a, char *err,
                     size_t errlen)
{
    memset(ns, 0, sizeof *ns);
    ns->server_index = a->server_index;
    ns->total_nodes = a->total_nodes;
    ns->cpus_per_node = a->cpus_per_node;
    ns->node_count = a->node_count;
    ns->node = xcalloc(a->node_count, sizeof *ns->node);
    for (uint32_t i = 0; i < a->node_count; i++) {
        struct flash_node *n = &ns->node[i];
        n->id = a->first_node + i;
        n->bank_bytes = a->memory_per_node_bytes;
        n->bank_base = (uint64_t)n->id * a->memory_per_node_bytes;
        /* Untouched guest memory costs no host memory: pages are zero-filled on demand. */
        void *p = mmap(NULL, n->bank_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            snprintf(err, errlen, "cannot map %llu bytes for node %u: %s",
                     (unsigned long long)n->bank_bytes, n->id, strerror(errno));
            node_server_fini(ns);
            return DISCO_ENOMEM;
        }
        n->bank = p;
    }
    return DISCO_OK;
}

void node_server_fini(struct node_server *ns)
{
    for (uint32_t i = 0; ns->node && i < ns->node_count; i++)
        if (ns->node[i].bank)
            munmap(ns->node[i].bank, ns->node[i].bank_bytes);
    free(ns->node);
    ns->node = NULL;
    ns->node_count = 0;
}

int node_server_home_of(const struct node_server *ns, uint64_t machine_addr)
{
    uint64_t bytes = bank_bytes_of(ns);
    if (bytes == 0 || machine_addr / bytes >= ns->total_nodes)
        return -1;
    return (int)(machine_addr / bytes);
}
