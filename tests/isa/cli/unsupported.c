/*
 * unsupported.c - for flash_run_cli.sh: makes an unsupported system call
 * twice (one warning expected), checks ENOSYS, reads stdin to EOF, then exits
 * with the status given as argv[1].
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long rv1 = syscall(5000 + 440); /* process_madvise: not emulated */
    int e1 = errno;
    long rv2 = syscall(5000 + 440);
    printf("rv %ld %ld enosys %d\n", rv1, rv2, e1 == ENOSYS);
    char buf[64];
    long total = 0;
    for (ssize_t n; (n = read(0, buf, sizeof(buf))) > 0;)
        total += n;
    printf("stdin bytes %ld\n", total);
    return argc > 1 ? atoi(argv[1]) : 0;
}
