#include "spec/base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spec/base/util.h"

static int log_fd = -1; /* -1: stderr */
static int log_json;
static int log_debug_on;

static const char *level_names[] = {"debug", "info", "warning", "error"};

int hlog_init(const char *path, int json, int debug)
{
  log_json = json;
  log_debug_on = debug;
  if (path && *path) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      return -1;
    log_fd = fd;
  }
  return 0;
}

int hlog_to_file(void)
{
  return log_fd >= 0;
}

int hlog_fd(void)
{
  return log_fd;
}

static void now_rfc3339(char *buf, size_t len)
{
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

void hlog(enum hlog_level lvl, const char *fmt, ...)
{
  if (lvl == HLOG_DEBUG && !log_debug_on)
    return;
  int saved = errno;
  va_list ap;
  char *msg = NULL;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  if (!msg) {
    errno = saved;
    return;
  }
  char ts[64];
  now_rfc3339(ts, sizeof(ts));
  int fd = log_fd >= 0 ? log_fd : STDERR_FILENO;
  char *line = NULL;
  if (log_json) {
    json_t *o = json_pack("{s:s,s:s,s:s}", "level", level_names[lvl], "msg", msg, "time", ts);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    json_decref(o);
    if (s) {
      line = xasprintf("%s\n", s);
      free(s);
    }
  } else if (log_fd >= 0) {
    line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", ts, level_names[lvl], msg);
  } else {
    line = xasprintf("hutch: %s%s\n", lvl == HLOG_ERROR ? "" : level_names[lvl],
                     lvl == HLOG_ERROR ? msg : "");
    if (lvl != HLOG_ERROR) {
      free(line);
      line = xasprintf("hutch: %s: %s\n", level_names[lvl], msg);
    }
  }
  if (line)
    (void)write_all(fd, line, strlen(line));
  free(line);
  free(msg);
  errno = saved;
}
