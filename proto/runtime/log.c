/* log.c - levelled logging to stderr. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int threshold = -1; /* -1: not yet read from the environment */
static char component[32] = "disco";
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const names[] = {"error", "warn", "info", "debug"};

int log_parse_level(const char *name, enum log_level *out)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return -1;
}

void log_set_level(enum log_level level)
{
    threshold = (int)level;
}

void log_set_component(const char *name)
{
    pthread_mutex_lock(&lock);
    snprintf(component, sizeof component, "%s", name);
    pthread_mutex_unlock(&lock);
}

int log_enabled(enum log_level level)
{
    if (threshold < 0) {
        enum log_level l = LOG_LEVEL_WARN;
        const char *env = getenv("DISCO_LOG");
        if (env != NULL && log_parse_level(env, &l) != 0)
            fprintf(stderr, "warning: DISCO_LOG=%s is not error|warn|info|debug\n", env);
        threshold = (int)l;
    }
    return (int)level <= threshold;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    pthread_mutex_lock(&lock);
    fprintf(stderr, "%02d:%02d:%02d.%03ld %-5s %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
            ts.tv_nsec / 1000000, names[level], component, text);
    pthread_mutex_unlock(&lock);
}
