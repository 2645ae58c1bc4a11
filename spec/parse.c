/* config.json: the top level (ociVersion, root, mounts, hooks, annotations),
 * cross-field checks and the file/process.json entry points. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/base/util.h"
#include "spec/internal.h"

/* ociVersion: SemVer 2.0.0, major 1. */
static int parse_oci_version(struct jctx *c, json_t *root, struct spec *s)
{
  if (jc_string(c, root, "ociVersion", true, &s->oci_version) < 0)
    return -1;
  const char *v = s->oci_version;
  unsigned long parts[3];
  const char *p = v;
  for (int i = 0; i < 3; i++) {
    if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
      goto bad;
    char *end;
    errno = 0;
    parts[i] = strtoul(p, &end, 10);
    if (errno)
      goto bad;
    p = end;
    if (i < 2) {
      if (*p != '.')
        goto bad;
      p++;
    }
  }
  if (*p == '-' || *p == '+') {
    /* pre-release / build metadata: dot-separated [0-9A-Za-z-] identifiers */
    const char *q = p + 1;
    if (*q == '\0')
      goto bad;
    for (; *q; q++)
      if (!isalnum((unsigned char)*q) && *q != '-' && *q != '.' && *q != '+')
        goto bad;
  } else if (*p != '\0') {
    goto bad;
  }
  if (parts[0] != 1)
    return jc_fail_at(c, "ociVersion", "unsupported major version %lu (hutch supports 1.x)",
                      parts[0]);
  return 0;
bad:
  return jc_fail_at(c, "ociVersion", "invalid version \"%s\" (expected SemVer such as 1.3.0)", v);
}

int spec_parse_id_mappings(struct jctx *c, json_t *obj, const char *key,
                           struct spec_id_mapping **out, size_t *n)
{
  json_t *a;
  int r = jc_array(c, obj, key, false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  *out = xcalloc(len, sizeof(**out));
  *n = len;
  size_t m = jc_key(c, key);
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    json_t *e = json_array_get(a, i);
    struct spec_id_mapping *map = &(*out)[i];
    if (jv_object(c, e) < 0 || jc_id(c, e, "containerID", true, &map->container_id) < 0 ||
        jc_id(c, e, "hostID", true, &map->host_id) < 0 ||
        jc_u32(c, e, "size", true, &map->size) < 0)
      return -1;
    if (map->size == 0)
      return jc_fail_at(c, "size", "must be greater than zero");
    /* The last id mapped must be a valid one: (uid_t)-1 is not. */
    if ((uint64_t)map->container_id + map->size - 1 >= UINT32_MAX ||
        (uint64_t)map->host_id + map->size - 1 >= UINT32_MAX)
      return jc_fail_at(c, "size", "mapping of %u IDs overflows the 32-bit ID range", map->size);
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 1;
}

static int parse_root(struct jctx *c, json_t *top, struct spec *s)
{
  json_t *o;
  int r = jc_object(c, top, "root", true, &o);
  if (r <= 0)
    return r;
  s->has_root = true;
  size_t m = jc_key(c, "root");
  if (jc_string(c, o, "path", true, &s->root.path) < 0 ||
      jc_bool(c, o, "readonly", false, &s->root.readonly) < 0)
    return -1;
  if (s->root.path[0] == '\0')
    return jc_fail_at(c, "path", "must not be empty");
  jc_pop(c, m);
  return 0;
}

static int parse_mount(struct jctx *c, json_t *o, struct spec_mount *mt)
{
  if (jv_object(c, o) < 0 || jc_string(c, o, "destination", true, &mt->destination) < 0 ||
      jc_string(c, o, "source", false, &mt->source) < 0 ||
      jc_string(c, o, "type", false, &mt->type) < 0 ||
      jc_strv(c, o, "options", false, &mt->options, &mt->n_options) < 0 ||
      spec_parse_id_mappings(c, o, "uidMappings", &mt->uid_mappings, &mt->n_uid_mappings) < 0 ||
      spec_parse_id_mappings(c, o, "gidMappings", &mt->gid_mappings, &mt->n_gid_mappings) < 0)
    return -1;
  if (mt->destination[0] == '\0')
    return jc_fail_at(c, "destination", "must not be empty");
  /* runtime-spec 1.2+: relative destinations are deprecated and MUST be
   * treated as relative to "/"; store them absolute. */
  if (mt->destination[0] != '/') {
    char *abs = NULL;
    if (asprintf(&abs, "/%s", mt->destination) < 0)
      abort();
    free(mt->destination);
    mt->destination = abs;
  }
  return 0;
}

static int parse_mounts(struct jctx *c, json_t *top, struct spec *s)
{
  json_t *a;
  int r = jc_array(c, top, "mounts", false, &a);
  if (r <= 0)
    return r;
  size_t len = json_array_size(a);
  s->mounts = xcalloc(len, sizeof(*s->mounts));
  s->n_mounts = len;
  size_t m = jc_key(c, "mounts");
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    if (parse_mount(c, json_array_get(a, i), &s->mounts[i]) < 0)
      return -1;
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

static int parse_hook(struct jctx *c, json_t *o, struct spec_hook *h)
{
  if (jv_object(c, o) < 0 || jc_abspath(c, o, "path", true, &h->path) < 0 ||
      jc_strv(c, o, "args", false, &h->args, &h->n_args) < 0 ||
      jc_strv(c, o, "env", false, &h->env, &h->n_env) < 0)
    return -1;
  int r = jc_i32(c, o, "timeout", false, &h->timeout);
  if (r < 0)
    return -1;
  h->has_timeout = r > 0;
  if (h->has_timeout && h->timeout <= 0)
    return jc_fail_at(c, "timeout", "must be greater than zero, got %d", h->timeout);
  return 0;
}

static int parse_hooks(struct jctx *c, json_t *top, struct spec *s)
{
  json_t *o;
  int r = jc_object(c, top, "hooks", false, &o);
  if (r <= 0)
    return r;
  size_t m = jc_key(c, "hooks");
  for (int k = 0; k < SPEC_HOOK_KINDS; k++) {
    json_t *a;
    const char *name = spec_hook_name(k);
    r = jc_array(c, o, name, false, &a);
    if (r < 0)
      return -1;
    if (r == 0)
      continue;
    size_t len = json_array_size(a);
    s->hooks.hooks[k] = xcalloc(len, sizeof(struct spec_hook));
    s->hooks.n_hooks[k] = len;
    size_t m2 = jc_key(c, name);
    for (size_t i = 0; i < len; i++) {
      size_t m3 = jc_idx(c, i);
      if (parse_hook(c, json_array_get(a, i), &s->hooks.hooks[k][i]) < 0)
        return -1;
      jc_pop(c, m3);
    }
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 0;
}

/* Checks that involve more than one field. */
int spec_check_cross(struct jctx *c, struct spec *s)
{
  const struct spec_linux *l = &s->linux_;
  for (size_t i = 0; i < s->n_annotations; i++)
    if (s->annotations[i].key[0] == '\0')
      return jc_fail(c, "annotations: keys must not be empty");
  if (!s->has_linux)
    return 0;
  const struct spec_namespace *userns = spec_find_ns(s, SPEC_NS_USER);
  if (!userns && (l->n_uid_mappings || l->n_gid_mappings))
    return jc_fail(c,
                   "linux.%s: mappings need a user namespace (add {\"type\": \"user\"} to "
                   "linux.namespaces)",
                   l->n_uid_mappings ? "uidMappings" : "gidMappings");
  /* A new user namespace without mappings is valid: crun's `spec --rootless`
   * writes one and the runtime maps the calling user (see libcontainer). */
  if (s->hostname && s->hostname[0] && !spec_find_ns(s, SPEC_NS_UTS))
    return jc_fail(c, "hostname: setting the hostname needs a uts namespace in linux.namespaces");
  if (s->domainname && s->domainname[0] && !spec_find_ns(s, SPEC_NS_UTS))
    return jc_fail(c,
                   "domainname: setting the domainname needs a uts namespace in linux.namespaces");
  if (l->n_time_offsets && !spec_find_ns(s, SPEC_NS_TIME))
    return jc_fail(c, "linux.timeOffsets: needs a time namespace in linux.namespaces");
  return 0;
}

static int parse_doc(struct jctx *c, json_t *top, struct spec *s)
{
  json_t *o;
  int r;
  if (parse_oci_version(c, top, s) < 0 || parse_root(c, top, s) < 0 || parse_mounts(c, top, s) < 0)
    return -1;
  r = jc_object(c, top, "process", false, &o);
  if (r < 0)
    return -1;
  if (r > 0) {
    s->has_process = true;
    size_t m = jc_key(c, "process");
    if (spec_parse_process_obj(c, o, &s->process) < 0)
      return -1;
    jc_pop(c, m);
  }
  if (jc_string(c, top, "hostname", false, &s->hostname) < 0 ||
      jc_string(c, top, "domainname", false, &s->domainname) < 0 || parse_hooks(c, top, s) < 0 ||
      jc_kv(c, top, "annotations", &s->annotations, &s->n_annotations) < 0)
    return -1;
  r = jc_object(c, top, "linux", false, &o);
  if (r < 0)
    return -1;
  if (r > 0) {
    s->has_linux = true;
    size_t m = jc_key(c, "linux");
    if (spec_parse_linux_obj(c, o, &s->linux_) < 0)
      return -1;
    jc_pop(c, m);
  }
  return spec_check_cross(c, s);
}

int spec_parse(const char *json, size_t len, const char *fname, struct spec **out, herr_t *err)
{
  json_t *top;
  if (spec_load_json(json, len, fname, &top, err) < 0)
    return -1;
  struct spec *s = xcalloc(1, sizeof(*s));
  struct jctx c;
  jc_init(&c, fname, err);
  int r = parse_doc(&c, top, s);
  jc_fini(&c);
  json_decref(top);
  if (r < 0) {
    spec_free(s);
    return -1;
  }
  *out = s;
  return 0;
}

/* A config is at most this big (a 100 MB document is an attack or a
 * mistake, not a config); the read stops there instead of eating memory. */
#define SPEC_FILE_MAX (64u << 20)

/* A process file that is not a regular file (a pipe: `exec -p <(...)`) is
 * read up to this size. */
#define SPEC_STREAM_MAX (4u << 20)

/* Read path whole.  A config must be a regular file (O_NONBLOCK: a fifo or
 * device named config.json must be an error, not a hang); with `stream`, a
 * pipe, fifo or device is read too (blocking, at most SPEC_STREAM_MAX). */
static int read_whole(const char *path, bool stream, char **buf, size_t *len, herr_t *err)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | (stream ? 0 : O_NONBLOCK));
  if (fd < 0)
    return herr_sys(err, "%s", path);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    close(fd);
    return herr_sys(err, "%s", path);
  }
  bool regular = S_ISREG(st.st_mode);
  if (!regular && (!stream || S_ISDIR(st.st_mode))) {
    close(fd);
    return herr_set(err, 0, "%s: not a regular file", path);
  }
  if (regular && st.st_size > (off_t)SPEC_FILE_MAX) {
    close(fd);
    return herr_set(err, 0, "%s: too big (%lld bytes, the limit is %u MiB)", path,
                    (long long)st.st_size, SPEC_FILE_MAX >> 20);
  }
  size_t max = regular ? SPEC_FILE_MAX : SPEC_STREAM_MAX;
  _cleanup_fclose_ FILE *f = fdopen(fd, "r");
  if (f == NULL) {
    close(fd);
    return herr_sys(err, "%s", path);
  }
  char *data = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n + 4096 + 1 > cap) {
      cap = cap ? cap * 2 : 16384;
      char *p = realloc(data, cap);
      if (p == NULL)
        abort();
      data = p;
    }
    size_t got = fread(data + n, 1, cap - n - 1, f);
    n += got;
    if (n > max) {
      free(data);
      return herr_set(err, 0, "%s: too big (more than %zu MiB)", path, max >> 20);
    }
    if (got == 0) {
      if (ferror(f)) {
        free(data);
        return herr_sys(err, "read %s", path);
      }
      break;
    }
  }
  data[n] = '\0';
  *buf = data;
  *len = n;
  return 0;
}

static const char *base_name(const char *path)
{
  const char *b = strrchr(path, '/');
  return b ? b + 1 : path;
}

int spec_load_file(const char *path, struct spec **out, herr_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len;
  if (read_whole(path, false, &buf, &len, err) < 0)
    return -1;
  return spec_parse(buf, len, base_name(path), out, err);
}

int spec_parse_process(const char *json, size_t len, const char *fname, struct spec_process **out,
                       herr_t *err)
{
  json_t *top;
  if (spec_load_json(json, len, fname, &top, err) < 0)
    return -1;
  struct spec_process *p = xcalloc(1, sizeof(*p));
  struct jctx c;
  jc_init(&c, fname, err);
  int r = spec_parse_process_obj(&c, top, p);
  jc_fini(&c);
  json_decref(top);
  if (r < 0) {
    spec_process_free(p);
    return -1;
  }
  *out = p;
  return 0;
}

int spec_load_process_file(const char *path, struct spec_process **out, herr_t *err)
{
  _cleanup_free_ char *buf = NULL;
  size_t len;
  if (read_whole(path, true, &buf, &len, err) < 0)
    return herr_wrap(err, "--process");
  return spec_parse_process(buf, len, base_name(path), out, err);
}

const struct spec_namespace *spec_find_ns(const struct spec *s, enum spec_ns_type t)
{
  if (s == NULL || !s->has_linux)
    return NULL;
  for (size_t i = 0; i < s->linux_.n_namespaces; i++)
    if (s->linux_.namespaces[i].type == t)
      return &s->linux_.namespaces[i];
  return NULL;
}

const char *spec_annotation(const struct spec *s, const char *key)
{
  if (s == NULL || key == NULL)
    return NULL;
  for (size_t i = 0; i < s->n_annotations; i++)
    if (strcmp(s->annotations[i].key, key) == 0)
      return s->annotations[i].value;
  return NULL;
}
