/* Resources on cgroup v1 controllers: memory, cpu, blkio, net_cls, net_prio
 * and devices (devices.allow/devices.deny). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "spec/base/log.h"
#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

#define F "linux.resources."

/* A write whose file may be missing on this kernel: fine when the value is the
 * kernel's default (`dflt`). */
static int write_opt(struct cg_hier *h, const char *file, const char *value, bool dflt,
                     const char *field, herr_t *err)
{
  if (dflt && !cg_file_exists(h->dir, file))
    return 0;
  return cg_write(h->dir, file, value, field, err);
}

static int mem_limit_error(struct cg_hier *h, const char *field, int64_t v, herr_t *err)
{
  int64_t usage = 0, peak = 0;
  herr_t ignored = NULL;
  cg_read_int(h->dir, "memory.usage_in_bytes", &usage, &ignored);
  cg_read_int(h->dir, "memory.max_usage_in_bytes", &peak, &ignored);
  herr_free(&ignored);
  return herr_set(err, 0,
                  F "%s: cannot set %" PRId64 " bytes: the container already uses %" PRId64
                    " bytes (peak %" PRId64 ")",
                  field, v, usage, peak);
}

/* memory.limit_in_bytes and memory.memsw.limit_in_bytes: memsw must stay >=
 * the limit, so the order depends on whether they grow or shrink. */
static int v1_limit_and_swap(struct cg_hier *h, const struct spec_memory *mem, herr_t *err)
{
  bool set_limit = mem->has_limit && mem->limit != 0;
  bool set_swap = mem->has_swap && mem->swap != 0;
  int64_t swap = set_swap ? mem->swap : 0;
  /* No memory limit and no swap given: no memory+swap limit either (as runc);
   * memsw below the new limit would make the kernel refuse it (EINVAL). */
  if (set_limit && mem->limit == -1 && !set_swap &&
      cg_file_exists(h->dir, "memory.memsw.limit_in_bytes")) {
    set_swap = true;
    swap = -1;
  }
  if (set_swap && !cg_file_exists(h->dir, "memory.memsw.limit_in_bytes")) {
    if (swap == -1)
      set_swap = false;
    else
      return herr_set(err, 0,
                      F "memory.swap: not supported by this kernel "
                        "(memory.memsw.limit_in_bytes does not exist: swap accounting is off)");
  }
  char lim[32], sw[32];
  snprintf(lim, sizeof(lim), "%" PRId64, set_limit ? mem->limit : 0);
  snprintf(sw, sizeof(sw), "%" PRId64, swap);
  herr_t first = NULL;
  if (set_limit) {
    if (cg_write(h->dir, "memory.limit_in_bytes", lim, F "memory.limit", &first) == 0) {
      if (set_swap && cg_write(h->dir, "memory.memsw.limit_in_bytes", sw, F "memory.swap", err) < 0)
        return -1;
      return 0;
    }
    int e = first->errnum;
    if (e == EBUSY) {
      herr_free(&first);
      return mem_limit_error(h, "memory.limit", mem->limit, err);
    }
    if (!(set_swap && e == EINVAL)) {
      *err = first;
      return -1;
    }
    herr_free(&first);
    /* Growing above the current memsw: memsw first. */
    if (cg_write(h->dir, "memory.memsw.limit_in_bytes", sw, F "memory.swap", err) < 0)
      return -1;
    if (cg_write(h->dir, "memory.limit_in_bytes", lim, F "memory.limit", err) < 0) {
      if ((*err)->errnum == EBUSY) {
        herr_free(err);
        return mem_limit_error(h, "memory.limit", mem->limit, err);
      }
      return -1;
    }
    return 0;
  }
  if (set_swap && cg_write(h->dir, "memory.memsw.limit_in_bytes", sw, F "memory.swap", err) < 0)
    return -1;
  return 0;
}

/* Kernels since 5.16 accept writes to memory.kmem.limit_in_bytes and ignore
 * them: read the value back (the kernel rounds down to whole pages). */
static int check_sticks(struct cg_hier *h, const char *file, int64_t want, const char *field,
                        herr_t *err)
{
  if (want < 0 || !cg_file_exists(h->dir, file))
    return 0;
  int64_t got;
  if (cg_read_int(h->dir, file, &got, err) < 0)
    return -1;
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0)
    page = 4096;
  if (got != want && got != (want / page) * page)
    return herr_set(err, 0, "%s: not supported by this kernel (%s ignores the limit)", field, file);
  return 0;
}

int cg1_memory(struct cg_hier *h, const struct spec_memory *mem, herr_t *err)
{
  char buf[32];
  if (mem->has_check_before_update && mem->check_before_update && mem->has_limit &&
      mem->limit > 0) {
    int64_t usage;
    if (cg_read_int(h->dir, "memory.usage_in_bytes", &usage, err) < 0)
      return -1;
    if (mem->limit < usage)
      return mem_limit_error(h, "memory.limit", mem->limit, err);
  }
  if (mem->has_kernel_tcp && mem->kernel_tcp != 0) {
    snprintf(buf, sizeof(buf), "%" PRId64, mem->kernel_tcp);
    if (write_opt(h, "memory.kmem.tcp.limit_in_bytes", buf, mem->kernel_tcp == -1,
                  F "memory.kernelTCP", err) < 0 ||
        check_sticks(h, "memory.kmem.tcp.limit_in_bytes", mem->kernel_tcp, F "memory.kernelTCP",
                     err) < 0)
      return -1;
  }
  if (v1_limit_and_swap(h, mem, err) < 0)
    return -1;
  if (mem->has_reservation && mem->reservation != 0) {
    snprintf(buf, sizeof(buf), "%" PRId64, mem->reservation);
    if (cg_write(h->dir, "memory.soft_limit_in_bytes", buf, F "memory.reservation", err) < 0)
      return -1;
  }
  if (mem->has_swappiness) {
    snprintf(buf, sizeof(buf), "%" PRIu64, mem->swappiness);
    if (cg_write(h->dir, "memory.swappiness", buf, F "memory.swappiness", err) < 0)
      return -1;
  }
  if (mem->has_disable_oom_killer) {
    if (write_opt(h, "memory.oom_control", mem->disable_oom_killer ? "1" : "0",
                  !mem->disable_oom_killer, F "memory.disableOOMKiller", err) < 0)
      return -1;
  }
  if (mem->has_use_hierarchy) {
    int64_t cur = -2;
    herr_t ignored = NULL;
    cg_read_int(h->dir, "memory.use_hierarchy", &cur, &ignored);
    herr_free(&ignored);
    if (cur != (mem->use_hierarchy ? 1 : 0) &&
        cg_write(h->dir, "memory.use_hierarchy", mem->use_hierarchy ? "1" : "0",
                 F "memory.useHierarchy", err) < 0)
      return -1;
  }
  return 0;
}

int cg1_cpu(struct cg_hier *h, const struct spec_cpu *cpu, herr_t *err)
{
  char q[32], p[32];
  if (cpu->has_shares && cpu->shares) {
    if (cg_writef(h->dir, "cpu.shares", F "cpu.shares", err, "%" PRIu64, cpu->shares) < 0)
      return -1;
  }
  bool set_period = cpu->has_period && cpu->period;
  bool set_quota = cpu->has_quota && cpu->quota != 0;
  snprintf(p, sizeof(p), "%" PRIu64, set_period ? cpu->period : 0);
  snprintf(q, sizeof(q), "%" PRId64, set_quota ? cpu->quota : 0);
  if (set_period) {
    herr_t first = NULL;
    if (cg_write(h->dir, "cpu.cfs_period_us", p, F "cpu.period", &first) < 0) {
      /* A shorter period may be refused while the old quota exceeds it:
       * quota first, then the period. */
      if (!set_quota || first->errnum != EINVAL) {
        *err = first;
        return -1;
      }
      herr_free(&first);
      if (cg_write(h->dir, "cpu.cfs_quota_us", q, F "cpu.quota", err) < 0 ||
          cg_write(h->dir, "cpu.cfs_period_us", p, F "cpu.period", err) < 0)
        return -1;
      set_quota = false;
    }
  }
  if (set_quota && cg_write(h->dir, "cpu.cfs_quota_us", q, F "cpu.quota", err) < 0)
    return -1;
  if (cpu->has_burst && cpu->burst) {
    if (cg_writef(h->dir, "cpu.cfs_burst_us", F "cpu.burst", err, "%" PRIu64, cpu->burst) < 0)
      return -1;
  }
  if (cpu->has_realtime_period && cpu->realtime_period) {
    if (cg_writef(h->dir, "cpu.rt_period_us", F "cpu.realtimePeriod", err, "%" PRIu64,
                  cpu->realtime_period) < 0)
      return -1;
  }
  if (cpu->has_realtime_runtime && cpu->realtime_runtime != 0) {
    if (cg_writef(h->dir, "cpu.rt_runtime_us", F "cpu.realtimeRuntime", err, "%" PRId64,
                  cpu->realtime_runtime) < 0)
      return -1;
  }
  if (cpu->has_idle) {
    if (write_opt(h, "cpu.idle", cpu->idle ? "1" : "0", cpu->idle == 0, F "cpu.idle", err) < 0)
      return -1;
  }
  return 0;
}

static int throttle(struct cg_hier *h, const char *file, const char *field,
                    const struct spec_throttle_device *t, size_t n, herr_t *err)
{
  for (size_t i = 0; i < n; i++)
    if (cg_writef(h->dir, file, field, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major,
                  t[i].minor, t[i].rate) < 0)
      return -1;
  return 0;
}

int cg1_blkio(struct cg_hier *h, const struct spec_block_io *b, herr_t *err)
{
  /* CFQ's blkio.weight is gone from current kernels; BFQ has blkio.bfq.weight. */
  bool bfq = !cg_file_exists(h->dir, "blkio.weight") && cg_file_exists(h->dir, "blkio.bfq.weight");
  const char *wfile = bfq ? "blkio.bfq.weight" : "blkio.weight";
  const char *wdfile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
  if (b->has_weight && b->weight) {
    if (cg_writef(h->dir, wfile, F "blockIO.weight", err, "%u", b->weight) < 0)
      return -1;
  }
  /* CFQ's leaf weights are gone from current kernels; the runtime-spec
   * lets runtimes ignore blockIO.leafWeight: a warning there. */
  bool leaf = cg_file_exists(h->dir, "blkio.leaf_weight");
  if (b->has_leaf_weight && b->leaf_weight) {
    if (!leaf)
      hlog_warn(F "blockIO.leafWeight: ignored (this kernel has no blkio.leaf_weight)");
    else if (cg_writef(h->dir, "blkio.leaf_weight", F "blockIO.leafWeight", err, "%u",
                       b->leaf_weight) < 0)
      return -1;
  }
  for (size_t i = 0; i < b->n_weight_device; i++) {
    const struct spec_weight_device *d = &b->weight_device[i];
    if (d->has_weight && cg_writef(h->dir, wdfile, F "blockIO.weightDevice", err,
                                   "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight) < 0)
      return -1;
    if (d->has_leaf_weight && !leaf)
      hlog_warn(F "blockIO.weightDevice[%zu].leafWeight: ignored (this kernel has no "
                  "blkio.leaf_weight_device)",
                i);
    else if (d->has_leaf_weight &&
             cg_writef(h->dir, "blkio.leaf_weight_device", F "blockIO.weightDevice.leafWeight", err,
                       "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->leaf_weight) < 0)
      return -1;
  }
  if (throttle(h, "blkio.throttle.read_bps_device", F "blockIO.throttleReadBpsDevice",
               b->throttle_read_bps, b->n_throttle_read_bps, err) < 0 ||
      throttle(h, "blkio.throttle.write_bps_device", F "blockIO.throttleWriteBpsDevice",
               b->throttle_write_bps, b->n_throttle_write_bps, err) < 0 ||
      throttle(h, "blkio.throttle.read_iops_device", F "blockIO.throttleReadIOPSDevice",
               b->throttle_read_iops, b->n_throttle_read_iops, err) < 0 ||
      throttle(h, "blkio.throttle.write_iops_device", F "blockIO.throttleWriteIOPSDevice",
               b->throttle_write_iops, b->n_throttle_write_iops, err) < 0)
    return -1;
  return 0;
}

int cg1_net_cls(struct cg_hier *h, const struct spec_network *net, herr_t *err)
{
  return cg_writef(h->dir, "net_cls.classid", F "network.classID", err, "%u", net->class_id);
}

int cg1_net_prio(struct cg_hier *h, const struct spec_network *net, herr_t *err)
{
  for (size_t i = 0; i < net->n_priorities; i++)
    if (cg_writef(h->dir, "net_prio.ifpriomap", F "network.priorities", err, "%s %u",
                  net->priorities[i].name, net->priorities[i].priority) < 0)
      return -1;
  return 0;
}

/* The devices every container gets, as runc 1.1 (its specconv
 * AllowedDevices): mknod of anything, /dev/null, random, full, tty (5:0),
 * zero, urandom, the container's ptys (136:*), ptmx (5:2) and tun (10:200).
 * Not 5:1: that is the host's system console (the container's /dev/console
 * is a bind of its own pty). */
static const struct {
  char type;
  int64_t major, minor; /* -1: any */
  const char *access;
} default_devices[] = {
    {'c', -1, -1, "m"},    {'b', -1, -1, "m"}, {'c', 1, 3, "rwm"},    {'c', 1, 8, "rwm"},
    {'c', 1, 7, "rwm"},    {'c', 5, 0, "rwm"}, {'c', 1, 5, "rwm"},    {'c', 1, 9, "rwm"},
    {'c', 136, -1, "rwm"}, {'c', 5, 2, "rwm"}, {'c', 10, 200, "rwm"},
};

size_t cg_default_devices(struct spec_device_cgroup **out)
{
  size_t n = sizeof(default_devices) / sizeof(default_devices[0]);
  struct spec_device_cgroup *d = xcalloc(n, sizeof(*d));
  for (size_t i = 0; i < n; i++) {
    d[i].allow = true;
    d[i].type = default_devices[i].type;
    d[i].has_major = default_devices[i].major >= 0;
    d[i].major = default_devices[i].major;
    d[i].has_minor = default_devices[i].minor >= 0;
    d[i].minor = default_devices[i].minor;
    d[i].access = (char *)default_devices[i].access;
  }
  *out = d;
  return n;
}

static char *rule_text(char type, bool has_major, int64_t major, bool has_minor, int64_t minor,
                       const char *access)
{
  char ma[24] = "*", mi[24] = "*";
  if (has_major && major >= 0)
    snprintf(ma, sizeof(ma), "%" PRId64, major);
  if (has_minor && minor >= 0)
    snprintf(mi, sizeof(mi), "%" PRId64, minor);
  return xasprintf("%c %s:%s %s", type, ma, mi, access && *access ? access : "rwm");
}

/* devices.allow and devices.deny, each opened once for all the rules
 * written to it (v1 takes one rule per write). */
struct dev_files {
  const char *dir;
  int fd[2]; /* [0] deny, [1] allow */
};

static int dev_write(struct dev_files *f, bool allow, const char *rule, const char *field,
                     herr_t *err)
{
  const char *file = allow ? "devices.allow" : "devices.deny";
  if (f->fd[allow] < 0) {
    _cleanup_free_ char *path = xasprintf("%s/%s", f->dir, file);
    f->fd[allow] = open(path, O_WRONLY | O_CLOEXEC);
    if (f->fd[allow] < 0)
      return herr_sys(err, "%s: open %s", field, path);
  }
  ssize_t n;
  do
    n = write(f->fd[allow], rule, strlen(rule));
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return herr_sys(err, "%s: write \"%s\" to %s", field, rule, file);
  return 0;
}

static int write_device_rules(struct dev_files *f, const struct spec_device_cgroup *d, size_t n,
                              herr_t *err)
{
  /* Whitelist mode first (as runc): nothing is allowed but what follows. */
  if (dev_write(f, false, "a", F "devices", err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *field = xasprintf(F "devices[%zu]", i);
    bool all = d[i].type == 'a' && !(d[i].has_major && d[i].major >= 0) &&
               !(d[i].has_minor && d[i].minor >= 0);
    if (all && !d[i].allow && i == 0)
      continue; /* the "deny all" every config starts with: written above */
    _cleanup_free_ char *rule = all ? xstrdup("a") : NULL;
    if (!rule) {
      if (d[i].type == 'a') {
        /* "a" with a number: both block and character devices. */
        _cleanup_free_ char *c =
            rule_text('c', d[i].has_major, d[i].major, d[i].has_minor, d[i].minor, d[i].access);
        _cleanup_free_ char *b =
            rule_text('b', d[i].has_major, d[i].major, d[i].has_minor, d[i].minor, d[i].access);
        if (dev_write(f, d[i].allow, c, field, err) < 0 ||
            dev_write(f, d[i].allow, b, field, err) < 0)
          return -1;
        continue;
      }
      rule =
          rule_text(d[i].type, d[i].has_major, d[i].major, d[i].has_minor, d[i].minor, d[i].access);
    }
    if (dev_write(f, d[i].allow, rule, field, err) < 0)
      return -1;
  }
  struct spec_device_cgroup *defs;
  size_t nd = cg_default_devices(&defs);
  for (size_t i = 0; i < nd; i++) {
    _cleanup_free_ char *rule = rule_text(defs[i].type, defs[i].has_major, defs[i].major,
                                          defs[i].has_minor, defs[i].minor, defs[i].access);
    if (dev_write(f, true, rule, F "devices", err) < 0) {
      free(defs);
      return -1;
    }
  }
  free(defs);
  return 0;
}

int cg1_devices(struct cg_hier *h, const struct spec_device_cgroup *d, size_t n, herr_t *err)
{
  struct dev_files f = {.dir = h->dir, .fd = {-1, -1}};
  int r = write_device_rules(&f, d, n, err);
  for (int i = 0; i < 2; i++)
    if (f.fd[i] >= 0)
      close(f.fd[i]);
  return r;
}
