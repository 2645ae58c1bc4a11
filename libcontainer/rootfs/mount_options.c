/* Mount option parsing: the options of spec/vocab.h's table (runc's, plus
 * idmap/ridmap and tmpcopyup) turned into flags, attributes and fs data. */
#include "libcontainer/rootfs/mount_options.h"

#include <string.h>

#include "libcontainer/utils/linux_mount.h"
#include "libcontainer/utils/fileio.h"
#include "spec/vocab.h"

/* Every option hutch knows, from the one table in spec/vocab.h. */
struct mount_opt {
  const char *name;
  enum spec_mount_opt_kind kind;
  bool clear;
  unsigned long value;
};

#define OPT_ENTRY(n, k, c, v) {n, k, c, v},
static const struct mount_opt mount_option_table[] = {SPEC_MOUNT_OPTIONS(OPT_ENTRY)};
#undef OPT_ENTRY

static const struct mount_opt *find(const char *name)
{
  for (size_t i = 0; i < sizeof(mount_option_table) / sizeof(mount_option_table[0]); i++)
    if (strcmp(mount_option_table[i].name, name) == 0)
      return &mount_option_table[i];
  return NULL;
}

int mount_propagation_from_name(const char *name, unsigned long *flag)
{
  const struct mount_opt *f = find(name);
  if (!f || f->kind != SPEC_MOPT_PROPAGATION)
    return -1;
  *flag = f->value;
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
    const struct mount_opt *f = find(opt);
    if (!f) {
      /* Anything else is filesystem data ("mode=755", "size=64k", ...). */
      size_t len = strlen(opt);
      o->data = xrealloc(o->data, data_len + len + 2);
      if (data_len)
        o->data[data_len++] = ',';
      memcpy(o->data + data_len, opt, len + 1);
      data_len += len;
      continue;
    }
    switch (f->kind) {
    case SPEC_MOPT_FLAG:
      if (f->clear) {
        o->flags &= ~f->value;
        o->cleared |= f->value;
      } else {
        o->flags |= f->value;
        o->cleared &= ~f->value;
      }
      break;
    case SPEC_MOPT_PROPAGATION:
      if (o->n_propagation == MOUNT_MAX_PROPAGATION) {
        mount_opts_clear(o);
        return herr_set(err, 0, "option %s: too many propagation options", opt);
      }
      o->propagation[o->n_propagation++] = f->value;
      break;
    case SPEC_MOPT_RECURSIVE:
      if (f->clear) {
        o->rec_clr |= f->value;
        o->rec_set &= ~(uint64_t)f->value;
      } else {
        o->rec_set |= f->value;
        o->rec_clr &= ~(uint64_t)f->value;
      }
      /* mount_setattr(2): an atime mode must also clear MOUNT_ATTR__ATIME. */
      if ((f->value & MOUNT_ATTR__ATIME) == f->value)
        o->rec_clr |= MOUNT_ATTR__ATIME;
      break;
    case SPEC_MOPT_IDMAP:
      o->idmap = true;
      o->idmap_recursive = f->value != 0;
      break;
    case SPEC_MOPT_TMPCOPYUP:
      o->tmpcopyup = f->value != 0;
      break;
    }
  }
  if (m->n_uid_mappings || m->n_gid_mappings)
    o->idmap = true;
  return 0;
}
