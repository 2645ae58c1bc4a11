/* The "linux" object except resources and seccomp. */
#include <stdlib.h>
#include <string.h>

#include "spec/base/util.h"
#include "spec/internal.h"

static const char *const propagations[] = {
    "private", "shared", "slave",       "unbindable", "rprivate",
    "rshared", "rslave", "runbindable", NULL,
};

static const char *const personality_domains[] = {"LINUX", "LINUX32", NULL};

static const char *const mpol_modes[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL",      NULL,
};

static const char *const mpol_flags[] = {
    "MPOL_F_NUMA_BALANCING",
    "MPOL_F_RELATIVE_NODES",
    "MPOL_F_STATIC_NODES",
    NULL,
};

static const char *const time_clocks[] = {"monotonic", "boottime", NULL};

static int parse_namespaces(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *a;
  int r = jc_array(c, lo, "namespaces", false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  l->namespaces = xcalloc(len, sizeof(*l->namespaces));
  size_t m = jc_key(c, "namespaces");
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *o = json_array_get(a, i);
    struct spec_namespace *ns = &l->namespaces[i];
    l->n_namespaces = i + 1;
    _cleanup_free_ char *type = NULL;
    if (jv_object(c, o) < 0 || jc_string(c, o, "type", true, &type) < 0)
      return -1;
    int t = spec_ns_from_name(type);
    if (t < 0)
      return jc_fail_at(c, "type", "unknown namespace \"%s\"", type);
    ns->type = t;
    for (size_t j = 0; j < i; j++)
      if (l->namespaces[j].type == ns->type)
        return jc_fail_at(c, "type", "duplicate namespace \"%s\" (also in namespaces[%zu])", type,
                          j);
    if (jc_string(c, o, "path", false, &ns->path) < 0)
      return -1;
    if (ns->path && !ns->path[0]) {
      /* "" means no path, as runc reads it: a new namespace. */
      free(ns->path);
      ns->path = NULL;
    }
    if (ns->path && ns->path[0] != '/')
      return jc_fail_at(c, "path", "must be an absolute path, got \"%s\"", ns->path);
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_time_offsets(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *o;
  int r = jc_object(c, lo, "timeOffsets", false, &o);
  if (r <= 0)
    return r;
  l->time_offsets = xcalloc(json_object_size(o), sizeof(*l->time_offsets));
  size_t m = jc_key(c, "timeOffsets");
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v)
  {
    size_t m2 = jc_map_key(c, k);
    bool known = false;
    for (size_t i = 0; time_clocks[i]; i++)
      known = known || strcmp(time_clocks[i], k) == 0;
    if (!known)
      return jc_fail(c, "unknown clock \"%s\" (expected monotonic or boottime)", k);
    struct spec_time_offset *t = &l->time_offsets[l->n_time_offsets++];
    t->clock = xstrdup(k);
    if (jv_object(c, v) < 0 || jc_i64(c, v, "secs", false, &t->secs) < 0 ||
        jc_u32(c, v, "nanosecs", false, &t->nanosecs) < 0)
      return -1;
    if (t->nanosecs >= 1000000000)
      return jc_fail_at(c, "nanosecs", "must be less than 1000000000, got %u", t->nanosecs);
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_devices(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *a;
  int r = jc_array(c, lo, "devices", false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  l->devices = xcalloc(len, sizeof(*l->devices));
  l->n_devices = len;
  size_t m = jc_key(c, "devices");
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *o = json_array_get(a, i);
    struct spec_device *d = &l->devices[i];
    _cleanup_free_ char *type = NULL;
    if (jv_object(c, o) < 0 || jc_abspath(c, o, "path", true, &d->path) < 0 ||
        jc_string(c, o, "type", true, &type) < 0)
      return -1;
    if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
      return jc_fail_at(c, "type", "unknown device type \"%s\" (expected c, b, u or p)", type);
    d->type = type[0];
    bool need_numbers = d->type != 'p';
    if (jc_i64(c, o, "major", need_numbers, &d->major) < 0 ||
        jc_i64(c, o, "minor", need_numbers, &d->minor) < 0)
      return -1;
    if ((r = jc_u32(c, o, "fileMode", false, &d->file_mode)) < 0)
      return -1;
    d->has_file_mode = r > 0;
    /* podman copies the host device's whole st_mode (type bits included):
     * accept type bits that agree with `type`, keep the permission bits. */
    if (d->has_file_mode && d->file_mode > 07777) {
      unsigned fmt = d->file_mode & 0170000, want = d->type == 'b'   ? 0060000
                                                    : d->type == 'p' ? 0010000
                                                                     : 0020000;
      if (d->file_mode > 0177777 || fmt != want)
        return jc_fail_at(c, "fileMode",
                          "must be a permission mode (at most 07777, or with file-type bits "
                          "matching type \"%c\"), got %u",
                          d->type, d->file_mode);
      d->file_mode &= 07777;
    }
    if ((r = jc_u32(c, o, "uid", false, &d->uid)) < 0)
      return -1;
    d->has_uid = r > 0;
    if ((r = jc_u32(c, o, "gid", false, &d->gid)) < 0)
      return -1;
    d->has_gid = r > 0;
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_net_devices(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *o;
  int r = jc_object(c, lo, "netDevices", false, &o);
  if (r <= 0)
    return r;
  l->net_devices = xcalloc(json_object_size(o), sizeof(*l->net_devices));
  size_t m = jc_key(c, "netDevices");
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v)
  {
    struct spec_net_device *nd = &l->net_devices[l->n_net_devices++];
    nd->host_name = xstrdup(k);
    size_t m2 = jc_map_key(c, k);
    if (k[0] == '\0')
      return jc_fail(c, "empty interface name");
    if (jv_object(c, v) < 0 || (r = jc_string(c, v, "name", false, &nd->name)) < 0)
      return -1;
    if (r > 0 && nd->name[0] == '\0')
      return jc_fail_at(c, "name", "must not be empty");
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_intel_rdt(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *o;
  int r = jc_object(c, lo, "intelRdt", false, &o);
  if (r <= 0)
    return r;
  l->has_intel_rdt = true;
  struct spec_intel_rdt *rdt = &l->intel_rdt;
  size_t m = jc_key(c, "intelRdt");
  if (jc_string(c, o, "closID", false, &rdt->clos_id) < 0 ||
      jc_string(c, o, "l3CacheSchema", false, &rdt->l3_cache_schema) < 0 ||
      jc_string(c, o, "memBwSchema", false, &rdt->mem_bw_schema) < 0 ||
      jc_strv(c, o, "schemata", false, &rdt->schemata, &rdt->n_schemata) < 0 ||
      jc_bool(c, o, "enableMonitoring", false, &rdt->enable_monitoring) < 0 ||
      jc_bool(c, o, "enableCMT", false, &rdt->enable_cmt) < 0 ||
      jc_bool(c, o, "enableMBM", false, &rdt->enable_mbm) < 0)
    return -1;
  jc_pop(c, m);
  return 0;
}

static int parse_personality(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *o;
  int r = jc_object(c, lo, "personality", false, &o);
  if (r <= 0)
    return r;
  l->has_personality = true;
  struct spec_personality *p = &l->personality;
  size_t m = jc_key(c, "personality");
  if (jc_enum(c, o, "domain", true, personality_domains, "personality domain", &p->domain) < 0 ||
      jc_strv(c, o, "flags", false, &p->flags, &p->n_flags) < 0)
    return -1;
  jc_pop(c, m);
  return 0;
}

static int parse_memory_policy(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  json_t *o;
  int r = jc_object(c, lo, "memoryPolicy", false, &o);
  if (r <= 0)
    return r;
  l->has_memory_policy = true;
  struct spec_memory_policy *p = &l->memory_policy;
  size_t m = jc_key(c, "memoryPolicy");
  if (jc_enum(c, o, "mode", true, mpol_modes, "memory policy mode", &p->mode) < 0 ||
      jc_string(c, o, "nodes", false, &p->nodes) < 0 ||
      jc_strv(c, o, "flags", false, &p->flags, &p->n_flags) < 0 ||
      jc_check_names(c, "flags", p->flags, p->n_flags, mpol_flags, "memory policy flag") < 0)
    return -1;
  jc_pop(c, m);
  return 0;
}

static int parse_path_list(struct jctx *c, json_t *lo, const char *key, char ***v, size_t *n,
                           bool *has)
{
  int r = jc_strv(c, lo, key, false, v, n);
  if (r < 0)
    return -1;
  *has = r > 0;
  for (size_t i = 0; i < *n; i++) {
    if ((*v)[i][0] != '/') {
      size_t m = jc_key(c, key);
      jc_idx(c, i);
      jc_fail(c, "must be an absolute path, got \"%s\"", (*v)[i]);
      jc_pop(c, m);
      return -1;
    }
  }
  return 0;
}

int spec_parse_linux_obj(struct jctx *c, json_t *lo, struct spec_linux *l)
{
  int r;
  if (parse_namespaces(c, lo, l) < 0 ||
      spec_parse_id_mappings(c, lo, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
      spec_parse_id_mappings(c, lo, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
      parse_time_offsets(c, lo, l) < 0 || parse_devices(c, lo, l) < 0 ||
      parse_net_devices(c, lo, l) < 0 ||
      jc_string(c, lo, "cgroupsPath", false, &l->cgroups_path) < 0)
    return -1;
  json_t *o;
  if ((r = jc_object(c, lo, "resources", false, &o)) < 0)
    return -1;
  if (r > 0) {
    l->has_resources = true;
    size_t m = jc_key(c, "resources");
    if (spec_parse_resources_obj(c, o, &l->resources) < 0)
      return -1;
    jc_pop(c, m);
  }
  if (parse_intel_rdt(c, lo, l) < 0 || jc_kv(c, lo, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
    return -1;
  if ((r = jc_object(c, lo, "seccomp", false, &o)) < 0)
    return -1;
  if (r > 0) {
    l->has_seccomp = true;
    size_t m = jc_key(c, "seccomp");
    if (spec_parse_seccomp_obj(c, o, &l->seccomp) < 0)
      return -1;
    jc_pop(c, m);
  }
  if (jc_enum(c, lo, "rootfsPropagation", false, propagations, "rootfs propagation",
              &l->rootfs_propagation) < 0 ||
      parse_path_list(c, lo, "maskedPaths", &l->masked_paths, &l->n_masked_paths,
                      &l->has_masked_paths) < 0 ||
      parse_path_list(c, lo, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths,
                      &l->has_readonly_paths) < 0 ||
      jc_string(c, lo, "mountLabel", false, &l->mount_label) < 0 ||
      parse_personality(c, lo, l) < 0 || parse_memory_policy(c, lo, l) < 0)
    return -1;
  return 0;
}
