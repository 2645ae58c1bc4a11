/* Error objects: every fallible function returns an int (< 0 on failure) and
 * fills a `herr_t *err` that travels up the stack gaining context.  Only cmd/
 * prints them.
 *
 *   if (mount(...) < 0)
 *     return herr_sys(err, "mount %s on %s", src, dst);   // "...: Permission denied"
 *   if (setup_rootfs(c, err) < 0)
 *     return herr_wrap(err, "rootfs");                     // "rootfs: mount ..."
 */
#ifndef HUTCH_ERROR_H
#define HUTCH_ERROR_H

#include <stdarg.h>

typedef struct herr {
  int errnum; /* errno-style cause, 0 when none */
  char *msg;  /* full message, context first */
} herr;
typedef herr *herr_t;

/* Create an error with an explicit errnum (0: no strerror suffix). Returns -1. */
int herr_set(herr_t *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Create an error from the current errno: "<msg>: <strerror(errno)>". Returns -1. */
int herr_sys(herr_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Same with an explicit errno value. Returns -1. */
int herr_errno(herr_t *err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prepend context ("<ctx>: <old msg>") to an existing error. Returns -1. */
int herr_wrap(herr_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int herr_vset(herr_t *err, int errnum, int add_strerror, const char *fmt, va_list ap);
/* Replace the message but keep errnum (used when an error crosses a process). */
int herr_from_parts(herr_t *err, int errnum, const char *msg);
void herr_free(herr_t *err);
void herr_cleanup(herr_t *err);
#define _cleanup_herr_ __attribute__((cleanup(herr_cleanup)))

#endif
