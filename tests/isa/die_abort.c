/* die_abort.c - abort() after buffered output: glibc raises SIGABRT, status 134. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("buffered line before abort\n");
    fprintf(stderr, "about to abort\n");
    abort();
}
