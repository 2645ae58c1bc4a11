/* linux.resources: the values, before any cgroup file is written (whether
 * this host has the controller for them is cgroup_apply's to say). */
#include <inttypes.h>
#include <string.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/validate/internal.h"

#define F "linux.resources."

static int check_bytes(bool has, int64_t v, const char *field, herr_t *err)
{
  if (has && v < -1)
    return herr_set(err, 0, F "%s: %" PRId64 " is not valid (expected bytes, or -1 for unlimited)",
                    field, v);
  return 0;
}

static int check_weight(bool has, uint64_t v, const char *field, herr_t *err)
{
  if (has && v != 0 && (v < 10 || v > 1000))
    return herr_set(err, 0, F "%s: %" PRIu64 " is out of range (10-1000)", field, v);
  return 0;
}

static int check_memory(const struct spec_memory *m, herr_t *err)
{
  if (check_bytes(m->has_limit, m->limit, "memory.limit", err) < 0 ||
      check_bytes(m->has_reservation, m->reservation, "memory.reservation", err) < 0 ||
      check_bytes(m->has_swap, m->swap, "memory.swap", err) < 0 ||
      check_bytes(m->has_kernel, m->kernel, "memory.kernel", err) < 0 ||
      check_bytes(m->has_kernel_tcp, m->kernel_tcp, "memory.kernelTCP", err) < 0)
    return -1;
  if (m->has_swappiness && m->swappiness > 100)
    return herr_set(err, 0, F "memory.swappiness: %" PRIu64 " is out of range (0-100)",
                    m->swappiness);
  if (m->has_limit && m->has_swap && m->limit > 0 && m->swap > 0 && m->swap < m->limit)
    return herr_set(err, 0,
                    F "memory.swap: %" PRId64 " is below memory.limit %" PRId64
                      " (swap is the memory+swap total)",
                    m->swap, m->limit);
  return 0;
}

static int check_cpu(const struct spec_cpu *c, herr_t *err)
{
  if (c->has_quota && c->quota < -1)
    return herr_set(err, 0,
                    F "cpu.quota: %" PRId64 " is not valid (microseconds, or -1 for no limit)",
                    c->quota);
  if (c->has_realtime_runtime && c->realtime_runtime < -1)
    return herr_set(err, 0, F "cpu.realtimeRuntime: %" PRId64 " is not valid", c->realtime_runtime);
  if (c->has_idle && c->idle != 0 && c->idle != 1)
    return herr_set(err, 0, F "cpu.idle: %" PRId64 " is not valid (0 or 1)", c->idle);
  return 0;
}

static int check_block_io(const struct spec_block_io *b, herr_t *err)
{
  if (check_weight(b->has_weight, b->weight, "blockIO.weight", err) < 0 ||
      check_weight(b->has_leaf_weight, b->leaf_weight, "blockIO.leafWeight", err) < 0)
    return -1;
  for (size_t i = 0; i < b->n_weight_device; i++)
    if (check_weight(b->weight_device[i].has_weight, b->weight_device[i].weight,
                     "blockIO.weightDevice[].weight", err) < 0 ||
        check_weight(b->weight_device[i].has_leaf_weight, b->weight_device[i].leaf_weight,
                     "blockIO.weightDevice[].leafWeight", err) < 0)
      return -1;
  return 0;
}

int validate_resources(const struct spec_resources *r, herr_t *err)
{
  if (r->has_memory && check_memory(&r->memory, err) < 0)
    return -1;
  if (r->has_cpu && check_cpu(&r->cpu, err) < 0)
    return -1;
  if (r->has_block_io && check_block_io(&r->block_io, err) < 0)
    return -1;
  for (size_t i = 0; i < r->n_devices; i++) {
    const struct spec_device_cgroup *d = &r->devices[i];
    if (d->type != 'a' && d->type != 'b' && d->type != 'c')
      return herr_set(err, 0, F "devices[%zu].type: \"%c\" is not a/b/c", i, d->type);
    for (const char *a = d->access; a && *a; a++)
      if (*a != 'r' && *a != 'w' && *a != 'm')
        return herr_set(err, 0, F "devices[%zu].access: \"%s\" is not a subset of \"rwm\"", i,
                        d->access);
  }
  for (size_t i = 0; i < r->n_hugepage_limits; i++) {
    _cleanup_free_ char *n = NULL;
    if (cgroup_hugepage_name(r->hugepage_limits[i].page_size, &n, err) < 0)
      return -1;
  }
  for (size_t i = 0; i < r->n_unified; i++) {
    const char *k = r->unified[i].key;
    if (!*k || strchr(k, '/') || k[0] == '.' || !strchr(k, '.'))
      return herr_set(err, 0, F "unified: \"%s\" is not a cgroup file name (like memory.high)", k);
  }
  return 0;
}
