#include "libcontainer/process/mempolicy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NODE_BITS 1024 /* MAX_NUMNODES of any distribution kernel */
#define WORD_BITS (8 * sizeof(unsigned long))

static const struct {
  const char *name;
  int mode;
  int nodes; /* 1: required, 0: optional, -1: must be empty */
} modes[] = {
    {"MPOL_DEFAULT", 0, -1},
    {"MPOL_PREFERRED", 1, 0},
    {"MPOL_BIND", 2, 1},
    {"MPOL_INTERLEAVE", 3, 1},
    {"MPOL_LOCAL", 4, -1},
    {"MPOL_PREFERRED_MANY", 5, 1},
    {"MPOL_WEIGHTED_INTERLEAVE", 6, 1},
};

static const struct {
  const char *name;
  int flag;
} flags[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
};

/* "0-3,7" -> bitmap. */
static int parse_nodes(const char *s, unsigned long *mask, herr_t *err)
{
  const char *p = s;
  while (*p) {
    char *end;
    errno = 0;
    unsigned long a = strtoul(p, &end, 10), b = a;
    if (end == p || errno)
      goto bad;
    if (*end == '-') {
      p = end + 1;
      b = strtoul(p, &end, 10);
      if (end == p || errno || b < a)
        goto bad;
    }
    if (b >= NODE_BITS)
      return herr_set(err, EINVAL, "linux.memoryPolicy.nodes: node %lu is out of range", b);
    for (unsigned long n = a; n <= b; n++)
      mask[n / WORD_BITS] |= 1UL << (n % WORD_BITS);
    if (*end == ',')
      end++;
    else if (*end)
      goto bad;
    p = end;
  }
  return 0;
bad:
  return herr_set(err, EINVAL,
                  "linux.memoryPolicy.nodes: expected a list like \"0-3,7\", got \"%s\"", s);
}

static int build(const struct spec_memory_policy *p, int *mode, unsigned long *mask, herr_t *err)
{
  size_t i;
  for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
    if (p->mode && strcmp(p->mode, modes[i].name) == 0)
      break;
  if (i == sizeof(modes) / sizeof(modes[0]))
    return herr_set(err, EINVAL, "linux.memoryPolicy.mode: unknown mode \"%s\"",
                    p->mode ? p->mode : "");
  bool has_nodes = p->nodes && *p->nodes;
  if (modes[i].nodes < 0 && has_nodes)
    return herr_set(err, EINVAL, "linux.memoryPolicy.nodes: must be empty for %s", p->mode);
  if (modes[i].nodes > 0 && !has_nodes)
    return herr_set(err, EINVAL, "linux.memoryPolicy.nodes: required for %s", p->mode);
  *mode = modes[i].mode;
  for (size_t f = 0; f < p->n_flags; f++) {
    size_t j;
    for (j = 0; j < sizeof(flags) / sizeof(flags[0]); j++)
      if (strcmp(p->flags[f], flags[j].name) == 0)
        break;
    if (j == sizeof(flags) / sizeof(flags[0]))
      return herr_set(err, EINVAL, "linux.memoryPolicy.flags[%zu]: unknown flag \"%s\"", f,
                      p->flags[f]);
    *mode |= flags[j].flag;
  }
  memset(mask, 0, NODE_BITS / 8);
  return has_nodes ? parse_nodes(p->nodes, mask, err) : 0;
}

int mempolicy_validate(const struct spec_memory_policy *p, herr_t *err)
{
  int mode;
  unsigned long mask[NODE_BITS / WORD_BITS];
  return build(p, &mode, mask, err);
}

int mempolicy_apply(const struct spec_memory_policy *p, herr_t *err)
{
  int mode;
  unsigned long mask[NODE_BITS / WORD_BITS];
  if (build(p, &mode, mask, err) < 0)
    return -1;
  bool has_nodes = p->nodes && *p->nodes;
  if (syscall(SYS_set_mempolicy, mode, has_nodes ? mask : NULL,
              has_nodes ? (unsigned long)NODE_BITS + 1 : 0UL) < 0)
    return herr_sys(err, "linux.memoryPolicy: set_mempolicy(%s%s%s)", p->mode,
                    has_nodes ? ", " : "", has_nodes ? p->nodes : "");
  return 0;
}
