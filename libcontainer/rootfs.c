/* Placeholder until the rootfs module lands: does nothing. */
#include "libcontainer/rootfs.h"

int rootfs_prepare(struct rootfs_ctx *c, herr_t *err)
{
  return 0;
}
int rootfs_pivot(struct rootfs_ctx *c, herr_t *err)
{
  return 0;
}
int rootfs_finalize(struct rootfs_ctx *c, herr_t *err)
{
  return 0;
}
