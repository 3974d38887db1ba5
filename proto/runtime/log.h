/*
 * log.h - levelled logging to stderr for every process of the project.
 *
 * One line per message: time, level, component, text. The threshold comes
 * from log_set_level() or the DISCO_LOG environment variable
 * (error|warn|info|debug). Safe to call from several threads.
 */
#ifndef DISCO_LOG_H
#define DISCO_LOG_H

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_level(enum log_level level);
/* Parses "error", "warn", "info" or "debug"; returns 0 or -1. */
int log_parse_level(const char *name, enum log_level *out);
/* Names the process in every line, e.g. "node3". The string is copied. */
void log_set_component(const char *name);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
    do {                                                                                           \
        if (log_enabled(LOG_LEVEL_DEBUG))                                                          \
            log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                                                 \
    } while (0)

#endif
