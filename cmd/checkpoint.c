/* hutch checkpoint [OPTIONS] ID and hutch restore [OPTIONS] ID: criu
 * through libcontainer/container/criu.h. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/criu.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/base/log.h"

enum {
  OPT_IMAGE = 256,
  OPT_WORK,
  OPT_PARENT,
  OPT_LEAVE,
  OPT_TCP,
  OPT_EXTUNIX,
  OPT_SHELL,
  OPT_LOCKS,
  OPT_PREDUMP,
  OPT_CGMODE,
  OPT_EMPTYNS,
  OPT_DEDUP,
  OPT_LAZY,
  OPT_PAGESERVER,
  OPT_STATUSFD,
  OPT_CONSOLE,
  OPT_PIDFILE,
  OPT_NOPIVOT,
  OPT_NOSUBREAPER,
  OPT_LSM,
};

/* go-runc, which containerd's shim uses, spells one option Go's way:
 * `restore ... -no-subreaper` (runc's flag parser takes -name as --name).
 * Rewrite such a single-dash long option to its -- form (not after "--",
 * nor the value of a long option). */
static void go_style_options(int argc, char **argv, const struct option *longopts)
{
  static char buf[512];
  size_t used = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0)
      return;
    if (a[0] != '-' || !a[1])
      continue;
    bool single = a[1] != '-';
    const char *name = a + (single ? 1 : 2);
    size_t n = strcspn(name, "=");
    const struct option *o = longopts;
    while (o->name && (strlen(o->name) != n || strncmp(o->name, name, n) != 0))
      o++;
    if (!o->name)
      continue;
    int at = i;
    if (o->has_arg == required_argument && !name[n])
      i++; /* its value */
    size_t len = strlen(a) + 2;
    if (!single || n < 2 || used + len > sizeof(buf))
      continue;
    snprintf(buf + used, len, "-%s", a);
    argv[at] = buf + used;
    used += len;
  }
}

/* Parse the options of checkpoint (restore: is_restore).  0, or 1 after a
 * usage error. */
static int parse(struct hutch_ctx *ctx, int argc, char **argv, bool is_restore, struct criu_opts *o)
{
  static const struct option longopts[] = {
      {"image-path", required_argument, NULL, OPT_IMAGE},
      {"work-path", required_argument, NULL, OPT_WORK},
      {"parent-path", required_argument, NULL, OPT_PARENT},
      {"leave-running", no_argument, NULL, OPT_LEAVE},
      {"tcp-established", no_argument, NULL, OPT_TCP},
      {"ext-unix-sk", no_argument, NULL, OPT_EXTUNIX},
      {"shell-job", no_argument, NULL, OPT_SHELL},
      {"file-locks", no_argument, NULL, OPT_LOCKS},
      {"pre-dump", no_argument, NULL, OPT_PREDUMP},
      {"manage-cgroups-mode", required_argument, NULL, OPT_CGMODE},
      {"empty-ns", required_argument, NULL, OPT_EMPTYNS},
      {"auto-dedup", no_argument, NULL, OPT_DEDUP},
      {"lazy-pages", no_argument, NULL, OPT_LAZY},
      {"page-server", required_argument, NULL, OPT_PAGESERVER},
      {"status-fd", required_argument, NULL, OPT_STATUSFD},
      {"bundle", required_argument, NULL, 'b'},
      {"detach", no_argument, NULL, 'd'},
      {"pid-file", required_argument, NULL, OPT_PIDFILE},
      {"console-socket", required_argument, NULL, OPT_CONSOLE},
      {"no-pivot", no_argument, NULL, OPT_NOPIVOT},
      {"no-subreaper", no_argument, NULL, OPT_NOSUBREAPER},
      {"lsm-profile", required_argument, NULL, OPT_LSM},
      {"lsm-mount-context", required_argument, NULL, OPT_LSM},
      {0, 0, 0, 0},
  };
  const char *cmd = argv[0];
  memset(o, 0, sizeof(*o));
  o->criu = ctx->criu;
  o->root = ctx->root;
  go_style_options(argc, argv, longopts);
  int c;
  while ((c = cmd_getopt(argc, argv, is_restore ? "b:d" : "", longopts, cmd)) != -1) {
    bool restore_only = c == 'b' || c == 'd' || c == OPT_PIDFILE || c == OPT_CONSOLE ||
                        c == OPT_NOPIVOT || c == OPT_NOSUBREAPER || c == OPT_LSM;
    bool checkpoint_only = c == OPT_LEAVE || c == OPT_PREDUMP || c == OPT_PARENT ||
                           c == OPT_PAGESERVER || c == OPT_STATUSFD;
    if ((restore_only && !is_restore) || (checkpoint_only && is_restore))
      return cmd_usage_error(cmd, "unknown option %s", argv[optind - 1]);
    switch (c) {
    case OPT_IMAGE:
      o->image_path = optarg;
      break;
    case OPT_WORK:
      o->work_path = optarg;
      break;
    case OPT_PARENT:
      o->parent_path = optarg;
      break;
    case OPT_LEAVE:
      o->leave_running = true;
      break;
    case OPT_TCP:
      o->tcp_established = true;
      break;
    case OPT_EXTUNIX:
      o->ext_unix_sk = true;
      break;
    case OPT_SHELL:
      o->shell_job = true;
      break;
    case OPT_LOCKS:
      o->file_locks = true;
      break;
    case OPT_PREDUMP:
      o->pre_dump = true;
      break;
    case OPT_CGMODE:
      o->manage_cgroups_mode = optarg;
      break;
    case OPT_DEDUP:
      o->auto_dedup = true;
      break;
    case OPT_LAZY:
      o->lazy_pages = true;
      break;
    case OPT_EMPTYNS:
      if (strcmp(optarg, "network") != 0 && strcmp(optarg, "net") != 0)
        return cmd_usage_error(cmd,
                               "--empty-ns: criu can only leave the network namespace "
                               "empty, got \"%s\"",
                               optarg);
      o->empty_ns |= CLONE_NEWNET;
      break;
    case OPT_PAGESERVER:
    case OPT_STATUSFD:
      return cmd_usage_error(cmd,
                             "%s: not supported (criu's page server and lazy migration are "
                             "not driven by hutch)",
                             argv[optind - 2]);
    case OPT_LSM:
      return cmd_usage_error(cmd, "%s: not supported by hutch's restore", argv[optind - 2]);
    case 'b':
      o->bundle = optarg;
      break;
    case 'd':
      o->detach = true;
      break;
    case OPT_PIDFILE:
      o->pid_file = optarg;
      break;
    case OPT_CONSOLE:
      o->console_socket = optarg;
      break;
    /* criu switches into the root itself (no pivot_root of hutch's). */
    case OPT_NOPIVOT:
      o->no_pivot = true;
      break;
    case OPT_NOSUBREAPER:
      o->no_subreaper = true;
      break;
    default:
      return cmd_usage_error(cmd, "unknown option %s", argv[optind - 1]);
    }
  }
  if (cmd_check_args(cmd, argc, 1, 1))
    return 1;
  o->id = argv[optind];
  return 0;
}

int cmd_checkpoint(struct hutch_ctx *ctx, int argc, char **argv)
{
  struct criu_opts o;
  if (parse(ctx, argc, argv, false, &o))
    return 1;
  herr_t err = NULL;
  if (!cmd_criu_available(ctx, &err))
    return cmd_fail(ctx, &err, "checkpoint %s", o.id);
  struct container *c = NULL;
  if (container_load(ctx->root, o.id, &c, &err) < 0 || container_lock(c, &err) < 0 ||
      container_checkpoint(c, &o, &err) < 0) {
    container_free(c);
    return cmd_fail(ctx, &err, "checkpoint %s", o.id);
  }
  container_free(c);
  return 0;
}

/* Foreground restore: forward signals to the restored init (our child),
 * wait for it, delete the container, exit with its status. */
static int wait_restored(struct container *c, int sfd)
{
  container_unlock(c);
  int status = cmd_wait_forwarding(sfd, c->pid);
  herr_t err = NULL;
  if (container_lock(c, &err) < 0 || container_delete(c, true, &err) < 0) {
    hlog_warn("restore %s: deleting the container: %s", c->id, err->msg);
    herr_free(&err);
  }
  return status;
}

int cmd_restore(struct hutch_ctx *ctx, int argc, char **argv)
{
  struct criu_opts o;
  if (parse(ctx, argc, argv, true, &o))
    return 1;
  herr_t err = NULL;
  if (!cmd_criu_available(ctx, &err))
    return cmd_fail(ctx, &err, "restore %s", o.id);
  if (cgroup_driver_select(ctx->systemd_cgroup, &o.cgroup_driver, &err) < 0)
    return cmd_fail(ctx, &err, "restore %s", o.id);
  sigset_t all, old;
  int sfd = -1;
  if (!o.detach) {
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    sfd = signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0) {
      herr_sys(&err, "signalfd");
      return cmd_fail(ctx, &err, "restore %s", o.id);
    }
    /* As `run`: orphans of the container come back to us. */
    if (!o.no_subreaper)
      prctl(PR_SET_CHILD_SUBREAPER, 1);
  }
  struct container *c = NULL;
  if (container_restore(&o, &c, &err) < 0)
    return cmd_fail(ctx, &err, "restore %s", o.id);
  if (o.detach) {
    container_free(c);
    return 0;
  }
  int status = wait_restored(c, sfd);
  container_free(c);
  return status;
}
