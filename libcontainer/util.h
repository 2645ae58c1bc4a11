/* Small shared helpers: cleanup attributes and fd/file utilities. */
#ifndef HUTCH_UTIL_H
#define HUTCH_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "libcontainer/error.h"

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
/* One sendmsg of data (len may be 0 only with fds) carrying nfds (<= 32)
 * fds with SCM_RIGHTS; MSG_NOSIGNAL, EINTR retried.  Returns the bytes
 * sent, or -1 with errno. */
ssize_t send_with_fds(int sock, const void *data, size_t len, const int *fds, size_t nfds);
/* Read an fd to EOF into a NUL-terminated malloc'd buffer. Returns length or -1. */
ssize_t read_all_fd(int fd, char **out);
/* Write a string to dirfd/path (O_WRONLY|O_CLOEXEC, no O_CREAT unless create). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, int create,
                  herr_t *err);
/* Read dirfd/path whole into *out. */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, herr_t *err);

#endif
