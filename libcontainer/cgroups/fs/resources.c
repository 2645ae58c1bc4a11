/* linux.resources (values checked by validate_resources): conversions, and dispatch of every
 * resource to the hierarchy that holds its controller (v1 files or v2 files). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "spec/base/log.h"
#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

#define F "linux.resources."

uint64_t cg_shares_to_weight(uint64_t shares)
{
  if (shares == 0)
    return 0;
  if (shares < 2)
    shares = 2;
  if (shares > 262144)
    shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_to_io_weight(uint64_t weight)
{
  if (weight == 0)
    return 0;
  if (weight < 10)
    weight = 10;
  if (weight > 1000)
    weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

int cg_swap_v2(int64_t swap, int64_t limit, bool has_limit, int64_t *out, herr_t *err)
{
  if (!has_limit)
    limit = 0;
  /* Unlimited memory and no swap given: both unlimited, as on v1. */
  if (limit == -1 && swap == 0) {
    *out = -1;
    return 0;
  }
  if (swap == -1) {
    *out = -1;
    return 0;
  }
  if (swap == 0) {
    *out = -2;
    return 0;
  }
  if (limit == 0 || limit == -1)
    return herr_set(err, 0, F "memory.swap: a swap limit needs a memory limit (memory.limit)");
  if (swap < limit)
    return herr_set(err, 0,
                    F "memory.swap: %" PRId64 " is below memory.limit %" PRId64
                      " (swap is the memory+swap total)",
                    swap, limit);
  *out = swap - limit;
  return 0;
}

/* ---- dispatch ---------------------------------------------------------- */

static int unavailable(const char *field, const char *ctrl, herr_t *err)
{
  return herr_set(err, 0, F "%s: not supported on this host (the %s controller is not available)",
                  field, ctrl);
}

/* Find a controller; on v2 make sure it is enabled for the container. */
static int need(struct cgfs *m, const char *ctrl, const char *field, struct cg_hier **out,
                herr_t *err)
{
  struct cg_hier *h = cg_locate(m, ctrl);
  if (!h)
    return unavailable(field, ctrl, err);
  if (h->v2 && cg2_enable_controller(h, ctrl, err) < 0)
    return herr_wrap(err, F "%s", field);
  *out = h;
  return 0;
}

static bool memory_is_default(const struct spec_memory *m)
{
  return !(m->has_limit && m->limit > 0) && !(m->has_reservation && m->reservation > 0) &&
         !(m->has_swap && m->swap > 0) && !(m->has_kernel_tcp && m->kernel_tcp > 0) &&
         !m->has_swappiness && !(m->has_disable_oom_killer && m->disable_oom_killer);
}

static bool cpu_is_default(const struct spec_cpu *c)
{
  return !(c->has_shares && c->shares) && !(c->has_quota && c->quota > 0) &&
         !(c->has_period && c->period) && !(c->has_burst && c->burst) &&
         !(c->has_realtime_runtime && c->realtime_runtime > 0) &&
         !(c->has_realtime_period && c->realtime_period) && !(c->has_idle && c->idle);
}

static bool blkio_is_set(const struct spec_block_io *b)
{
  return (b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) ||
         b->n_weight_device || b->n_throttle_read_bps || b->n_throttle_write_bps ||
         b->n_throttle_read_iops || b->n_throttle_write_iops;
}

int cg_apply_resources(struct cgfs *m, const struct spec_resources *r, herr_t *err)
{
  struct cg_hier *h;
  /* Deprecated, and the runtime-spec says runtimes MAY ignore it: ignored
   * with a warning, as runc (kernels >= 5.16 no longer honour it anyway). */
  if (r->has_memory && r->memory.has_kernel && r->memory.kernel > 0)
    hlog_warn(F "memory.kernel: ignored (kernel memory limits are deprecated)");

  if (r->has_cpu && (r->cpu.cpus || r->cpu.mems)) {
    if (need(m, "cpuset", r->cpu.cpus ? "cpu.cpus" : "cpu.mems", &h, err) < 0 ||
        cg_cpuset(h, &r->cpu, err) < 0)
      return -1;
  }

  if (r->n_devices || m->dev_defaults_pending) {
    h = cg_locate(m, "devices");
    struct cg_hier *u = cg_unified(m);
    if (h) {
      if (cg1_devices(h, r->devices, r->n_devices, err) < 0)
        return -1;
    } else if (u) {
      if (cg_bpf_devices_apply(u->dir, r->devices, r->n_devices, err) < 0)
        return herr_wrap(err, F "devices");
    } else if (r->n_devices) {
      return unavailable("devices", "devices", err);
    }
    m->dev_defaults_pending = false;
  }

  if (r->has_memory && !memory_is_default(&r->memory)) {
    if (need(m, "memory", "memory", &h, err) < 0)
      return -1;
    if ((h->v2 ? cg2_memory(h, &r->memory, err) : cg1_memory(h, &r->memory, err)) < 0)
      return -1;
  } else if (r->has_memory && cg_locate(m, "memory")) {
    h = cg_locate(m, "memory");
    if ((h->v2 ? cg2_memory(h, &r->memory, err) : cg1_memory(h, &r->memory, err)) < 0)
      return -1;
  }

  /* Default values (e.g. quota -1 to lift a limit) only where the
   * controller exists. */
  h = NULL;
  if (r->has_cpu && !cpu_is_default(&r->cpu)) {
    if (need(m, "cpu", "cpu", &h, err) < 0)
      return -1;
  } else if (r->has_cpu) {
    h = cg_locate(m, "cpu");
  }
  if (h && (h->v2 ? cg2_cpu(h, &r->cpu, err) : cg1_cpu(h, &r->cpu, err)) < 0)
    return -1;

  if (r->has_pids) {
    h = cg_locate(m, "pids");
    if (!h && r->pids_limit > 0)
      return unavailable("pids.limit", "pids", err);
    if (h && h->v2 && cg2_enable_controller(h, "pids", err) < 0)
      return herr_wrap(err, F "pids.limit");
    if (h && cg_pids(h, r->pids_limit, err) < 0)
      return -1;
  }

  if (r->has_block_io && blkio_is_set(&r->block_io)) {
    h = cg_locate(m, "blkio");
    if (h && !h->v2) {
      if (cg1_blkio(h, &r->block_io, err) < 0)
        return -1;
    } else {
      if (need(m, "io", "blockIO", &h, err) < 0 || cg2_io(h, &r->block_io, err) < 0)
        return -1;
    }
  }

  if (r->n_hugepage_limits) {
    if (need(m, "hugetlb", "hugepageLimits", &h, err) < 0 ||
        cg_hugetlb(h, r->hugepage_limits, r->n_hugepage_limits, err) < 0)
      return -1;
  }

  if (r->has_network && r->network.has_class_id) {
    h = cg_locate(m, "net_cls");
    if (!h || h->v2)
      return herr_set(err, 0,
                      F "network.classID: not supported on this host (the net_cls controller "
                        "is %s)",
                      cg_unified(m) && m->mode == CG_MODE_UNIFIED ? "cgroup v1 only"
                                                                  : "not mounted");
    if (cg1_net_cls(h, &r->network, err) < 0)
      return -1;
  }
  if (r->has_network && r->network.n_priorities) {
    h = cg_locate(m, "net_prio");
    if (!h || h->v2)
      return herr_set(err, 0,
                      F "network.priorities: not supported on this host (the net_prio "
                        "controller is %s)",
                      cg_unified(m) && m->mode == CG_MODE_UNIFIED ? "cgroup v1 only"
                                                                  : "not mounted");
    if (cg1_net_prio(h, &r->network, err) < 0)
      return -1;
  }

  if (r->n_rdma) {
    if (need(m, "rdma", "rdma", &h, err) < 0 || cg_rdma(h, r->rdma, r->n_rdma, err) < 0)
      return -1;
  }

  if (r->n_unified && cg2_unified(m, r->unified, r->n_unified, err) < 0)
    return -1;
  return 0;
}

int cg2_unified(struct cgfs *m, const struct spec_kv *kv, size_t n, herr_t *err)
{
  struct cg_hier *u = cg_unified(m);
  if (!u)
    return herr_set(err, 0, F "unified: needs cgroup v2, and this host has only cgroup v1");
  for (size_t i = 0; i < n; i++) {
    const char *k = kv[i].key;
    _cleanup_free_ char *ctrl = xasprintf("%.*s", (int)strcspn(k, "."), k);
    _cleanup_free_ char *field = xasprintf(F "unified[\"%s\"]", k);
    if (strcmp(ctrl, "cgroup") != 0) {
      struct cg_hier *h = cg_locate(m, ctrl);
      if (!h && !cg_file_exists(u->dir, k))
        return herr_set(err, 0,
                        "%s: not supported on this host (no %s controller in the unified "
                        "hierarchy)",
                        field, ctrl);
      if (h && !h->v2)
        return herr_set(err, 0,
                        "%s: the %s controller is on cgroup v1 on this host (use the v1 fields "
                        "of linux.resources)",
                        field, ctrl);
      if (h && cg2_enable_controller(h, ctrl, err) < 0)
        return herr_wrap(err, "%s", field);
    }
    if (cg_write(u->dir, k, kv[i].value, field, err) < 0)
      return -1;
  }
  return 0;
}
