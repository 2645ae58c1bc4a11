/* Statistics (the "data" of `events --stats`, in runc's shape) and OOM
 * notifications, from v1 or v2 files wherever each controller lives. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

const char *cgfs_mode_name(const struct cgfs *m)
{
  return m->mode == CG_MODE_UNIFIED ? "unified" : m->mode == CG_MODE_HYBRID ? "hybrid" : "legacy";
}

const char *cgfs_dir(const struct cgfs *m, const char *controller)
{
  struct cgfs *mm = (struct cgfs *)m;
  struct cg_hier *h = (!controller || !*controller) ? cg_unified(mm) : cg_locate(mm, controller);
  return h ? h->dir : NULL;
}

/* Read an integer, 0 when the file is missing ("max" -> 0 as runc reports). */
static uint64_t rd(const char *dir, const char *file)
{
  int64_t v = 0;
  herr_t e = NULL;
  if (cg_read_int(dir, file, &v, &e) < 0)
    v = 0;
  herr_free(&e);
  return v < 0 ? 0 : (uint64_t)v;
}

static uint64_t keyed(const char *dir, const char *file, const char *key)
{
  int64_t v = 0;
  herr_t e = NULL;
  if (cg_read_keyed(dir, file, key, &v, &e) < 0)
    v = 0;
  herr_free(&e);
  return v < 0 ? 0 : (uint64_t)v;
}

/* "key value" lines as a JSON object. */
static json_t *raw_stat(const char *dir, const char *file)
{
  json_t *o = json_object();
  _cleanup_free_ char *s = NULL;
  herr_t e = NULL;
  if (cg_read(dir, file, &s, &e) < 0) {
    herr_free(&e);
    return o;
  }
  for (char *line = s; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    char *sp = strchr(line, ' ');
    if (sp) {
      *sp = '\0';
      json_object_set_new(o, line, json_integer(strtoll(sp + 1, NULL, 10)));
    }
    line = nl ? nl + 1 : NULL;
  }
  return o;
}

static json_t *usage_entry(uint64_t usage, uint64_t max, uint64_t failcnt, uint64_t limit)
{
  return json_pack("{s:I, s:I, s:I, s:I}", "usage", (json_int_t)usage, "max", (json_int_t)max,
                   "failcnt", (json_int_t)failcnt, "limit", (json_int_t)limit);
}

static json_t *cpu_stats(struct cgfs *m)
{
  json_t *usage = json_object(), *thr = json_object();
  struct cg_hier *h = cg_locate(m, "cpu");
  struct cg_hier *acct = cg_locate(m, "cpuacct");
  struct cg_hier *u = cg_unified(m);
  if (h && h->v2) {
    /* v2: cpu.stat in microseconds. */
    json_object_set_new(usage, "total",
                        json_integer(keyed(h->dir, "cpu.stat", "usage_usec") * 1000));
    json_object_set_new(usage, "user", json_integer(keyed(h->dir, "cpu.stat", "user_usec") * 1000));
    json_object_set_new(usage, "kernel",
                        json_integer(keyed(h->dir, "cpu.stat", "system_usec") * 1000));
  } else if (acct) {
    json_object_set_new(usage, "total", json_integer(rd(acct->dir, "cpuacct.usage")));
    json_t *percpu = json_array();
    _cleanup_free_ char *s = NULL;
    herr_t e = NULL;
    if (cg_read(acct->dir, "cpuacct.usage_percpu", &s, &e) == 0) {
      char *p = s, *end;
      for (;;) {
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p)
          break;
        json_array_append_new(percpu, json_integer((json_int_t)v));
        p = end;
      }
    }
    herr_free(&e);
    json_object_set_new(usage, "percpu", percpu);
    /* cpuacct.stat is in USER_HZ ticks. */
    long hz = sysconf(_SC_CLK_TCK);
    uint64_t mul = hz > 0 ? 1000000000ULL / (uint64_t)hz : 10000000ULL;
    json_object_set_new(usage, "user",
                        json_integer(keyed(acct->dir, "cpuacct.stat", "user") * mul));
    json_object_set_new(usage, "kernel",
                        json_integer(keyed(acct->dir, "cpuacct.stat", "system") * mul));
  } else if (u && cg_file_exists(u->dir, "cpu.stat")) {
    /* Hybrid without cpuacct: the unified hierarchy's core cpu.stat. */
    json_object_set_new(usage, "total",
                        json_integer(keyed(u->dir, "cpu.stat", "usage_usec") * 1000));
    json_object_set_new(usage, "user", json_integer(keyed(u->dir, "cpu.stat", "user_usec") * 1000));
    json_object_set_new(usage, "kernel",
                        json_integer(keyed(u->dir, "cpu.stat", "system_usec") * 1000));
  }
  if (h) {
    json_object_set_new(thr, "periods", json_integer(keyed(h->dir, "cpu.stat", "nr_periods")));
    json_object_set_new(thr, "throttled_periods",
                        json_integer(keyed(h->dir, "cpu.stat", "nr_throttled")));
    json_object_set_new(thr, "throttled_time",
                        json_integer(h->v2 ? keyed(h->dir, "cpu.stat", "throttled_usec") * 1000
                                           : keyed(h->dir, "cpu.stat", "throttled_time")));
  }
  return json_pack("{s:o, s:o}", "usage", usage, "throttling", thr);
}

static json_t *memory_stats(struct cgfs *m)
{
  json_t *o = json_object();
  struct cg_hier *h = cg_locate(m, "memory");
  if (!h)
    return o;
  const char *d = h->dir;
  if (h->v2) {
    json_object_set_new(o, "usage",
                        usage_entry(rd(d, "memory.current"), rd(d, "memory.peak"),
                                    keyed(d, "memory.events", "max"), rd(d, "memory.max")));
    json_object_set_new(o, "swap",
                        usage_entry(rd(d, "memory.swap.current"), rd(d, "memory.swap.peak"),
                                    keyed(d, "memory.swap.events", "max"),
                                    rd(d, "memory.swap.max")));
    json_object_set_new(o, "cache", json_integer(keyed(d, "memory.stat", "file")));
  } else {
    json_object_set_new(o, "usage",
                        usage_entry(rd(d, "memory.usage_in_bytes"),
                                    rd(d, "memory.max_usage_in_bytes"), rd(d, "memory.failcnt"),
                                    rd(d, "memory.limit_in_bytes")));
    json_object_set_new(
        o, "swap",
        usage_entry(rd(d, "memory.memsw.usage_in_bytes"), rd(d, "memory.memsw.max_usage_in_bytes"),
                    rd(d, "memory.memsw.failcnt"), rd(d, "memory.memsw.limit_in_bytes")));
    json_object_set_new(
        o, "kernel",
        usage_entry(rd(d, "memory.kmem.usage_in_bytes"), rd(d, "memory.kmem.max_usage_in_bytes"),
                    rd(d, "memory.kmem.failcnt"), rd(d, "memory.kmem.limit_in_bytes")));
    json_object_set_new(o, "kernelTCP",
                        usage_entry(rd(d, "memory.kmem.tcp.usage_in_bytes"),
                                    rd(d, "memory.kmem.tcp.max_usage_in_bytes"),
                                    rd(d, "memory.kmem.tcp.failcnt"),
                                    rd(d, "memory.kmem.tcp.limit_in_bytes")));
    json_object_set_new(o, "cache", json_integer(keyed(d, "memory.stat", "total_cache")));
  }
  json_object_set_new(o, "raw", raw_stat(d, "memory.stat"));
  return o;
}

static json_t *pids_stats(struct cgfs *m)
{
  struct cg_hier *h = cg_locate(m, "pids");
  if (!h)
    return json_object();
  return json_pack("{s:I, s:I}", "current", (json_int_t)rd(h->dir, "pids.current"), "limit",
                   (json_int_t)rd(h->dir, "pids.max"));
}

static void blkio_v1_list(json_t *o, const char *name, const char *dir, const char *file)
{
  json_t *a = json_array();
  _cleanup_free_ char *s = NULL;
  herr_t e = NULL;
  if (cg_read(dir, file, &s, &e) == 0) {
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
      unsigned maj, min;
      char op[16];
      unsigned long long v;
      if (sscanf(line, "%u:%u %15s %llu", &maj, &min, op, &v) == 4)
        json_array_append_new(a, json_pack("{s:i, s:i, s:s, s:I}", "major", maj, "minor", min, "op",
                                           op, "value", (json_int_t)v));
    }
  }
  herr_free(&e);
  json_object_set_new(o, name, a);
}

static json_t *blkio_stats(struct cgfs *m)
{
  json_t *o = json_object();
  struct cg_hier *h = cg_locate(m, "blkio");
  if (h && !h->v2) {
    blkio_v1_list(o, "ioServiceBytesRecursive", h->dir,
                  "blkio.throttle.io_service_bytes_recursive");
    blkio_v1_list(o, "ioServicedRecursive", h->dir, "blkio.throttle.io_serviced_recursive");
    return o;
  }
  h = cg_locate(m, "io");
  if (!h)
    return o;
  json_t *bytes = json_array(), *ios = json_array();
  _cleanup_free_ char *s = NULL;
  herr_t e = NULL;
  if (cg_read(h->dir, "io.stat", &s, &e) == 0) {
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
      unsigned maj, min;
      unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
      if (sscanf(line, "%u:%u rbytes=%llu wbytes=%llu rios=%llu wios=%llu", &maj, &min, &rb, &wb,
                 &ri, &wi) < 2)
        continue;
      json_array_append_new(bytes, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op",
                                             "Read", "value", (json_int_t)rb));
      json_array_append_new(bytes, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op",
                                             "Write", "value", (json_int_t)wb));
      json_array_append_new(ios, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op",
                                           "Read", "value", (json_int_t)ri));
      json_array_append_new(ios, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op",
                                           "Write", "value", (json_int_t)wi));
    }
  }
  herr_free(&e);
  json_object_set_new(o, "ioServiceBytesRecursive", bytes);
  json_object_set_new(o, "ioServicedRecursive", ios);
  return o;
}

static json_t *hugetlb_stats(struct cgfs *m)
{
  json_t *o = json_object();
  struct cg_hier *h = cg_locate(m, "hugetlb");
  if (!h)
    return o;
  herr_t e = NULL;
  /* The sizes the kernel supports: /sys/kernel/mm/hugepages/hugepages-<N>kB. */
  static const char *const sizes[] = {"64KB", "2MB", "32MB", "512MB", "1GB", "16GB", NULL};
  for (int i = 0; sizes[i]; i++) {
    _cleanup_free_ char *cur =
        xasprintf("hugetlb.%s.%s", sizes[i], h->v2 ? "current" : "usage_in_bytes");
    if (!cg_file_exists(h->dir, cur))
      continue;
    _cleanup_free_ char *max =
        xasprintf("hugetlb.%s.%s", sizes[i], h->v2 ? "max" : "max_usage_in_bytes");
    _cleanup_free_ char *fc = xasprintf("hugetlb.%s.%s", sizes[i], h->v2 ? "events" : "failcnt");
    uint64_t failcnt = h->v2 ? keyed(h->dir, fc, "max") : rd(h->dir, fc);
    json_object_set_new(o, sizes[i],
                        json_pack("{s:I, s:I, s:I}", "usage", (json_int_t)rd(h->dir, cur), "max",
                                  (json_int_t)rd(h->dir, max), "failcnt", (json_int_t)failcnt));
  }
  herr_free(&e);
  return o;
}

int cg_collect_stats(struct cgfs *m, json_t **out, herr_t *err)
{
  struct cg_hier *p = cg_primary(m);
  if (access(p->dir, F_OK) < 0)
    return herr_sys(err, "cgroup %s", p->dir);
  *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "cpu", cpu_stats(m), "memory", memory_stats(m),
                   "pids", pids_stats(m), "blkio", blkio_stats(m), "hugetlb", hugetlb_stats(m));
  return 0;
}

int cgfs_stats(struct cgfs *m, json_t **out, herr_t *err)
{
  return cg_collect_stats(m, out, err);
}

int cgfs_oom_fd(struct cgfs *m, herr_t *err)
{
  struct cg_hier *h = cg_locate(m, "memory");
  if (!h)
    return -1;
  if (h->v2) {
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (fd < 0)
      return herr_sys(err, "inotify_init1");
    _cleanup_free_ char *p = xasprintf("%s/memory.events", h->dir);
    if (inotify_add_watch(fd, p, IN_MODIFY) < 0) {
      close(fd);
      return herr_sys(err, "watch %s", p);
    }
    m->oom_seen = keyed(h->dir, "memory.events", "oom_kill");
    return fd;
  }
  int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (efd < 0)
    return herr_sys(err, "eventfd");
  _cleanup_free_ char *p = xasprintf("%s/memory.oom_control", h->dir);
  _cleanup_close_ int ofd = open(p, O_RDONLY | O_CLOEXEC);
  if (ofd < 0) {
    close(efd);
    return herr_sys(err, "open %s", p);
  }
  char buf[64];
  snprintf(buf, sizeof(buf), "%d %d", efd, ofd);
  if (cg_write(h->dir, "cgroup.event_control", buf, NULL, err) < 0) {
    close(efd);
    return -1;
  }
  return efd;
}

uint64_t cgfs_oom_kills(struct cgfs *m)
{
  struct cg_hier *h = cg_locate(m, "memory");
  if (!h)
    return 0;
  return keyed(h->dir, h->v2 ? "memory.events" : "memory.oom_control", "oom_kill");
}

int cgfs_oom_check(struct cgfs *m, int fd, bool *oom, herr_t *err)
{
  *oom = false;
  struct cg_hier *h = cg_locate(m, "memory");
  if (!h)
    return 0;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n < 0 && errno != EAGAIN)
    return herr_sys(err, "read OOM notification");
  if (access(h->dir, F_OK) < 0)
    return 0; /* the cgroup went away (v1 signals removal too) */
  if (h->v2) {
    uint64_t k = keyed(h->dir, "memory.events", "oom_kill");
    *oom = k > m->oom_seen;
    m->oom_seen = k;
  } else {
    *oom = n == 8;
  }
  return 0;
}
