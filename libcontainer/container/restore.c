/* `restore`: a new container (ID, bundle) whose init is the process tree
 * of a checkpoint, brought back by `criu restore`.  As `create`, hutch
 * makes the state dir and the cgroup (either driver) and sets the limits
 * first; criu runs inside that cgroup (--cgroup-root: the tree goes back
 * there), recreates the namespaces, mounts the rootfs (bound at
 * <state dir>/criu-root: criu needs a mount point) and the external mounts
 * from this bundle's config, joins namespaces given by path, and restores
 * the tree as our child (--restore-sibling).  A container with a terminal
 * is restored through criu's RPC, which hands the new pty master to
 * --console-socket.  state.json then points at the restored init.  Any
 * failure kills what criu restored and removes everything made.
 * A stopped container of the same ID (the one checkpointed) is replaced:
 * its state dir is moved aside (locked) while criu runs, and back when the
 * restore fails; once it succeeded, the old one is deleted for good (its
 * poststop hooks run).  Its cgroup, empty, is removed before the new one is
 * made, as delete would: the restored container may need its place. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/criu.h"
#include "libcontainer/container/lifecycle.h"
#include "libcontainer/container/state.h"
#include "libcontainer/process/console.h"
#include "libcontainer/process/hooks.h"
#include "libcontainer/rootfs/pathsafe.h"
#include "libcontainer/utils/fileio.h"
#include "libcontainer/validate/validate.h"
#include "spec/base/log.h"

#define CRIU_ROOT "criu-root"
#define CRIU_PIDFILE "criu.pid"
#define MAX_NS_FDS 8

struct restoring {
  struct container *c;
  char *cfg_text;
  size_t cfg_len;
  char *bin;
  char *criu_root; /* bound while criu runs */
  bool dir_made, root_made, mounted, cgroup_made;
  int ns_fds[MAX_NS_FDS];
  size_t n_ns_fds;
  int console_fd;        /* --console-socket */
  struct container *old; /* the stopped container replaced, locked */
  char aside[32];        /* its state dir's name meanwhile: no valid ID */
};

/* The bundle's config, parsed and validated as `create` does. */
static int load_bundle(struct restoring *r, const struct criu_opts *o, herr_t *err)
{
  char bundle[PATH_MAX];
  if (!realpath(o->bundle ? o->bundle : ".", bundle))
    return herr_sys(err, "bundle %s", o->bundle ? o->bundle : ".");
  _cleanup_free_ char *cfg = xasprintf("%s/config.json", bundle);
  struct stat st;
  if (stat(cfg, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > (64 << 20)))
    return herr_set(err, 0, "bundle %s: %s: not a regular file of at most 64 MiB", bundle, cfg);
  if (read_file_at(AT_FDCWD, cfg, &r->cfg_text, &r->cfg_len, err) < 0)
    return herr_wrap(err, "bundle %s", bundle);
  struct spec *s = NULL;
  if (spec_parse(r->cfg_text, r->cfg_len, "config.json", &s, err) < 0)
    return -1;
  struct container *c = r->c;
  c->spec = s;
  c->bundle = xstrdup(bundle);
  if (!s->process.terminal && o->console_socket)
    return herr_set(err, EINVAL, "--console-socket: the container has no terminal");
  if (s->process.terminal && criu_rpc_available(err) < 0)
    return -1;
  static const enum spec_hook_kind before[] = {SPEC_HOOK_PRESTART, SPEC_HOOK_CREATE_RUNTIME,
                                               SPEC_HOOK_CREATE_CONTAINER,
                                               SPEC_HOOK_START_CONTAINER};
  for (size_t i = 0; i < sizeof(before) / sizeof(before[0]); i++)
    if (s->hooks.n_hooks[before[i]])
      return herr_set(err, ENOTSUP, "hooks.%s: not run on restore (the process already started)",
                      spec_hook_name(before[i]));
  const struct spec_namespace *cg = spec_find_ns(s, SPEC_NS_CGROUP);
  if (cg && cg->path)
    return herr_set(err, ENOTSUP, "linux.namespaces: criu cannot join a cgroup namespace by path");
  /* A terminal's new pty master goes to --console-socket (criu_rpc.c). */
  struct validate_opts vo = {.bundle = bundle, .console = o->console_socket != NULL};
  return validate_config(s, &vo, &c->rootfs, err);
}

/* The image must be a checkpoint: criu's inventory is there. */
static int check_images(const struct criu_opts *o, herr_t *err)
{
  struct stat st;
  if (stat(o->image_path, &st) < 0)
    return herr_sys(err, "--image-path %s", o->image_path);
  if (!S_ISDIR(st.st_mode))
    return herr_set(err, ENOTDIR, "--image-path %s: not a directory", o->image_path);
  _cleanup_free_ char *inv = xasprintf("%s/inventory.img", o->image_path);
  if (access(inv, F_OK) < 0)
    return herr_set(err, ENOENT, "--image-path %s: not a checkpoint (no inventory.img)",
                    o->image_path);
  return 0;
}

/* A stopped container of that ID (the one checkpointed) is replaced; any
 * other is refused.  The stopped one's state dir is moved aside. */
static int replace_stopped(struct restoring *rs, const struct criu_opts *o, herr_t *err)
{
  struct container *old = NULL;
  herr_t e = NULL;
  if (container_load(o->root, o->id, &old, &e) < 0) {
    int gone = e && e->errnum == ENOENT;
    if (gone) {
      herr_free(&e);
      return 0;
    }
    *err = e;
    return -1;
  }
  int r = container_lock(old, err);
  if (r == 0) {
    enum container_status s = container_status(old);
    if (s != CONTAINER_STOPPED)
      r = herr_set(err, EEXIST, "container %s already exists and is %s", o->id,
                   container_status_name(s));
  }
  snprintf(rs->aside, sizeof(rs->aside), ".restore@%d", (int)getpid());
  if (r == 0 && renameat2(old->root_fd, o->id, old->root_fd, rs->aside, RENAME_NOREPLACE) < 0)
    r = herr_sys(err, "container %s: move the state dir aside", o->id);
  if (r < 0) {
    container_free(old);
    return -1;
  }
  rs->old = old;
  return 0;
}

/* The restore failed: the replaced container's state dir goes back. */
static void put_back(struct restoring *r)
{
  struct container *old = r->old;
  if (renameat2(old->root_fd, r->aside, old->root_fd, old->id, RENAME_NOREPLACE) < 0)
    hlog_warn("restore %s: the stopped container's state is left in %s/../%s: %s", old->id,
              old->state_dir, r->aside, strerror(errno));
  container_free(old);
  r->old = NULL;
}

/* The restore succeeded: delete the replaced container (its cgroup went
 * before criu ran), poststop hooks included. */
static void retire_old(struct restoring *r)
{
  struct container *old = r->old;
  herr_t e = NULL;
  if (container_delete(old, false, &e) < 0) {
    hlog_warn("restore %s: deleting the stopped container: %s", old->id, e->msg);
    herr_free(&e);
  }
  if (unlinkat(old->root_fd, r->aside, AT_REMOVEDIR) < 0)
    hlog_warn("restore %s: remove %s/../%s: %s", old->id, old->state_dir, r->aside,
              strerror(errno));
  container_free(old);
  r->old = NULL;
}

/* --inherit-fd for the init's stdio pipes (descriptors.json): criu's own
 * 0-2, which are ours, take their place. */
static int inherit_stdio(const struct criu_opts *o, struct criu_argv *a, herr_t *err)
{
  _cleanup_free_ char *path = xasprintf("%s/%s", o->image_path, CRIU_DESCRIPTORS);
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  if (read_file_at(AT_FDCWD, path, &text, &len, err) < 0)
    return herr_wrap(err, "--image-path");
  json_t *j = json_loadb(text, len, 0, NULL);
  if (!json_is_array(j)) {
    json_decref(j);
    return herr_set(err, EINVAL, "%s: expected a JSON array", path);
  }
  for (size_t i = 0; i < json_array_size(j) && i < 3; i++) {
    const char *d = json_string_value(json_array_get(j, i));
    if (d && strncmp(d, "pipe:", 5) == 0) {
      criu_argv_add(a, "--inherit-fd");
      criu_argv_add(a, "fd[%zu]:%s", i, d);
    }
  }
  json_decref(j);
  return 0;
}

/* Namespaces given by path: the network and pid ones were left out of
 * the image (checkpoint.c) and are handed over as fds; the others joined. */
static int join_namespaces(struct restoring *r, struct criu_argv *a, herr_t *err)
{
  const struct spec *s = r->c->spec;
  if (!s->has_linux)
    return 0;
  for (size_t i = 0; i < s->linux_.n_namespaces; i++) {
    const struct spec_namespace *ns = &s->linux_.namespaces[i];
    if (!ns->path)
      continue;
    const char *key = ns->type == SPEC_NS_NETWORK ? "extRootNetNS"
                      : ns->type == SPEC_NS_PID   ? "extRootPidNS"
                                                  : NULL;
    if (!key) {
      criu_argv_add(a, "--join-ns");
      criu_argv_add(a, "%s:%s", spec_ns_proc_name(ns->type), ns->path);
      continue;
    }
    if (r->n_ns_fds == MAX_NS_FDS)
      return herr_set(err, E2BIG, "linux.namespaces: too many");
    int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return herr_sys(err, "linux.namespaces[%zu]: %s", i, ns->path);
    r->ns_fds[r->n_ns_fds++] = fd;
    criu_argv_add(a, "--inherit-fd");
    criu_argv_add(a, "fd[%d]:%s", fd, key);
  }
  return 0;
}

/* criu mounts on what the rootfs has: make the mount points of the
 * config's mounts there, as create does (a fresh rootfs, e.g. a new
 * containerd snapshot, may lack /run).  Not those below another mount that
 * is no bind (a tmpfs, /proc, /sys): criu or the kernel brings their
 * contents.  A bind of a file gets a file. */
static int make_mountpoints(const struct container *c, herr_t *err)
{
  const struct spec *s = c->spec;
  _cleanup_close_ int root = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return herr_sys(err, "rootfs %s", c->rootfs);
  for (size_t i = 0; i < s->n_mounts; i++) {
    const struct spec_mount *m = &s->mounts[i];
    if (!m->destination)
      continue;
    _cleanup_free_ char *dest = pathsafe_clean(m->destination);
    bool below = false;
    for (size_t j = 0; j < i && !below; j++) {
      const struct spec_mount *o = &s->mounts[j];
      if (!o->destination || criu_mount_is_bind(o))
        continue;
      _cleanup_free_ char *od = pathsafe_clean(o->destination);
      below = strcmp(od, dest) != 0 && pathsafe_has_prefix(dest, od);
    }
    if (below || strcmp(dest, "/") == 0)
      continue;
    enum pathsafe_create how = PATHSAFE_DIR;
    struct stat st;
    if (criu_mount_is_bind(m) && m->source) {
      _cleanup_free_ char *src =
          m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", c->bundle, m->source);
      if (stat(src, &st) == 0 && !S_ISDIR(st.st_mode))
        how = PATHSAFE_FILE;
    }
    int fd = pathsafe_create(root, dest, how, NULL);
    if (fd < 0)
      return herr_sys(err, "mounts: mount point %s in the rootfs", dest);
    close(fd);
  }
  return 0;
}

/* In the child, once in the cgroup: --cgroup-root for each hierarchy from
 * /proc/self/cgroup ("N:CTRLS:/path"; "0::/path" for cgroup2). */
static void add_cgroup_roots(struct criu_argv *a)
{
  _cleanup_free_ char *text = NULL;
  size_t len = 0;
  herr_t e = NULL;
  if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, &len, &e) < 0) {
    herr_free(&e);
    return;
  }
  for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
    char *c1 = strchr(l, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
      continue;
    *c2 = '\0';
    criu_argv_add(a, "--cgroup-root");
    if (c1[1])
      criu_argv_add(a, "%s:%s", c1 + 1, c2 + 1);
    else
      criu_argv_add(a, "%s", c2 + 1);
  }
}

/* Fork criu, put it in the container's cgroup with the limits set, then let
 * it exec.  Our stdio is criu's (the restored pipes take it). */
static int run_criu(struct restoring *r, struct criu_job *j, herr_t *err)
{
  struct container *c = r->c;
  int go[2];
  if (pipe2(go, O_CLOEXEC) < 0)
    return herr_sys(err, "pipe");
  pid_t pid = criu_job_fork(j, err);
  if (pid < 0) {
    close(go[0]);
    close(go[1]);
    return -1;
  }
  if (pid == 0) {
    close(go[1]);
    char b;
    if (read(go[0], &b, 1) != 1)
      _exit(127);
    add_cgroup_roots(&j->opts);
    criu_job_exec(j, r->ns_fds, r->n_ns_fds);
  }
  close(go[0]);
  int rc = 0;
  if (c->cgroup) {
    rc = cgroup_create(c->cgroup, CGROUP_AFTER_CLONE, pid, err);
    if (rc == 0)
      rc = cgroup_enter(c->cgroup, pid, err);
    if (rc == 0 && c->spec->has_linux)
      rc = cgroup_apply(c->cgroup, &c->spec->linux_.resources, err);
  }
  if (rc == 0 && write(go[1], "g", 1) != 1)
    rc = herr_sys(err, "start criu");
  close(go[1]);
  if (rc < 0) {
    kill(pid, SIGKILL);
    herr_t ignored = NULL;
    criu_job_wait(j, &ignored);
    herr_free(&ignored);
    return -1;
  }
  return criu_job_wait(j, err);
}

static int restore_in_dir(struct restoring *r, const struct criu_opts *o, herr_t *err)
{
  struct container *c = r->c;
  struct spec *s = c->spec;
  if (container_lock(c, err) < 0)
    return -1;
  struct cgroup_config cgc = {
      .id = o->id, .path = s->has_linux ? s->linux_.cgroups_path : NULL, .spec = s};
  if (cgroup_manager_new(o->cgroup_driver ? o->cgroup_driver : &cgroup_driver_fs, &cgc, &c->cgroup,
                         err) < 0)
    return -1;
  if (r->old && r->old->cgroup) {
    if (container_delete_cgroup(r->old, false, err) < 0)
      return herr_wrap(err, "the stopped container %s", o->id);
    cgroup_manager_free(r->old->cgroup);
    r->old->cgroup = NULL;
  }
  if (state_write_cgroup(c, err) < 0)
    return -1;
  r->cgroup_made = true;
  if (cgroup_create(c->cgroup, CGROUP_BEFORE_CLONE, 0, err) < 0)
    return -1;
  if (make_mountpoints(c, err) < 0)
    return -1;
  /* criu needs the root to be a mount point whose parent is not
   * overmounted: the rootfs bound in our state dir. */
  r->criu_root = xasprintf("%s/%s", c->state_dir, CRIU_ROOT);
  if (mkdirat(c->dir_fd, CRIU_ROOT, 0755) < 0)
    return herr_sys(err, "mkdir %s", r->criu_root);
  r->root_made = true;
  _cleanup_close_ int target =
      openat(c->dir_fd, CRIU_ROOT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", target);
  if (target < 0 || mount(c->rootfs, proc, NULL, MS_BIND | MS_REC, NULL) < 0)
    return herr_sys(err, "bind %s on %s", c->rootfs, r->criu_root);
  r->mounted = true;

  struct criu_job j = {
      .bin = r->bin,
      .action = "restore",
      .images = o->image_path,
      .work = o->work_path ? o->work_path : o->image_path,
      .log = "restore.log",
      .rpc = s->process.terminal,
      .console_fd = r->console_fd,
  };
  struct criu_argv *a = &j.opts;
  criu_argv_add(a, "--root");
  criu_argv_add(a, "%s", r->criu_root);
  criu_argv_add(a, "--restore-detached");
  criu_argv_add(a, "--restore-sibling");
  /* criu swrk answers with the restored init's pid. */
  if (!j.rpc) {
    criu_argv_add(a, "--pidfile");
    criu_argv_add(a, "%s/%s", c->state_dir, CRIU_PIDFILE);
  }
  criu_argv_add(a, "--evasive-devices");
  criu_common_args(o, s, &j);
  criu_external_mounts(s, c->bundle, true, a);
  if (inherit_stdio(o, a, err) < 0 || join_namespaces(r, a, err) < 0 ||
      (j.rpc && criu_rpc_check_opts(&j, err) < 0)) {
    criu_argv_free(a);
    return -1;
  }
  int rc = run_criu(r, &j, err);
  c->pid = j.restored; /* killed if this restore fails */
  if (rc < 0)
    return -1;
  if (!j.rpc) {
    _cleanup_free_ char *pidtext = NULL;
    size_t plen = 0;
    if (read_file_at(c->dir_fd, CRIU_PIDFILE, &pidtext, &plen, err) < 0)
      return herr_wrap(err, "criu restore: the restored init's pid");
    unlinkat(c->dir_fd, CRIU_PIDFILE, 0);
    c->pid = (pid_t)atoi(pidtext);
  }
  if (c->pid <= 0 || proc_stat_start(c->pid, &c->pid_start, NULL) < 0)
    return herr_set(err, ESRCH, "criu restore: the restored init (pid %d) is gone", (int)c->pid);
  if (write_file_new_nofollow(c->dir_fd, STATE_CONFIG, r->cfg_text, r->cfg_len, 0600, err) < 0)
    return -1;
  if (state_write(c, err) < 0)
    return -1;
  if (o->pid_file && write_pid_file(o->pid_file, c->pid, err) < 0)
    return -1;
  return 0;
}

static void restoring_end(struct restoring *r, bool failed)
{
  for (size_t i = 0; i < r->n_ns_fds; i++)
    close(r->ns_fds[i]);
  r->n_ns_fds = 0;
  if (r->console_fd >= 0)
    close(r->console_fd);
  if (r->mounted && umount2(r->criu_root, MNT_DETACH) < 0)
    hlog_warn("restore %s: unmount %s: %s", r->c->id, r->criu_root, strerror(errno));
  if (r->root_made)
    unlinkat(r->c->dir_fd, CRIU_ROOT, AT_REMOVEDIR);
  free(r->criu_root);
  free(r->cfg_text);
  free(r->bin);
  if (!failed)
    return;
  struct container *c = r->c;
  herr_t e = NULL;
  if (c->pid > 0) {
    kill(c->pid, SIGKILL);
    while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
      ;
  }
  if (c->cgroup && r->cgroup_made) {
    if (cgroup_kill_all(c->cgroup, SIGKILL, &e) < 0)
      herr_free(&e);
    if (cgroup_destroy(c->cgroup, &e) < 0) {
      hlog_warn("restore %s: removing the cgroup: %s", c->id, e->msg);
      herr_free(&e);
    }
  }
  if (r->dir_made)
    state_dir_remove(c);
  container_free(c);
}

int container_restore(const struct criu_opts *o, struct container **out, herr_t *err)
{
  if (container_validate_id(o->id, err) < 0 || criu_common_checks(o, "restore", err) < 0)
    return -1;
  if (o->parent_path || o->pre_dump)
    return herr_set(err, EINVAL, "--parent-path and --pre-dump are checkpoint options");
  if (check_images(o, err) < 0)
    return -1;
  struct restoring r = {.console_fd = -1};
  r.c = xcalloc(1, sizeof(*r.c));
  r.c->lock_fd = r.c->start_fd = r.c->root_fd = r.c->dir_fd = -1;
  r.c->id = xstrdup(o->id);
  r.c->state_dir = xasprintf("%s/%s", o->root, o->id);
  r.c->owner = xstrdup("");
  /* Everything the user can get wrong, before anything is made or removed. */
  if (load_bundle(&r, o, err) < 0 || criu_available(o->criu, &r.bin, err) < 0 ||
      (o->console_socket && (r.console_fd = console_socket_connect(o->console_socket, err)) < 0) ||
      replace_stopped(&r, o, err) < 0) {
    restoring_end(&r, true);
    return -1;
  }
  r.c->root_fd = state_root_open(o->root, true, err);
  if (r.c->root_fd >= 0)
    r.c->dir_fd = state_dir_create(r.c->root_fd, o->id, err);
  if (r.c->dir_fd >= 0) {
    r.dir_made = true;
    r.c->created = rfc3339nano_now();
  }
  if (r.c->dir_fd < 0 || restore_in_dir(&r, o, err) < 0) {
    restoring_end(&r, true);
    if (r.old)
      put_back(&r);
    return -1;
  }
  if (r.old)
    retire_old(&r);
  *out = r.c;
  restoring_end(&r, false);
  return 0;
}
