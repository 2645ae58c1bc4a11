/* The security module's entry points (see security.h for the order the init
 * calls them in, docs/SECURITY.md for why). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "spec/base/log.h"
#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

int security_validate(const struct spec *s, herr_t *err)
{
  if (s->has_process && s->process.has_capabilities &&
      caps_validate(&s->process.capabilities, err) < 0)
    return -1;
  if (procattr_validate(s, err) < 0)
    return -1;
  if (s->has_linux && s->linux_.has_seccomp && seccomp_validate(&s->linux_.seccomp, err) < 0)
    return -1;
  return lsm_validate(s, err);
}

int security_make_undumpable(herr_t *err)
{
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return herr_sys(err, "prctl(PR_SET_DUMPABLE, 0)");
  if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
    return herr_set(err, 0, "prctl(PR_SET_DUMPABLE, 0): the process is still dumpable");
  return 0;
}

static int cmp_int(const void *a, const void *b)
{
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static bool is_kept(int fd, const int *keep, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (keep[i] == fd)
      return true;
  return false;
}

/* Fallback for kernels without close_range(CLOSE_RANGE_CLOEXEC) (< 5.11). */
static int cloexec_by_proc(int min_fd, const int *keep, size_t n_keep, herr_t *err)
{
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return herr_sys(err, "mark fds close-on-exec: open /proc/self/fd");
  int dfd = dirfd(d);
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (de->d_name[0] < '0' || de->d_name[0] > '9')
      continue;
    int fd = atoi(de->d_name);
    if (fd < min_fd || fd == dfd || is_kept(fd, keep, n_keep))
      continue;
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && !(fl & FD_CLOEXEC) && fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0) {
      int e = errno;
      closedir(d);
      return herr_errno(err, e, "mark fd %d close-on-exec", fd);
    }
  }
  closedir(d);
  return 0;
}

int security_cloexec_fds(int min_fd, const int *keep, size_t n_keep, herr_t *err)
{
  int sorted[64];
  size_t n = 0;
  if (n_keep > sizeof(sorted) / sizeof(sorted[0]))
    return cloexec_by_proc(min_fd, keep, n_keep, err);
  for (size_t i = 0; i < n_keep; i++)
    if (keep[i] >= min_fd)
      sorted[n++] = keep[i];
  qsort(sorted, n, sizeof(int), cmp_int);
  unsigned int start = (unsigned int)min_fd;
  for (size_t i = 0; i <= n; i++) {
    unsigned int end = i < n ? (unsigned int)sorted[i] : ~0U;
    if (end > start) {
      unsigned int last = i < n ? end - 1 : ~0U;
      if (syscall(SYS_close_range, start, last, CLOSE_RANGE_CLOEXEC) < 0) {
        if (errno == ENOSYS || errno == EINVAL)
          return cloexec_by_proc(min_fd, keep, n_keep, err);
        return herr_sys(err, "close_range(%u, %u, CLOSE_RANGE_CLOEXEC)", start, last);
      }
    }
    if (i < n)
      start = end + 1;
  }
  return 0;
}

int security_check_cwd(herr_t *err)
{
  char buf[PATH_MAX + 1];
  /* The raw syscall: glibc's getcwd() hides "(unreachable)" as ENOENT. */
  long n = syscall(SYS_getcwd, buf, sizeof(buf));
  if (n < 0) {
    if (errno == ENOENT)
      return herr_set(err, 0,
                      "process.cwd: the working directory is outside the container's "
                      "root (possible container breakout, CVE-2024-21626)");
    return herr_sys(err, "process.cwd: getcwd");
  }
  if (buf[0] != '/')
    return herr_set(err, 0,
                    "process.cwd: the working directory is outside the container's root (%s): "
                    "possible container breakout (CVE-2024-21626)",
                    buf);
  return 0;
}

int security_prepare(const struct spec_process *p, herr_t *err)
{
  if (p->has_capabilities) {
    if (caps_apply_bounding(&p->capabilities, err) < 0)
      return -1;
  } else {
    hlog_debug("process.capabilities absent: the process keeps the runtime's capabilities");
  }
  /* Keep permitted across setuid; security_finish_caps clears it again. */
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return herr_sys(err, "prctl(PR_SET_KEEPCAPS, 1)");
  if (procattr_set_oom_score_adj(p, err) < 0 || procattr_set_scheduler(p, err) < 0 ||
      procattr_set_io_priority(p, err) < 0)
    return -1;
  if (p->exec_cpu_affinity_initial || p->exec_cpu_affinity_final)
    hlog_debug("process.execCPUAffinity does not apply to the container's init process");
  return 0;
}

int security_finish_caps(const struct spec_process *p, herr_t *err)
{
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return herr_sys(err, "prctl(PR_SET_KEEPCAPS, 0)");
  /* A uid/gid change resets dumpable to fs.suid_dumpable, which may be 1. */
  if (security_make_undumpable(err) < 0)
    return -1;
  if (p->has_capabilities && caps_apply_final(&p->capabilities, err) < 0)
    return -1;
  return 0;
}

int security_set_no_new_privs(herr_t *err)
{
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return herr_sys(err, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
  return 0;
}
