/* hutch start ID */
#include "cmd/cmd.h"
#include "libcontainer/container/lifecycle.h"

int cmd_start(struct hutch_ctx *ctx, int argc, char **argv)
{
  while (cmd_getopt(argc, argv, "", (const struct option[]){{0, 0, 0, 0}}, "start") != -1)
    return cmd_usage_error("start", "unknown option %s", argv[optind - 1]);
  if (cmd_check_args("start", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *c = NULL;
  if (container_load(ctx->root, id, &c, &err) < 0 || container_lock(c, &err) < 0 ||
      container_start(c, &err) < 0) {
    container_free(c);
    return cmd_fail(ctx, &err, "start %s", id);
  }
  container_free(c);
  return 0;
}
