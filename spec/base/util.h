/* The lowest layer's helpers, used by spec/ and libcontainer/ alike:
 * cleanup attributes, steal_pointer/steal_fd, and allocation that aborts on
 * OOM.  Includes the error type (error.h). */
#ifndef HUTCH_BASE_UTIL_H
#define HUTCH_BASE_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "spec/base/error.h"

static inline void cleanup_freep(void *p)
{
  free(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
  if (*fd >= 0)
    close(*fd);
}
static inline void cleanup_fclosep(FILE **f)
{
  if (*f)
    fclose(*f);
}
#define _cleanup_free_ __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_ __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))

/* Return the value and disarm a cleanup variable. */
#define steal_pointer(pp)                                                                          \
  ({                                                                                               \
    __typeof__(*(pp)) _v = *(pp);                                                                  \
    *(pp) = NULL;                                                                                  \
    _v;                                                                                            \
  })
#define steal_fd(fdp)                                                                              \
  ({                                                                                               \
    int _fd = *(fdp);                                                                              \
    *(fdp) = -1;                                                                                   \
    _fd;                                                                                           \
  })

/* Allocation that aborts on OOM (a runtime cannot continue without memory). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write all of buf, retrying on EINTR/short writes. Returns 0 or -1 (errno set). */
int write_all(int fd, const void *buf, size_t len);

#endif
