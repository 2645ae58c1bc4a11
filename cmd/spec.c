/* hutch spec [--bundle DIR] [--rootless]: write a default config.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "libcontainer/utils/fileio.h"
#include "spec/spec.h"

int cmd_spec(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {
      {"bundle", required_argument, NULL, 'b'},
      {"rootless", no_argument, NULL, 'r'},
      {NULL, 0, NULL, 0},
  };
  const char *bundle = ".";
  int rootless = 0;
  int c;
  while ((c = cmd_getopt(argc, argv, "b:", longopts, "spec")) != -1) {
    if (c == 'b')
      bundle = optarg;
    else if (c == 'r')
      rootless = 1;
  }
  if (cmd_check_args("spec", argc, 0, 0) != 0)
    return 1;

  _cleanup_herr_ herr_t err = NULL;
  _cleanup_close_ int dirfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) {
    herr_sys(&err, "open bundle %s", bundle);
    return cmd_fail(ctx, &err, "spec");
  }
  _cleanup_free_ char *json = spec_default_json(rootless);
  _cleanup_free_ char *text = xasprintf("%s\n", json);
  /* O_EXCL: never overwrite an existing config.json. */
  _cleanup_close_ int fd =
      openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST)
      herr_set(&err, EEXIST, "config.json already exists in %s", bundle);
    else
      herr_sys(&err, "create %s/config.json", bundle);
    return cmd_fail(ctx, &err, "spec");
  }
  if (write_all(fd, text, strlen(text)) < 0) {
    herr_sys(&err, "write %s/config.json", bundle);
    unlinkat(dirfd, "config.json", 0);
    return cmd_fail(ctx, &err, "spec");
  }
  if (close(steal_fd(&fd)) < 0) {
    herr_sys(&err, "write %s/config.json", bundle);
    unlinkat(dirfd, "config.json", 0);
    return cmd_fail(ctx, &err, "spec");
  }
  return 0;
}
