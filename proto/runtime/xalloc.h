/*
 * xalloc.h - allocation wrappers that abort on out-of-memory.
 *
 * A simulator that cannot allocate its own bookkeeping cannot continue
 * meaningfully; bounded resources handed out to guests or clients are
 * checked and answered with DISCO_ENOMEM instead.
 */
#ifndef DISCO_XALLOC_H
#define DISCO_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);

#endif
