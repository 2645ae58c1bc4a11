/* linux.namespaces with what depends on them: uid/gidMappings, timeOffsets,
 * and linux.sysctl, whose keys must each belong to a namespace the
 * container does not share with the host.
 *
 * "The host" is this process's namespace: the check runs in the parent,
 * before clone, where the /proc/self/ns files are the runtime's own.  (The init, once
 * it has joined a namespace by path, would compare that namespace with
 * itself and refuse every key of it.) */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "libcontainer/rootfs/rootfs.h"
#include "libcontainer/validate/internal.h"

int validate_namespaces(const struct spec *s, herr_t *err)
{
  if (!s->has_linux)
    return 0;
  const struct spec_linux *l = &s->linux_;
  const struct spec_namespace *user = spec_find_ns(s, SPEC_NS_USER);
  const struct spec_namespace *time = spec_find_ns(s, SPEC_NS_TIME);
  bool new_user = user && !(user->path && *user->path);
  bool new_time = time && !(time->path && *time->path);
  if ((l->n_uid_mappings || l->n_gid_mappings) && !new_user)
    return herr_set(err, EINVAL,
                    "linux.uidMappings/gidMappings: set, but no new user namespace is requested");
  if (new_user && (!l->n_uid_mappings || !l->n_gid_mappings))
    return herr_set(err, EINVAL,
                    "linux.namespaces: a new user namespace needs linux.uidMappings and "
                    "linux.gidMappings");
  if (l->n_time_offsets && !new_time)
    return herr_set(err, EINVAL, "linux.timeOffsets: set, but no new time namespace is requested");
  /* hostname/domainname without a UTS entry: refused by the parser. */
  return 0;
}

/* The container shares this namespace with the runtime: no entry (it stays
 * in ours) or a path to ours. */
static bool ns_is_host(const struct spec *s, enum spec_ns_type t, const char *self)
{
  const struct spec_namespace *ns = spec_find_ns(s, t);
  if (!ns)
    return true;
  if (!ns->path || !*ns->path)
    return false;
  struct stat a, b;
  if (stat(ns->path, &a) < 0 || stat(self, &b) < 0)
    return false; /* a missing path is refused when it is opened */
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* No empty, "." or ".." component: the key cannot leave /proc/sys. */
static bool valid_sysctl_path(const char *path)
{
  for (const char *p = path;;) {
    size_t l = strcspn(p, "/");
    if (l == 0 || (l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
      return false;
    p += l;
    if (!*p)
      return true;
    p++;
  }
}

int validate_sysctl(const struct spec *s, herr_t *err)
{
  static const char *const ipc_keys[] = {
      "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
      "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
  };
  if (!s->has_linux)
    return 0;
  for (size_t i = 0; i < s->linux_.n_sysctl; i++) {
    _cleanup_free_ char *k = rootfs_sysctl_dotted(s->linux_.sysctl[i].key);
    _cleanup_free_ char *path = rootfs_sysctl_path(k);
    if (!valid_sysctl_path(path))
      return herr_set(err, 0, "linux.sysctl: invalid key \"%s\"", s->linux_.sysctl[i].key);
    bool ipc = strncmp(k, "fs.mqueue.", 10) == 0;
    for (size_t j = 0; j < sizeof(ipc_keys) / sizeof(ipc_keys[0]); j++)
      ipc = ipc || strcmp(k, ipc_keys[j]) == 0;
    if (ipc) {
      if (ns_is_host(s, SPEC_NS_IPC, "/proc/self/ns/ipc"))
        return herr_set(err, 0, "linux.sysctl: %s is not allowed in the host's ipc namespace", k);
      continue;
    }
    if (strncmp(k, "net.", 4) == 0) {
      if (ns_is_host(s, SPEC_NS_NETWORK, "/proc/self/ns/net"))
        return herr_set(err, 0, "linux.sysctl: %s is not allowed in the host's network namespace",
                        k);
      continue;
    }
    if (spec_find_ns(s, SPEC_NS_UTS)) {
      if (strcmp(k, "kernel.domainname") == 0)
        continue;
      if (strcmp(k, "kernel.hostname") == 0)
        return herr_set(err, 0, "linux.sysctl: %s conflicts with the \"hostname\" field", k);
    }
    if (strncmp(k, "user.", 5) == 0) {
      if (!spec_find_ns(s, SPEC_NS_USER))
        return herr_set(err, 0, "linux.sysctl: %s needs a user namespace", k);
      continue;
    }
    return herr_set(err, 0, "linux.sysctl: %s is not in a separate kernel namespace", k);
  }
  return 0;
}
