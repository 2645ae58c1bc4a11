/* Host probing helpers and cgroupsPath resolution.  Everything here works on
 * text given by the caller, so it is unit-testable without touching the host. */
#include <string.h>

#include "libcontainer/cgroups/fs/internal.h"
#include "libcontainer/utils/fileio.h"

static const char *const known_controllers[] = {
    "blkio",   "cpu",      "cpuacct",    "cpuset", "devices", "freezer", "hugetlb", "memory",
    "net_cls", "net_prio", "perf_event", "pids",   "rdma",    "misc",    "debug",   NULL,
};

bool cg_word_in(const char *list, const char *word)
{
  size_t wl = strlen(word);
  for (const char *p = list; p && *p;) {
    while (*p == ' ' || *p == '\n')
      p++;
    size_t l = strcspn(p, " \n");
    if (l == wl && strncmp(p, word, wl) == 0)
      return true;
    p += l;
  }
  return false;
}

bool cg_key_has(const char *key, const char *ctrl)
{
  size_t cl = strlen(ctrl);
  for (const char *p = key; p && *p;) {
    size_t l = strcspn(p, ",");
    if (l == cl && strncmp(p, ctrl, cl) == 0)
      return true;
    p += l;
    if (*p == ',')
      p++;
  }
  return false;
}

static bool is_known_controller(const char *s, size_t len)
{
  for (int i = 0; known_controllers[i]; i++)
    if (strlen(known_controllers[i]) == len && strncmp(known_controllers[i], s, len) == 0)
      return true;
  return false;
}

/* mountinfo escapes spaces etc. as \040. */
static char *unescape(const char *s, size_t len)
{
  char *out = xmalloc(len + 1), *o = out;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
        s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      *o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
    } else {
      *o++ = s[i];
    }
  }
  *o = '\0';
  return out;
}

/* The controller key from cgroup super options "rw,cpu,cpuacct". */
static char *key_from_superopts(const char *opts, size_t len)
{
  char *key = xcalloc(1, len + 1);
  size_t kl = 0;
  const char *p = opts, *end = opts + len;
  while (p < end) {
    const char *c = memchr(p, ',', (size_t)(end - p));
    size_t l = c ? (size_t)(c - p) : (size_t)(end - p);
    if (is_known_controller(p, l) || (l > 5 && strncmp(p, "name=", 5) == 0)) {
      if (kl)
        key[kl++] = ',';
      memcpy(key + kl, p, l);
      kl += l;
    }
    p += l + 1;
  }
  if (kl == 0) {
    free(key);
    return NULL;
  }
  return key;
}

void cg_mounts_free(struct cg_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(m[i].key);
    free(m[i].mnt);
    free(m[i].root);
  }
  free(m);
}

int cg_parse_mounts(const char *mountinfo, struct cg_mount **out, size_t *n, herr_t *err)
{
  struct cg_mount *ms = NULL;
  size_t nm = 0;
  for (const char *line = mountinfo; line && *line;) {
    const char *eol = strchr(line, '\n');
    size_t ll = eol ? (size_t)(eol - line) : strlen(line);
    /* fields: id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
    const char *f[6];
    size_t fl[6];
    const char *p = line, *end = line + ll;
    int nf = 0;
    while (nf < 5 && p < end) {
      f[nf] = p;
      const char *sp = memchr(p, ' ', (size_t)(end - p));
      fl[nf] = sp ? (size_t)(sp - p) : (size_t)(end - p);
      p += fl[nf] + 1;
      nf++;
    }
    const char *dash = nf == 5 && p < end ? strstr(p, " - ") : NULL;
    if (dash && dash < end) {
      const char *fs = dash + 3;
      const char *sp = memchr(fs, ' ', (size_t)(end - fs));
      const char *src = sp ? sp + 1 : end;
      const char *sp2 = src < end ? memchr(src, ' ', (size_t)(end - src)) : NULL;
      const char *sopts = sp2 ? sp2 + 1 : end;
      size_t fslen = sp ? (size_t)(sp - fs) : 0;
      bool v2 = fslen == 7 && strncmp(fs, "cgroup2", 7) == 0;
      bool v1 = fslen == 6 && strncmp(fs, "cgroup", 6) == 0;
      char *key = NULL;
      if (v2)
        key = xstrdup("unified");
      else if (v1)
        key = key_from_superopts(sopts, (size_t)(end - sopts));
      bool dup = false;
      for (size_t i = 0; key && i < nm; i++)
        if (strcmp(ms[i].key, key) == 0)
          dup = true;
      if (key && !dup) {
        ms = xrealloc(ms, (nm + 1) * sizeof(*ms));
        ms[nm].key = key;
        ms[nm].root = unescape(f[3], fl[3]);
        ms[nm].mnt = unescape(f[4], fl[4]);
        ms[nm].v2 = v2;
        nm++;
      } else {
        free(key);
      }
    }
    line = eol ? eol + 1 : NULL;
  }
  (void)err;
  *out = ms;
  *n = nm;
  return 0;
}

char *cg_own_path(const char *text, const char *key)
{
  bool want_v2 = strcmp(key, "unified") == 0;
  for (const char *line = text; line && *line;) {
    const char *eol = strchr(line, '\n');
    size_t ll = eol ? (size_t)(eol - line) : strlen(line);
    const char *c1 = memchr(line, ':', ll);
    const char *c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - line)) : NULL;
    if (c2) {
      size_t cl = (size_t)(c2 - c1 - 1);
      bool match;
      if (want_v2) {
        match = cl == 0 && c1 - line == 1 && line[0] == '0';
      } else {
        char *ctrls = xasprintf("%.*s", (int)cl, c1 + 1);
        /* Same set: every controller of key is in the line and vice versa. */
        match = cl > 0;
        for (const char *k = key; match && *k;) {
          size_t l = strcspn(k, ",");
          char *one = xasprintf("%.*s", (int)l, k);
          match = cg_key_has(ctrls, one);
          free(one);
          k += l;
          if (*k == ',')
            k++;
        }
        free(ctrls);
      }
      if (match)
        return xasprintf("%.*s", (int)(ll - (size_t)(c2 + 1 - line)), c2 + 1);
    }
    line = eol ? eol + 1 : NULL;
  }
  return NULL;
}

int cg_normalize_path(const char *cgroups_path, const char *id, char **out, herr_t *err)
{
  if (!cgroups_path || !*cgroups_path) {
    if (!id || !*id || strchr(id, '/'))
      return herr_set(err, 0, "cgroup: no linux.cgroupsPath and no usable container id");
    *out = xasprintf("/%s", id);
    return 0;
  }
  if (strchr(cgroups_path, ':'))
    return herr_set(err, 0,
                    "linux.cgroupsPath \"%s\": a systemd \"slice:prefix:name\" path needs "
                    "--systemd-cgroup",
                    cgroups_path);
  bool abs = cgroups_path[0] == '/';
  size_t len = strlen(cgroups_path);
  char *res = xmalloc(len + 2), *o = res;
  for (const char *p = cgroups_path; *p;) {
    while (*p == '/')
      p++;
    size_t l = strcspn(p, "/");
    if (l == 0)
      break;
    if (l == 2 && strncmp(p, "..", 2) == 0) {
      free(res);
      return herr_set(err, 0, "linux.cgroupsPath \"%s\": \"..\" is not allowed", cgroups_path);
    }
    if (!(l == 1 && p[0] == '.')) {
      if (o != res || abs)
        *o++ = '/';
      memcpy(o, p, l);
      o += l;
    }
    p += l;
  }
  *o = '\0';
  if (!*res || strcmp(res, "/") == 0) {
    free(res);
    return herr_set(err, 0, "linux.cgroupsPath \"%s\": names the runtime's own or the root cgroup",
                    cgroups_path);
  }
  *out = res;
  return 0;
}

/* Join a and b with exactly one slash between them. */
static char *join(const char *a, const char *b)
{
  size_t al = strlen(a);
  while (al > 1 && a[al - 1] == '/')
    al--;
  while (*b == '/')
    b++;
  if (!*b)
    return xasprintf("%.*s", (int)al, a);
  if (al == 1 && a[0] == '/')
    return xasprintf("/%s", b);
  return xasprintf("%.*s/%s", (int)al, a, b);
}

/* A path within the hierarchy made relative to the mount's root. */
static const char *strip_root(const char *path, const char *root)
{
  size_t rl = strlen(root);
  if (rl <= 1)
    return path;
  if (strncmp(path, root, rl) == 0 && (path[rl] == '/' || path[rl] == '\0'))
    return path + rl;
  return path;
}

char *cg_resolve_dir(const char *mnt, const char *root, const char *own, const char *path)
{
  if (path[0] == '/')
    return join(mnt, strip_root(path, root));
  _cleanup_free_ char *base = join(mnt, strip_root(own ? own : "/", root));
  return join(base, path);
}
