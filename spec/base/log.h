/* Logging: text or JSON lines to --log FILE (default stderr for text).
 * JSON lines are {"level":"...","msg":"...","time":"RFC3339"} as containerd
 * and conmon read them.  Library code may log debug/warn; errors are printed
 * by cmd/ only (via hlog_error). */
#ifndef HUTCH_LOG_H
#define HUTCH_LOG_H

enum hlog_level { HLOG_DEBUG, HLOG_INFO, HLOG_WARN, HLOG_ERROR };

/* path NULL: stderr. json: 1 for JSON lines. debug: 1 to emit debug. Returns 0/-1. */
int hlog_init(const char *path, int json, int debug);
void hlog(enum hlog_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define hlog_debug(...) hlog(HLOG_DEBUG, __VA_ARGS__)
#define hlog_warn(...) hlog(HLOG_WARN, __VA_ARGS__)
#define hlog_error(...) hlog(HLOG_ERROR, __VA_ARGS__)
/* True when an explicit --log file is in use (errors then also go to stderr). */
int hlog_to_file(void);
/* The fd logs go to (-1 for stderr), so a forked child can keep logging. */
int hlog_fd(void);

#endif
