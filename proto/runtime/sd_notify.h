/*
 * sd_notify.h - readiness and status messages to a service manager, the
 * systemd notify protocol without libsystemd: one datagram of "KEY=VALUE"
 * lines to the AF_UNIX socket named by $NOTIFY_SOCKET ('@' at the start is
 * the abstract namespace). With no $NOTIFY_SOCKET (not under systemd, or
 * Type= is not notify) every call does nothing. Called from the main() of
 * flash-node and disco-coord (deploy/systemd/).
 */
#ifndef DISCO_SD_NOTIFY_H
#define DISCO_SD_NOTIFY_H

/*
 * Sends state (e.g. "READY=1\nSTATUS=serving") as one datagram. Returns 0
 * (also when $NOTIFY_SOCKET is unset), DISCO_EINVAL for a malformed socket
 * name, DISCO_EIO if the datagram could not be sent.
 */
int sd_notify_send(const char *state);

/* READY=1 with a STATUS= line (printf-style); best effort, never fails the caller. */
void sd_notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* STATUS= alone, and STOPPING=1: best effort. */
void sd_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sd_notify_stopping(void);

#endif
