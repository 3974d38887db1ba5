/*
 * peek.c - a guest that tries what a confined guest must not do: read the
 * file named by its argument, signal its parent (the runner's process
 * tree); and what it may: write its scratch directory. Prints each outcome.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    FILE *f = argc > 1 ? fopen(argv[1], "r") : NULL;
    printf("read %s: %s\n", argc > 1 ? argv[1] : "-", f ? "allowed" : strerror(errno));
    FILE *w = fopen("scratch.txt", "w");
    printf("write scratch: %s\n", w ? "allowed" : strerror(errno));
    if (w)
        fclose(w);
    printf("signal parent: %s\n", kill(getppid(), 0) == 0 ? "allowed" : strerror(errno));
    return 0;
}
