/* The error object: messages, errno suffixes and context wrapping. */
#include <errno.h>

#include "check.h"
#include "spec/base/error.h"

int main(void)
{
  herr_t err = NULL;
  CHECK(herr_set(&err, 0, "bad %s", "thing") == -1);
  CHECK_STREQ(err->msg, "bad thing");
  CHECK(err->errnum == 0);
  herr_wrap(&err, "create %s", "c1");
  CHECK_STREQ(err->msg, "create c1: bad thing");
  herr_free(&err);
  CHECK(err == NULL);

  errno = EACCES;
  herr_sys(&err, "mount proc on %s", "/proc");
  CHECK_STREQ(err->msg, "mount proc on /proc: Permission denied");
  CHECK(err->errnum == EACCES);
  herr_free(&err);

  herr_errno(&err, ENOENT, "open %s", "x");
  CHECK_STREQ(err->msg, "open x: No such file or directory");
  /* Setting again replaces (and frees) the earlier error. */
  herr_set(&err, 0, "second");
  CHECK_STREQ(err->msg, "second");
  herr_free(&err);
  CHECK(herr_wrap(&err, "nothing") == -1 && err == NULL);
  return check_done();
}
