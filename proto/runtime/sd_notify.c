/*
 * sd_notify.c - the systemd notify protocol (sd_notify(3)) in a few lines:
 * a datagram to $NOTIFY_SOCKET. systemd reads one message per datagram,
 * newline-separated assignments; a path starting with '@' names a socket in
 * the abstract namespace (a leading NUL byte in sun_path, and the address
 * length counts only the bytes used).
 */
#include "sd_notify.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "disco_err.h"

int sd_notify_send(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (path == NULL || *path == '\0')
        return DISCO_OK;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    /* Only absolute paths and abstract names are meaningful; sun_path has no room for more. */
    if ((path[0] != '/' && path[0] != '@') || len >= sizeof sa.sun_path || len < 2)
        return DISCO_EINVAL;
    memcpy(sa.sun_path, path, len);
    if (path[0] == '@')
        sa.sun_path[0] = '\0';
    socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return DISCO_EIO;
    ssize_t n = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
    close(fd);
    return n == (ssize_t)strlen(state) ? DISCO_OK : DISCO_EIO;
}

/* prefix + formatted text, sent; a failure only matters to the manager, so it is dropped. */
static void send_formatted(const char *prefix, const char *fmt, va_list ap)
{
    char text[512];
    int n = snprintf(text, sizeof text, "%s", prefix);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    /* A STATUS= value is one line: a newline would start a new assignment. */
    for (char *p = text + n; *p; p++)
        if (*p == '\n')
            *p = ' ';
    (void)sd_notify_send(text);
}

void sd_notify_ready(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    send_formatted("READY=1\nSTATUS=", fmt, ap);
    va_end(ap);
}

void sd_notify_status(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    send_formatted("STATUS=", fmt, ap);
    va_end(ap);
}

void sd_notify_stopping(void)
{
    (void)sd_notify_send("STOPPING=1");
}
