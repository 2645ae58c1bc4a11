/* Namespace creation and joining. */
#include "libcontainer/process/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/utils/fileio.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_plan_make(const struct spec *s, struct ns_plan *p, herr_t *err)
{
  for (int t = 0; t < SPEC_NS_TYPES; t++) {
    p->fds[t] = -1;
    p->new_ns[t] = false;
  }
  p->join_first = false;
  p->user_joined = false;
  p->pid_joined = false;
  p->clone_flags = 0;
  p->newuidmap = p->newgidmap = NULL;
  const struct spec_linux *l = &s->linux_;
  /* validate_namespaces() checked the maps and offsets against these. */
  for (size_t i = 0; i < l->n_namespaces; i++) {
    const struct spec_namespace *n = &l->namespaces[i];
    if (n->path && *n->path) {
      int fd = open(n->path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        herr_sys(err, "linux.namespaces[%zu]: %s namespace path %s", i, spec_ns_name(n->type),
                 n->path);
        ns_plan_close(p);
        return -1;
      }
      p->fds[n->type] = fd;
      p->join_first = true;
      p->joined[n->type] = true;
      if (n->type == SPEC_NS_USER)
        p->user_joined = true;
      if (n->type == SPEC_NS_PID)
        p->pid_joined = true;
    } else {
      p->new_ns[n->type] = true;
    }
  }
  if (p->new_ns[SPEC_NS_USER] && ns_plan_id_map_helpers(s, p, err) < 0) {
    ns_plan_close(p);
    return -1;
  }
  if (!p->join_first) {
    for (int t = 0; t < SPEC_NS_TYPES; t++)
      if (p->new_ns[t] && t != SPEC_NS_TIME && t != SPEC_NS_CGROUP)
        p->clone_flags |= (unsigned long)spec_ns_clone_flag((enum spec_ns_type)t);
  }
  return 0;
}

void ns_plan_close(struct ns_plan *p)
{
  for (int t = 0; t < SPEC_NS_TYPES; t++) {
    if (p->fds[t] >= 0)
      close(p->fds[t]);
    p->fds[t] = -1;
  }
  free(p->newuidmap);
  free(p->newgidmap);
  p->newuidmap = p->newgidmap = NULL;
}

int ns_join_user(struct ns_plan *p, herr_t *err)
{
  if (p->fds[SPEC_NS_USER] < 0)
    return 0;
  if (setns(p->fds[SPEC_NS_USER], CLONE_NEWUSER) < 0)
    return herr_sys(err, "join the user namespace");
  close(p->fds[SPEC_NS_USER]);
  p->fds[SPEC_NS_USER] = -1;
  return 0;
}

int ns_join_others(struct ns_plan *p, herr_t *err)
{
  /* The mount namespace last: the others' fds are already open anyway. */
  static const enum spec_ns_type order[] = {SPEC_NS_PID,  SPEC_NS_NETWORK, SPEC_NS_IPC,
                                            SPEC_NS_UTS,  SPEC_NS_CGROUP,  SPEC_NS_TIME,
                                            SPEC_NS_MOUNT};
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
    enum spec_ns_type t = order[i];
    if (p->fds[t] < 0)
      continue;
    if (setns(p->fds[t], spec_ns_clone_flag(t)) < 0)
      return herr_sys(err, "join the %s namespace", spec_ns_name(t));
    close(p->fds[t]);
    p->fds[t] = -1;
  }
  return 0;
}

int ns_unshare_rest(struct ns_plan *p, herr_t *err)
{
  int flags = 0;
  for (int t = 0; t < SPEC_NS_TYPES; t++)
    if (p->new_ns[t] && t != SPEC_NS_USER && t != SPEC_NS_TIME)
      flags |= spec_ns_clone_flag((enum spec_ns_type)t);
  if (flags && unshare(flags) < 0)
    return herr_sys(err, "unshare namespaces");
  return 0;
}

int ns_become_root(herr_t *err)
{
  /* Ignore EINVAL: root may simply not be mapped; the process user is set later. */
  if (setresgid(0, 0, 0) < 0 && errno != EINVAL)
    return herr_sys(err, "setresgid(0) in the user namespace");
  if (setresuid(0, 0, 0) < 0 && errno != EINVAL)
    return herr_sys(err, "setresuid(0) in the user namespace");
  return 0;
}

int ns_unshare_time(herr_t *err)
{
  if (unshare(CLONE_NEWTIME) < 0)
    return herr_sys(err, "unshare the time namespace");
  return 0;
}

int ns_write_time_offsets(pid_t pid, const struct spec *s, herr_t *err)
{
  const struct spec_linux *l = &s->linux_;
  if (!l->n_time_offsets)
    return 0;
  char buf[256];
  size_t len = 0;
  for (size_t i = 0; i < l->n_time_offsets; i++) {
    const struct spec_time_offset *o = &l->time_offsets[i];
    len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %lld %u\n", o->clock,
                            (long long)o->secs, o->nanosecs);
    if (len >= sizeof(buf))
      return herr_set(err, EINVAL, "linux.timeOffsets: too many entries");
  }
  _cleanup_free_ char *path = xasprintf("/proc/%d/timens_offsets", (int)pid);
  _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "linux.timeOffsets: open %s", path);
  if (write(fd, buf, len) != (ssize_t)len)
    return herr_sys(err, "linux.timeOffsets: write %s", path);
  return 0;
}

int ns_enter_time(herr_t *err)
{
  _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return herr_sys(err, "open /proc/self/ns/time_for_children");
  if (setns(fd, CLONE_NEWTIME) < 0)
    return herr_sys(err, "enter the new time namespace");
  return 0;
}

int ns_set_hostname(const struct spec *s, herr_t *err)
{
  if (s->hostname && *s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
    return herr_sys(err, "sethostname \"%s\"", s->hostname);
  if (s->domainname && *s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
    return herr_sys(err, "setdomainname \"%s\"", s->domainname);
  return 0;
}
