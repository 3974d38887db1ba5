/* verb_version.c - `discoctl version`. */
#include <stdio.h>

#include "control_version.h"
#include "verbs.h"

#define DISCOCTL_VERSION "0.1.0"
#define API_PROTOCOL     "disco.api (Twirp, protobuf)"

int verb_version(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "discoctl version: takes no arguments\n");
        return EXIT_USAGE;
    }
    printf("discoctl %s (control protocol %d, API %s)\n", DISCOCTL_VERSION,
           CONTROL_PROTOCOL_VERSION, API_PROTOCOL);
    return EXIT_OK;
}
