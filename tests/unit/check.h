/* A minimal unit-test harness: CHECK(...) records a pass or a failure with
 * its location; check_done() prints "N passed, N failed" and returns the
 * exit status for ctest. */
#ifndef HUTCH_CHECK_H
#define HUTCH_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_passed, check_failed;
void check_record(int ok, const char *file, int line, const char *expr, const char *detail);
int check_done(void);

#define CHECK(cond) check_record(!!(cond), __FILE__, __LINE__, #cond, NULL)
#define CHECK_MSG(cond, detail) check_record(!!(cond), __FILE__, __LINE__, #cond, (detail))
#define CHECK_STREQ(a, b)                                                                          \
  do {                                                                                             \
    const char *_a = (a), *_b = (b);                                                               \
    int _ok = _a && _b && strcmp(_a, _b) == 0;                                                     \
    char _d[1024];                                                                                 \
    snprintf(_d, sizeof(_d), "\"%s\" != \"%s\"", _a ? _a : "(null)", _b ? _b : "(null)");          \
    check_record(_ok, __FILE__, __LINE__, #a " == " #b, _d);                                       \
  } while (0)
#define CHECK_CONTAINS(hay, needle)                                                                \
  do {                                                                                             \
    const char *_h = (hay), *_n = (needle);                                                        \
    int _ok = _h && _n && strstr(_h, _n) != NULL;                                                  \
    char _d[1024];                                                                                 \
    snprintf(_d, sizeof(_d), "\"%s\" does not contain \"%s\"", _h ? _h : "(null)", _n);            \
    check_record(_ok, __FILE__, __LINE__, #hay " contains " #needle, _d);                          \
  } while (0)

#endif
