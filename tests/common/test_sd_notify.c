/*
 * test_sd_notify.c - the notify protocol against real AF_UNIX datagram
 * sockets, as systemd would receive it: READY=1 with STATUS=, STATUS= alone,
 * STOPPING=1, a socket path and an abstract ('@') name, no-op when
 * $NOTIFY_SOCKET is unset, and malformed names refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "disco_err.h"
#include "sd_notify.h"

/* A bound datagram socket at name (a path, or '@' + abstract name); NOTIFY_SOCKET points at it. */
static int listen_at(const char *name)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    memcpy(sa.sun_path, name, len);
    if (name[0] == '@')
        sa.sun_path[0] = '\0';
    else
        unlink(name);
    assert_int_equal(
        bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
        0);
    setenv("NOTIFY_SOCKET", name, 1);
    return fd;
}

/* The next datagram, as a string; fails the test if none arrives within a second. */
static void receive(int fd, char *buf, size_t len)
{
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssize_t n = recv(fd, buf, len - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
}

static void check_messages(const char *name)
{
    char buf[600];
    int fd = listen_at(name);
    sd_notify_ready("serving %u server(s)", 4u);
    receive(fd, buf, sizeof buf);
    assert_string_equal(buf, "READY=1\nSTATUS=serving 4 server(s)");
    sd_notify_status("run %s\nsecond line", "done");
    receive(fd, buf, sizeof buf);
    assert_string_equal(buf, "STATUS=run done second line"); /* one line: no injected keys */
    sd_notify_stopping();
    receive(fd, buf, sizeof buf);
    assert_string_equal(buf, "STOPPING=1");
    assert_int_equal(sd_notify_send("WATCHDOG=1"), DISCO_OK);
    receive(fd, buf, sizeof buf);
    assert_string_equal(buf, "WATCHDOG=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
}

static void test_path_socket(void **state)
{
    (void)state;
    char dir[] = "/tmp/disco-test-notify-XXXXXX", path[300];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/notify", dir);
    check_messages(path);
    unlink(path);
    rmdir(dir);
}

static void test_abstract_socket(void **state)
{
    (void)state;
    char name[64];
    snprintf(name, sizeof name, "@disco-test-notify-%ld", (long)getpid());
    check_messages(name);
}

static void test_unset_is_noop(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(sd_notify_send("READY=1"), DISCO_OK);
    setenv("NOTIFY_SOCKET", "", 1);
    assert_int_equal(sd_notify_send("READY=1"), DISCO_OK);
    sd_notify_ready("nothing listens"); /* and never fails the caller */
    unsetenv("NOTIFY_SOCKET");
}

static void test_bad_names(void **state)
{
    (void)state;
    setenv("NOTIFY_SOCKET", "relative/path", 1);
    assert_int_equal(sd_notify_send("READY=1"), DISCO_EINVAL);
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[0] = '/';
    longname[sizeof longname - 1] = '\0';
    setenv("NOTIFY_SOCKET", longname, 1);
    assert_int_equal(sd_notify_send("READY=1"), DISCO_EINVAL);
    /* A well-formed name nobody listens on: the send fails, reported as I/O. */
    setenv("NOTIFY_SOCKET", "/nonexistent/disco-notify", 1);
    assert_int_equal(sd_notify_send("READY=1"), DISCO_EIO);
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_socket),
        cmocka_unit_test(test_abstract_socket),
        cmocka_unit_test(test_unset_is_noop),
        cmocka_unit_test(test_bad_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
