/* `checkpoint`: `criu dump` (or `criu pre-dump`) of a running container's
 * process tree into --image-path.  The container's bind mounts and devices
 * are described as external mounts and a joined network or pid namespace
 * as an external namespace, so that `restore` can put them back; the
 * cgroup freezer stops the tree while criu reads it.  Without
 * --leave-running criu kills the tree: the container is then `stopped`
 * (its state stays until `delete`, or a `restore` into the same ID). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/criu.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/fileio.h"
#include "spec/base/log.h"

int criu_common_checks(const struct criu_opts *o, const char *verb, herr_t *err)
{
  if (!o->image_path || !*o->image_path)
    return herr_set(err, EINVAL, "--image-path: required (the directory of the checkpoint images)");
  if (geteuid() != 0)
    return herr_set(err, EPERM, "%s needs root (criu cannot %s as uid %u)", verb, verb,
                    (unsigned)geteuid());
  if (o->lazy_pages)
    return herr_set(err, EINVAL,
                    "--lazy-pages: not supported (it needs criu's page server and lazy-pages "
                    "daemon, which hutch does not drive)");
  if (o->manage_cgroups_mode) {
    static const char *const modes[] = {"soft", "full", "strict", "ignore"};
    bool ok = false;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
      ok = ok || strcmp(o->manage_cgroups_mode, modes[i]) == 0;
    if (!ok)
      return herr_set(err, EINVAL,
                      "--manage-cgroups-mode: expected soft, full, strict or ignore, got \"%s\"",
                      o->manage_cgroups_mode);
  }
  if (o->empty_ns & ~(unsigned long)CLONE_NEWNET)
    return herr_set(err, EINVAL, "--empty-ns: criu can only leave the network namespace empty");
  return 0;
}

void criu_common_args(const struct criu_opts *o, const struct spec *s, struct criu_job *j)
{
  struct criu_argv *a = &j->opts;
  criu_argv_add(a, "--manage-cgroups=%s", o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
  if (o->tcp_established)
    criu_argv_add(a, "--tcp-established");
  if (o->ext_unix_sk)
    criu_argv_add(a, "--ext-unix-sk");
  if (o->shell_job)
    criu_argv_add(a, "--shell-job");
  if (o->file_locks)
    criu_argv_add(a, "--file-locks");
  if (o->auto_dedup)
    criu_argv_add(a, "--auto-dedup");
  if (o->empty_ns & CLONE_NEWNET) {
    criu_argv_add(a, "--empty-ns");
    criu_argv_add(a, "net");
  }
  /* As runc: the annotation org.criu.config names a criu configuration
   * file for this container ("" for none). */
  const char *conf = spec_annotation(s, "org.criu.config");
  j->config = conf && *conf ? conf : NULL;
}

int criu_mkdir(const char *opt, const char *path, herr_t *err)
{
  if (mkdir(path, 0700) < 0 && errno != EEXIST)
    return herr_sys(err, "%s %s", opt, path);
  struct stat st;
  if (stat(path, &st) < 0)
    return herr_sys(err, "%s %s", opt, path);
  if (!S_ISDIR(st.st_mode))
    return herr_set(err, ENOTDIR, "%s %s: not a directory", opt, path);
  return 0;
}

/* descriptors.json: where the init's stdio pointed (pipes are passed back
 * by `restore` with --inherit-fd). */
static int write_descriptors(const struct container *c, const char *dir, herr_t *err)
{
  json_t *a = json_array();
  for (int fd = 0; fd < 3; fd++) {
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)c->pid, fd);
    ssize_t n = readlink(link, target, sizeof(target) - 1);
    target[n < 0 ? 0 : n] = '\0';
    json_array_append_new(a, json_string(n < 0 ? "/dev/null" : target));
  }
  char *text = json_dumps(a, JSON_COMPACT);
  json_decref(a);
  if (!text)
    abort();
  _cleanup_free_ char *path = xasprintf("%s/%s", dir, CRIU_DESCRIPTORS);
  int r = write_file_atomic(path, text, strlen(text), 0600, err);
  free(text);
  return r;
}

/* A joined network or pid namespace stays outside the image. */
static int external_namespaces(const struct spec *s, struct criu_argv *a, herr_t *err)
{
  static const struct {
    enum spec_ns_type t;
    const char *criu, *key;
  } ext[] = {{SPEC_NS_NETWORK, "net", "extRootNetNS"}, {SPEC_NS_PID, "pid", "extRootPidNS"}};
  for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
    const struct spec_namespace *ns = spec_find_ns(s, ext[i].t);
    if (!ns || !ns->path)
      continue;
    struct stat st;
    if (stat(ns->path, &st) < 0)
      return herr_sys(err, "linux.namespaces: %s namespace %s", ext[i].criu, ns->path);
    criu_argv_add(a, "--external");
    criu_argv_add(a, "%s[%llu]:%s", ext[i].criu, (unsigned long long)st.st_ino, ext[i].key);
  }
  return 0;
}

/* criu dumps the init's process tree only.  A process of the container
 * started by `exec` is not in it (its parent, hutch exec, was outside the
 * pid namespace; it now belongs to the caller's subreaper): say that it
 * will not be in the checkpoint. */
static void warn_outside_tree(const struct container *c)
{
  pid_t *pids = NULL;
  size_t n = 0;
  herr_t e = NULL;
  if (!c->cgroup || cgroup_pids(c->cgroup, &pids, &n, &e) < 0) {
    herr_free(&e);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    pid_t q = pids[i];
    for (int depth = 0; q > 1 && q != c->pid && depth < 4096; depth++)
      q = proc_stat_ppid(q);
    if (q == c->pid)
      continue;
    _cleanup_free_ char *path = xasprintf("/proc/%d/comm", (int)pids[i]), *comm = NULL;
    size_t len = 0;
    if (read_file_at(AT_FDCWD, path, &comm, &len, &e) < 0)
      herr_free(&e);
    else
      comm[strcspn(comm, "\n")] = '\0';
    hlog_warn("checkpoint %s: process %d (%s) is not in the init's process tree (started by "
              "exec?): criu does not checkpoint it",
              c->id, (int)pids[i], comm ? comm : "?");
  }
  free(pids);
}

int container_checkpoint(struct container *c, const struct criu_opts *o, herr_t *err)
{
  if (criu_common_checks(o, "checkpoint", err) < 0)
    return -1;
  enum container_status s = container_status(c);
  if (s != CONTAINER_RUNNING && s != CONTAINER_PAUSED)
    return herr_set(err, 0, "the container is %s, not running", container_status_name(s));
  const struct spec *sp = c->spec;
  if (sp->process.terminal && criu_rpc_available(err) < 0)
    return -1;
  _cleanup_free_ char *bin = NULL;
  if (criu_available(o->criu, &bin, err) < 0)
    return -1;
  if (criu_mkdir("--image-path", o->image_path, err) < 0)
    return -1;
  const char *work = o->work_path ? o->work_path : o->image_path;
  if (o->work_path && criu_mkdir("--work-path", o->work_path, err) < 0)
    return -1;
  if (!o->pre_dump && write_descriptors(c, o->image_path, err) < 0)
    return -1;
  if (!o->pre_dump)
    warn_outside_tree(c);

  struct criu_job j = {
      .bin = bin,
      .action = o->pre_dump ? "pre-dump" : "dump",
      .images = o->image_path,
      .work = work,
      .log = o->pre_dump ? "pre-dump.log" : "dump.log",
      .tree = c->pid,
      .rpc = sp->process.terminal,
      .console_fd = -1,
  };
  struct criu_argv *a = &j.opts;
  criu_argv_add(a, "--root");
  criu_argv_add(a, "%s", c->rootfs);
  if (o->leave_running)
    criu_argv_add(a, "--leave-running");
  if (o->parent_path) {
    criu_argv_add(a, "--prev-images-dir");
    criu_argv_add(a, "%s", o->parent_path);
    criu_argv_add(a, "--track-mem");
  }
  criu_common_args(o, sp, &j);
  /* The cgroup freezer stops the whole tree at once (v1 freezer, or the
   * unified hierarchy's cgroup.freeze). */
  const char *fz = c->cgroup ? cgroup_dir(c->cgroup, "freezer") : NULL;
  if (!fz && c->cgroup)
    fz = cgroup_dir(c->cgroup, "");
  if (fz) {
    criu_argv_add(a, "--freeze-cgroup");
    criu_argv_add(a, "%s", fz);
  }
  if (!o->pre_dump)
    criu_external_mounts(sp, c->bundle, false, a);
  if (external_namespaces(sp, a, err) < 0 || (j.rpc && criu_rpc_check_opts(&j, err) < 0)) {
    criu_argv_free(a);
    return -1;
  }
  pid_t pid = criu_job_fork(&j, err);
  if (pid < 0) {
    criu_argv_free(a);
    return -1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
      _exit(127);
    criu_job_exec(&j, NULL, 0);
  }
  return criu_job_wait(&j, err);
}
