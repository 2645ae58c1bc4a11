/* hutch create [OPTIONS] ID */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/create_opts.h"
#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/lifecycle.h"

enum {
  OPT_CONSOLE = 256,
  OPT_PIDFILE,
  OPT_NOPIVOT,
  OPT_NOKEYRING,
  OPT_PRESERVE,
  OPT_KEEP,
  OPT_NOSUBREAPER
};

int cmd_parse_create(struct hutch_ctx *ctx, int argc, char **argv, struct create_opts *o,
                     bool *detach, bool *keep)
{
  static const struct option longopts[] = {
      {"bundle", required_argument, NULL, 'b'},
      {"console-socket", required_argument, NULL, OPT_CONSOLE},
      {"pid-file", required_argument, NULL, OPT_PIDFILE},
      {"no-pivot", no_argument, NULL, OPT_NOPIVOT},
      {"no-new-keyring", no_argument, NULL, OPT_NOKEYRING},
      {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
      {"detach", no_argument, NULL, 'd'},
      {"keep", no_argument, NULL, OPT_KEEP},
      {"no-subreaper", no_argument, NULL, OPT_NOSUBREAPER},
      {0, 0, 0, 0},
  };
  const char *cmd = argv[0];
  bool is_run = detach != NULL;
  memset(o, 0, sizeof(*o));
  o->root = ctx->root;
  o->rootless_mode = ctx->rootless_mode;
  o->rootless = ctx->rootless_mode == ROOTLESS_TRUE ||
                (ctx->rootless_mode == ROOTLESS_AUTO && ctx->euid != 0);
  int c;
  while ((c = cmd_getopt(argc, argv, is_run ? "b:d" : "b:", longopts, cmd)) != -1) {
    switch (c) {
    case 'b':
      o->bundle = optarg;
      break;
    case OPT_CONSOLE:
      o->console_socket = optarg;
      break;
    case OPT_PIDFILE:
      o->pid_file = optarg;
      break;
    case OPT_NOPIVOT:
      o->no_pivot = true;
      break;
    case OPT_NOKEYRING:
      o->no_new_keyring = true;
      break;
    case OPT_PRESERVE: {
      char *end = NULL;
      long n = strtol(optarg, &end, 10);
      if (!*optarg || *end || n < 0 || n > 65536)
        return cmd_usage_error(cmd, "--preserve-fds: expected a number, got \"%s\"", optarg);
      o->preserve_fds = (int)n;
      break;
    }
    case 'd':
    case OPT_KEEP:
    case OPT_NOSUBREAPER:
      if (!is_run)
        return cmd_usage_error(cmd, "unknown option %s", argv[optind - 1]);
      if (c == 'd')
        *detach = true;
      else if (c == OPT_KEEP)
        *keep = true;
      break;
    default:
      return cmd_usage_error(cmd, "unknown option %s", argv[optind - 1]);
    }
  }
  if (cmd_check_args(cmd, argc, 1, 1))
    return 1;
  o->id = argv[optind];
  /* The one place the cgroup driver is chosen; later commands find it in
   * the container's state. */
  herr_t err = NULL;
  if (cgroup_driver_select(ctx->systemd_cgroup, &o->cgroup_driver, &err) < 0)
    return cmd_fail(ctx, &err, "%s %s", cmd, o->id);
  return 0;
}

int cmd_create(struct hutch_ctx *ctx, int argc, char **argv)
{
  struct create_opts o;
  if (cmd_parse_create(ctx, argc, argv, &o, NULL, NULL))
    return 1;
  herr_t err = NULL;
  struct container *c = NULL;
  if (container_create(&o, &c, &err) < 0)
    return cmd_fail(ctx, &err, "create %s", o.id);
  container_free(c);
  return 0;
}
