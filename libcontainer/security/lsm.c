/* process.apparmorProfile, process.selinuxLabel and linux.mountLabel.
 *
 * What runc does on a host without the LSM (checked with runc 1.1.5 here):
 *   apparmorProfile: the init fails writing /proc/self/attr/exec (EINVAL);
 *   selinuxLabel:    "selinux label is specified in config, but selinux is
 *                    disabled or not supported" before anything is created;
 *   mountLabel:      mounts fail with EINVAL (context= rejected).
 * hutch refuses all three in security_validate(), before anything exists,
 * with an error naming the field: a label is never silently dropped. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "libcontainer/security/internal.h"
#include "libcontainer/utils/fileio.h"

#define SELINUX_MAGIC 0xf97cff8c
#define PROC_SUPER_MAGIC 0x9fa0

bool lsm_apparmor_enabled(void)
{
  /* As runc: securityfs shows apparmor and the module says it is enabled. */
  struct stat st;
  if (stat("/sys/kernel/security/apparmor", &st) < 0)
    return false;
  char buf[4] = {0};
  int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n > 0 && buf[0] == 'Y';
}

bool lsm_selinux_enabled(void)
{
  struct statfs sf;
  if (statfs("/sys/fs/selinux", &sf) < 0 || (unsigned long)sf.f_type != SELINUX_MAGIC)
    return false;
  /* The kernel reports "kernel" as the context when no policy is loaded. */
  char buf[64] = {0};
  int fd = open("/proc/self/attr/current", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n > 0 && strncmp(buf, "kernel", 6) != 0;
}

int lsm_validate(const struct spec *s, herr_t *err)
{
  const struct spec_process *p = s->has_process ? &s->process : NULL;
  if (p && p->apparmor_profile && p->apparmor_profile[0] && !lsm_apparmor_enabled())
    return herr_set(err, 0,
                    "process.apparmorProfile: \"%s\" cannot be applied: AppArmor is not enabled "
                    "on this host",
                    p->apparmor_profile);
  if (p && p->selinux_label && p->selinux_label[0] && !lsm_selinux_enabled())
    return herr_set(err, 0,
                    "process.selinuxLabel: \"%s\" cannot be applied: SELinux is not enabled on "
                    "this host",
                    p->selinux_label);
  if (s->has_linux && s->linux_.mount_label && s->linux_.mount_label[0] && !lsm_selinux_enabled())
    return herr_set(err, 0,
                    "linux.mountLabel: \"%s\" cannot be applied: SELinux is not enabled on this "
                    "host",
                    s->linux_.mount_label);
  return 0;
}

/* Write to /proc/thread-self/attr/<sub> (falling back to the old location). */
static int write_attr(const char *sub, const char *fallback, const char *value, const char *field,
                      herr_t *err)
{
  char path[96];
  snprintf(path, sizeof(path), "/proc/thread-self/attr/%s", sub);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && fallback) {
    snprintf(path, sizeof(path), "/proc/thread-self/attr/%s", fallback);
    fd = open(path, O_WRONLY | O_CLOEXEC);
  }
  if (fd < 0)
    return herr_sys(err, "%s: open %s", field, path);
  /* Never write a label into a fake /proc (CVE-2019-16884). */
  struct statfs sf;
  if (fstatfs(fd, &sf) < 0 || (unsigned long)sf.f_type != PROC_SUPER_MAGIC) {
    close(fd);
    return herr_set(err, 0, "%s: %s is not on procfs: refusing to write the label", field, path);
  }
  ssize_t n = write(fd, value, strlen(value));
  int e = errno;
  close(fd);
  if (n < 0)
    return herr_errno(err, e, "%s: write %s", field, path);
  return 0;
}

int security_set_lsm_labels(const struct spec_process *p, herr_t *err)
{
  if (p->apparmor_profile && p->apparmor_profile[0]) {
    /* aa_change_onexec: the profile applies at execve. */
    _cleanup_free_ char *v = xasprintf("exec %s", p->apparmor_profile);
    if (write_attr("apparmor/exec", "exec", v, "process.apparmorProfile", err) < 0)
      return -1;
  }
  if (p->selinux_label && p->selinux_label[0]) {
    if (write_attr("exec", NULL, p->selinux_label, "process.selinuxLabel", err) < 0)
      return -1;
  }
  return 0;
}
