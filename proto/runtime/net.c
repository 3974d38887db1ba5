/* net.c - NNG listeners and dialers with size caps and mutual TLS. */
#include "net.h"

#include <errno.h>
#include <nng/protocol/reqrep0/req.h>
#include <stdbool.h>
#include <nng/supplemental/tls/tls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_err.h"
#include "xalloc.h"

#define PEM_MAX_BYTES (1u << 20)

int net_url_is_tls(const char *url)
{
    return strncmp(url, "tls+", 4) == 0 || strncmp(url, "wss", 3) == 0;
}

/* Reads a whole PEM file into a NUL-terminated heap string. */
static int read_pem(const char *path, char **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return errno == ENOENT ? DISCO_ENOENT : DISCO_EIO;
    }
    char *buf = xmalloc(PEM_MAX_BYTES + 1);
    size_t n = fread(buf, 1, PEM_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > PEM_MAX_BYTES) {
        free(buf);
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "larger than 1 MiB");
        return bad ? DISCO_EIO : DISCO_ETOOBIG;
    }
    buf[n] = '\0';
    *out = buf;
    return DISCO_OK;
}

static int tls_config_create(nng_tls_mode mode, const struct tls_files *files, nng_tls_config **out,
                             char *err, size_t errlen)
{
    if (files == NULL || !files->ca_file || !files->cert_file || !files->key_file) {
        snprintf(err, errlen, "TLS needs a CA, a certificate and a key");
        return DISCO_EINVAL;
    }
    char *ca = NULL, *cert = NULL, *key = NULL, *crl = NULL;
    nng_tls_config *cfg = NULL;
    int rv;
    if ((rv = read_pem(files->ca_file, &ca, err, errlen)) != 0 ||
        (rv = read_pem(files->cert_file, &cert, err, errlen)) != 0 ||
        (rv = read_pem(files->key_file, &key, err, errlen)) != 0 ||
        (files->crl_file && (rv = read_pem(files->crl_file, &crl, err, errlen)) != 0))
        goto out;
    int nrv;
    if ((nrv = nng_tls_config_alloc(&cfg, mode)) != 0 ||
        (nrv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED)) != 0 ||
        (nrv = nng_tls_config_ca_chain(cfg, ca, crl)) != 0 ||
        (nrv = nng_tls_config_own_cert(cfg, cert, key, NULL)) != 0) {
        snprintf(err, errlen, "TLS configuration (%s, %s): %s", files->cert_file, files->ca_file,
                 nng_strerror(nrv));
        rv = DISCO_ETLS;
        goto out;
    }
    *out = cfg;
    cfg = NULL;
out:
    if (cfg)
        nng_tls_config_free(cfg);
    free(ca);
    free(cert);
    free(key);
    free(crl);
    return rv;
}

int net_listen(nng_socket sock, const char *url, const struct tls_files *tls, size_t recv_max,
               nng_listener *out, char *err, size_t errlen)
{
    nng_listener l;
    nng_tls_config *cfg = NULL;
    int rv, nrv;
    if ((nrv = nng_listener_create(&l, sock, url)) != 0) {
        snprintf(err, errlen, "listen %s: %s", url, nng_strerror(nrv));
        return nrv == NNG_EADDRINVAL || nrv == NNG_ENOTSUP ? DISCO_EINVAL : DISCO_ENET;
    }
    nng_listener_set_size(l, NNG_OPT_RECVMAXSZ, recv_max ? recv_max : NET_DEFAULT_RECV_MAX);
    if (net_url_is_tls(url)) {
        if ((rv = tls_config_create(NNG_TLS_MODE_SERVER, tls, &cfg, err, errlen)) != 0) {
            nng_listener_close(l);
            return rv;
        }
        nrv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg);
        nng_tls_config_free(cfg); /* the listener holds its own reference */
        if (nrv != 0) {
            snprintf(err, errlen, "listen %s: TLS: %s", url, nng_strerror(nrv));
            nng_listener_close(l);
            return DISCO_ETLS;
        }
    }
    if ((nrv = nng_listener_start(l, 0)) != 0) {
        snprintf(err, errlen, "listen %s: %s", url, nng_strerror(nrv));
        nng_listener_close(l);
        return nrv == NNG_EADDRINUSE ? DISCO_EBUSY : DISCO_ENET;
    }
    if (out)
        *out = l;
    return DISCO_OK;
}

static int dial(nng_socket sock, const char *url, const struct tls_files *tls, size_t recv_max,
                int flags, char *err, size_t errlen)
{
    nng_dialer d;
    nng_tls_config *cfg = NULL;
    int rv, nrv;
    if ((nrv = nng_dialer_create(&d, sock, url)) != 0) {
        snprintf(err, errlen, "dial %s: %s", url, nng_strerror(nrv));
        return nrv == NNG_EADDRINVAL || nrv == NNG_ENOTSUP ? DISCO_EINVAL : DISCO_ENET;
    }
    nng_dialer_set_size(d, NNG_OPT_RECVMAXSZ, recv_max ? recv_max : NET_DEFAULT_RECV_MAX);
    if (net_url_is_tls(url)) {
        if ((rv = tls_config_create(NNG_TLS_MODE_CLIENT, tls, &cfg, err, errlen)) != 0) {
            nng_dialer_close(d);
            return rv;
        }
        /* Peers are identified by the CA of their role, not by host name:
         * node certificates name nodes, not the addresses they run on. */
        nrv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg);
        nng_tls_config_free(cfg);
        if (nrv != 0) {
            snprintf(err, errlen, "dial %s: TLS: %s", url, nng_strerror(nrv));
            nng_dialer_close(d);
            return DISCO_ETLS;
        }
    }
    if ((nrv = nng_dialer_start(d, flags)) != 0) {
        bool tls_failed = nrv == NNG_ECRYPTO || nrv == NNG_EPEERAUTH ||
                          (net_url_is_tls(url) && (nrv == NNG_ECONNSHUT || nrv == NNG_ECLOSED));
        snprintf(err, errlen, "dial %s: %s%s", url, tls_failed ? "TLS handshake failed: " : "",
                 nng_strerror(nrv));
        nng_dialer_close(d);
        return tls_failed ? DISCO_ETLS : DISCO_ENET;
    }
    return DISCO_OK;
}

int net_dial(nng_socket sock, const char *url, const struct tls_files *tls, size_t recv_max,
             char *err, size_t errlen)
{
    /* Non-blocking: the dialer retries in the background until the peer is up. */
    return dial(sock, url, tls, recv_max, NNG_FLAG_NONBLOCK, err, errlen);
}

int net_probe(const char *url, const struct tls_files *tls, char *err, size_t errlen)
{
    nng_socket s;
    int nrv = nng_req0_open(&s);
    if (nrv != 0) {
        snprintf(err, errlen, "probe %s: %s", url, nng_strerror(nrv));
        return DISCO_ENET;
    }
    int rv = dial(s, url, tls, 0, 0, err, errlen);
    nng_close(s);
    return rv;
}
