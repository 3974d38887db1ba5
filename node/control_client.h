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
    const char *interconnect_url;       /* request channel; may be NULL */
    const char *interconnect_reply_url; /* reply channel; may be NULL */
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

/*
 * Tells the coordinator this server cannot go on with its run (err names
 * why); waits up to timeout_ms for the acknowledgement. Best effort.
 */
void control_client_report_failure(struct control_client *cc, uint32_t server_index,
                                   const char *why, int timeout_ms);

/*
 * Asynchronous requests (the run loop's barrier arrivals and heartbeats):
 * sent on their own NNG context, so several may be in flight and the
 * caller polls instead of blocking.
 */
struct control_call;
/* Starts req; never blocks. If notify_fd >= 0, a byte is written to it when
 * the call completes (so a poll() loop can wake up for it). */
struct control_call *control_client_call_start(struct control_client *cc,
                                               const Disco__Control__NodeRequest *req,
                                               int notify_fd);
/*
 * DISCO_EAGAIN while in flight; 0 when answered (*reply set, free with
 * disco__control__coord_reply__free_unpacked); another DISCO_E* code if it
 * failed (err says why).
 */
int control_call_poll(struct control_call *call, Disco__Control__CoordReply **reply, char *err,
                      size_t errlen);
/* Cancels if still in flight and frees. */
void control_call_free(struct control_call *call);

#endif
