/* hutch delete [--force] ID */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "libcontainer/container/lifecycle.h"
#include "libcontainer/container/state.h"

int cmd_delete(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"force", no_argument, NULL, 'f'},
      {0, 0, 0, 0},
  };
  bool force = false;
  int c;
  while ((c = cmd_getopt(argc, argv, "f", longopts, "delete")) != -1)
    if (c == 'f')
      force = true;
  if (cmd_check_args("delete", argc, 1, 1))
    return 1;
  const char *id = argv[optind];
  herr_t err = NULL;
  struct container *ct = NULL;
  if (container_load(ctx->root, id, &ct, &err) < 0 || container_lock(ct, &err) < 0 ||
      container_delete(ct, force, &err) < 0) {
    container_free(ct);
    bool missing = err && err->errnum == ENOENT && strstr(err->msg, "does not exist");
    if (missing && state_dir_remove_if_empty(ctx->root, id)) {
      herr_free(&err);
      return 0;
    }
    /* containerd deletes with --force whatever may be left: a missing container is fine. */
    if (force && missing) {
      herr_free(&err);
      return 0;
    }
    return cmd_fail(ctx, &err, "delete %s", id);
  }
  container_free(ct);
  return 0;
}
