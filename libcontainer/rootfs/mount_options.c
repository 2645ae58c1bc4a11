/* Mount option parsing, following runc's table (libcontainer/specconv). */
#include "libcontainer/rootfs/mount_options.h"

#include <string.h>

#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/utils/fileio.h"

struct flag_opt {
  const char *name;
  bool clear;
  unsigned long flag;
};

static const struct flag_opt ms_options[] = {
    {"async", true, MS_SYNCHRONOUS},
    {"atime", true, MS_NOATIME},
    {"bind", false, MS_BIND},
    {"defaults", false, 0},
    {"dev", true, MS_NODEV},
    {"diratime", true, MS_NODIRATIME},
    {"dirsync", false, MS_DIRSYNC},
    {"exec", true, MS_NOEXEC},
    {"iversion", false, MS_I_VERSION},
    {"lazytime", false, MS_LAZYTIME},
    {"loud", true, MS_SILENT},
    {"mand", false, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"nodev", false, MS_NODEV},
    {"nodiratime", false, MS_NODIRATIME},
    {"noexec", false, MS_NOEXEC},
    {"noiversion", true, MS_I_VERSION},
    {"nolazytime", true, MS_LAZYTIME},
    {"nomand", true, MS_MANDLOCK},
    {"norelatime", true, MS_RELATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"nosuid", false, MS_NOSUID},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"rbind", false, MS_BIND | MS_REC},
    {"relatime", false, MS_RELATIME},
    {"remount", false, MS_REMOUNT},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"silent", false, MS_SILENT},
    {"strictatime", false, MS_STRICTATIME},
    {"suid", true, MS_NOSUID},
    {"sync", false, MS_SYNCHRONOUS},
    {"symfollow", true, MS_NOSYMFOLLOW},
};

static const struct flag_opt propagation_options[] = {
    {"private", false, MS_PRIVATE},       {"rprivate", false, MS_PRIVATE | MS_REC},
    {"shared", false, MS_SHARED},         {"rshared", false, MS_SHARED | MS_REC},
    {"slave", false, MS_SLAVE},           {"rslave", false, MS_SLAVE | MS_REC},
    {"unbindable", false, MS_UNBINDABLE}, {"runbindable", false, MS_UNBINDABLE | MS_REC},
};

static const struct flag_opt rec_options[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
    {"rnorelatime", true, MOUNT_ATTR_RELATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},
    {"ratime", true, MOUNT_ATTR_NOATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnostrictatime", true, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct flag_opt *find(const struct flag_opt *t, size_t n, const char *name)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(t[i].name, name) == 0)
      return &t[i];
  return NULL;
}

int mount_propagation_from_name(const char *name, unsigned long *flag)
{
  const struct flag_opt *f = find(propagation_options, N(propagation_options), name);
  if (!f)
    return -1;
  *flag = f->flag;
  return 0;
}

uint64_t mount_ms_to_attr(unsigned long ms)
{
  uint64_t a = 0;
  if (ms & MS_RDONLY)
    a |= MOUNT_ATTR_RDONLY;
  if (ms & MS_NOSUID)
    a |= MOUNT_ATTR_NOSUID;
  if (ms & MS_NODEV)
    a |= MOUNT_ATTR_NODEV;
  if (ms & MS_NOEXEC)
    a |= MOUNT_ATTR_NOEXEC;
  if (ms & MS_NODIRATIME)
    a |= MOUNT_ATTR_NODIRATIME;
  if (ms & MS_NOSYMFOLLOW)
    a |= MOUNT_ATTR_NOSYMFOLLOW;
  /* The atime mode is an enum: strictatime wins over noatime over relatime,
   * as the kernel does for mount(2). */
  if (ms & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  else if (ms & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  return a;
}

void mount_opts_clear(struct mount_opts *o)
{
  free(o->data);
  o->data = NULL;
}

bool mount_is_bind(const struct spec_mount *m, const struct mount_opts *o)
{
  return (o->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

int mount_opts_parse(const struct spec_mount *m, struct mount_opts *o, herr_t *err)
{
  memset(o, 0, sizeof(*o));
  size_t data_len = 0;
  for (size_t i = 0; i < m->n_options; i++) {
    const char *opt = m->options[i];
    const struct flag_opt *f;
    if ((f = find(ms_options, N(ms_options), opt))) {
      if (f->clear) {
        o->flags &= ~f->flag;
        o->cleared |= f->flag;
      } else {
        o->flags |= f->flag;
        o->cleared &= ~f->flag;
      }
    } else if ((f = find(propagation_options, N(propagation_options), opt))) {
      if (o->n_propagation == MOUNT_MAX_PROPAGATION) {
        mount_opts_clear(o);
        return herr_set(err, 0, "option %s: too many propagation options", opt);
      }
      o->propagation[o->n_propagation++] = f->flag;
    } else if ((f = find(rec_options, N(rec_options), opt))) {
      if (f->clear) {
        o->rec_clr |= f->flag;
        o->rec_set &= ~(uint64_t)f->flag;
      } else {
        o->rec_set |= f->flag;
        o->rec_clr &= ~(uint64_t)f->flag;
      }
      /* mount_setattr(2): an atime mode must also clear MOUNT_ATTR__ATIME. */
      if ((f->flag & MOUNT_ATTR__ATIME) == f->flag)
        o->rec_clr |= MOUNT_ATTR__ATIME;
    } else if (strcmp(opt, "idmap") == 0) {
      o->idmap = true;
      o->idmap_recursive = false;
    } else if (strcmp(opt, "ridmap") == 0) {
      o->idmap = true;
      o->idmap_recursive = true;
    } else if (strcmp(opt, "tmpcopyup") == 0 || strcmp(opt, "notmpcopyup") == 0) {
      o->tmpcopyup = opt[0] == 't';
    } else {
      /* Anything else is filesystem data ("mode=755", "size=64k", ...). */
      size_t len = strlen(opt);
      o->data = xrealloc(o->data, data_len + len + 2);
      if (data_len)
        o->data[data_len++] = ',';
      memcpy(o->data + data_len, opt, len + 1);
      data_len += len;
    }
  }
  if (m->n_uid_mappings || m->n_gid_mappings)
    o->idmap = true;
  return 0;
}
