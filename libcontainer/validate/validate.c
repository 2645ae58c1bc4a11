/* The validation pass: the order of the checks (the first failure is the
 * one reported) and the top-level fields. */
#include "libcontainer/validate/validate.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "libcontainer/process/mempolicy.h"
#include "libcontainer/security/security.h"
#include "libcontainer/validate/internal.h"

/* What `create` needs at the top: a process to run, a root, a terminal
 * someone takes, no field hutch cannot honour. */
static int validate_top(const struct spec *s, const struct validate_opts *o, herr_t *err)
{
  if (!s->has_process)
    return herr_set(err, EINVAL, "config.json: process: required to create a container");
  if (s->process.n_args == 0 || !s->process.args[0] || !*s->process.args[0])
    return herr_set(err, EINVAL, "config.json: process.args: must not be empty");
  if (!s->has_root || !s->root.path || !*s->root.path)
    return herr_set(err, EINVAL, "config.json: root.path: required");
  if (s->process.terminal && !o->console)
    return herr_set(err, EINVAL,
                    "process.terminal is true: --console-socket is needed for a detached "
                    "container");
  /* Fields hutch cannot honour are errors, never silently dropped. */
  if (s->has_linux && s->linux_.has_intel_rdt)
    return herr_set(err, ENOTSUP,
                    "config.json: linux.intelRdt: Intel RDT is not supported by hutch");
  if (s->has_linux && s->linux_.n_net_devices)
    return herr_set(err, ENOTSUP,
                    "config.json: linux.netDevices: moving network devices is not supported by "
                    "hutch");
  if (s->has_linux && s->linux_.has_memory_policy &&
      mempolicy_validate(&s->linux_.memory_policy, err) < 0)
    return herr_wrap(err, "config.json");
  return 0;
}

/* Rootless: the init inherits our limits; raising a hard limit needs
 * CAP_SYS_RESOURCE in the initial user namespace. */
static int validate_rootless(const struct spec *s, herr_t *err)
{
  for (size_t i = 0; s->has_process && i < s->process.n_rlimits; i++) {
    const struct spec_rlimit *r = &s->process.rlimits[i];
    struct rlimit cur;
    if (getrlimit(r->resource, &cur) < 0)
      continue;
    if (cur.rlim_max != RLIM_INFINITY &&
        (r->hard == (uint64_t)RLIM_INFINITY || r->hard > cur.rlim_max))
      return herr_set(err, EPERM,
                      "process.rlimits[%zu]: %s hard limit %llu is above the current hard limit "
                      "%llu, which a rootless container cannot raise",
                      i, r->type, (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
  }
  return 0;
}

static int resolve_root(const struct spec *s, const char *bundle, char **rootfs, herr_t *err)
{
  _cleanup_free_ char *p =
      s->root.path[0] == '/' ? xstrdup(s->root.path) : xasprintf("%s/%s", bundle, s->root.path);
  char real[PATH_MAX];
  if (!realpath(p, real))
    return herr_sys(err, "root.path: rootfs %s", p);
  struct stat st;
  if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode))
    return herr_set(err, ENOTDIR, "root.path: rootfs %s is not a directory", real);
  *rootfs = xstrdup(real);
  return 0;
}

int validate_config(const struct spec *s, const struct validate_opts *o, char **rootfs, herr_t *err)
{
  *rootfs = NULL;
  _cleanup_free_ char *root = NULL;
  if (validate_top(s, o, err) < 0 || resolve_root(s, o->bundle, &root, err) < 0 ||
      validate_rootfs(s, err) < 0 || validate_sysctl(s, err) < 0 || security_validate(s, err) < 0 ||
      validate_namespaces(s, err) < 0)
    return -1;
  if (s->has_linux && validate_resources(&s->linux_.resources, err) < 0)
    return -1;
  if (o->rootless && validate_rootless(s, err) < 0)
    return -1;
  *rootfs = root;
  root = NULL;
  return 0;
}

int validate_process(const struct spec_process *p, herr_t *err)
{
  struct spec check = {.has_process = true, .process = *p};
  return security_validate(&check, err);
}
