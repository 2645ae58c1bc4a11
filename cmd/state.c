/* hutch state ID: the OCI state document, pretty-printed like runc. */
#include <jansson.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "libcontainer/container/lifecycle.h"

int cmd_state(struct hutch_ctx *ctx, int argc, char **argv)
{
  while (cmd_getopt(argc, argv, "", (const struct option[]){{0, 0, 0, 0}}, "state") != -1)
    return cmd_usage_error("state", "unknown option %s", argv[optind - 1]);
  if (cmd_check_args("state", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *c = NULL;
  if (container_load(ctx->root, id, &c, &err) < 0)
    return cmd_fail(ctx, &err, "state %s", id);
  json_t *j = container_state_object(c, container_status(c));
  char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  printf("%s\n", text ? text : "{}");
  free(text);
  json_decref(j);
  container_free(c);
  return 0;
}
