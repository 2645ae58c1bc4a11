/* Resources on cgroup v2 (unified) controllers: memory, cpu, io; and the
 * controllers whose files barely differ between v1 and v2: cpuset, pids,
 * hugetlb, rdma. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "spec/base/log.h"
#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

#define F "linux.resources."

static void fmt_max(char *buf, size_t len, int64_t v)
{
  if (v < 0)
    snprintf(buf, len, "max");
  else
    snprintf(buf, len, "%" PRId64, v);
}

int cg2_memory(struct cg_hier *h, const struct spec_memory *mem, herr_t *err)
{
  char buf[32];
  if (mem->has_check_before_update && mem->check_before_update && mem->has_limit &&
      mem->limit > 0) {
    int64_t usage;
    if (cg_read_int(h->dir, "memory.current", &usage, err) < 0)
      return -1;
    if (mem->limit < usage)
      return herr_set(err, 0,
                      F "memory.limit: cannot set %" PRId64 " bytes: the container already "
                        "uses %" PRId64 " bytes",
                      mem->limit, usage);
  }
  if (mem->has_kernel_tcp && mem->kernel_tcp > 0)
    return herr_set(err, 0, F "memory.kernelTCP: not supported on cgroup v2");
  if (mem->has_disable_oom_killer && mem->disable_oom_killer)
    return herr_set(err, 0, F "memory.disableOOMKiller: not supported on cgroup v2");
  if (mem->has_swappiness)
    return herr_set(err, 0,
                    F "memory.swappiness: not supported on cgroup v2 (no per-cgroup swappiness)");
  if (mem->has_swap) {
    int64_t sw;
    if (cg_swap_v2(mem->swap, mem->limit, mem->has_limit, &sw, err) < 0)
      return -1;
    if (sw != -2) {
      fmt_max(buf, sizeof(buf), sw);
      bool exists = cg_file_exists(h->dir, "memory.swap.max");
      if (!exists && sw != -1)
        return herr_set(err, 0,
                        F "memory.swap: not supported by this kernel (memory.swap.max does not "
                          "exist: swap accounting is off)");
      /* Set swap.max first when shrinking memory.max would push pages out. */
      if (exists && cg_write(h->dir, "memory.swap.max", buf, F "memory.swap", err) < 0)
        return -1;
    }
  } else if (mem->has_limit && mem->limit == -1 && cg_file_exists(h->dir, "memory.swap.max")) {
    if (cg_write(h->dir, "memory.swap.max", "max", F "memory.swap", err) < 0)
      return -1;
  }
  if (mem->has_limit && mem->limit != 0) {
    fmt_max(buf, sizeof(buf), mem->limit);
    if (cg_write(h->dir, "memory.max", buf, F "memory.limit", err) < 0)
      return -1;
  }
  if (mem->has_reservation && mem->reservation != 0) {
    fmt_max(buf, sizeof(buf), mem->reservation);
    if (cg_write(h->dir, "memory.low", buf, F "memory.reservation", err) < 0)
      return -1;
  }
  return 0;
}

int cg2_cpu(struct cg_hier *h, const struct spec_cpu *cpu, herr_t *err)
{
  if (cpu->has_realtime_runtime && cpu->realtime_runtime > 0)
    return herr_set(err, 0, F "cpu.realtimeRuntime: not supported on cgroup v2");
  if (cpu->has_realtime_period && cpu->realtime_period)
    return herr_set(err, 0, F "cpu.realtimePeriod: not supported on cgroup v2");
  if (cpu->has_shares && cpu->shares) {
    if (cg_writef(h->dir, "cpu.weight", F "cpu.shares", err, "%" PRIu64,
                  cg_shares_to_weight(cpu->shares)) < 0)
      return -1;
  }
  bool set_quota = cpu->has_quota && cpu->quota != 0;
  bool set_period = cpu->has_period && cpu->period;
  if (set_quota || set_period) {
    char q[32] = "max";
    if (set_quota && cpu->quota > 0) {
      snprintf(q, sizeof(q), "%" PRId64, cpu->quota);
    } else if (!set_quota) {
      /* Only the period: keep the current quota. */
      _cleanup_free_ char *cur = NULL;
      if (cg_read(h->dir, "cpu.max", &cur, err) < 0)
        return herr_wrap(err, F "cpu.period");
      snprintf(q, sizeof(q), "%.*s", (int)strcspn(cur, " \n"), cur);
    }
    int r = set_period
                ? cg_writef(h->dir, "cpu.max", F "cpu.quota", err, "%s %" PRIu64, q, cpu->period)
                : cg_write(h->dir, "cpu.max", q, F "cpu.quota", err);
    if (r < 0)
      return -1;
  }
  if (cpu->has_burst && cpu->burst) {
    if (cg_writef(h->dir, "cpu.max.burst", F "cpu.burst", err, "%" PRIu64, cpu->burst) < 0)
      return -1;
  }
  if (cpu->has_idle) {
    if (cpu->idle == 0 && !cg_file_exists(h->dir, "cpu.idle"))
      return 0;
    if (cg_writef(h->dir, "cpu.idle", F "cpu.idle", err, "%" PRId64, cpu->idle) < 0)
      return -1;
  }
  return 0;
}

static int io_max(struct cg_hier *h, const char *key, const char *field,
                  const struct spec_throttle_device *t, size_t n, herr_t *err)
{
  for (size_t i = 0; i < n; i++) {
    char v[32] = "max";
    if (t[i].rate)
      snprintf(v, sizeof(v), "%" PRIu64, t[i].rate);
    if (cg_writef(h->dir, "io.max", field, err, "%" PRId64 ":%" PRId64 " %s=%s", t[i].major,
                  t[i].minor, key, v) < 0)
      return -1;
  }
  return 0;
}

int cg2_io(struct cg_hier *h, const struct spec_block_io *b, herr_t *err)
{
  /* cgroup v2 has no leaf weights; the runtime-spec lets runtimes ignore them. */
  if (b->has_leaf_weight && b->leaf_weight)
    hlog_warn(F "blockIO.leafWeight: ignored (cgroup v2 has no leaf weight)");
  /* BFQ takes the blkio weight as is (10-1000); io.weight is 1-10000. */
  bool bfq = cg_file_exists(h->dir, "io.bfq.weight");
  if (b->has_weight && b->weight) {
    int r = bfq ? cg_writef(h->dir, "io.bfq.weight", F "blockIO.weight", err, "%u", b->weight)
                : cg_writef(h->dir, "io.weight", F "blockIO.weight", err, "default %" PRIu64,
                            cg_blkio_to_io_weight(b->weight));
    if (r < 0)
      return -1;
  }
  for (size_t i = 0; i < b->n_weight_device; i++) {
    const struct spec_weight_device *d = &b->weight_device[i];
    if (d->has_leaf_weight && d->leaf_weight)
      hlog_warn(F "blockIO.weightDevice[%zu].leafWeight: ignored (cgroup v2 has no leaf weight)",
                i);
    if (!d->has_weight)
      continue;
    int r = bfq ? cg_writef(h->dir, "io.bfq.weight", F "blockIO.weightDevice", err,
                            "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, d->weight)
                : cg_writef(h->dir, "io.weight", F "blockIO.weightDevice", err,
                            "%" PRId64 ":%" PRId64 " %" PRIu64, d->major, d->minor,
                            cg_blkio_to_io_weight(d->weight));
    if (r < 0)
      return -1;
  }
  if (io_max(h, "rbps", F "blockIO.throttleReadBpsDevice", b->throttle_read_bps,
             b->n_throttle_read_bps, err) < 0 ||
      io_max(h, "wbps", F "blockIO.throttleWriteBpsDevice", b->throttle_write_bps,
             b->n_throttle_write_bps, err) < 0 ||
      io_max(h, "riops", F "blockIO.throttleReadIOPSDevice", b->throttle_read_iops,
             b->n_throttle_read_iops, err) < 0 ||
      io_max(h, "wiops", F "blockIO.throttleWriteIOPSDevice", b->throttle_write_iops,
             b->n_throttle_write_iops, err) < 0)
    return -1;
  return 0;
}

/* ---- v1 and v2 alike -------------------------------------------------- */

int cg_cpuset(struct cg_hier *h, const struct spec_cpu *cpu, herr_t *err)
{
  if (cpu->cpus && cg_write(h->dir, "cpuset.cpus", cpu->cpus, F "cpu.cpus", err) < 0)
    return -1;
  if (cpu->mems && cg_write(h->dir, "cpuset.mems", cpu->mems, F "cpu.mems", err) < 0)
    return -1;
  return 0;
}

int cg_pids(struct cg_hier *h, int64_t limit, herr_t *err)
{
  /* As runc: 0 leaves the limit alone, negative is unlimited. */
  if (limit == 0)
    return 0;
  if (limit < 0)
    return cg_write(h->dir, "pids.max", "max", F "pids.limit", err);
  return cg_writef(h->dir, "pids.max", F "pids.limit", err, "%" PRId64, limit);
}

int cg_hugetlb(struct cg_hier *h, const struct spec_hugepage_limit *l, size_t n, herr_t *err)
{
  const char *suffix = h->v2 ? "max" : "limit_in_bytes";
  for (size_t i = 0; i < n; i++) {
    _cleanup_free_ char *size = NULL;
    if (cgroup_hugepage_name(l[i].page_size, &size, err) < 0)
      return -1;
    _cleanup_free_ char *file = xasprintf("hugetlb.%s.%s", size, suffix);
    _cleanup_free_ char *field = xasprintf(F "hugepageLimits[%zu] (%s)", i, size);
    if (!cg_file_exists(h->dir, file))
      return herr_set(err, 0, "%s: this host has no %s huge pages (%s does not exist)", field, size,
                      file);
    if (cg_writef(h->dir, file, field, err, "%" PRIu64, l[i].limit) < 0)
      return -1;
    /* The reservation limit too, where the kernel has it (as runc). */
    _cleanup_free_ char *rsvd = xasprintf("hugetlb.%s.rsvd.%s", size, suffix);
    if (cg_file_exists(h->dir, rsvd) &&
        cg_writef(h->dir, rsvd, field, err, "%" PRIu64, l[i].limit) < 0)
      return -1;
  }
  return 0;
}

int cg_rdma(struct cg_hier *h, const struct spec_rdma *r, size_t n, herr_t *err)
{
  for (size_t i = 0; i < n; i++) {
    char hh[32] = "max", ho[32] = "max";
    if (r[i].has_hca_handles)
      snprintf(hh, sizeof(hh), "%u", r[i].hca_handles);
    if (r[i].has_hca_objects)
      snprintf(ho, sizeof(ho), "%u", r[i].hca_objects);
    _cleanup_free_ char *field = xasprintf(F "rdma[\"%s\"]", r[i].device);
    if (cg_writef(h->dir, "rdma.max", field, err, "%s hca_handle=%s hca_object=%s", r[i].device, hh,
                  ho) < 0)
      return -1;
  }
  return 0;
}
