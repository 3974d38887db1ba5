/* verb_stats.c - `discoctl stats [--node N | --vm ID]`: statistics of the cluster, a node or a VM.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

int verb_stats(int argc, char **argv)
{
    static const struct option longopts[] = {{"node", 1, 0, 'n'}, {"vm", 1, 0, 'v'}, {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv, "stats"))
        return EXIT_OK;
    Disco__Api__GetStatsRequest q = DISCO__API__GET_STATS_REQUEST__INIT;
    uint64_t id;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if ((opt != 'n' && opt != 'v') ||
            cli_number(optarg, opt == 'n' ? "--node" : "--vm", 0, UINT64_MAX, &id) != 0)
            return EXIT_USAGE;
        q.has_scope = q.has_id = true;
        q.scope =
            opt == 'n' ? DISCO__API__STATS_SCOPE__SCOPE_NODE : DISCO__API__STATS_SCOPE__SCOPE_VM;
        q.id = id;
    }
    if (optind != argc) {
        fprintf(stderr, "discoctl stats: unexpected '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    struct disco_client *c = cli_connect();
    ProtobufCMessage *m;
    int rv =
        cli_call(c, "Cluster", "GetStats", &q.base, &disco__api__stats_response__descriptor, &m);
    if (rv == 0) {
        const Disco__Api__StatsResponse *r = (const Disco__Api__StatsResponse *)m;
        if (cli.json) {
            disco_json_write(stdout, m, 2);
        } else {
            /* One column for the names, as wide as the longest (VM causes run long). */
            int width = 16;
            for (size_t i = 0; i < r->n_stats; i++)
                if ((int)strlen(r->stats[i]->name) > width)
                    width = (int)strlen(r->stats[i]->name);
            printf("statistics of %s\n", r->scope);
            for (size_t i = 0; i < r->n_stats; i++)
                printf("  %-*s %.15g%s%s\n", width, r->stats[i]->name, r->stats[i]->value,
                       r->stats[i]->unit ? " " : "", r->stats[i]->unit ? r->stats[i]->unit : "");
        }
        protobuf_c_message_free_unpacked(m, NULL);
    }
    disco_client_close(c);
    return rv;
}
