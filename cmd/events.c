/* hutch events [--stats] [--interval DURATION] ID: container statistics as
 * JSON lines in runc's shape ({"type":"stats","id":...,"data":{...}}), and
 * {"type":"oom","id":...} when the kernel OOM-kills a process of the
 * container.  --stats prints once; otherwise it streams until the container
 * stops. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cgcmd.h"
#include "cmd/cmd.h"

/* A Go duration: "5s", "100ms", "1m30s", "1.5s". Milliseconds, -1 if bad. */
static long parse_duration(const char *s)
{
  double total = 0;
  if (!*s)
    return -1;
  while (*s) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
      return -1;
    s = end;
    double mul;
    if (strncmp(s, "ms", 2) == 0)
      mul = 1, s += 2;
    else if (strncmp(s, "us", 2) == 0)
      mul = 0.001, s += 2;
    else if (strncmp(s, "ns", 2) == 0)
      mul = 0.000001, s += 2;
    else if (*s == 's')
      mul = 1000, s++;
    else if (*s == 'm')
      mul = 60000, s++;
    else if (*s == 'h')
      mul = 3600000, s++;
    else
      return -1;
    total += v * mul;
  }
  return total < 1 ? 1 : (long)total;
}

static int print_event(const char *type, const char *id, json_t *data)
{
  json_t *ev = json_pack("{s:s, s:s}", "type", type, "id", id);
  if (data)
    json_object_set_new(ev, "data", data);
  char *s = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(ev);
  int r = printf("%s\n", s) < 0 || fflush(stdout) != 0 ? -1 : 0;
  free(s);
  return r;
}

static int emit_stats(struct container *c, herr_t *err)
{
  json_t *data = NULL;
  if (cgroup_stats(c->cgroup, &data, err) < 0)
    return -1;
  if (print_event("stats", c->id, data) < 0)
    return herr_sys(err, "write to stdout");
  return 0;
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int cmd_events(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"stats", no_argument, NULL, 's'},
      {"interval", required_argument, NULL, 'i'},
      {0, 0, 0, 0},
  };
  bool once = false;
  long interval = 5000;
  int opt;
  while ((opt = cmd_getopt(argc, argv, "", longopts, "events")) != -1) {
    if (opt == 's') {
      once = true;
    } else if (opt == 'i') {
      interval = parse_duration(optarg);
      if (interval < 0)
        return cmd_usage_error("events", "--interval: \"%s\" is not a duration (like 5s or 500ms)",
                               optarg);
    }
  }
  if (cmd_check_args("events", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *c = NULL;
  if (cgcmd_load_verb(ctx->root, id, false, "read statistics of", &c, NULL, &err) < 0)
    return cmd_fail(ctx, &err, "events %s", id);
  if (container_status(c) == CONTAINER_STOPPED) {
    container_free(c);
    herr_set(&err, 0, "the container is not running");
    return cmd_fail(ctx, &err, "events %s", id);
  }
  if (once) {
    int r = emit_stats(c, &err);
    container_free(c);
    return r < 0 ? cmd_fail(ctx, &err, "events %s", id) : 0;
  }
  int oomfd = cgroup_oom_fd(c->cgroup, &err);
  if (oomfd < 0 && err) {
    container_free(c);
    return cmd_fail(ctx, &err, "events %s", id);
  }
  int ret = 0;
  long next = now_ms();
  bool stopped = false;
  while (ret == 0) {
    if (!stopped && now_ms() >= next) {
      if (emit_stats(c, &err) < 0) {
        ret = cmd_fail(ctx, &err, "events %s", id);
        break;
      }
      next = now_ms() + interval;
    }
    long wait = next - now_ms();
    /* Wake at least every second to notice that the container stopped. */
    if (wait > 1000)
      wait = 1000;
    if (wait < 0 || stopped)
      wait = 0;
    struct pollfd p = {oomfd, POLLIN, 0};
    int n = poll(&p, oomfd >= 0 ? 1 : 0, (int)wait);
    if (n > 0) {
      bool oom = false;
      if (cgroup_oom_check(c->cgroup, oomfd, &oom, &err) < 0) {
        ret = cmd_fail(ctx, &err, "events %s", id);
        break;
      }
      if (oom && print_event("oom", id, NULL) < 0)
        break;
      if (oom)
        continue; /* more may be pending */
    }
    /* One last look at pending OOM notifications after the container stopped. */
    if (stopped)
      break;
    stopped = container_status(c) == CONTAINER_STOPPED;
  }
  if (oomfd >= 0)
    close(oomfd);
  container_free(c);
  return ret;
}
