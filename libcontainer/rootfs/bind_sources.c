/* Bind sources as detached mount trees (open_tree), with their flags,
 * recursive attributes and idmap set before they are attached.  The init
 * does this itself, except in a container with its own user namespace:
 * from inside it, a source only the host's root can reach is EACCES and
 * MOUNT_ATTR_IDMAP on a host filesystem is refused, so the parent makes
 * those trees (rootfs_prepare_binds, as runc opens its mount sources) and
 * the init only attaches them. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "libcontainer/utils/linux_mount.h"
#include "spec/base/log.h"
#include "libcontainer/rootfs/internal.h"
#include "libcontainer/utils/fileio.h"

/* A user namespace with the given mappings: a child is cloned into a new
 * userns, its maps written, its ns opened, then it exits. */
static int userns_with_maps(const struct spec_id_mapping *uids, size_t n_uids,
                            const struct spec_id_mapping *gids, size_t n_gids, herr_t *err)
{
  /* go: parent -> child (release); who: child -> parent (its pid as the
   * mounted /proc sees it, which differs from clone's return value when we
   * are in a new pid namespace and /proc is still the host's). */
  int go[2], who[2];
  if (pipe2(go, O_CLOEXEC) < 0)
    return herr_sys(err, "pipe");
  if (pipe2(who, O_CLOEXEC) < 0) {
    close(go[0]);
    close(go[1]);
    return herr_sys(err, "pipe");
  }
  pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid < 0) {
    close(go[0]);
    close(go[1]);
    close(who[0]);
    close(who[1]);
    return herr_sys(err, "clone a user namespace for idmap");
  }
  if (pid == 0) {
    char self[32], b;
    close(go[1]);
    close(who[0]);
    ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
    if (n > 0)
      write_all(who[1], self, (size_t)n);
    close(who[1]);
    while (read(go[0], &b, 1) < 0 && errno == EINTR)
      ;
    _exit(0);
  }
  close(go[0]);
  close(who[1]);
  int ret = -1;
  char procpid[32] = {0};
  ssize_t n;
  while ((n = read(who[0], procpid, sizeof(procpid) - 1)) < 0 && errno == EINTR)
    ;
  close(who[0]);
  if (n <= 0) {
    herr_set(err, 0, "idmap: cannot find the helper process in /proc");
    goto out;
  }
  for (int which = 0; which < 2; which++) {
    const struct spec_id_mapping *mp = which ? gids : uids;
    size_t cnt = which ? n_gids : n_uids;
    char buf[4096];
    size_t len = 0;
    for (size_t i = 0; i < cnt && len < sizeof(buf) - 40; i++)
      len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%u %u %u\n", mp[i].container_id,
                              mp[i].host_id, mp[i].size);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/%s", procpid, which ? "gid_map" : "uid_map");
    _cleanup_close_ int mfd = open(path, O_WRONLY | O_CLOEXEC);
    if (mfd < 0 || write_all(mfd, buf, len) < 0) {
      herr_sys(err, "idmap: write %s", which ? "gid_map" : "uid_map");
      goto out;
    }
  }
  char nspath[64];
  snprintf(nspath, sizeof(nspath), "/proc/%s/ns/user", procpid);
  ret = open(nspath, O_RDONLY | O_CLOEXEC);
  if (ret < 0)
    herr_sys(err, "idmap: open %s", nspath);
out:
  close(go[1]);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
  return ret;
}

static int idmap_userns(const struct spec *s, const struct spec_mount *m, size_t i,
                        pid_t userns_pid, herr_t *err)
{
  if (m->n_uid_mappings || m->n_gid_mappings) {
    if (!m->n_uid_mappings || !m->n_gid_mappings)
      return herr_set(err, 0, "mounts[%zu]: idmap needs both uidMappings and gidMappings", i);
    return userns_with_maps(m->uid_mappings, m->n_uid_mappings, m->gid_mappings, m->n_gid_mappings,
                            err);
  }
  if (userns_pid > 0) {
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)userns_pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return herr_sys(err, "mounts[%zu]: idmap: open %s", i, path);
    return fd;
  }
  if (s->has_linux && s->linux_.n_uid_mappings && s->linux_.n_gid_mappings)
    return userns_with_maps(s->linux_.uid_mappings, s->linux_.n_uid_mappings,
                            s->linux_.gid_mappings, s->linux_.n_gid_mappings, err);
  return herr_set(err, 0,
                  "mounts[%zu]: idmap mount on %s needs uidMappings and gidMappings (on the "
                  "mount or in linux)",
                  i, m->destination);
}

int rootfs_bind_source(const struct spec *s, const char *bundle, size_t i,
                       const struct mount_opts *o, pid_t userns_pid, herr_t *err)
{
  const struct spec_mount *m = &s->mounts[i];
  if (!m->source || !*m->source)
    return herr_set(err, 0, "mounts[%zu]: bind mount on %s has no source", i, m->destination);
  _cleanup_free_ char *src =
      m->source[0] != '/' && bundle ? xasprintf("%s/%s", bundle, m->source) : xstrdup(m->source);
  if (o->data) /* as runc: filesystem options mean nothing to a bind mount */
    hlog_debug("mounts[%zu]: options \"%s\" ignored on the bind mount %s", i, o->data,
               m->destination);
  bool rec = (o->flags & MS_REC) != 0;
  _cleanup_close_ int tree =
      sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
  if (tree < 0)
    return herr_sys(err, "mounts[%zu]: bind source %s", i, m->source);
  const char *step = NULL;
  if (rootfs_bind_fd(tree, o->flags, o->cleared, (o->flags & MS_REMOUNT) != 0, &step) < 0)
    return herr_sys(err, "mounts[%zu]: bind %s on %s: %s", i, m->source, m->destination, step);
  if (o->rec_set || o->rec_clr) {
    struct hutch_mount_attr a = {.attr_set = o->rec_set, .attr_clr = o->rec_clr};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a) < 0)
      return herr_sys(err, "mounts[%zu]: set recursive mount attributes on %s", i, m->destination);
  }
  if (o->idmap) {
    _cleanup_close_ int userns = idmap_userns(s, m, i, userns_pid, err);
    if (userns < 0)
      return -1;
    struct hutch_mount_attr a = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (o->idmap_recursive ? AT_RECURSIVE : 0), &a) <
        0)
      return herr_sys(err, "mounts[%zu]: idmap bind %s on %s", i, m->source, m->destination);
  }
  return steal_fd(&tree);
}

/* Whether the parent makes mount i's tree: every bind of a container with
 * a user namespace, except (idmapped ones aside) when the container joins a
 * mount namespace, where the sources are looked up, not on the host. */
static bool parent_bind(const struct spec *s, size_t i, const struct mount_opts *o)
{
  if (!mount_is_bind(&s->mounts[i], o))
    return false;
  const struct spec_namespace *mnt = spec_find_ns(s, SPEC_NS_MOUNT);
  return o->idmap || !(mnt && mnt->path && *mnt->path);
}

bool rootfs_needs_parent_binds(const struct spec *s)
{
  if (!spec_find_ns(s, SPEC_NS_USER))
    return false;
  for (size_t i = 0; i < s->n_mounts; i++) {
    struct mount_opts o;
    if (mount_opts_parse(&s->mounts[i], &o, NULL) < 0)
      continue;
    bool want = parent_bind(s, i, &o);
    mount_opts_clear(&o);
    if (want)
      return true;
  }
  return false;
}

int rootfs_prepare_binds(const struct spec *s, const char *bundle, pid_t userns_pid, int **fds,
                         herr_t *err)
{
  *fds = NULL;
  if (!rootfs_needs_parent_binds(s))
    return 0;
  int *out = xmalloc(s->n_mounts * sizeof(int));
  for (size_t i = 0; i < s->n_mounts; i++)
    out[i] = -1;
  for (size_t i = 0; i < s->n_mounts; i++) {
    struct mount_opts o;
    if (mount_opts_parse(&s->mounts[i], &o, err) < 0) {
      herr_wrap(err, "mounts[%zu] (%s)", i, s->mounts[i].destination);
      goto fail;
    }
    int fd = -2;
    if (parent_bind(s, i, &o)) {
      o.flags |= MS_BIND;
      fd = rootfs_bind_source(s, bundle, i, &o, userns_pid, err);
      /* Not idmapped: the init makes it when we cannot (a rootless parent
       * may not clone mount trees), with the same error if it fails too. */
      if (fd == -1 && !o.idmap) {
        herr_free(err);
        fd = -2;
      }
    }
    mount_opts_clear(&o);
    if (fd == -1)
      goto fail;
    if (fd >= 0)
      out[i] = fd;
  }
  *fds = out;
  return 0;
fail:
  rootfs_free_binds(s, out);
  return -1;
}

void rootfs_free_binds(const struct spec *s, int *fds)
{
  if (!fds)
    return;
  for (size_t i = 0; i < s->n_mounts; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  free(fds);
}
