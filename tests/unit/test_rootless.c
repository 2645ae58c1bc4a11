/* Rootless without linux.cgroupsPath: the container's cgroup goes beside
 * the caller's own (its parent + the id) on cgroup v2, as runc does, and
 * nowhere hutch can tell on other hosts. */
#include <stdlib.h>

#include "check.h"
#include "libcontainer/utils/rootless.h"

static void beside(const char *self, const char *id, const char *want)
{
  char *got = rootless_cgroup_beside(self, id);
  CHECK_MSG(want ? got != NULL : got == NULL, self ? self : "(null)");
  if (want && got)
    CHECK_STREQ(got, want);
  free(got);
}

int main(void)
{
  /* rootless podman's scope in the user's manager */
  beside("0::/user.slice/user-1000.slice/user@1000.service/user.slice/podman-12.scope\n", "abc",
         "/user.slice/user-1000.slice/user@1000.service/user.slice/abc");
  beside("0::/user.slice/user-1000.slice/session-3.scope\n", "c1",
         "/user.slice/user-1000.slice/c1");
  beside("0::/a\n", "c1", "/c1");
  beside("0::/\n", "c1", "/c1");
  beside("0::/a/b", "c1", "/a/c1"); /* no final newline */
  /* hybrid or legacy hosts, and nonsense: no default of ours */
  beside("12:memory:/x\n0::/a/b\n", "c1", NULL);
  beside("0::/a/b\n1:name=systemd:/a/b\n", "c1", NULL);
  beside("", "c1", NULL);
  beside(NULL, "c1", NULL);
  beside("0::/a/b\n", "", NULL);
  beside("0::/a/b\n", "x/y", NULL);
  return check_done();
}
