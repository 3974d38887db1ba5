/*
 * disco_err.h - the one error enum of the project and its strerror.
 *
 * Fallible functions return int: 0 on success, a positive DISCO_E* code on
 * failure. Guest-visible events (TLB refills, address errors) are not errors.
 */
#ifndef DISCO_ERR_H
#define DISCO_ERR_H

enum disco_err {
    DISCO_OK = 0,
    DISCO_ENOMEM,       /* out of a bounded resource (heap OOM aborts instead) */
    DISCO_EINVAL,       /* invalid argument or configuration */
    DISCO_EIO,          /* an operating-system I/O call failed (errno has more) */
    DISCO_ENOENT,       /* no such file, object or id */
    DISCO_EFORMAT,      /* malformed input: a file, a message or a request */
    DISCO_ETOOBIG,      /* input over its size limit */
    DISCO_ETIMEDOUT,    /* a bounded wait ran out */
    DISCO_ECLOSED,      /* the peer or object was closed */
    DISCO_ETLS,         /* TLS setup or handshake failed */
    DISCO_EAUTH,        /* not authenticated or not permitted */
    DISCO_EPROTO,       /* a peer broke the protocol */
    DISCO_EBUSY,        /* resource in use; try again later */
    DISCO_EUNSUPPORTED, /* valid but not implemented by this model */
    DISCO_EPEERLOST,    /* a node or server stopped answering */
    DISCO_EEXIST,       /* already exists */
    DISCO_ENET,         /* a transport (NNG) error */
    DISCO_EAGAIN,       /* incomplete: more input is needed */
    DISCO_ERR_COUNT
};

/* A static, human-readable description; never NULL. */
const char *disco_strerror(int err);

#endif
