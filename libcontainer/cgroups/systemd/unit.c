/* Unit names and cgroup paths from linux.cgroupsPath (see unit.h). */
#include "libcontainer/cgroups/systemd/unit.h"

#include <errno.h>
#include <string.h>

#include "spec/base/util.h"

static bool ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Characters systemd allows in a unit name (unit_name_is_valid). */
static bool unit_chars_ok(const char *s)
{
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          strchr(":-_.\\@", *s)))
      return false;
  return true;
}

char *sd_slice_expand(const char *slice, const char *field, herr_t *err)
{
  if (strcmp(slice, "-.slice") == 0)
    return xstrdup("");
  size_t n = strlen(slice);
  if (!ends_with(slice, ".slice") || n == strlen(".slice") || strchr(slice, '/') ||
      !unit_chars_ok(slice)) {
    herr_set(err, EINVAL, "%s: \"%s\" is not a slice name (NAME.slice)", field, slice);
    return NULL;
  }
  size_t base = n - strlen(".slice");
  if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--")) {
    herr_set(err, EINVAL, "%s: \"%s\": a slice name has no empty part between dashes", field,
             slice);
    return NULL;
  }
  /* Every "-" starts a parent: a-b-c.slice lives in a.slice/a-b.slice. */
  size_t cap = 1, len = 0;
  for (size_t i = 0; i < base; i++)
    if (slice[i] == '-')
      cap += i + strlen("/.slice");
  cap += n + 2;
  char *out = xmalloc(cap);
  for (size_t i = 0; i <= base; i++)
    if (i == base || slice[i] == '-')
      len += (size_t)snprintf(out + len, cap - len, "/%.*s.slice", (int)i, slice);
  return out;
}

int sd_unit_parse(const char *cgroups_path, const char *id, const char *default_slice,
                  struct sd_unit *out, herr_t *err)
{
  memset(out, 0, sizeof(*out));
  _cleanup_free_ char *dflt = NULL;
  const char *p = cgroups_path;
  if (!p || !*p)
    p = dflt = xasprintf("%s:hutch:%s", default_slice, id);
  const char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c1 || !c2 || strchr(c2 + 1, ':'))
    return herr_set(err, EINVAL,
                    "linux.cgroupsPath: \"%s\" is not of the form \"slice:prefix:name\" that "
                    "--systemd-cgroup needs",
                    p);
  _cleanup_free_ char *slice = c1 == p ? xstrdup(default_slice) : strndup(p, (size_t)(c1 - p));
  _cleanup_free_ char *prefix = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
  const char *name = c2 + 1;
  if (!slice || !prefix)
    abort();
  if (!*name)
    return herr_set(err, EINVAL, "linux.cgroupsPath: \"%s\": the name part is empty", p);
  _cleanup_free_ char *parent = sd_slice_expand(slice, "linux.cgroupsPath", err);
  if (!parent)
    return -1;
  char *unit;
  bool is_slice = ends_with(name, ".slice");
  if (is_slice)
    unit = xstrdup(name); /* the prefix is ignored, as runc does */
  else if (*prefix)
    unit = xasprintf("%s-%s.scope", prefix, name);
  else
    unit = xasprintf("%s.scope", name);
  if (!unit_chars_ok(unit) || strlen(unit) > 255) {
    herr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" is not a valid systemd unit name", unit);
    free(unit);
    return -1;
  }
  if (is_slice) {
    /* A slice inside a slice: its own name must extend the parent's. */
    _cleanup_free_ char *own = sd_slice_expand(unit, "linux.cgroupsPath", err);
    if (!own) {
      free(unit);
      return -1;
    }
    out->path = xstrdup(own);
  } else {
    out->path = xasprintf("%s/%s", parent, unit);
  }
  out->slice = steal_pointer(&slice);
  out->unit = unit;
  out->is_slice = is_slice;
  return 0;
}

int sd_unit_under(struct sd_unit *u, const char *manager_cgroup, herr_t *err)
{
  const char *m = manager_cgroup;
  if (!*m || strcmp(m, "/") == 0)
    return 0;
  size_t n = strlen(m);
  if (m[0] != '/' || m[n - 1] == '/' || strstr(m, "/../") || strstr(m, "/./") || strstr(m, "//") ||
      ends_with(m, "/..") || ends_with(m, "/."))
    return herr_set(err, EINVAL,
                    "--systemd-cgroup: the user's systemd says its cgroup is \"%s\", not a plain "
                    "absolute path",
                    m);
  char *p = xasprintf("%s%s", m, u->path);
  free(u->path);
  u->path = p;
  return 0;
}

void sd_unit_clear(struct sd_unit *u)
{
  free(u->slice);
  free(u->unit);
  free(u->path);
  memset(u, 0, sizeof(*u));
}
