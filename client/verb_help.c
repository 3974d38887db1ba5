/* verb_help.c - `discoctl help [VERB]`. */
#include <stdio.h>
#include <string.h>

#include "verbs.h"

void discoctl_usage(FILE *out)
{
    fprintf(out, "usage: discoctl VERB [ARGS...]\n\nverbs:\n");
    for (unsigned i = 0; i < discoctl_verb_count; i++)
        fprintf(out, "  %-10s %s\n", discoctl_verbs[i].name, discoctl_verbs[i].summary);
}

int verb_help(int argc, char **argv)
{
    if (argc < 2) {
        discoctl_usage(stdout);
        return EXIT_OK;
    }
    for (unsigned i = 0; i < discoctl_verb_count; i++) {
        if (strcmp(argv[1], discoctl_verbs[i].name) == 0) {
            printf("discoctl %s: %s\n", discoctl_verbs[i].name, discoctl_verbs[i].summary);
            return EXIT_OK;
        }
    }
    fprintf(stderr, "discoctl: no verb '%s'\n", argv[1]);
    return EXIT_USAGE;
}
