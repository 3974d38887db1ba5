/* verb_status.c - `discoctl status`: the cluster's phase and size, the queue, and who you are. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "verbs.h"

int verb_status(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, "status"))
        return EXIT_OK;
    if (argc > 1) {
        fprintf(stderr, "discoctl status: takes no arguments\n");
        return EXIT_USAGE;
    }
    struct disco_client *c = cli_connect();
    Disco__Api__GetStatusRequest q = DISCO__API__GET_STATUS_REQUEST__INIT;
    Disco__Api__WhoAmIRequest w = DISCO__API__WHO_AM_IREQUEST__INIT;
    ProtobufCMessage *st = NULL, *me = NULL;
    int rv =
        cli_call(c, "Cluster", "GetStatus", &q.base, &disco__api__cluster_status__descriptor, &st);
    if (rv == 0)
        rv = cli_call(c, "Cluster", "WhoAmI", &w.base, &disco__api__who_am_iresponse__descriptor,
                      &me);
    if (rv == 0) {
        const Disco__Api__ClusterStatus *s = (const Disco__Api__ClusterStatus *)st;
        const Disco__Api__WhoAmIResponse *u = (const Disco__Api__WhoAmIResponse *)me;
        if (cli.json) {
            disco_json_write(stdout, st, 2);
        } else {
            printf(
                "cluster   %s, %u/%u server(s), %u FLASH node(s) x %u CPU(s), %llu MiB per node\n",
                s->phase, s->servers, s->servers_expected, s->nodes, s->cpus_per_node,
                (unsigned long long)(s->memory_per_node_bytes >> 20));
            printf("work      %u VM(s) running, %u job(s) queued, %u running\n", s->vms_running,
                   s->jobs_queued, s->jobs_running);
            printf("runner    %s\n", s->runner);
            printf("server    disco-coord %s, up %llu s\n", s->version,
                   (unsigned long long)(s->uptime_ms / 1000));
            printf("you       %s%s\n", u->user, u->admin ? " (admin)" : "");
        }
    }
    if (st)
        protobuf_c_message_free_unpacked(st, NULL);
    if (me)
        protobuf_c_message_free_unpacked(me, NULL);
    disco_client_close(c);
    return rv;
}
