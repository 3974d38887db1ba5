/*
 * discoctl - the command-line client of a Disco/FLASH cluster. Takes the
 * global options out of the command line, then dispatches the first
 * argument through the verb table (verbs.c); each verb parses its own
 * arguments and returns an exit status scripts can rely on (verbs.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "verbs.h"

int main(int argc, char **argv)
{
    if (cli_take_globals(&argc, argv) != 0)
        return EXIT_USAGE;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        discoctl_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (unsigned i = 0; i < discoctl_verb_count; i++)
        if (strcmp(argv[1], discoctl_verbs[i].name) == 0)
            return discoctl_verbs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "discoctl: unknown verb '%s' (try 'discoctl help')\n", argv[1]);
    return EXIT_USAGE;
}
