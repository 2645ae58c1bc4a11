/* hutch exec [OPTIONS] ID [COMMAND [ARG...]]: run a process in a running
 * container (libcontainer/container/exec.h).  In the foreground the exit status is the
 * process's (128+N when killed by signal N); hutch's own failures (no such
 * container, paused, bad --user or --pid-file, the process could not be set
 * up or exec'ed) exit 255, as runc and crun, so callers can tell them from
 * the process's status.  Usage errors (unknown option, no ID) exit 1. */
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "libcontainer/container/exec.h"
#include "libcontainer/utils/fileio.h"

enum {
  OPT_CONSOLE = 256,
  OPT_CWD,
  OPT_NNP,
  OPT_APPARMOR,
  OPT_LABEL,
  OPT_PIDFILE,
  OPT_PRESERVE,
  OPT_CGROUP,
  OPT_IGNORE_PAUSED,
};

#define EXEC_OWN_FAILURE 255

static void push(char ***v, size_t *n, char *s)
{
  *v = xrealloc(*v, (*n + 1) * sizeof(char *));
  (*v)[(*n)++] = s;
}

static int parse(int argc, char **argv, struct exec_opts *o)
{
  static const struct option longopts[] = {
      {"process", required_argument, NULL, 'p'},
      {"tty", no_argument, NULL, 't'},
      {"console-socket", required_argument, NULL, OPT_CONSOLE},
      {"cwd", required_argument, NULL, OPT_CWD},
      {"env", required_argument, NULL, 'e'},
      {"user", required_argument, NULL, 'u'},
      {"additional-gids", required_argument, NULL, 'g'},
      {"cap", required_argument, NULL, 'c'},
      {"no-new-privs", no_argument, NULL, OPT_NNP},
      {"apparmor", required_argument, NULL, OPT_APPARMOR},
      {"process-label", required_argument, NULL, OPT_LABEL},
      {"detach", no_argument, NULL, 'd'},
      {"pid-file", required_argument, NULL, OPT_PIDFILE},
      {"preserve-fds", required_argument, NULL, OPT_PRESERVE},
      {"cgroup", required_argument, NULL, OPT_CGROUP},
      {"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
      {0, 0, 0, 0},
  };
  int c;
  while ((c = cmd_getopt(argc, argv, "+p:te:u:g:c:d", longopts, "exec")) != -1) {
    switch (c) {
    case 'p':
      o->process_file = optarg;
      break;
    case 't':
      o->tty = true;
      break;
    case OPT_CONSOLE:
      o->console_socket = optarg;
      break;
    case OPT_CWD:
      o->cwd = optarg;
      break;
    case 'e':
      push(&o->env, &o->n_env, optarg);
      break;
    case 'u':
      o->user = optarg;
      break;
    case 'g':
      push(&o->gids, &o->n_gids, optarg);
      break;
    case 'c':
      push(&o->caps, &o->n_caps, optarg);
      break;
    case OPT_NNP:
      o->no_new_privs = true;
      break;
    case OPT_APPARMOR:
      o->apparmor = optarg;
      break;
    case OPT_LABEL:
      o->process_label = optarg;
      break;
    case 'd':
      o->detach = true;
      break;
    case OPT_PIDFILE:
      o->pid_file = optarg;
      break;
    case OPT_PRESERVE: {
      char *end = NULL;
      long n = strtol(optarg, &end, 10);
      if (!*optarg || *end || n < 0 || n > 65536)
        return cmd_usage_error("exec", "--preserve-fds: expected a number, got \"%s\"", optarg);
      o->preserve_fds = (int)n;
      break;
    }
    case OPT_CGROUP:
      push(&o->cgroups, &o->n_cgroups, optarg);
      break;
    case OPT_IGNORE_PAUSED:
      o->ignore_paused = true;
      break;
    default:
      return cmd_usage_error("exec", "unknown option %s", argv[optind - 1]);
    }
  }
  if (cmd_check_args("exec", argc, 1, -1))
    return 1;
  if (!o->process_file && argc - optind < 2) {
    cmd_usage_error("exec", "expects a command to run (or --process FILE)");
    return EXEC_OWN_FAILURE; /* as runc: "process args cannot be empty" */
  }
  o->args = argv + optind + 1;
  o->n_args = (size_t)(argc - optind - 1);
  return 0;
}

int cmd_exec(struct hutch_ctx *ctx, int argc, char **argv)
{
  struct exec_opts o = {0};
  int r = parse(argc, argv, &o);
  if (r) {
    free(o.env);
    free(o.gids);
    free(o.caps);
    free(o.cgroups);
    return r;
  }
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *c = NULL;
  struct exec_process x = {0};
  int status = 0;
  int ret = 0;
  if (container_load(ctx->root, id, &c, &err) < 0 ||
      exec_process_build(c->spec, c->id, &o, &x, &err) < 0 ||
      container_exec(c, &o, &x, &status, &err) < 0)
    ret = cmd_fail(ctx, &err, "exec %s", id) ? EXEC_OWN_FAILURE : 0;
  else
    ret = status;
  exec_process_clear(&x);
  container_free(c);
  free(o.env);
  free(o.gids);
  free(o.caps);
  free(o.cgroups);
  return ret;
}
