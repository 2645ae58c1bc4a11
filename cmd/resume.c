/* hutch resume ID: thaw a paused container. */
#include "cmd/cgcmd.h"
#include "cmd/cmd.h"

int cmd_resume(struct hutch_ctx *ctx, int argc, char **argv)
{
  while (cmd_getopt(argc, argv, "", (const struct option[]){{0, 0, 0, 0}}, "resume") != -1)
    ;
  if (cmd_check_args("resume", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *c = NULL;
  if (cgcmd_load_verb(ctx->root, id, true, "thaw", &c, NULL, &err) < 0)
    return cmd_fail(ctx, &err, "resume %s", id);
  bool frozen = false;
  int r = cgroup_is_frozen(c->cgroup, &frozen, &err);
  enum container_status s = container_status(c);
  if (r == 0 && (!frozen || s == CONTAINER_STOPPED))
    r = herr_set(&err, 0, "the container is %s, not paused", container_status_name(s));
  else if (r == 0)
    r = cgroup_freeze(c->cgroup, false, &err);
  container_free(c);
  if (r < 0)
    return cmd_fail(ctx, &err, "resume %s", id);
  return 0;
}
