/* mounts, linux.rootfsPropagation and linux.devices: everything the rootfs
 * setup in the init would refuse, checked without touching anything. */
#include <string.h>

#include "libcontainer/rootfs/mount_options.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/validate/internal.h"

static int validate_devices(const struct spec *s, herr_t *err)
{
  if (!s->has_linux)
    return 0;
  for (size_t i = 0; i < s->linux_.n_devices; i++) {
    const struct spec_device *d = &s->linux_.devices[i];
    if (!d->path)
      return herr_set(err, 0, "linux.devices[%zu]: path is required", i);
    _cleanup_free_ char *clean = pathsafe_clean(d->path);
    if (!pathsafe_has_prefix(clean, "/dev") || strcmp(clean, "/dev") == 0)
      return herr_set(err, 0, "linux.devices[%zu]: path %s is not under /dev", i, d->path);
    if (!strchr("cubp", d->type) || d->type == '\0')
      return herr_set(err, 0, "linux.devices[%zu]: unknown type '%c'", i, d->type);
  }
  return 0;
}

int validate_rootfs(const struct spec *s, herr_t *err)
{
  const char *prop = s->has_linux ? s->linux_.rootfs_propagation : NULL;
  unsigned long flag;
  if (prop && *prop && mount_propagation_from_name(prop, &flag) < 0)
    return herr_set(err, 0, "linux.rootfsPropagation: unknown value \"%s\"", prop);
  bool mntns = spec_find_ns(s, SPEC_NS_MOUNT) != NULL;
  if (!mntns &&
      (s->n_mounts || (s->has_linux && (s->linux_.n_masked_paths || s->linux_.n_readonly_paths))))
    return herr_set(err, 0,
                    "mounts, maskedPaths and readonlyPaths need a mount namespace in "
                    "linux.namespaces");
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct spec_mount *m = &s->mounts[i];
    if (!m->destination || !*m->destination)
      return herr_set(err, 0, "mounts[%zu]: destination is required", i);
    struct mount_opts o;
    if (mount_opts_parse(m, &o, err) < 0)
      return herr_wrap(err, "mounts[%zu] (%s)", i, m->destination);
    bool bind = mount_is_bind(m, &o), idmap = o.idmap;
    mount_opts_clear(&o);
    _cleanup_free_ char *dest = pathsafe_clean(m->destination);
    if (strcmp(dest, "/") == 0)
      return herr_set(err, 0, "mounts[%zu]: cannot mount over the container's /", i);
    if (bind && (!m->source || !*m->source))
      return herr_set(err, 0, "mounts[%zu]: bind mount on %s has no source", i, m->destination);
    if (!bind && (!m->type || !*m->type))
      return herr_set(err, 0, "mounts[%zu]: mount on %s has no type", i, m->destination);
    if (idmap && !bind)
      return herr_set(err, 0, "mounts[%zu]: idmap is only supported on bind mounts (%s)", i,
                      m->destination);
  }
  return validate_devices(s, err);
}
