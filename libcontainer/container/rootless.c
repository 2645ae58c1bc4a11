/* Rootless checks made by the parent before anything is made: what an
 * unprivileged container could only fail at, later and less clearly. */
#include <errno.h>
#include <sys/resource.h>

#include "libcontainer/container/lifecycle.h"
#include "spec/spec.h"

int rootless_check_config(const struct spec *s, herr_t *err)
{
  /* The init inherits our limits; raising a hard limit needs
   * CAP_SYS_RESOURCE in the initial user namespace. */
  for (size_t i = 0; s->has_process && i < s->process.n_rlimits; i++) {
    const struct spec_rlimit *r = &s->process.rlimits[i];
    struct rlimit cur;
    if (getrlimit(r->resource, &cur) < 0)
      continue;
    if (cur.rlim_max != RLIM_INFINITY &&
        (r->hard == (uint64_t)RLIM_INFINITY || r->hard > cur.rlim_max))
      return herr_set(err, EPERM,
                      "process.rlimits[%zu]: %s hard limit %llu is above the current hard limit "
                      "%llu, which a rootless container cannot raise",
                      i, r->type, (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
  }
  return 0;
}
