/* hutch features: print the runtime-spec features document. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "libcontainer/security/security.h"
#include "libcontainer/utils/fileio.h"
#include "spec/spec.h"

int cmd_features(struct hutch_ctx *ctx, int argc, char **argv)
{
  static const struct option longopts[] = {{NULL, 0, NULL, 0}};
  while (cmd_getopt(argc, argv, "", longopts, "features") != -1)
    ;
  if (cmd_check_args("features", argc, 0, 0) != 0)
    return 1;
  herr_t e = NULL;
  const struct spec_features_build build = {.seccomp_arch_supported = seccomp_arch_supported,
                                            .checkpoint = cmd_criu_available(ctx, &e)};
  herr_free(&e);
  _cleanup_free_ char *json = spec_features_json(&build);
  printf("%s\n", json);
  return fflush(stdout) == 0 ? 0 : 1;
}
