/* disco_err.c - descriptions of the project's error codes. */
#include "disco_err.h"

#include <stddef.h>

static const char *const messages[DISCO_ERR_COUNT] = {
    [DISCO_OK] = "success",
    [DISCO_ENOMEM] = "out of resources",
    [DISCO_EINVAL] = "invalid argument",
    [DISCO_EIO] = "input/output error",
    [DISCO_ENOENT] = "not found",
    [DISCO_EFORMAT] = "malformed input",
    [DISCO_ETOOBIG] = "input too large",
    [DISCO_ETIMEDOUT] = "timed out",
    [DISCO_ECLOSED] = "closed",
    [DISCO_ETLS] = "TLS failure",
    [DISCO_EAUTH] = "not authorized",
    [DISCO_EPROTO] = "protocol error",
    [DISCO_EBUSY] = "busy",
    [DISCO_EUNSUPPORTED] = "not supported",
    [DISCO_EPEERLOST] = "peer lost",
    [DISCO_EEXIST] = "already exists",
    [DISCO_ENET] = "network error",
    [DISCO_EAGAIN] = "incomplete input",
};

const char *disco_strerror(int err)
{
    if (err < 0 || err >= DISCO_ERR_COUNT || messages[err] == NULL)
        return "unknown error";
    return messages[err];
}
