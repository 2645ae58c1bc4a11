/* Shared by the fuzz targets: an assertion that aborts (libFuzzer reports
 * it as a crash with the input) and the error-message invariants. */
#ifndef HUTCH_FUZZ_COMMON_H
#define HUTCH_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/error.h"

#define FUZZ_ASSERT(x)                                                                             \
  do {                                                                                             \
    if (!(x)) {                                                                                    \
      fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #x);               \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* A failure carries a non-empty message that starts with prefix.  (It may
 * quote user strings containing newlines, e.g. an annotation key "a\nb":
 * cmd_fail prints control characters as '?', which keeps the CLI's error
 * one line; the fuzzer found this.) */
static inline void fuzz_check_error(const herr_t *err, const char *prefix)
{
  const char *m = *err ? (*err)->msg : NULL;
  FUZZ_ASSERT(m && m[0]);
  FUZZ_ASSERT(strncmp(m, prefix, strlen(prefix)) == 0);
}

#endif
