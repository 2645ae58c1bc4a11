/* `hutch exec`: the process to run, from the container's process.json (or
 * --process FILE) and the command-line flags, with runc's semantics:
 * -e adds to the env, -u sets the user (numeric, or a name resolved in the
 * container), -g adds groups, -c adds capabilities. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcontainer/process/exec_process.h"
#include "libcontainer/utils/fileio.h"

/* NULL-terminated string vectors, as the spec parser makes them. */
static void strv_free(char **v, size_t n)
{
  for (size_t i = 0; v && i < n; i++)
    free(v[i]);
  free(v);
}

static void strv_append(char ***v, size_t *n, const char *s)
{
  *v = xrealloc(*v, (*n + 2) * sizeof(char *));
  (*v)[(*n)++] = xstrdup(s);
  (*v)[*n] = NULL;
}

static bool strv_has(char **v, size_t n, const char *s)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp(v[i], s) == 0)
      return true;
  return false;
}

void exec_env_set(char ***env, size_t *n, const char *kv)
{
  const char *eq = strchr(kv, '=');
  size_t kl = eq ? (size_t)(eq - kv) : strlen(kv);
  for (size_t i = 0; i < *n; i++) {
    const char *e = (*env)[i];
    if (strncmp(e, kv, kl) == 0 && (e[kl] == '=' || e[kl] == '\0')) {
      free((*env)[i]);
      (*env)[i] = xstrdup(kv);
      return;
    }
  }
  strv_append(env, n, kv);
}

/* A decimal user or group id: 1 and *out set when it is one in 0..SPEC_ID_MAX,
 * 0 when `s` is not a number (a name), -1 when it is a number out of range
 * (the kernel reads (uid_t)-1 as "no change", so 4294967295 would mean root). */
static int parse_id(const char *s, uint32_t *out)
{
  if (!*s || strspn(s, "0123456789") != strlen(s))
    return 0;
  if (strlen(s) > 10)
    return -1;
  unsigned long long v = strtoull(s, NULL, 10);
  if (v > SPEC_ID_MAX)
    return -1;
  *out = (uint32_t)v;
  return 1;
}

static int id_range_error(herr_t *err, const char *what, const char *s)
{
  return herr_set(err, ERANGE, "%s: %s is out of range (0-%d)", what, s, SPEC_ID_MAX);
}

int exec_parse_user(const char *s, uid_t *uid, char **user_name, gid_t *gid, bool *has_gid,
                    char **group_name, herr_t *err)
{
  *user_name = *group_name = NULL;
  *has_gid = false;
  _cleanup_free_ char *copy = xstrdup(s);
  char *colon = strchr(copy, ':');
  if (colon)
    *colon = '\0';
  const char *u = copy, *g = colon ? colon + 1 : NULL;
  if (!*u)
    return herr_set(err, EINVAL, "--user \"%s\": expected UID[:GID] or NAME[:GROUP]", s);
  uint32_t v;
  int r = parse_id(u, &v);
  if (r < 0)
    return id_range_error(err, "--user uid", u);
  if (r > 0)
    *uid = v;
  else
    *user_name = xstrdup(u);
  if (g) {
    if (!*g)
      return herr_set(err, EINVAL, "--user \"%s\": empty group after ':'", s);
    *has_gid = true;
    r = parse_id(g, &v);
    if (r < 0)
      return id_range_error(err, "--user gid", g);
    if (r > 0)
      *gid = v;
    else
      *group_name = xstrdup(g);
  }
  return 0;
}

/* Find the line whose first field is `name` in a colon-separated file and
 * return its fields 2 and 3 (the uid/gid or gid for group).  -1 with errno
 * ENOENT when there is no such line, -2 when the file cannot be read, -3 when
 * the line's id is out of range. */
static int lookup(const char *file, const char *name, int want_fields, uint32_t *a, uint32_t *b)
{
  _cleanup_fclose_ FILE *f = fopen(file, "re");
  if (!f)
    return -2;
  char line[4096];
  while (fgets(line, sizeof(line), f)) {
    char *fields[4] = {0};
    char *p = line;
    int n = 0;
    for (char *tok = strsep(&p, ":\n"); tok && n < 4; tok = strsep(&p, ":\n"))
      fields[n++] = tok;
    if (n < 2 + want_fields || strcmp(fields[0], name) != 0)
      continue;
    int ra = parse_id(fields[2], a), rb = want_fields > 1 ? parse_id(fields[3], b) : 1;
    if (ra < 0 || rb < 0)
      return -3;
    if (ra == 0 || rb == 0)
      continue;
    return 0;
  }
  errno = ENOENT;
  return -1;
}

int exec_lookup_user(const char *passwd, const char *name, uid_t *uid, gid_t *gid, herr_t *err)
{
  uint32_t u, g;
  int r = lookup(passwd, name, 2, &u, &g);
  if (r < 0) {
    if (r == -1)
      return herr_set(err, ENOENT, "no such user %s in the container's /etc/passwd", name);
    if (r == -3)
      return herr_set(err, ERANGE,
                      "user %s: its id in the container's /etc/passwd is out of range (0-%d)", name,
                      SPEC_ID_MAX);
    return herr_sys(err, "user %s: read the container's /etc/passwd", name);
  }
  *uid = u;
  *gid = g;
  return 0;
}

int exec_lookup_group(const char *group_file, const char *name, gid_t *gid, herr_t *err)
{
  uint32_t g, unused;
  int r = lookup(group_file, name, 1, &g, &unused);
  if (r < 0) {
    if (r == -1)
      return herr_set(err, ENOENT, "no such group %s in the container's /etc/group", name);
    if (r == -3)
      return herr_set(err, ERANGE,
                      "group %s: its id in the container's /etc/group is out of range (0-%d)", name,
                      SPEC_ID_MAX);
    return herr_sys(err, "group %s: read the container's /etc/group", name);
  }
  *gid = g;
  return 0;
}

static void add_cap(char ***set, size_t *n, bool *has, const char *cap)
{
  if (!*has) {
    *has = true;
    *set = xcalloc(1, sizeof(char *));
    *n = 0;
  }
  if (!strv_has(*set, *n, cap))
    strv_append(set, n, cap);
}

static int apply_caps(struct spec_process *p, const struct exec_opts *o, herr_t *err)
{
  for (size_t i = 0; i < o->n_caps; i++) {
    _cleanup_free_ char *name = NULL;
    const char *c = o->caps[i];
    /* runc accepts "CAP_X"; be kind to "x" too. */
    if (strncasecmp(c, "CAP_", 4) != 0)
      name = xasprintf("CAP_%s", c);
    else
      name = xstrdup(c);
    for (char *q = name; *q; q++)
      if (*q >= 'a' && *q <= 'z')
        *q = (char)(*q - 'a' + 'A');
    if (spec_cap_from_name(name) < 0)
      return herr_set(err, EINVAL, "--cap: unknown capability \"%s\"", c);
    if (!p->has_capabilities)
      continue; /* without a capabilities object the process keeps every capability */
    struct spec_capabilities *cs = &p->capabilities;
    add_cap(&cs->bounding, &cs->n_bounding, &cs->has_bounding, name);
    add_cap(&cs->effective, &cs->n_effective, &cs->has_effective, name);
    add_cap(&cs->permitted, &cs->n_permitted, &cs->has_permitted, name);
    /* Ambient needs inheritable: only when the process already has some. */
    if (cs->has_inheritable && cs->n_inheritable)
      add_cap(&cs->ambient, &cs->n_ambient, &cs->has_ambient, name);
  }
  return 0;
}

static int apply_flags(struct exec_process *x, const struct exec_opts *o, herr_t *err)
{
  struct spec_process *p = x->p;
  if (o->n_args) {
    strv_free(p->args, p->n_args);
    p->args = NULL;
    p->n_args = 0;
    for (size_t i = 0; i < o->n_args; i++)
      strv_append(&p->args, &p->n_args, o->args[i]);
  }
  if ((!o->process_file && !o->n_args) || p->n_args == 0 || !p->args[0] || !*p->args[0])
    return herr_set(err, EINVAL, "no command given: exec ID COMMAND [ARG...] or --process FILE");
  if (o->tty)
    p->terminal = true;
  if (o->cwd) {
    if (o->cwd[0] != '/')
      return herr_set(err, EINVAL, "--cwd \"%s\": must be an absolute path", o->cwd);
    free(p->cwd);
    p->cwd = xstrdup(o->cwd);
  }
  for (size_t i = 0; i < o->n_env; i++) {
    if (!strchr(o->env[i], '=') || o->env[i][0] == '=')
      return herr_set(err, EINVAL, "--env \"%s\": expected KEY=VALUE", o->env[i]);
    exec_env_set(&p->env, &p->n_env, o->env[i]);
  }
  if (o->user) {
    uid_t uid = p->user.uid;
    gid_t gid = p->user.gid;
    bool has_gid = false;
    if (exec_parse_user(o->user, &uid, &x->user_name, &gid, &has_gid, &x->group_name, err) < 0)
      return -1;
    p->user.uid = uid;
    if (has_gid)
      p->user.gid = gid;
  }
  for (size_t i = 0; i < o->n_gids; i++) {
    uint32_t g;
    int r = parse_id(o->gids[i], &g);
    if (r < 0)
      return id_range_error(err, "--additional-gids", o->gids[i]);
    if (r == 0)
      return herr_set(err, EINVAL, "--additional-gids \"%s\": expected a numeric gid", o->gids[i]);
    p->user.additional_gids =
        xrealloc(p->user.additional_gids, (p->user.n_additional_gids + 1) * sizeof(uint32_t));
    p->user.additional_gids[p->user.n_additional_gids++] = g;
  }
  if (apply_caps(p, o, err) < 0)
    return -1;
  if (o->no_new_privs)
    p->no_new_privileges = true;
  if (o->apparmor) {
    free(p->apparmor_profile);
    p->apparmor_profile = xstrdup(o->apparmor);
  }
  if (o->process_label) {
    free(p->selinux_label);
    p->selinux_label = xstrdup(o->process_label);
  }
  return 0;
}

int exec_process_build(struct spec *spec, const char *id, const struct exec_opts *o,
                       struct exec_process *out, herr_t *err)
{
  memset(out, 0, sizeof(*out));
  if (o->process_file) {
    if (spec_load_process_file(o->process_file, &out->p, err) < 0)
      return -1;
  } else {
    if (!spec || !spec->has_process)
      return herr_set(err, EINVAL, "container %s: its config has no process", id);
    /* Take the container's process over: exec is its only user here. */
    out->p = xcalloc(1, sizeof(*out->p));
    *out->p = spec->process;
    memset(&spec->process, 0, sizeof(spec->process));
    spec->has_process = false;
    out->p->terminal = false;
    out->p->has_console_size = false;
  }
  if (apply_flags(out, o, err) < 0) {
    exec_process_clear(out);
    return -1;
  }
  return 0;
}

void exec_process_clear(struct exec_process *x)
{
  spec_process_free(x->p);
  free(x->user_name);
  free(x->group_name);
  memset(x, 0, sizeof(*x));
}
