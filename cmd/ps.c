/* hutch ps [--format table|json] ID [PS_ARGS...]: the processes of a
 * container.  json: the array of pids.  table: `ps` (default `ps -ef`, or
 * the given arguments) filtered to the container's processes, as runc. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cgcmd.h"
#include "cmd/cmd.h"
#include "libcontainer/utils/fileio.h"

/* Run ps with args and return its stdout. */
static int run_ps(char **args, size_t nargs, char **out, herr_t *err)
{
  int pfd[2];
  if (pipe2(pfd, O_CLOEXEC) < 0)
    return herr_sys(err, "pipe");
  pid_t pid = fork();
  if (pid < 0) {
    close(pfd[0]);
    close(pfd[1]);
    return herr_sys(err, "fork");
  }
  if (pid == 0) {
    dup2(pfd[1], 1);
    char **argv = xcalloc(nargs + 2, sizeof(char *));
    argv[0] = "ps";
    for (size_t i = 0; i < nargs; i++)
      argv[i + 1] = args[i];
    execvp("ps", argv);
    fprintf(stderr, "hutch: ps: exec ps: %s\n", strerror(errno));
    _exit(127);
  }
  close(pfd[1]);
  ssize_t n = read_all_fd(pfd[0], out);
  close(pfd[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
    ;
  if (n < 0)
    return herr_sys(err, "read the output of ps");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    free(*out);
    *out = NULL;
    return herr_set(err, 0, "ps exited with status %d", WIFEXITED(st) ? WEXITSTATUS(st) : 128);
  }
  return 0;
}

/* Index of the PID column in ps's header. */
static int pid_column(const char *header)
{
  int col = 0;
  for (const char *p = header; *p;) {
    while (*p == ' ')
      p++;
    if (!*p || *p == '\n')
      break;
    size_t l = strcspn(p, " \n");
    if (l == 3 && strncmp(p, "PID", 3) == 0)
      return col;
    col++;
    p += l;
  }
  return -1;
}

static long field(const char *line, int col)
{
  const char *p = line;
  for (int i = 0;; i++) {
    while (*p == ' ')
      p++;
    if (!*p)
      return -1;
    if (i == col)
      return strtol(p, NULL, 10);
    p += strcspn(p, " ");
  }
}

int cmd_ps(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"format", required_argument, NULL, 'f'},
      {0, 0, 0, 0},
  };
  const char *format = "table";
  int c;
  while ((c = cmd_getopt(argc, argv, "+f:", longopts, "ps")) != -1)
    if (c == 'f')
      format = optarg;
  if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
    return cmd_usage_error("ps", "--format: expected table or json, got \"%s\"", format);
  if (cmd_check_args("ps", argc, 1, -1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *ct = NULL;
  bool nocg = false;
  if (cgcmd_load_verb(ctx->root, id, false, NULL, &ct, &nocg, &err) < 0)
    return cmd_fail(ctx, &err, "ps %s", id);
  pid_t *pids = NULL;
  size_t n = 0;
  /* Rootless without a cgroup: the processes of its pid namespace. */
  int r =
      nocg ? container_pidns_pids(ct, &pids, &n, &err) : cgroup_pids(ct->cgroup, &pids, &n, &err);
  container_free(ct);
  if (r < 0)
    return cmd_fail(ctx, &err, "ps %s", id);

  if (strcmp(format, "json") == 0) {
    if (optind + 1 < argc) {
      free(pids);
      return cmd_usage_error("ps", "ps arguments cannot be used with --format json");
    }
    printf("[");
    for (size_t i = 0; i < n; i++)
      printf("%s%d", i ? "," : "", (int)pids[i]);
    printf("]\n");
    free(pids);
    return 0;
  }

  char *def[] = {"-ef"};
  char **args = optind + 1 < argc ? argv + optind + 1 : def;
  size_t nargs = optind + 1 < argc ? (size_t)(argc - optind - 1) : 1;
  _cleanup_free_ char *out = NULL;
  if (run_ps(args, nargs, &out, &err) < 0) {
    free(pids);
    return cmd_fail(ctx, &err, "ps %s", id);
  }
  char *nl = strchr(out, '\n');
  if (nl)
    *nl = '\0';
  int col = pid_column(out);
  if (col < 0) {
    free(pids);
    herr_set(&err, 0, "the output of ps has no PID column");
    return cmd_fail(ctx, &err, "ps %s", id);
  }
  printf("%s\n", out);
  for (char *line = nl ? nl + 1 : NULL; line && *line;) {
    char *e = strchr(line, '\n');
    if (e)
      *e = '\0';
    long p = field(line, col);
    for (size_t i = 0; i < n; i++)
      if (p == pids[i]) {
        printf("%s\n", line);
        break;
      }
    line = e ? e + 1 : NULL;
  }
  free(pids);
  return 0;
}
