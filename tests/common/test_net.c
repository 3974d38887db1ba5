/*
 * test_net.c - NNG endpoints for real on loopback: plain TCP, mutual TLS
 * with certificates made by deploy/tls/disco-ca.sh, a client from another
 * CA refused, a missing identity reported, and the receive size cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/protocol/reqrep0/rep.h>

#include "disco_err.h"
#include "net.h"

static char dir[] = "/tmp/disco-test-net-XXXXXX";
static char path[8][300];

static const char *file(int i, const char *name)
{
    snprintf(path[i], sizeof path[i], "%s/%s", dir, name);
    return path[i];
}

static int make_certs(void **state)
{
    if (mkdtemp(dir) == NULL)
        return -1;
    char cmd[1024];
    const char *ca = getenv("DISCO_SOURCE");
    snprintf(cmd, sizeof cmd,
             "set -e; S=%s/deploy/tls/disco-ca.sh; $S init %s/good >/dev/null; $S issue %s/good "
             "server >/dev/null; $S issue %s/good client >/dev/null; $S init %s/evil >/dev/null; "
             "$S issue %s/evil client >/dev/null",
             ca ? ca : "../..", dir, dir, dir, dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int remove_certs(void **state)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Opens a listening PAIR socket on url; returns the bound TCP port. */
static int listen_pair(nng_socket *s, const char *url, const struct tls_files *tls, size_t max)
{
    char err[256];
    nng_listener l;
    assert_int_equal(nng_pair1_open(s), 0);
    int rv = net_listen(*s, url, tls, max, &l, err, sizeof err);
    if (rv != 0)
        fail_msg("listen: %s", err);
    int port = 0;
    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port);
    nng_socket_set_ms(*s, NNG_OPT_RECVTIMEO, 2000);
    return port;
}

static void dial_pair(nng_socket *s, const char *url, const struct tls_files *tls)
{
    char err[256];
    assert_int_equal(nng_pair1_open(s), 0);
    int rv = net_dial(*s, url, tls, 0, err, sizeof err);
    if (rv != 0)
        fail_msg("dial: %s", err);
    nng_socket_set_ms(*s, NNG_OPT_SENDTIMEO, 2000);
}

/* Sends text from b to a; returns 0 if a received exactly it. */
static int exchange(nng_socket a, nng_socket b, const char *text)
{
    if (nng_send(b, (void *)text, strlen(text) + 1, 0) != 0)
        return -1;
    char *got;
    size_t len;
    if (nng_recv(a, &got, &len, NNG_FLAG_ALLOC) != 0)
        return -1;
    int same = len == strlen(text) + 1 && memcmp(got, text, len) == 0;
    nng_free(got, len);
    return same ? 0 : -1;
}

static void plain_tcp(void **state)
{
    nng_socket a, b;
    char url[64];
    int port = listen_pair(&a, "tcp://127.0.0.1:0", NULL, 0);
    assert_true(port > 0);
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    dial_pair(&b, url, NULL);
    assert_int_equal(exchange(a, b, "directory GETX line 0x80"), 0);
    nng_close(a);
    nng_close(b);
}

static void mutual_tls(void **state)
{
    struct tls_files srv = {file(0, "good/ca.crt"), file(1, "good/server.crt"),
                            file(2, "good/server.key"), NULL};
    struct tls_files cli = {file(0, "good/ca.crt"), file(3, "good/client.crt"),
                            file(4, "good/client.key"), NULL};
    nng_socket a, b;
    char url[64];
    int port = listen_pair(&a, "tls+tcp://127.0.0.1:0", &srv, 0);
    snprintf(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    dial_pair(&b, url, &cli);
    assert_int_equal(exchange(a, b, "over mutual TLS"), 0);
    nng_close(a);
    nng_close(b);
}

static void client_from_another_ca_refused(void **state)
{
    struct tls_files srv = {file(0, "good/ca.crt"), file(1, "good/server.crt"),
                            file(2, "good/server.key"), NULL};
    /* Trusts the server's CA, but its own certificate comes from another CA. */
    struct tls_files evil = {file(0, "good/ca.crt"), file(5, "evil/client.crt"),
                             file(6, "evil/client.key"), NULL};
    nng_socket a, b;
    char url[64];
    int port = listen_pair(&a, "tls+tcp://127.0.0.1:0", &srv, 0);
    nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 700);
    snprintf(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    dial_pair(&b, url, &evil);
    nng_socket_set_ms(b, NNG_OPT_SENDTIMEO, 700);
    assert_int_not_equal(exchange(a, b, "let me in"), 0);
    nng_close(a);
    nng_close(b);
}

/* net_probe() names the cause a retrying dialer hides: a certificate the peer refuses, a peer
 * we do not trust, nothing listening; and it connects where the identities match. */
static void probe_names_the_cause(void **state)
{
    struct tls_files srv = {file(0, "good/ca.crt"), file(1, "good/server.crt"),
                            file(2, "good/server.key"), NULL};
    struct tls_files cli = {file(0, "good/ca.crt"), file(3, "good/client.crt"),
                            file(4, "good/client.key"), NULL};
    struct tls_files evil = {file(0, "good/ca.crt"), file(5, "evil/client.crt"),
                             file(6, "evil/client.key"), NULL};
    /* Trusts only the other CA: the server's certificate fails verification. */
    struct tls_files distrust = {file(7, "evil/ca.crt"), file(3, "good/client.crt"),
                                 file(4, "good/client.key"), NULL};
    nng_socket a;
    char url[64], err[256];
    assert_int_equal(nng_rep0_open(&a), 0);
    nng_listener l;
    assert_int_equal(net_listen(a, "tls+tcp://127.0.0.1:0", &srv, 0, &l, err, sizeof err), 0);
    int port = 0;
    nng_listener_get_int(l, NNG_OPT_TCP_BOUND_PORT, &port);
    snprintf(url, sizeof url, "tls+tcp://127.0.0.1:%d", port);
    assert_int_equal(net_probe(url, &cli, err, sizeof err), 0);
    int rv = net_probe(url, &distrust, err, sizeof err);
    print_message("distrusted server: %d %s\n", rv, err);
    assert_int_equal(rv, DISCO_ETLS);
    assert_non_null(strstr(err, "TLS handshake failed"));
    rv = net_probe(url, &evil, err, sizeof err);
    print_message("refused client: %d %s\n", rv, err);
    assert_int_equal(rv, DISCO_ETLS);
    nng_close(a);
    /* Nothing listens there any more. */
    assert_int_equal(net_probe(url, &cli, err, sizeof err), DISCO_ENET);
    assert_null(strstr(err, "TLS handshake failed"));
}

static void missing_identity_is_a_clear_error(void **state)
{
    struct tls_files none = {file(0, "good/ca.crt"), file(7, "good/nobody.crt"),
                             file(2, "good/server.key"), NULL};
    nng_socket s;
    char err[256] = "";
    assert_int_equal(nng_pair1_open(&s), 0);
    assert_int_equal(net_listen(s, "tls+tcp://127.0.0.1:0", &none, 0, NULL, err, sizeof err),
                     DISCO_ENOENT);
    assert_non_null(strstr(err, "nobody.crt"));
    assert_int_equal(net_listen(s, "tls+tcp://127.0.0.1:0", NULL, 0, NULL, err, sizeof err),
                     DISCO_EINVAL);
    assert_int_equal(net_listen(s, "bogus://x", NULL, 0, NULL, err, sizeof err), DISCO_EINVAL);
    nng_close(s);
}

static void receive_cap_drops_oversized(void **state)
{
    nng_socket a, b;
    char url[64];
    int port = listen_pair(&a, "tcp://127.0.0.1:0", NULL, 1024);
    nng_socket_set_ms(a, NNG_OPT_RECVTIMEO, 500);
    snprintf(url, sizeof url, "tcp://127.0.0.1:%d", port);
    dial_pair(&b, url, NULL);
    char *big = calloc(1, 4096);
    memset(big, 'x', 4095);
    assert_int_not_equal(exchange(a, b, big), 0);
    free(big);
    nng_close(a);
    nng_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_tcp),
        cmocka_unit_test(mutual_tls),
        cmocka_unit_test(client_from_another_ca_refused),
        cmocka_unit_test(probe_names_the_cause),
        cmocka_unit_test(missing_identity_is_a_clear_error),
        cmocka_unit_test(receive_cap_drops_oversized),
    };
    return cmocka_run_group_tests(tests, make_certs, remove_certs);
}
