#include "spec/base/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *xvasprintf(const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0)
    return NULL;
  return s;
}

int herr_vset(herr_t *err, int errnum, int add_strerror, const char *fmt, va_list ap)
{
  if (err == NULL)
    return -1;
  char *base = xvasprintf(fmt, ap);
  char *msg = NULL;
  if (base && add_strerror && errnum) {
    if (asprintf(&msg, "%s: %s", base, strerror(errnum)) < 0)
      msg = NULL;
    free(base);
  } else {
    msg = base;
  }
  herr_free(err);
  herr *e = calloc(1, sizeof(*e));
  if (e == NULL) {
    free(msg);
    abort(); /* out of memory while reporting an error: nothing sane to do */
  }
  e->errnum = errnum;
  e->msg = msg ? msg : strdup("out of memory");
  *err = e;
  return -1;
}

int herr_set(herr_t *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  herr_vset(err, errnum, 0, fmt, ap);
  va_end(ap);
  return -1;
}

int herr_sys(herr_t *err, const char *fmt, ...)
{
  int saved = errno;
  va_list ap;
  va_start(ap, fmt);
  herr_vset(err, saved, 1, fmt, ap);
  va_end(ap);
  errno = saved;
  return -1;
}

int herr_errno(herr_t *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  herr_vset(err, errnum, 1, fmt, ap);
  va_end(ap);
  return -1;
}

int herr_wrap(herr_t *err, const char *fmt, ...)
{
  if (err == NULL || *err == NULL)
    return -1;
  va_list ap;
  va_start(ap, fmt);
  char *ctx = xvasprintf(fmt, ap);
  va_end(ap);
  char *msg = NULL;
  if (ctx && asprintf(&msg, "%s: %s", ctx, (*err)->msg) >= 0) {
    free((*err)->msg);
    (*err)->msg = msg;
  }
  free(ctx);
  return -1;
}

int herr_from_parts(herr_t *err, int errnum, const char *msg)
{
  return herr_set(err, errnum, "%s", msg);
}

void herr_free(herr_t *err)
{
  if (err && *err) {
    free((*err)->msg);
    free(*err);
    *err = NULL;
  }
}

void herr_cleanup(herr_t *err)
{
  herr_free(err);
}
