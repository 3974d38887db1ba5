/*
 * control_client.h - the node server's end of the control plane: registers
 * with the coordinator, receives the machine layout, and sends heartbeats
 * until told to shut down. Blocking calls with bounded waits; used by the
 * main thread of flash-node.
 */
#ifndef DISCO_NODE_CONTROL_CLIENT_H
#define DISCO_NODE_CONTROL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"
#include "net.h"

struct control_client;

struct node_offer {
    uint32_t node_count;
    uint32_t cpus_per_node;
    uint64_t memory_per_node_bytes;
    const char *interconnect_url; /* may be NULL */
};

int control_client_create(const char *coord_url, const struct tls_files *tls,
                          struct control_client **out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
void control_client_destroy(struct control_client *cc);

/*
 * Registers and waits up to timeout_ms for the whole machine to assemble.
 * On success *out is the Assignment (free with
 * disco__control__assignment__free_unpacked). DISCO_EAUTH if refused (the
 * reason in err), DISCO_ETIMEDOUT, DISCO_EPROTO on a malformed answer.
 */
int control_client_register(struct control_client *cc, const struct node_offer *offer,
                            int timeout_ms, Disco__Control__Assignment **out, char *err,
                            size_t errlen) __attribute__((warn_unused_result));

/*
 * One heartbeat. Sets *shutdown (and the reason) when the coordinator says
 * to stop. DISCO_ETIMEDOUT if it did not answer within timeout_ms.
 */
int control_client_heartbeat(struct control_client *cc, uint32_t server_index, uint64_t cycles,
                             int timeout_ms, bool *shutdown, char *reason, size_t reasonlen)
    __attribute__((warn_unused_result));

#endif
