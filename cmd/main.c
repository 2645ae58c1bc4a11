/* hutch: global options, command dispatch, help and error printing. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "libcontainer/container/criu.h"
#include "libcontainer/container/state.h"
#include "libcontainer/utils/rootless.h"
#include "spec/base/log.h"
#include "spec/base/util.h"
#include "version.h"

#define CONTAINER_OPTS                                                                             \
  "  -b, --bundle DIR          bundle directory (default: current directory)\n"                    \
  "      --console-socket PATH unix socket that receives the pty master (terminal: true)\n"        \
  "      --pid-file FILE       write the container init's PID to FILE\n"                           \
  "      --no-pivot            do not use pivot_root (for ramdisk roots)\n"                        \
  "      --no-new-keyring      do not create a new session keyring\n"                              \
  "      --preserve-fds N      pass N extra fds (3..3+N-1) to the container\n"

static const struct hutch_command commands[] = {
    {"create", cmd_create, "[OPTIONS] ID", "create a container, ready for `start`", CONTAINER_OPTS},
    {"start", cmd_start, "ID", "run the user process of a created container", NULL},
    {"run", cmd_run, "[OPTIONS] ID", "create and start a container",
     CONTAINER_OPTS "  -d, --detach              do not wait for the container to exit\n"
                    "      --keep                keep the container after it exits\n"
                    "      --no-subreaper        accepted for runc compatibility\n"},
    {"state", cmd_state, "ID", "print the OCI state of a container", NULL},
    {"list", cmd_list, "[OPTIONS]", "list containers",
     "  -f, --format table|json   output format (default: table)\n"
     "  -q, --quiet               print only container IDs\n"},
    {"kill", cmd_kill, "[OPTIONS] ID [SIGNAL]", "send a signal (default: SIGTERM) to a container",
     "  -a, --all                 signal every process of the container\n"},
    {"delete", cmd_delete, "[OPTIONS] ID", "delete a stopped container",
     "  -f, --force               kill the container first if it is running\n"},
    {"exec", cmd_exec, "[OPTIONS] ID [COMMAND [ARG...]]", "run a process in a running container",
     "  -p, --process FILE        process.json describing the process\n"
     "  -t, --tty                 allocate a pseudo-terminal\n"
     "      --console-socket PATH unix socket that receives the pty master\n"
     "      --cwd DIR             working directory\n"
     "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
     "  -u, --user UID[:GID]      user to run as\n"
     "  -g, --additional-gids GID additional group (repeatable)\n"
     "  -c, --cap CAP             add a capability (repeatable)\n"
     "      --no-new-privs        set no_new_privs\n"
     "      --apparmor PROFILE    AppArmor profile\n"
     "      --process-label LABEL SELinux label\n"
     "  -d, --detach              do not wait for the process\n"
     "      --pid-file FILE       write the process PID to FILE\n"
     "      --preserve-fds N      pass N extra fds to the process\n"
     "      --cgroup PATH         sub-cgroup (or CONTROLLER:PATH) to join\n"
     "      --ignore-paused       allow exec into a paused container\n"},
    {"ps", cmd_ps, "[OPTIONS] ID [PS_ARGS...]", "list the processes of a container",
     "  -f, --format table|json   output format (default: table)\n"},
    {"pause", cmd_pause, "ID", "freeze every process of a container", NULL},
    {"resume", cmd_resume, "ID", "thaw a paused container", NULL},
    {"update", cmd_update, "[OPTIONS] ID", "change the resource limits of a container",
     "  -r, --resources FILE|-    linux.resources JSON\n"
     "      --blkio-weight N      --cpu-period N      --cpu-quota N      --cpu-share N\n"
     "      --cpu-rt-period N     --cpu-rt-runtime N  --cpuset-cpus L    --cpuset-mems L\n"
     "      --memory N            --memory-reservation N                 --memory-swap N\n"
     "      --pids-limit N        --l3-cache-schema S --mem-bw-schema S\n"},
    {"events", cmd_events, "[OPTIONS] ID", "print container statistics and events",
     "      --stats               print statistics once and exit\n"
     "      --interval DURATION   statistics interval (default: 5s)\n"},
    {"spec", cmd_spec, "[OPTIONS]", "write a default config.json",
     "  -b, --bundle DIR          bundle directory (default: current directory)\n"
     "      --rootless            a config for a rootless container\n"},
    {"features", cmd_features, "", "print the features this build supports (JSON)", NULL},
    {"checkpoint", cmd_checkpoint, "[OPTIONS] ID", "checkpoint a running container with criu",
     "      --image-path DIR      where criu writes the images (required)\n"
     "      --work-path DIR       criu's logs (default: the image path)\n"
     "      --parent-path DIR     the images of a previous --pre-dump (relative to the image "
     "path)\n"
     "      --leave-running       leave the container running after the checkpoint\n"
     "      --pre-dump            only dump the memory (an iterative migration's first step)\n"
     "      --tcp-established     checkpoint established TCP connections\n"
     "      --ext-unix-sk         allow external unix sockets\n"
     "      --shell-job           allow a process started from a shell (session, tty)\n"
     "      --file-locks          checkpoint file locks\n"
     "      --auto-dedup          deduplicate the parent's pages\n"
     "      --empty-ns network    leave the network namespace out (restore makes an empty one)\n"
     "      --manage-cgroups-mode soft|full|strict|ignore (default: soft)\n"},
    {"restore", cmd_restore, "[OPTIONS] ID", "restore a container from a checkpoint with criu",
     "      --image-path DIR      the checkpoint's images (required)\n"
     "      --work-path DIR       criu's logs (default: the image path)\n"
     "  -b, --bundle DIR          bundle directory (default: current directory)\n"
     "  -d, --detach              do not wait for the restored container to exit\n"
     "      --pid-file FILE       write the restored init's PID to FILE\n"
     "      --console-socket PATH receives the new pty master (terminal: true)\n"
     "      --tcp-established     restore established TCP connections\n"
     "      --ext-unix-sk         allow external unix sockets\n"
     "      --shell-job           allow a process started from a shell (session, tty)\n"
     "      --file-locks          restore file locks\n"
     "      --auto-dedup          deduplicate\n"
     "      --empty-ns network    make an empty network namespace\n"
     "      --manage-cgroups-mode soft|full|strict|ignore (default: soft)\n"
     "      --no-pivot            accepted for runc compatibility (criu enters the root itself)\n"
     "      --no-subreaper        do not become a subreaper of the restored container\n"},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Commands are defined in their own cmd/<name>.c; until a command exists
 * there, this weak fallback says so clearly. */
#define HUTCH_WEAK_STUB(name)                                                                      \
  __attribute__((weak)) int cmd_##name(struct hutch_ctx *ctx, int argc, char **argv)               \
  {                                                                                                \
    (void)ctx;                                                                                     \
    (void)argc;                                                                                    \
    (void)argv;                                                                                    \
    fprintf(stderr, "hutch: %s: not implemented yet\n", #name);                                    \
    return 1;                                                                                      \
  }
HUTCH_COMMANDS(HUTCH_WEAK_STUB)

static const struct hutch_command *find_command(const char *name)
{
  for (size_t i = 0; i < N_COMMANDS; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

bool cmd_criu_available(struct hutch_ctx *ctx, herr_t *err)
{
  char *path = NULL;
  if (criu_available(ctx->criu, &path, err) < 0)
    return false;
  free(path);
  return true;
}

static bool is_criu_command(const char *name)
{
  return strcmp(name, "checkpoint") == 0 || strcmp(name, "restore") == 0;
}

static void print_usage(struct hutch_ctx *ctx, FILE *f)
{
  fprintf(f, "usage: hutch [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
             "hutch is an OCI container runtime.\n\n"
             "Commands:\n");
  int criu = -1; /* checked once, only when help is printed */
  for (size_t i = 0; i < N_COMMANDS; i++) {
    if (is_criu_command(commands[i].name)) {
      if (criu < 0) {
        herr_t e = NULL;
        criu = cmd_criu_available(ctx, &e);
        herr_free(&e);
      }
      if (!criu) {
        fprintf(f, "  %-11s %s\n", commands[i].name,
                "unavailable here (see `hutch checkpoint --help`)");
        continue;
      }
    }
    fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
  }
  fprintf(f, "  %-11s %s\n", "help", "show this help, or a command's (`hutch help create`)");
  fprintf(f, "\nGlobal options:\n"
             "      --root DIR            state directory (default: /run/hutch; rootless:\n"
             "                            $XDG_RUNTIME_DIR/hutch)\n"
             "      --log FILE            write logs to FILE (default: stderr)\n"
             "      --log-format FORMAT   text or json (default: text)\n"
             "      --debug               log debug messages\n"
             "      --systemd-cgroup      cgroups as transient systemd scopes (slice:prefix:name)\n"
             "      --rootless VALUE      true, false or auto (default: auto)\n"
             "      --criu PATH           the criu binary for checkpoint/restore (default: criu)\n"
             "  -v, --version             print the version\n"
             "  -h, --help                show this help\n");
}

void cmd_print_help(const char *name)
{
  const struct hutch_command *c = find_command(name);
  if (!c)
    return;
  printf("usage: hutch %s %s\n\n%s\n", c->name, c->usage, c->summary);
  if (c->options)
    printf("\nOptions:\n%s", c->options);
  printf("  -h, --help                show this help\n");
}

int cmd_fail(struct hutch_ctx *ctx, herr_t *err, const char *fmt, ...)
{
  char *ctxmsg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&ctxmsg, fmt, ap) < 0)
    ctxmsg = NULL;
  va_end(ap);
  const char *msg = (err && *err) ? (*err)->msg : "unknown error";
  char *full = NULL;
  if (ctxmsg && *ctxmsg) {
    if (asprintf(&full, "%s: %s", ctxmsg, msg) < 0)
      full = NULL;
  } else if (asprintf(&full, "%s", msg) < 0) {
    full = NULL;
  }
  /* One line, always: a newline or other control character that came from
   * the user (an ID, a path, a config string) is shown as '?'. */
  for (char *p = full; p && *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      *p = '?';
  /* The user always sees the error on stderr; clients that pass --log read
   * the last error line of that file, so it goes there too. */
  fprintf(stderr, "hutch: %s\n", full ? full : msg);
  if (hlog_to_file())
    hlog_error("%s", full ? full : msg);
  (void)ctx;
  free(full);
  free(ctxmsg);
  herr_free(err);
  return 1;
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
  char *msg = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&msg, fmt, ap) < 0)
    msg = NULL;
  va_end(ap);
  fprintf(stderr, "hutch %s: %s (see `hutch %s --help`)\n", cmd, msg ? msg : "bad usage", cmd);
  if (hlog_to_file())
    hlog_error("%s: %s", cmd, msg ? msg : "bad usage");
  free(msg);
  return 1;
}

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd)
{
  opterr = 0;
  int idx = 0;
  /* A leading ':' makes getopt report a missing value as ':' (not '?'). */
  char opts[128];
  if (shortopts[0] == '+')
    snprintf(opts, sizeof(opts), "+:%s", shortopts + 1);
  else
    snprintf(opts, sizeof(opts), ":%s", shortopts);
  int c = getopt_long(argc, argv, opts, longopts, &idx);
  if (c == '?') {
    if (optopt)
      cmd_usage_error(cmd, "unknown option -%c", optopt);
    else
      cmd_usage_error(cmd, "unknown option %s", argv[optind - 1]);
    exit(1);
  }
  if (c == ':') {
    cmd_usage_error(cmd, "option %s needs a value", argv[optind - 1]);
    exit(1);
  }
  return c;
}

int cmd_check_args(const char *cmd, int argc, int min, int max)
{
  int n = argc - optind;
  if (n < min) {
    if (min == 1 && max == 1)
      return cmd_usage_error(cmd, "expects a container ID");
    return cmd_usage_error(cmd, "expects at least %d argument(s), got %d", min, n);
  }
  if (max >= 0 && n > max)
    return cmd_usage_error(cmd, "expects at most %d argument(s), got %d", max, n);
  return 0;
}

/* Commands whose arguments after the ID are a process's (cmd_getopt "+"). */
static bool args_are_process(const char *name)
{
  return strcmp(name, "exec") == 0 || strcmp(name, "ps") == 0;
}

/* A command's --help/-h before "--": anywhere for commands that take options
 * after the ID (as runc), else before the first argument. */
static int wants_help(int argc, char **argv)
{
  bool anywhere = !args_are_process(argv[0]);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0 || (argv[i][0] != '-' && !anywhere))
      return 0;
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
      return 1;
  }
  return 0;
}

/* Commands that read or write no container state need no --root. */
static bool needs_state_root(const char *name)
{
  return strcmp(name, "spec") != 0 && strcmp(name, "features") != 0;
}

/* No --root: /run/hutch, or $XDG_RUNTIME_DIR/hutch when rootless (for uid
 * 0, uid_map is only read when XDG_RUNTIME_DIR is set, as runc does). */
static int default_root(struct hutch_ctx *ctx, char **owned, herr_t *err)
{
  bool rootless;
  if (ctx->rootless_mode != ROOTLESS_AUTO)
    rootless = ctx->rootless_mode == ROOTLESS_TRUE;
  else if (ctx->euid != 0)
    rootless = true;
  else
    rootless = getenv("XDG_RUNTIME_DIR") && rootless_in_partial_userns();
  if (!rootless) {
    ctx->root = "/run/hutch";
    return 0;
  }
  if (rootless_default_root(owned, err) < 0)
    return -1;
  ctx->root = *owned;
  return 0;
}

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_ROOTLESS, OPT_CRIU };

int main(int argc, char **argv)
{
  struct hutch_ctx ctx = {.root = NULL, .rootless = "auto", .argv0 = argv[0]};
  /* Never a setuid/setgid (or file-capability) binary: hutch trusts its
   * caller's environment and arguments (AT_SECURE costs no syscall). */
  if (getauxval(AT_SECURE)) {
    fprintf(stderr, "hutch: refusing to run: the hutch binary is installed setuid/setgid (or "
                    "with file capabilities)\n");
    return 1;
  }
  /* A container process must never be able to open /proc/<pid>/exe of a
   * hutch process (CVE-2019-5736), even one sharing its pid namespace.
   * Rootless hutch stays dumpable: it must write its child's uid_map. */
  ctx.euid = geteuid();
  if (ctx.euid == 0)
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const char *log_format = "text";
  static const struct option opts[] = {
      {"root", required_argument, NULL, OPT_ROOT},
      {"log", required_argument, NULL, OPT_LOG},
      {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
      {"debug", no_argument, NULL, OPT_DEBUG},
      {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
      {"rootless", required_argument, NULL, OPT_ROOTLESS},
      {"criu", required_argument, NULL, OPT_CRIU},
      {"version", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {0, 0, 0, 0},
  };
  opterr = 0;
  int c;
  while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
    switch (c) {
    case OPT_ROOT:
      ctx.root = optarg;
      break;
    case OPT_LOG:
      ctx.log_path = optarg;
      break;
    case OPT_LOG_FORMAT:
      log_format = optarg;
      break;
    case OPT_DEBUG:
      ctx.debug = true;
      break;
    case OPT_SYSTEMD:
      ctx.systemd_cgroup = true;
      break;
    case OPT_ROOTLESS:
      ctx.rootless = optarg;
      break;
    case OPT_CRIU:
      ctx.criu = optarg;
      break;
    case 'v':
      printf("hutch version %s\ncommit: %s\nspec: %s\n", HUTCH_VERSION, HUTCH_COMMIT,
             HUTCH_SPEC_VERSION);
      return 0;
    case 'h':
      print_usage(&ctx, stdout);
      return 0;
    default:
      if (optopt)
        fprintf(stderr, "hutch: unknown global option -%c (see `hutch --help`)\n", optopt);
      else
        fprintf(stderr, "hutch: unknown global option %s (see `hutch --help`)\n", argv[optind - 1]);
      return 1;
    }
  }
  if (strcmp(log_format, "json") == 0) {
    ctx.log_json = true;
  } else if (strcmp(log_format, "text") != 0) {
    fprintf(stderr, "hutch: --log-format: expected text or json, got \"%s\"\n", log_format);
    return 1;
  }
  if (rootless_parse(ctx.rootless, &ctx.rootless_mode) < 0) {
    fprintf(stderr, "hutch: --rootless: expected true, false or auto, got \"%s\"\n", ctx.rootless);
    return 1;
  }
  if (hlog_init(ctx.log_path, ctx.log_json, ctx.debug) < 0) {
    fprintf(stderr, "hutch: --log %s: %s\n", ctx.log_path, strerror(errno));
    return 1;
  }
  if (optind >= argc) {
    print_usage(&ctx, stderr);
    return 1;
  }
  const char *name = argv[optind];
  if (strcmp(name, "help") == 0) {
    if (optind + 1 < argc) {
      if (!find_command(argv[optind + 1])) {
        fprintf(stderr, "hutch: unknown command \"%s\" (see `hutch help`)\n", argv[optind + 1]);
        return 1;
      }
      cmd_print_help(argv[optind + 1]);
    } else {
      print_usage(&ctx, stdout);
    }
    return 0;
  }
  const struct hutch_command *cmd = find_command(name);
  if (!cmd) {
    fprintf(stderr, "hutch: unknown command \"%s\" (see `hutch help`)\n", name);
    if (hlog_to_file())
      hlog_error("unknown command \"%s\"", name);
    return 1;
  }
  int cargc = argc - optind;
  char **cargv = argv + optind;
  if (wants_help(cargc, cargv)) {
    /* Engines (podman) ask `checkpoint --help` whether the runtime can:
     * only where criu works. */
    herr_t err = NULL;
    if (is_criu_command(name) && !cmd_criu_available(&ctx, &err))
      return cmd_fail(&ctx, &err, "%s", name);
    cmd_print_help(name);
    return 0;
  }
  _cleanup_free_ char *root_owned = NULL;
  if (!ctx.root && needs_state_root(name)) {
    herr_t err = NULL;
    if (default_root(&ctx, &root_owned, &err) < 0)
      return cmd_fail(&ctx, &err, "%s", "");
  }
  if (ctx.root && needs_state_root(name)) {
    /* A root others can write (or another uid's, or a file) is refused up
     * front; a missing one is fine (create makes it), and any other error
     * the command meets again and reports with its context. */
    herr_t err = NULL;
    int fd = state_root_open(ctx.root, false, &err);
    if (fd >= 0) {
      close(fd);
    } else if (err->errnum == EPERM || err->errnum == ENOTDIR) {
      fprintf(stderr, "hutch: %s\n", err->msg);
      if (hlog_to_file())
        hlog_error("%s", err->msg);
      herr_free(&err);
      return 1;
    } else {
      herr_free(&err);
    }
  }
  optind = 0; /* reinitialise getopt for the command's own options */
  return cmd->fn(&ctx, cargc, cargv);
}
