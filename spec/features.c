/* The features document (runtime-spec features.md) that `hutch features`
 * prints.  What this build supports is the table below (adjust it when a
 * feature lands) and the vocabularies of spec/vocab.h and spec/names.c,
 * which are the same tables the parser and libcontainer use. */
#include <stdlib.h>

#include "spec/internal.h"

static const struct {
  const char *oci_version_min, *oci_version_max;
  bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
  bool seccomp_enabled;
  bool apparmor_enabled, selinux_enabled, intel_rdt_enabled;
  bool idmap_mounts_enabled;
  bool net_devices_enabled;
} features = {
    .oci_version_min = "1.0.0",
    .oci_version_max = "1.3.0",
    .cgroup_v1 = true,
    .cgroup_v2 = true,
    .cgroup_systemd = true,
    .cgroup_systemd_user = true, /* rootless --systemd-cgroup: the user bus */
    .cgroup_rdma = true,
    .seccomp_enabled = true,
    /* Whether the build can apply them (libcontainer/security/lsm.c), not
     * whether this host has the LSM (features.md). */
    .apparmor_enabled = true,
    .selinux_enabled = true,
    .intel_rdt_enabled = false,
    .idmap_mounts_enabled = true,
    .net_devices_enabled = false,
};

/* The names of v for which keep(name) is true (keep NULL: all). */
static json_t *strv(const char *const *v, bool (*keep)(const char *name))
{
  json_t *a = json_array();
  for (; *v; v++)
    if (!keep || keep(*v))
      json_array_append_new(a, json_string(*v));
  return a;
}

static json_t *enabled(bool on)
{
  json_t *o = json_object();
  json_object_set_new(o, "enabled", json_boolean(on));
  return o;
}

char *spec_features_json(const struct spec_features_build *b)
{
  json_t *doc = json_object();
  json_object_set_new(doc, "ociVersionMin", json_string(features.oci_version_min));
  json_object_set_new(doc, "ociVersionMax", json_string(features.oci_version_max));
  json_t *hooks = json_array();
  for (int k = 0; k < SPEC_HOOK_KINDS; k++)
    json_array_append_new(hooks, json_string(spec_hook_name(k)));
  json_object_set_new(doc, "hooks", hooks);
  json_object_set_new(doc, "mountOptions", strv(spec_mount_options, NULL));

  json_t *l = json_object();
  json_t *ns = json_array();
  for (int t = 0; t < SPEC_NS_TYPES; t++)
    json_array_append_new(ns, json_string(spec_ns_name(t)));
  json_object_set_new(l, "namespaces", ns);
  json_t *caps = json_array();
  for (int i = 0; i <= spec_cap_last(); i++)
    json_array_append_new(caps, json_string(spec_cap_name(i)));
  json_object_set_new(l, "capabilities", caps);

  json_t *cg = json_object();
  json_object_set_new(cg, "v1", json_boolean(features.cgroup_v1));
  json_object_set_new(cg, "v2", json_boolean(features.cgroup_v2));
  json_object_set_new(cg, "systemd", json_boolean(features.cgroup_systemd));
  json_object_set_new(cg, "systemdUser", json_boolean(features.cgroup_systemd_user));
  json_object_set_new(cg, "rdma", json_boolean(features.cgroup_rdma));
  json_object_set_new(l, "cgroup", cg);

  json_t *sc = enabled(features.seccomp_enabled);
  json_object_set_new(sc, "actions", strv(spec_seccomp_actions, NULL));
  json_object_set_new(sc, "operators", strv(spec_seccomp_operators, NULL));
  json_object_set_new(sc, "archs", strv(spec_seccomp_archs, b ? b->seccomp_arch_supported : NULL));
  /* hutch loads the program with seccomp(2) itself: every known flag works. */
  json_object_set_new(sc, "knownFlags", strv(spec_seccomp_flags, NULL));
  json_object_set_new(sc, "supportedFlags", strv(spec_seccomp_flags, NULL));
  json_object_set_new(l, "seccomp", sc);

  json_object_set_new(l, "apparmor", enabled(features.apparmor_enabled));
  json_object_set_new(l, "selinux", enabled(features.selinux_enabled));
  json_object_set_new(l, "intelRdt", enabled(features.intel_rdt_enabled));
  json_t *mext = json_object();
  json_object_set_new(mext, "idmap", enabled(features.idmap_mounts_enabled));
  json_object_set_new(l, "mountExtensions", mext);
  json_object_set_new(l, "netDevices", enabled(features.net_devices_enabled));
  json_object_set_new(doc, "linux", l);
  json_t *ann = json_object();
  json_object_set_new(ann, "org.hutch.checkpoint.enabled",
                      json_string(b && b->checkpoint ? "true" : "false"));
  json_object_set_new(doc, "annotations", ann);

  char *out = json_dumps(doc, JSON_INDENT(2));
  json_decref(doc);
  if (out == NULL)
    abort();
  return out;
}
