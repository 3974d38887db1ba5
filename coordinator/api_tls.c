/*
 * api_tls.c - the embedded default's private CA: on the first start the
 * coordinator creates STATE_DIR/tls/ with ca.{key,crt}, disco-coord.{key,crt}
 * (server, for localhost and 127.0.0.1), admin.{key,crt} (a user
 * certificate with OU=disco-admin) and an empty crl.pem, laid out as
 * deploy/tls/disco-ca.sh does, so that script can issue and revoke more.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api_server.h"
#include "disco_err.h"
#include "log.h"

#define CA_DAYS   3650
#define CERT_DAYS 825

static EVP_PKEY *new_key(void)
{
    return EVP_EC_gen("P-256");
}

static int write_pem(const char *path, EVP_PKEY *key, X509 *cert, X509_CRL *crl)
{
    FILE *f = fopen(path, "wx");
    if (f == NULL)
        return DISCO_EIO;
    fchmod(fileno(f), 0600);
    int ok = key    ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL)
             : cert ? PEM_write_X509(f, cert)
                    : PEM_write_X509_CRL(f, crl);
    return fclose(f) == 0 && ok ? DISCO_OK : DISCO_EIO;
}

static void add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (ext) {
        X509_add_ext(cert, ext, -1);
        X509_EXTENSION_free(ext);
    }
}

/* A certificate for key with subject CN (and OU), signed by issuer (self if NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *ou, X509 *issuer,
                       EVP_PKEY *issuer_key, long serial, bool server)
{
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * (issuer ? CERT_DAYS : CA_DAYS));
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    if (ou)
        X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name);
    X509 *signer = issuer ? issuer : cert;
    if (issuer == NULL) {
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:TRUE");
        add_ext(cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_ext(cert, signer, NID_basic_constraints, "critical,CA:FALSE");
        add_ext(cert, signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        add_ext(cert, signer, NID_ext_key_usage, server ? "serverAuth,clientAuth" : "clientAuth");
        if (server)
            add_ext(cert, signer, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    }
    if (!X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256())) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

static X509_CRL *make_crl(X509 *ca, EVP_PKEY *ca_key)
{
    X509_CRL *crl = X509_CRL_new();
    X509_CRL_set_version(crl, 1);
    X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca));
    ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), 0, 0);
    X509_CRL_set1_lastUpdate(crl, t);
    ASN1_TIME_adj(t, time(NULL), 30, 0);
    X509_CRL_set1_nextUpdate(crl, t);
    ASN1_TIME_free(t);
    if (!X509_CRL_sign(crl, ca_key, EVP_sha256())) {
        X509_CRL_free(crl);
        return NULL;
    }
    return crl;
}

/* Issues DIR/NAME.{key,crt}. */
static int issue(const char *dir, const char *name, const char *ou, X509 *ca, EVP_PKEY *ca_key,
                 long serial, bool server)
{
    char path[600];
    EVP_PKEY *key = new_key();
    X509 *cert = key ? make_cert(key, name, ou, ca, ca_key, serial, server) : NULL;
    int rv = DISCO_ETLS;
    if (cert) {
        snprintf(path, sizeof path, "%s/%s.key", dir, name);
        rv = write_pem(path, key, NULL, NULL);
        snprintf(path, sizeof path, "%s/%s.crt", dir, name);
        if (rv == 0)
            rv = write_pem(path, NULL, cert, NULL);
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return rv;
}

static int create_all(const char *dir)
{
    char path[600];
    EVP_PKEY *ca_key = new_key();
    X509 *ca =
        ca_key ? make_cert(ca_key, "Disco-FLASH private CA", NULL, NULL, NULL, 1, false) : NULL;
    X509_CRL *crl = ca ? make_crl(ca, ca_key) : NULL;
    int rv = crl ? DISCO_OK : DISCO_ETLS;
    if (rv == 0)
        rv = issue(dir, "disco-coord", NULL, ca, ca_key, 2, true);
    if (rv == 0)
        rv = issue(dir, "admin", "disco-admin", ca, ca_key, 3, false);
    if (rv == 0) {
        snprintf(path, sizeof path, "%s/crl.pem", dir);
        rv = write_pem(path, NULL, NULL, crl);
    }
    /* The CA files last: their presence says the directory is complete. */
    if (rv == 0) {
        snprintf(path, sizeof path, "%s/ca.key", dir);
        rv = write_pem(path, ca_key, NULL, NULL);
    }
    if (rv == 0) {
        snprintf(path, sizeof path, "%s/ca.crt", dir);
        rv = write_pem(path, NULL, ca, NULL);
    }
    X509_CRL_free(crl);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return rv;
}

int api_tls_bootstrap(const char *state_dir, struct tls_files *files, char *paths_buf,
                      size_t paths_len, char *err, size_t errlen)
{
    char dir[512], ca[600];
    snprintf(dir, sizeof dir, "%s/tls", state_dir);
    snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    if ((mkdir(state_dir, 0700) != 0 && errno != EEXIST) ||
        (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return DISCO_EIO;
    }
    if (access(ca, R_OK) != 0) {
        static const char *const names[] = {"disco-coord.key", "disco-coord.crt", "admin.key",
                                            "admin.crt",       "crl.pem",         "ca.key"};
        char path[600];
        for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            unlink(path); /* leftovers of an interrupted first start */
        }
        int rv = create_all(dir);
        if (rv != 0) {
            snprintf(err, errlen, "cannot create the private CA in %s", dir);
            return rv;
        }
        log_info("created a private CA in %s (user certificate for the admin: admin.crt)", dir);
    }
    int n = snprintf(paths_buf, paths_len,
                     "%s/ca.crt%c%s/disco-coord.crt%c%s/disco-coord.key%c%s/crl.pem", dir, 0, dir,
                     0, dir, 0, dir);
    if (n < 0 || (size_t)n >= paths_len) {
        snprintf(err, errlen, "state directory path too long");
        return DISCO_EINVAL;
    }
    files->ca_file = paths_buf;
    files->cert_file = files->ca_file + strlen(files->ca_file) + 1;
    files->key_file = files->cert_file + strlen(files->cert_file) + 1;
    files->crl_file = files->key_file + strlen(files->key_file) + 1;
    return DISCO_OK;
}
