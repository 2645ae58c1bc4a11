/* hutch kill [--all] ID [SIGNAL] */
#include <string.h>

#include "cmd/cmd.h"
#include "libcontainer/container/lifecycle.h"
#include "spec/spec.h"

int cmd_kill(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"all", no_argument, NULL, 'a'},
      {0, 0, 0, 0},
  };
  bool all = false;
  int c;
  while ((c = cmd_getopt(argc, argv, "a", longopts, "kill")) != -1)
    if (c == 'a')
      all = true;
  if (cmd_check_args("kill", argc, 1, 2))
    return 1;
  const char *id = argv[optind];
  const char *signame = optind + 1 < argc ? argv[optind + 1] : "TERM";
  /* Signal 0 checks that the init is alive (as runc and kill(1) accept it). */
  int sig = strcmp(signame, "0") == 0 ? 0 : spec_signal_from_name(signame);
  if (sig < 0)
    return cmd_usage_error("kill", "unknown signal \"%s\"", signame);
  herr_t err = NULL;
  struct container *ct = NULL;
  if (container_load(ctx->root, id, &ct, &err) < 0 || container_kill(ct, sig, all, &err) < 0) {
    container_free(ct);
    return cmd_fail(ctx, &err, "kill %s", id);
  }
  container_free(ct);
  return 0;
}
