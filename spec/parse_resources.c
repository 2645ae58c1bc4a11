/* linux.resources: cgroup limits. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/base/util.h"
#include "spec/internal.h"

/* Optional value helpers: set has_x from the getter's result. */
#define OPT(call, has)                                                                             \
  do {                                                                                             \
    int _r = (call);                                                                               \
    if (_r < 0)                                                                                    \
      return -1;                                                                                   \
    (has) = _r > 0;                                                                                \
  } while (0)

static int parse_device_cgroup(struct jctx *c, json_t *o, struct spec_device_cgroup *d)
{
  int r;
  _cleanup_free_ char *type = NULL;
  if (jv_object(c, o) < 0 || jc_bool(c, o, "allow", true, &d->allow) < 0 ||
      (r = jc_string(c, o, "type", false, &type)) < 0)
    return -1;
  d->type = 'a';
  if (r > 0) {
    if (strlen(type) != 1 || strchr("acb", type[0]) == NULL)
      return jc_fail_at(c, "type", "unknown device type \"%s\" (expected a, c or b)", type);
    d->type = type[0];
  }
  OPT(jc_int(c, o, "major", false, -1, INT64_MAX, &d->major), d->has_major);
  OPT(jc_int(c, o, "minor", false, -1, INT64_MAX, &d->minor), d->has_minor);
  if ((r = jc_string(c, o, "access", false, &d->access)) < 0)
    return -1;
  if (r > 0) {
    for (const char *p = d->access; *p; p++)
      if (*p != 'r' && *p != 'w' && *p != 'm')
        return jc_fail_at(c, "access", "invalid access \"%s\" (expected letters r, w, m)",
                          d->access);
  }
  return 0;
}

static int parse_memory(struct jctx *c, json_t *o, struct spec_memory *mem)
{
  OPT(jc_int(c, o, "limit", false, -1, INT64_MAX, &mem->limit), mem->has_limit);
  OPT(jc_int(c, o, "reservation", false, -1, INT64_MAX, &mem->reservation), mem->has_reservation);
  OPT(jc_int(c, o, "swap", false, -1, INT64_MAX, &mem->swap), mem->has_swap);
  OPT(jc_int(c, o, "kernel", false, -1, INT64_MAX, &mem->kernel), mem->has_kernel);
  OPT(jc_int(c, o, "kernelTCP", false, -1, INT64_MAX, &mem->kernel_tcp), mem->has_kernel_tcp);
  int64_t sw;
  int r = jc_int(c, o, "swappiness", false, 0, 100, &sw);
  if (r < 0)
    return -1;
  if ((mem->has_swappiness = r > 0))
    mem->swappiness = (uint64_t)sw;
  OPT(jc_bool(c, o, "disableOOMKiller", false, &mem->disable_oom_killer),
      mem->has_disable_oom_killer);
  OPT(jc_bool(c, o, "useHierarchy", false, &mem->use_hierarchy), mem->has_use_hierarchy);
  OPT(jc_bool(c, o, "checkBeforeUpdate", false, &mem->check_before_update),
      mem->has_check_before_update);
  /* swap is memory+swap: it cannot be below the memory limit. */
  if (mem->has_limit && mem->has_swap && mem->limit > 0 && mem->swap > 0 && mem->swap < mem->limit)
    return jc_fail_at(c, "swap",
                      "memory+swap limit %" PRId64 " is below the memory limit %" PRId64
                      " (swap counts memory plus swap)",
                      mem->swap, mem->limit);
  return 0;
}

/* A CPU or memory-node list such as "0-3,7" ("" means unset). */
static int parse_list(struct jctx *c, json_t *o, const char *key, char **out)
{
  int r = jc_string(c, o, key, false, out);
  if (r <= 0)
    return r;
  for (const char *p = *out; *p; p++)
    if (!((*p >= '0' && *p <= '9') || *p == '-' || *p == ','))
      return jc_fail_at(c, key, "invalid list \"%s\" (expected e.g. \"0-3,7\")", *out);
  return 1;
}

static int parse_cpu(struct jctx *c, json_t *o, struct spec_cpu *cpu)
{
  int64_t shares;
  int r = jc_int(c, o, "shares", false, 0, 262144, &shares); /* the kernel's maximum */
  if (r < 0)
    return -1;
  if ((cpu->has_shares = r > 0))
    cpu->shares = (uint64_t)shares;
  OPT(jc_int(c, o, "quota", false, -1, INT64_MAX, &cpu->quota), cpu->has_quota);
  OPT(jc_u64(c, o, "burst", false, &cpu->burst), cpu->has_burst);
  OPT(jc_u64(c, o, "period", false, &cpu->period), cpu->has_period);
  OPT(jc_int(c, o, "realtimeRuntime", false, -1, INT64_MAX, &cpu->realtime_runtime),
      cpu->has_realtime_runtime);
  OPT(jc_u64(c, o, "realtimePeriod", false, &cpu->realtime_period), cpu->has_realtime_period);
  if (parse_list(c, o, "cpus", &cpu->cpus) < 0 || parse_list(c, o, "mems", &cpu->mems) < 0)
    return -1;
  OPT(jc_int(c, o, "idle", false, 0, 1, &cpu->idle), cpu->has_idle);
  return 0;
}

static int parse_weight(struct jctx *c, json_t *o, const char *key, uint16_t *out, bool *has)
{
  int64_t x;
  int r = jc_int(c, o, key, false, 10, 1000, &x);
  if (r < 0)
    return -1;
  if ((*has = r > 0))
    *out = (uint16_t)x;
  return 0;
}

static int parse_throttle(struct jctx *c, json_t *o, const char *key,
                          struct spec_throttle_device **out, size_t *n)
{
  json_t *a;
  int r = jc_array(c, o, key, false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  *out = xcalloc(len, sizeof(**out));
  *n = len;
  size_t m = jc_key(c, key);
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *e = json_array_get(a, i);
    struct spec_throttle_device *t = &(*out)[i];
    if (jv_object(c, e) < 0 || jc_int(c, e, "major", true, 0, INT64_MAX, &t->major) < 0 ||
        jc_int(c, e, "minor", true, 0, INT64_MAX, &t->minor) < 0 ||
        jc_u64(c, e, "rate", true, &t->rate) < 0)
      return -1;
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 1;
}

static int parse_block_io(struct jctx *c, json_t *o, struct spec_block_io *b)
{
  if (parse_weight(c, o, "weight", &b->weight, &b->has_weight) < 0 ||
      parse_weight(c, o, "leafWeight", &b->leaf_weight, &b->has_leaf_weight) < 0)
    return -1;
  json_t *a;
  int r = jc_array(c, o, "weightDevice", false, &a);
  if (r < 0)
    return -1;
  if (r > 0) {
    size_t len = json_array_size(a);
    b->weight_device = xcalloc(len, sizeof(*b->weight_device));
    b->n_weight_device = len;
    size_t m = jc_key(c, "weightDevice");
    for (size_t i = 0; i < len; i++) {
      size_t m2 = jc_idx(c, i);
      json_t *e = json_array_get(a, i);
      struct spec_weight_device *w = &b->weight_device[i];
      if (jv_object(c, e) < 0 || jc_int(c, e, "major", true, 0, INT64_MAX, &w->major) < 0 ||
          jc_int(c, e, "minor", true, 0, INT64_MAX, &w->minor) < 0 ||
          parse_weight(c, e, "weight", &w->weight, &w->has_weight) < 0 ||
          parse_weight(c, e, "leafWeight", &w->leaf_weight, &w->has_leaf_weight) < 0)
        return -1;
      jc_pop(c, m2);
    }
    jc_pop(c, m);
  }
  if (parse_throttle(c, o, "throttleReadBpsDevice", &b->throttle_read_bps,
                     &b->n_throttle_read_bps) < 0 ||
      parse_throttle(c, o, "throttleWriteBpsDevice", &b->throttle_write_bps,
                     &b->n_throttle_write_bps) < 0 ||
      parse_throttle(c, o, "throttleReadIOPSDevice", &b->throttle_read_iops,
                     &b->n_throttle_read_iops) < 0 ||
      parse_throttle(c, o, "throttleWriteIOPSDevice", &b->throttle_write_iops,
                     &b->n_throttle_write_iops) < 0)
    return -1;
  return 0;
}

/* "<digits><unit>" with unit KB, MB, GB, TB or PB ("2MB", "1GB", "64KB"). */
static bool valid_page_size(const char *s)
{
  const char *p = s;
  while (*p >= '0' && *p <= '9')
    p++;
  if (p == s || strlen(p) != 2 || p[1] != 'B')
    return false;
  return strchr("KMGTP", p[0]) != NULL;
}

static int parse_hugepages(struct jctx *c, json_t *o, struct spec_resources *r)
{
  json_t *a;
  int rc = jc_array(c, o, "hugepageLimits", false, &a);
  if (rc <= 0)
    return rc;
  size_t len = json_array_size(a);
  r->hugepage_limits = xcalloc(len, sizeof(*r->hugepage_limits));
  r->n_hugepage_limits = len;
  size_t m = jc_key(c, "hugepageLimits");
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *e = json_array_get(a, i);
    struct spec_hugepage_limit *h = &r->hugepage_limits[i];
    if (jv_object(c, e) < 0 || jc_string(c, e, "pageSize", true, &h->page_size) < 0 ||
        jc_u64(c, e, "limit", true, &h->limit) < 0)
      return -1;
    if (!valid_page_size(h->page_size))
      return jc_fail_at(c, "pageSize", "invalid page size \"%s\" (expected e.g. \"2MB\", \"1GB\")",
                        h->page_size);
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_network(struct jctx *c, json_t *o, struct spec_network *n)
{
  OPT(jc_u32(c, o, "classID", false, &n->class_id), n->has_class_id);
  json_t *a;
  int r = jc_array(c, o, "priorities", false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  n->priorities = xcalloc(len, sizeof(*n->priorities));
  n->n_priorities = len;
  size_t m = jc_key(c, "priorities");
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *e = json_array_get(a, i);
    if (jv_object(c, e) < 0 || jc_string(c, e, "name", true, &n->priorities[i].name) < 0 ||
        jc_u32(c, e, "priority", true, &n->priorities[i].priority) < 0)
      return -1;
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_rdma(struct jctx *c, json_t *o, struct spec_resources *r)
{
  json_t *ro;
  int rc = jc_object(c, o, "rdma", false, &ro);
  if (rc <= 0)
    return rc;
  r->rdma = xcalloc(json_object_size(ro), sizeof(*r->rdma));
  size_t m = jc_key(c, "rdma");
  const char *k;
  json_t *v;
  json_object_foreach(ro, k, v)
  {
    struct spec_rdma *d = &r->rdma[r->n_rdma++];
    d->device = xstrdup(k);
    size_t m2 = jc_map_key(c, k);
    if (jv_object(c, v) < 0)
      return -1;
    OPT(jc_u32(c, v, "hcaHandles", false, &d->hca_handles), d->has_hca_handles);
    OPT(jc_u32(c, v, "hcaObjects", false, &d->hca_objects), d->has_hca_objects);
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

/* Parse an optional sub-object of resources with `fn`. */
#define SUBOBJ(key, has, fn, arg)                                                                  \
  do {                                                                                             \
    json_t *_o;                                                                                    \
    int _r = jc_object(c, o, key, false, &_o);                                                     \
    if (_r < 0)                                                                                    \
      return -1;                                                                                   \
    if (_r > 0) {                                                                                  \
      (has) = true;                                                                                \
      size_t _m = jc_key(c, key);                                                                  \
      if (fn(c, _o, arg) < 0)                                                                      \
        return -1;                                                                                 \
      jc_pop(c, _m);                                                                               \
    }                                                                                              \
  } while (0)

static int parse_pids(struct jctx *c, json_t *o, struct spec_resources *r)
{
  int rc = jc_int(c, o, "limit", false, -1, INT64_MAX, &r->pids_limit);
  if (rc < 0)
    return -1;
  if (rc == 0)
    r->pids_limit = -1; /* present without a limit: unlimited */
  return 0;
}

int spec_parse_resources_obj(struct jctx *c, json_t *o, struct spec_resources *r)
{
  json_t *a;
  int rc = jc_array(c, o, "devices", false, &a);
  if (rc < 0)
    return -1;
  if (rc > 0) {
    size_t len = json_array_size(a);
    r->devices = xcalloc(len, sizeof(*r->devices));
    r->n_devices = len;
    size_t m = jc_key(c, "devices");
    for (size_t i = 0; i < len; i++) {
      size_t m2 = jc_idx(c, i);
      if (parse_device_cgroup(c, json_array_get(a, i), &r->devices[i]) < 0)
        return -1;
      jc_pop(c, m2);
    }
    jc_pop(c, m);
  }
  SUBOBJ("memory", r->has_memory, parse_memory, &r->memory);
  SUBOBJ("cpu", r->has_cpu, parse_cpu, &r->cpu);
  SUBOBJ("pids", r->has_pids, parse_pids, r);
  SUBOBJ("blockIO", r->has_block_io, parse_block_io, &r->block_io);
  if (parse_hugepages(c, o, r) < 0)
    return -1;
  SUBOBJ("network", r->has_network, parse_network, &r->network);
  if (parse_rdma(c, o, r) < 0 || jc_kv(c, o, "unified", &r->unified, &r->n_unified) < 0)
    return -1;
  return 0;
}
