/* The cgroup manager: probes the host (statfs of /sys/fs/cgroup and
 * /sys/fs/cgroup/unified, mounts from /proc/self/mountinfo), resolves the
 * container's directory in every hierarchy, creates, joins and removes it,
 * and keeps what is needed to find it again in the state file.  Resources are
 * in resources.c, v1_resources.c and v2_resources.c; freezing and killing in
 * freezer.c; statistics in stats.c.  A systemd driver would be a third way to
 * fill struct cgfs (see cgroup_manager_new). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "spec/base/log.h"
#include "libcontainer/utils/fileio.h"

static const char *mode_name(enum cg_mode m)
{
  return m == CG_MODE_UNIFIED ? "unified" : m == CG_MODE_HYBRID ? "hybrid" : "legacy";
}

static int probe_mode(enum cg_mode *mode, herr_t *err)
{
  struct statfs st;
  if (statfs("/sys/fs/cgroup", &st) < 0)
    return herr_sys(err, "cgroup: statfs /sys/fs/cgroup");
  if (st.f_type == CGROUP2_SUPER_MAGIC) {
    *mode = CG_MODE_UNIFIED;
    return 0;
  }
  if (st.f_type != TMPFS_MAGIC)
    return herr_set(err, 0, "cgroup: /sys/fs/cgroup is neither a cgroup2 nor a tmpfs mount");
  if (statfs("/sys/fs/cgroup/unified", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    *mode = CG_MODE_HYBRID;
  else
    *mode = CG_MODE_LEGACY;
  return 0;
}

static void hier_clear(struct cg_hier *h)
{
  free(h->key);
  free(h->mnt);
  free(h->dir);
  free(h->controllers);
}

void cgfs_free(struct cgfs *m)
{
  if (!m)
    return;
  free(m->mountinfo);
  for (size_t i = 0; i < m->n_h; i++)
    hier_clear(&m->h[i]);
  free(m->h);
  free(m->path);
  if (m->clone_fd >= 0)
    close(m->clone_fd);
  free(m);
}

int cgfs_new(const char *cgroups_path, const char *id, struct cgfs **out, herr_t *err)
{
  _cleanup_free_ char *path = NULL;
  if (cg_normalize_path(cgroups_path, id, &path, err) < 0)
    return -1;
  enum cg_mode mode = CG_MODE_LEGACY;
  if (probe_mode(&mode, err) < 0)
    return -1;
  _cleanup_free_ char *mountinfo = NULL, *self = NULL;
  if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mountinfo, NULL, err) < 0)
    return herr_wrap(err, "cgroup");
  if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, err) < 0)
    return herr_wrap(err, "cgroup");
  struct cg_mount *mounts;
  size_t nm;
  if (cg_parse_mounts(mountinfo, &mounts, &nm, err) < 0)
    return -1;

  struct cgfs *m = xcalloc(1, sizeof(*m));
  m->mode = mode;
  m->clone_fd = -1;
  m->path = steal_pointer(&path);
  m->mountinfo = steal_pointer(&mountinfo);
  for (size_t i = 0; i < nm; i++) {
    if (mode == CG_MODE_UNIFIED && !mounts[i].v2)
      continue;
    _cleanup_free_ char *own = cg_own_path(self, mounts[i].key);
    if (!own && m->path[0] != '/') {
      herr_set(err, 0,
               "linux.cgroupsPath \"%s\": relative, but the runtime's own %s cgroup is not in "
               "/proc/self/cgroup",
               m->path, mounts[i].key);
      cg_mounts_free(mounts, nm);
      cgfs_free(m);
      return -1;
    }
    struct cg_hier h = {0};
    h.key = xstrdup(mounts[i].key);
    h.mnt = xstrdup(mounts[i].mnt);
    h.v2 = mounts[i].v2;
    h.dir = cg_resolve_dir(mounts[i].mnt, mounts[i].root, own, m->path);
    if (h.v2) {
      herr_t ignored = NULL;
      if (cg_read(h.mnt, "cgroup.controllers", &h.controllers, &ignored) < 0)
        h.controllers = xstrdup("");
      herr_free(&ignored);
    }
    m->h = xrealloc(m->h, (m->n_h + 1) * sizeof(*m->h));
    m->h[m->n_h++] = h;
  }
  cg_mounts_free(mounts, nm);
  if (m->n_h == 0) {
    cgfs_free(m);
    return herr_set(err, 0, "cgroup: no cgroup hierarchy is mounted under /sys/fs/cgroup");
  }
  hlog_debug("cgroup: %s hierarchy, path %s", mode_name(mode), m->path);
  *out = m;
  return 0;
}

struct cg_hier *cg_unified(struct cgfs *m)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (m->h[i].v2)
      return &m->h[i];
  return NULL;
}

struct cg_hier *cg_locate(struct cgfs *m, const char *ctrl)
{
  for (size_t i = 0; i < m->n_h; i++)
    if (!m->h[i].v2 && cg_key_has(m->h[i].key, ctrl))
      return &m->h[i];
  struct cg_hier *u = cg_unified(m);
  if (u && cg_word_in(u->controllers, ctrl))
    return u;
  return NULL;
}

struct cg_hier *cg_primary(struct cgfs *m)
{
  if (m->mode == CG_MODE_UNIFIED)
    return cg_unified(m);
  struct cg_hier *h = cg_locate(m, "freezer");
  if (h)
    return h;
  h = cg_locate(m, "pids");
  if (h)
    return h;
  return &m->h[0];
}

static int enable_error(const char *dir, const char *ctrl, herr_t *err)
{
  if (*err && (*err)->errnum == EBUSY)
    herr_free(err);
  if (!*err)
    return herr_set(err, 0,
                    "cannot enable the %s controller in %s: it has processes of its own (cgroup "
                    "v2 gives controllers only to cgroups without processes; use a cgroupsPath "
                    "outside it)",
                    ctrl, dir);
  return herr_wrap(err, "enable the %s controller", ctrl);
}

/* Enable ctrl in dir's subtree_control unless it is there already.  Never in
 * a non-root cgroup with processes: the kernel refuses domain controllers
 * there, and threaded ones would turn it into a thread root whose children
 * cannot take processes. */
static int enable_in(const char *dir, bool is_root, const char *ctrl, herr_t *err)
{
  _cleanup_free_ char *sc = NULL;
  herr_t ignored = NULL;
  if (cg_read(dir, "cgroup.subtree_control", &sc, &ignored) < 0) {
    herr_free(&ignored);
    return 0;
  }
  if (cg_word_in(sc, ctrl))
    return 0;
  if (!is_root) {
    _cleanup_free_ char *procs = NULL;
    if (cg_read(dir, "cgroup.procs", &procs, &ignored) == 0 && procs[0] != '\0')
      return enable_error(dir, ctrl, err);
    herr_free(&ignored);
  }
  _cleanup_free_ char *v = xasprintf("+%s", ctrl);
  if (cg_write(dir, "cgroup.subtree_control", v, NULL, err) < 0)
    return enable_error(dir, ctrl, err);
  return 0;
}

int cg2_enable_controller(struct cg_hier *h, const char *ctrl, herr_t *err)
{
  size_t ml = strlen(h->mnt);
  _cleanup_free_ char *cur = xstrdup(h->mnt);
  const char *rest = h->dir + ml;
  bool is_root = true;
  /* Every ancestor from the mount root down to the leaf's parent. */
  for (;;) {
    while (*rest == '/')
      rest++;
    size_t l = strcspn(rest, "/");
    if (l == 0)
      break;
    if (enable_in(cur, is_root, ctrl, err) < 0)
      return -1;
    char *next = xasprintf("%s/%.*s", cur, (int)l, rest);
    free(cur);
    cur = next;
    rest += l;
    is_root = false;
  }
  return 0;
}

/* v1 cpuset directories start empty: copy the parent's cpus/mems.  A
 * directory that existed keeps what it has; one just made (fresh) is empty
 * or, under cgroup.clone_children, already has the parent's values: no
 * need to read it first (each cgroup file read is an open + read + close). */
static int cpuset_init(const char *parent, const char *dir, bool fresh, herr_t *err)
{
  static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
  for (int i = 0; i < 2; i++) {
    _cleanup_free_ char *cur = NULL, *pv = NULL;
    if (!fresh) {
      if (cg_read(dir, files[i], &cur, err) < 0)
        return -1;
      if (cur[0] != '\n' && cur[0] != '\0')
        continue;
    }
    if (cg_read(parent, files[i], &pv, err) < 0)
      return -1;
    if (cg_write(dir, files[i], pv, NULL, err) < 0)
      return -1;
  }
  return 0;
}

static int create_one(struct cg_hier *h, herr_t *err)
{
  bool cpuset = !h->v2 && cg_key_has(h->key, "cpuset");
  size_t ml = strlen(h->mnt);
  if (strncmp(h->dir, h->mnt, ml) != 0)
    return herr_set(err, 0, "cgroup %s is outside its hierarchy %s", h->dir, h->mnt);
  _cleanup_free_ char *cur = xstrdup(h->mnt);
  _cleanup_free_ char *first_new = NULL; /* the topmost directory made here */
  const char *rest = h->dir + ml;
  int created = 0;
  for (;;) {
    while (*rest == '/')
      rest++;
    size_t l = strcspn(rest, "/");
    if (l == 0)
      break;
    char *next = xasprintf("%s/%.*s", cur, (int)l, rest);
    free(cur);
    cur = next;
    rest += l;
    bool fresh = mkdir(cur, 0755) == 0;
    if (fresh) {
      created++;
      if (!first_new)
        first_new = xstrdup(cur);
    } else if (errno != EEXIST) {
      herr_sys(err, "cgroup: create %s", cur);
      goto fail;
    }
    if (cpuset) {
      _cleanup_free_ char *parent = xasprintf("%.*s", (int)(strrchr(cur, '/') - cur), cur);
      if (cpuset_init(parent, cur, fresh, err) < 0) {
        herr_wrap(err, "cgroup: %s", cur);
        goto fail;
      }
    }
  }
  /* 0 when the leaf existed: it is not ours to empty or remove (another
   * container may be in it; cgfs_adopt says when a container of ours made it). */
  h->created = created;
  return 0;
fail:
  if (first_new) {
    herr_t ignored = NULL;
    cg_rmdir_tree(first_new, &ignored);
    herr_free(&ignored);
  }
  h->created = 0;
  return -1;
}

int cgfs_create(struct cgfs *m, herr_t *err)
{
  if (cgfs_create_unified(m, err) < 0)
    return -1;
  return cgfs_create_legacy(m, err);
}

/* mkdir in the v1 hierarchies, or in the unified one; a failure removes
 * everything made so far. */
static int create_hiers(struct cgfs *m, bool v2, herr_t *err)
{
  for (size_t i = 0; i < m->n_h; i++) {
    if (m->h[i].v2 != v2)
      continue;
    if (create_one(&m->h[i], err) < 0) {
      herr_t ignored = NULL;
      cgfs_destroy(m, &ignored);
      herr_free(&ignored);
      return -1;
    }
  }
  return 0;
}

int cgfs_create_legacy(struct cgfs *m, herr_t *err)
{
  return create_hiers(m, false, err);
}

int cgfs_create_unified(struct cgfs *m, herr_t *err)
{
  if (create_hiers(m, true, err) < 0)
    return -1;
  struct cg_hier *u = cg_unified(m);
  if (m->mode == CG_MODE_UNIFIED && u) {
    /* Every controller the host offers, as runc does, so that stats and later
     * updates find their files. */
    for (const char *p = u->controllers; p && *p;) {
      while (*p == ' ' || *p == '\n')
        p++;
      size_t l = strcspn(p, " \n");
      if (!l)
        break;
      _cleanup_free_ char *c = xasprintf("%.*s", (int)l, p);
      herr_t e = NULL;
      if (cg2_enable_controller(u, c, &e) < 0)
        hlog_debug("cgroup: %s", e->msg);
      herr_free(&e);
      p += l;
    }
    m->clone_fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  return 0;
}

int cgfs_clone_into_fd(struct cgfs *m)
{
  /* Also on hybrid hosts: clone3 places the child in the unified hierarchy,
   * the v1 hierarchies are joined afterwards (cgroup_enter_init). */
  struct cg_hier *u = cg_unified(m);
  if (m->clone_fd < 0 && u) /* a manager loaded from the state file (exec) */
    m->clone_fd = open(u->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return m->clone_fd;
}

int cgfs_enter_sub(struct cgfs *m, pid_t pid, const char *sub, herr_t *err)
{
  if (!sub || !*sub)
    return cgfs_enter(m, pid, err);
  const char *colon = strchr(sub, ':');
  _cleanup_free_ char *ctrls = colon ? xasprintf("%.*s", (int)(colon - sub), sub) : NULL;
  const char *path = colon ? colon + 1 : sub;
  _cleanup_free_ char *norm = NULL;
  if (path[0] == '/' || cg_normalize_path(path, "x", &norm, err) < 0) {
    herr_free(err);
    return herr_set(err, 0,
                    "--cgroup \"%s\": expected a relative sub-cgroup path, optionally "
                    "after CONTROLLER[,CONTROLLER]:",
                    sub);
  }
  if (ctrls && m->mode == CG_MODE_UNIFIED && *ctrls)
    return herr_set(err, 0, "--cgroup \"%s\": controller names need cgroup v1", sub);
  bool matched = !ctrls;
  char buf[32];
  snprintf(buf, sizeof(buf), "%d", (int)pid);
  for (size_t i = 0; i < m->n_h; i++) {
    struct cg_hier *h = &m->h[i];
    bool this = !ctrls || (!*ctrls && h->v2);
    for (const char *c = ctrls; c && *c && !this;) {
      size_t l = strcspn(c, ",");
      _cleanup_free_ char *one = xasprintf("%.*s", (int)l, c);
      this = h->v2 ? false : cg_key_has(h->key, one);
      c += l;
      if (*c == ',')
        c++;
    }
    matched |= this;
    _cleanup_free_ char *dir = this ? xasprintf("%s/%s", h->dir, norm) : xstrdup(h->dir);
    if (this && access(dir, F_OK) < 0)
      return herr_set(err, 0, "--cgroup \"%s\": the sub-cgroup %s does not exist", sub, dir);
    if (cg_write(dir, "cgroup.procs", buf, NULL, err) < 0)
      return herr_wrap(err, "cgroup: move process %d into %s", (int)pid, dir);
  }
  if (!matched)
    return herr_set(err, 0, "--cgroup \"%s\": no such controller hierarchy", sub);
  return 0;
}

int cgfs_enter(struct cgfs *m, pid_t pid, herr_t *err)
{
  char buf[32];
  snprintf(buf, sizeof(buf), "%d", (int)pid);
  for (size_t i = 0; i < m->n_h; i++)
    if (cg_write(m->h[i].dir, "cgroup.procs", buf, NULL, err) < 0)
      return herr_wrap(err, "cgroup: move process %d into %s", (int)pid, m->h[i].dir);
  return 0;
}

int cgfs_enter_self(struct cgfs *m, bool unified_placed, herr_t *err)
{
  for (size_t i = 0; i < m->n_h; i++) {
    struct cg_hier *h = &m->h[i];
    if (h->v2 && unified_placed)
      continue;
    /* "0" into v1 `tasks` moves the calling thread without the
     * threadgroup-wide lock (a synchronize_rcu, 7-16 ms) that any write of
     * a pid, or to cgroup.procs, takes. */
    if (cg_write(h->dir, h->v2 ? "cgroup.procs" : "tasks", "0", NULL, err) < 0)
      return herr_wrap(err, "cgroup: join %s", h->dir);
  }
  return 0;
}

static const char *join_file(const struct cg_hier *h)
{
  return h->v2 ? "cgroup.procs" : "tasks";
}

int cgfs_open_join_fds(struct cgfs *m, bool unified_placed, int *fds, size_t max, size_t *n,
                       herr_t *err)
{
  *n = 0;
  for (size_t i = 0; i < m->n_h; i++) {
    struct cg_hier *h = &m->h[i];
    if (h->v2 && unified_placed)
      continue;
    _cleanup_free_ char *path = xasprintf("%s/%s", h->dir, join_file(h));
    int fd = *n < max ? open(path, O_WRONLY | O_CLOEXEC) : -1;
    if (fd < 0) {
      if (*n >= max)
        errno = EMFILE;
      herr_sys(err, "cgroup: open %s", path);
      for (size_t k = 0; k < *n; k++)
        close(fds[k]);
      *n = 0;
      return -1;
    }
    fds[(*n)++] = fd;
  }
  return 0;
}

int cgfs_enter_self_fds(struct cgfs *m, bool unified_placed, const int *fds, size_t n, herr_t *err)
{
  size_t k = 0;
  for (size_t i = 0; i < m->n_h; i++) {
    struct cg_hier *h = &m->h[i];
    if (h->v2 && unified_placed)
      continue;
    if (k >= n)
      return herr_set(err, EPROTO, "cgroup: join %s: no file to write", h->dir);
    ssize_t w;
    do
      w = write(fds[k], "0", 1);
    while (w < 0 && errno == EINTR);
    if (w < 0)
      return herr_sys(err, "cgroup: join %s: write \"0\" to %s", h->dir, join_file(h));
    k++;
  }
  return 0;
}

int cgfs_apply(struct cgfs *m, const struct spec_resources *r, herr_t *err)
{
  return cg_apply_resources(m, r, err);
}

void cgfs_init_devices(struct cgfs *m)
{
  m->dev_defaults_pending = true;
}

int cgfs_pids(struct cgfs *m, pid_t **pids, size_t *n, herr_t *err)
{
  struct cg_hier *h = cg_primary(m);
  if (access(h->dir, F_OK) < 0 && errno == ENOENT) {
    *pids = NULL;
    *n = 0;
    return 0;
  }
  return cg_read_procs(h->dir, true, pids, n, err);
}

int cgfs_destroy(struct cgfs *m, herr_t *err)
{
  if (!cgfs_owned(m))
    return 0; /* nothing of ours: not even its processes */
  pid_t *pids = NULL;
  size_t n = 0;
  herr_t e = NULL;
  /* Usually empty by now (delete checked, or the init just died): removing
   * the primary hierarchy's leaf proves it without reading cgroup.procs. */
  struct cg_hier *p = cg_primary(m);
  bool gone = p->created > 0 && (rmdir(p->dir) == 0 || errno == ENOENT);
  if (!gone && cgfs_pids(m, &pids, &n, &e) == 0 && n > 0) {
    if (cgfs_kill_all(m, SIGKILL, &e) < 0)
      hlog_debug("cgroup: %s", e->msg);
  }
  herr_free(&e);
  free(pids);
  int ret = 0;
  for (size_t i = 0; i < m->n_h; i++) {
    struct cg_hier *h = &m->h[i];
    if (h->created <= 0)
      continue;
    if (cg_rmdir_tree(h->dir, ret < 0 ? &e : err) < 0) {
      herr_free(&e);
      ret = -1;
      continue;
    }
    /* Ancestors this manager created; another container may share them. */
    _cleanup_free_ char *up = xstrdup(h->dir);
    for (int lvl = 1; lvl < h->created; lvl++) {
      char *slash = strrchr(up, '/');
      if (!slash || (size_t)(slash - up) <= strlen(h->mnt))
        break;
      *slash = '\0';
      if (rmdir(up) < 0)
        break;
    }
    h->created = 0;
  }
  return ret;
}

void cgfs_claim_leaf(struct cgfs *m)
{
  struct stat st;
  for (size_t i = 0; i < m->n_h; i++)
    if (m->h[i].created <= 0 && stat(m->h[i].dir, &st) == 0 && S_ISDIR(st.st_mode))
      m->h[i].created = 1;
}

json_t *cgfs_to_json(const struct cgfs *m)
{
  json_t *hs = json_array();
  for (size_t i = 0; i < m->n_h; i++) {
    const struct cg_hier *h = &m->h[i];
    json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:i}", "key", h->key, "mount", h->mnt, "dir",
                          h->dir, "v2", h->v2, "created", h->created);
    if (h->controllers)
      json_object_set_new(o, "controllers", json_string(h->controllers));
    json_array_append_new(hs, o);
  }
  return json_pack("{s:s, s:s, s:o}", "mode", mode_name(m->mode), "path", m->path, "hierarchies",
                   hs);
}

int cgfs_from_json(json_t *j, struct cgfs **out, herr_t *err)
{
  const char *mode = NULL, *path = NULL;
  json_t *hs = NULL;
  /* A "devices" list (linux.devices allowed on top of the rules) written by
   * older versions is ignored: linux.devices allows nothing. */
  if (!j ||
      json_unpack(j, "{s:s, s:s, s:o}", "mode", &mode, "path", &path, "hierarchies", &hs) < 0 ||
      !json_is_array(hs))
    return herr_set(err, 0, "cgroup: malformed cgroup state");
  struct cgfs *m = xcalloc(1, sizeof(*m));
  m->clone_fd = -1;
  m->mode = strcmp(mode, "unified") == 0  ? CG_MODE_UNIFIED
            : strcmp(mode, "hybrid") == 0 ? CG_MODE_HYBRID
                                          : CG_MODE_LEGACY;
  m->path = xstrdup(path);
  size_t i;
  json_t *v;
  json_array_foreach(hs, i, v)
  {
    const char *key, *mnt, *dir, *ctrls = NULL;
    int v2 = 0, created = 0;
    if (json_unpack(v, "{s:s, s:s, s:s, s:b, s:i, s?s}", "key", &key, "mount", &mnt, "dir", &dir,
                    "v2", &v2, "created", &created, "controllers", &ctrls) < 0) {
      cgfs_free(m);
      return herr_set(err, 0, "cgroup: malformed cgroup state (hierarchy %zu)", i);
    }
    m->h = xrealloc(m->h, (m->n_h + 1) * sizeof(*m->h));
    m->h[m->n_h++] = (struct cg_hier){xstrdup(key), xstrdup(mnt), xstrdup(dir),
                                      v2 != 0,      created,      xstrdup(ctrls)};
  }
  if (m->n_h == 0) {
    cgfs_free(m);
    return herr_set(err, 0, "cgroup: malformed cgroup state (no hierarchy)");
  }
  *out = m;
  return 0;
}
