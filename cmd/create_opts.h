/* Options shared by `create` and `run`. */
#ifndef HUTCH_CMD_CREATE_OPTS_H
#define HUTCH_CMD_CREATE_OPTS_H

#include "cmd/cmd.h"
#include "libcontainer/container/lifecycle.h"

/* Parse argv of create/run into o (and run's --detach/--keep when the
 * pointers are not NULL).  Returns 0, or 1 after printing a usage error. */
int cmd_parse_create(struct hutch_ctx *ctx, int argc, char **argv, struct create_opts *o,
                     bool *detach, bool *keep);

#endif
