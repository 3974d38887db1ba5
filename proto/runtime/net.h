/*
 * net.h - NNG endpoints with the project's defaults: a receive size cap on
 * every socket, mutual TLS for tls+tcp:// URLs (a CA per role, see
 * docs/architecture.md), and errors mapped to DISCO_E* with a message.
 * Used by the node server and the coordinator for every NNG socket.
 */
#ifndef DISCO_NET_H
#define DISCO_NET_H

#include <nng/nng.h>
#include <stddef.h>

/* PEM files of one TLS identity. crl_file may be NULL. */
struct tls_files {
    const char *ca_file;   /* CA that must have signed the peer */
    const char *cert_file; /* our certificate (chain) */
    const char *key_file;  /* our private key, unencrypted */
    const char *crl_file;  /* revoked peers, optional */
};

/* Largest message any project socket accepts unless told otherwise. */
#define NET_DEFAULT_RECV_MAX (4u << 20)

/*
 * Starts a listener on url. tls is required for tls+tcp:// and ignored
 * otherwise. recv_max caps incoming messages (0: NET_DEFAULT_RECV_MAX).
 * *out (if not NULL) receives the listener, e.g. to read a bound port.
 * Returns 0 or a DISCO_E* code with a message in err.
 */
int net_listen(nng_socket sock, const char *url, const struct tls_files *tls, size_t recv_max,
               nng_listener *out, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Starts a dialer on url (asynchronous: it keeps reconnecting). Same arguments. */
int net_dial(nng_socket sock, const char *url, const struct tls_files *tls, size_t recv_max,
             char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Tells why a REQ peer at url cannot be reached: one blocking connection
 * attempt (TCP connect, TLS handshake both ways) on a throw-away socket.
 * Returns 0 if it connects, else DISCO_ETLS (handshake or certificate
 * refused) or DISCO_ENET, with the reason in err. net_dial() keeps retrying
 * silently, so a client that waited in vain asks this for a diagnosis.
 */
int net_probe(const char *url, const struct tls_files *tls, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* True if url names a TLS transport. */
int net_url_is_tls(const char *url);

#endif
