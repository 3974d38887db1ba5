/* time_env.c - time functions run (their values are not compared), argv and the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    struct timespec ts;
    struct timeval tv;
    time_t t = time(NULL);
    int ok = clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && gettimeofday(&tv, NULL) == 0 && t > 0;
    clock_t c = clock();
    printf("time ok %d clock ok %d\n", ok, c >= 0);
    struct tm tm;
    time_t fixed = 1234567890;
    gmtime_r(&fixed, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %a", &tm);
    printf("gmtime %s yday %d\n", buf, tm.tm_yday);
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = '%s'\n", i, argv[i]);
    printf("TESTVAR=%s HOME=%s\n", getenv("TESTVAR"), getenv("HOME") ? "set" : "unset");
    int n = 0;
    for (char **e = environ; *e; e++)
        n++;
    printf("environment entries %d\n", n);
    setenv("NEWVAR", "value", 1);
    printf("NEWVAR=%s\n", getenv("NEWVAR"));
    struct utsname u;
    uname(&u);
    printf("machine %s sysname %s\n", u.machine, u.sysname);
    printf("pid positive %d page size %ld\n", getpid() > 0, sysconf(_SC_PAGESIZE));
    return 0;
}
