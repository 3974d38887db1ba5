/* verb_help.c - `discoctl help [VERB]` and the general usage. */
#include <stdio.h>
#include <string.h>

#include "verbs.h"

void discoctl_usage(FILE *out)
{
    fprintf(out, "usage: discoctl [GLOBAL OPTIONS] VERB [ARGS...]\n\nverbs:\n");
    for (unsigned i = 0; i < discoctl_verb_count; i++)
        fprintf(out, "  %-10s %s\n", discoctl_verbs[i].name, discoctl_verbs[i].summary);
    fprintf(out,
            "\nglobal options (anywhere on the line):\n"
            "  --url URL      the coordinator, https://HOST:PORT        (env DISCO_URL)\n"
            "  --cert FILE    your certificate; its CN is your user name (env DISCO_CERT)\n"
            "  --key FILE     your private key                          (env DISCO_KEY)\n"
            "  --ca FILE      the CA of the coordinator's certificate   (env DISCO_CA)\n"
            "  --config FILE  configuration file (env DISCO_CONFIG, default\n"
            "                 ~/.config/disco/discoctl.conf: lines 'url = ...', 'cert = ...')\n"
            "  --timeout MS   per-request timeout (default 30000)\n"
            "  --json         machine-readable output\n"
            "  --no-progress  no progress bars even on a terminal\n"
            "Without any configuration discoctl uses the local embedded coordinator's\n"
            "admin certificate in ~/.disco/state/tls.\n"
            "exit status: 0 ok, 1 failed, 2 usage, 3 timeout, 4 canceled/error, 5 unreachable,\n"
            "             6 denied, 7 not found\n");
}

int discoctl_verb_usage(const char *name, FILE *out)
{
    for (unsigned i = 0; i < discoctl_verb_count; i++) {
        if (strcmp(name, discoctl_verbs[i].name) == 0) {
            fprintf(out, "discoctl %s: %s\n%s", discoctl_verbs[i].name, discoctl_verbs[i].summary,
                    discoctl_verbs[i].usage);
            return 0;
        }
    }
    return -1;
}

int verb_help(int argc, char **argv)
{
    if (argc < 2) {
        discoctl_usage(stdout);
        return EXIT_OK;
    }
    if (discoctl_verb_usage(argv[1], stdout) == 0)
        return EXIT_OK;
    fprintf(stderr, "discoctl: no verb '%s'\n", argv[1]);
    return EXIT_USAGE;
}
