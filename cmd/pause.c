/* hutch pause ID: freeze every process of a running container. */
#include "cmd/cgcmd.h"
#include "cmd/cmd.h"

int cmd_pause(struct hutch_ctx *ctx, int argc, char **argv)
{
  while (cmd_getopt(argc, argv, "", (const struct option[]){{0, 0, 0, 0}}, "pause") != -1)
    ;
  if (cmd_check_args("pause", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *c = NULL;
  if (cgcmd_load_verb(ctx->root, id, true, "freeze", &c, NULL, &err) < 0)
    return cmd_fail(ctx, &err, "pause %s", id);
  enum container_status s = container_status(c);
  int r = 0;
  if (s != CONTAINER_RUNNING && s != CONTAINER_CREATED)
    r = herr_set(&err, 0, "the container is %s, not running", container_status_name(s));
  else
    r = cgroup_freeze(c->cgroup, true, &err);
  container_free(c);
  if (r < 0)
    return cmd_fail(ctx, &err, "pause %s", id);
  return 0;
}
