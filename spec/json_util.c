/* Typed JSON getters that track the JSON path for error messages. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/internal.h"

void jc_init(struct jctx *c, const char *fname, herr_t *err)
{
  c->fname = fname;
  c->cap = 128;
  c->path = xcalloc(c->cap, 1);
  c->len = 0;
  c->err = err;
}

void jc_fini(struct jctx *c)
{
  free(c->path);
  c->path = NULL;
}

static void jc_append(struct jctx *c, const char *s)
{
  size_t n = strlen(s);
  if (c->len + n + 1 > c->cap) {
    while (c->len + n + 1 > c->cap)
      c->cap *= 2;
    char *p = realloc(c->path, c->cap);
    if (p == NULL)
      abort();
    c->path = p;
  }
  memcpy(c->path + c->len, s, n + 1);
  c->len += n;
}

size_t jc_key(struct jctx *c, const char *key)
{
  size_t mark = c->len;
  if (c->len > 0)
    jc_append(c, ".");
  jc_append(c, key);
  return mark;
}

size_t jc_map_key(struct jctx *c, const char *key)
{
  bool plain = key[0] != '\0';
  for (const char *p = key; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '_')
      plain = false;
  if (plain)
    return jc_key(c, key);
  size_t mark = c->len;
  jc_append(c, "[\"");
  jc_append(c, key);
  jc_append(c, "\"]");
  return mark;
}

size_t jc_idx(struct jctx *c, size_t i)
{
  size_t mark = c->len;
  char buf[32];
  snprintf(buf, sizeof(buf), "[%zu]", i);
  jc_append(c, buf);
  return mark;
}

void jc_pop(struct jctx *c, size_t mark)
{
  c->len = mark;
  c->path[mark] = '\0';
}

static int jc_vfail(struct jctx *c, const char *fmt, va_list ap)
{
  char *msg = NULL;
  if (vasprintf(&msg, fmt, ap) < 0)
    abort();
  if (c->len > 0)
    herr_set(c->err, EINVAL, "%s: %s: %s", c->fname, c->path, msg);
  else
    herr_set(c->err, EINVAL, "%s: %s", c->fname, msg);
  free(msg);
  return -1;
}

int jc_fail(struct jctx *c, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  jc_vfail(c, fmt, ap);
  va_end(ap);
  return -1;
}

int jc_fail_at(struct jctx *c, const char *key, const char *fmt, ...)
{
  size_t m = jc_key(c, key);
  va_list ap;
  va_start(ap, fmt);
  jc_vfail(c, fmt, ap);
  va_end(ap);
  jc_pop(c, m);
  return -1;
}

json_t *jc_get(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v))
    return NULL;
  return v;
}

static bool is_u64_tag(json_t *v)
{
  return json_is_string(v) &&
         strncmp(json_string_value(v), SPEC_U64_TAG, strlen(SPEC_U64_TAG)) == 0;
}

int jv_object(struct jctx *c, json_t *v)
{
  if (!json_is_object(v))
    return jc_fail(c, "expected an object");
  return 0;
}

int jv_array(struct jctx *c, json_t *v)
{
  if (!json_is_array(v))
    return jc_fail(c, "expected an array");
  return 0;
}

int jv_string(struct jctx *c, json_t *v, char **out)
{
  if (!json_is_string(v) || is_u64_tag(v))
    return jc_fail(c, "expected a string");
  if (out) {
    free(*out);
    *out = xstrdup(json_string_value(v));
  }
  return 0;
}

static int range_fail(struct jctx *c, int64_t min, int64_t max, const char *got)
{
  if (min == 0 && max == INT64_MAX)
    return jc_fail(c, "expected a non-negative integer, got %s", got);
  return jc_fail(c, "expected an integer between %" PRId64 " and %" PRId64 ", got %s", min, max,
                 got);
}

int jv_int(struct jctx *c, json_t *v, int64_t min, int64_t max, int64_t *out)
{
  if (is_u64_tag(v))
    return range_fail(c, min, max, json_string_value(v) + strlen(SPEC_U64_TAG));
  if (!json_is_integer(v))
    return jc_fail(c, "expected an integer");
  int64_t x = json_integer_value(v);
  if (x < min || x > max) {
    char buf[32];
    snprintf(buf, sizeof(buf), "%" PRId64, x);
    return range_fail(c, min, max, buf);
  }
  *out = x;
  return 0;
}

int jv_uint64(struct jctx *c, json_t *v, uint64_t *out)
{
  if (is_u64_tag(v)) {
    *out = strtoull(json_string_value(v) + strlen(SPEC_U64_TAG), NULL, 10);
    return 0;
  }
  int64_t x;
  if (jv_int(c, v, 0, INT64_MAX, &x) < 0)
    return -1;
  *out = (uint64_t)x;
  return 0;
}

/* Common prologue of the key getters: 0 absent, 1 present, -1 missing. */
static int lookup(struct jctx *c, json_t *obj, const char *key, bool required, json_t **v)
{
  *v = jc_get(obj, key);
  if (*v)
    return 1;
  if (required)
    return jc_fail_at(c, key, "missing required field");
  return 0;
}

#define GETTER_BODY(check)                                                                         \
  json_t *v;                                                                                       \
  int r = lookup(c, obj, key, required, &v);                                                       \
  if (r <= 0)                                                                                      \
    return r;                                                                                      \
  size_t m = jc_key(c, key);                                                                       \
  if ((check) < 0)                                                                                 \
    return -1;                                                                                     \
  jc_pop(c, m);                                                                                    \
  return 1;

int jc_object(struct jctx *c, json_t *obj, const char *key, bool required, json_t **out)
{
  GETTER_BODY((*out = v, jv_object(c, v)))
}

int jc_array(struct jctx *c, json_t *obj, const char *key, bool required, json_t **out)
{
  GETTER_BODY((*out = v, jv_array(c, v)))
}

int jc_string(struct jctx *c, json_t *obj, const char *key, bool required, char **out)
{
  GETTER_BODY(jv_string(c, v, out))
}

static int jv_bool(struct jctx *c, json_t *v, bool *out)
{
  if (!json_is_boolean(v))
    return jc_fail(c, "expected a boolean");
  *out = json_is_true(v);
  return 0;
}

int jc_bool(struct jctx *c, json_t *obj, const char *key, bool required, bool *out)
{
  GETTER_BODY(jv_bool(c, v, out))
}

int jc_int(struct jctx *c, json_t *obj, const char *key, bool required, int64_t min, int64_t max,
           int64_t *out)
{
  GETTER_BODY(jv_int(c, v, min, max, out))
}

int jc_i32(struct jctx *c, json_t *obj, const char *key, bool required, int32_t *out)
{
  int64_t x = 0;
  int r = jc_int(c, obj, key, required, INT32_MIN, INT32_MAX, &x);
  if (r > 0)
    *out = (int32_t)x;
  return r;
}

int jc_u32(struct jctx *c, json_t *obj, const char *key, bool required, uint32_t *out)
{
  int64_t x = 0;
  int r = jc_int(c, obj, key, required, 0, UINT32_MAX, &x);
  if (r > 0)
    *out = (uint32_t)x;
  return r;
}

int jc_id(struct jctx *c, json_t *obj, const char *key, bool required, uint32_t *out)
{
  int64_t x = 0;
  int r = jc_int(c, obj, key, required, 0, SPEC_ID_MAX, &x);
  if (r > 0)
    *out = (uint32_t)x;
  return r;
}

int jc_u16(struct jctx *c, json_t *obj, const char *key, bool required, uint16_t *out)
{
  int64_t x = 0;
  int r = jc_int(c, obj, key, required, 0, UINT16_MAX, &x);
  if (r > 0)
    *out = (uint16_t)x;
  return r;
}

int jc_i64(struct jctx *c, json_t *obj, const char *key, bool required, int64_t *out)
{
  return jc_int(c, obj, key, required, INT64_MIN, INT64_MAX, out);
}

int jc_u64(struct jctx *c, json_t *obj, const char *key, bool required, uint64_t *out)
{
  GETTER_BODY(jv_uint64(c, v, out))
}

int jc_strv(struct jctx *c, json_t *obj, const char *key, bool required, char ***out, size_t *n)
{
  json_t *a;
  int r = jc_array(c, obj, key, required, &a);
  if (r <= 0)
    return r;
  spec_strv_free(*out, *n);
  size_t len = json_array_size(a);
  *out = xcalloc(len + 1, sizeof(char *));
  *n = len;
  size_t m = jc_key(c, key);
  for (size_t i = 0; i < len; i++) {
    size_t m2 = jc_idx(c, i);
    if (jv_string(c, json_array_get(a, i), &(*out)[i]) < 0)
      return -1;
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 1;
}

int jc_kv(struct jctx *c, json_t *obj, const char *key, struct spec_kv **out, size_t *n)
{
  json_t *o;
  int r = jc_object(c, obj, key, false, &o);
  if (r <= 0)
    return r;
  size_t len = json_object_size(o);
  *out = xcalloc(len, sizeof(**out));
  *n = 0;
  size_t m = jc_key(c, key);
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v)
  {
    struct spec_kv *kv = &(*out)[(*n)++];
    kv->key = xstrdup(k);
    size_t m2 = jc_map_key(c, k);
    if (jv_string(c, v, &kv->value) < 0)
      return -1;
    jc_pop(c, m2);
  }
  jc_pop(c, m);
  return 1;
}

int jc_abspath(struct jctx *c, json_t *obj, const char *key, bool required, char **out)
{
  int r = jc_string(c, obj, key, required, out);
  if (r <= 0)
    return r;
  if ((*out)[0] != '/')
    return jc_fail_at(c, key, "must be an absolute path, got \"%s\"", *out);
  return 1;
}

int jv_enum(struct jctx *c, json_t *v, const char *const *names, const char *what, char **out)
{
  char *s = NULL;
  if (jv_string(c, v, &s) < 0)
    return -1;
  for (size_t i = 0; names[i]; i++) {
    if (strcmp(names[i], s) == 0) {
      free(*out);
      *out = s;
      return 0;
    }
  }
  jc_fail(c, "unknown %s \"%s\"", what, s);
  free(s);
  return -1;
}

int jc_enum(struct jctx *c, json_t *obj, const char *key, bool required, const char *const *names,
            const char *what, char **out)
{
  GETTER_BODY(jv_enum(c, v, names, what, out))
}

/* Scan JSON text for integer literals above INT64_MAX (outside strings) and
 * rewrite them as tagged strings.  Returns NULL when nothing needs rewriting. */
char *spec_rewrite_big_ints(const char *json, size_t len, size_t *out_len)
{
  char *out = NULL;
  size_t olen = 0, ocap = 0, copied = 0;
  bool in_str = false;
  for (size_t i = 0; i < len; i++) {
    char ch = json[i];
    if (in_str) {
      if (ch == '\\')
        i++;
      else if (ch == '"')
        in_str = false;
      continue;
    }
    if (ch == '"') {
      in_str = true;
      continue;
    }
    if (ch < '0' || ch > '9')
      continue;
    size_t j = i;
    while (j < len && json[j] >= '0' && json[j] <= '9')
      j++;
    size_t ndig = j - i;
    bool plain = !(j < len && (json[j] == '.' || json[j] == 'e' || json[j] == 'E')) &&
                 !(i > 0 && strchr("-+eE.", json[i - 1]) != NULL);
    /* 9223372036854775807 has 19 digits; UINT64_MAX has 20. */
    if (plain && json[i] != '0' && (ndig == 20 || ndig == 19)) {
      char digits[24];
      memcpy(digits, json + i, ndig);
      digits[ndig] = '\0';
      errno = 0;
      unsigned long long x = strtoull(digits, NULL, 10);
      if (errno == 0 && x > (unsigned long long)INT64_MAX) {
        const char *tag = "\"\\u0001u64:";
        size_t need = olen + (i - copied) + strlen(tag) + ndig + 1 + (len - j) + 1;
        if (need > ocap) {
          ocap = need * 2;
          char *p = realloc(out, ocap);
          if (p == NULL)
            abort();
          out = p;
        }
        memcpy(out + olen, json + copied, i - copied);
        olen += i - copied;
        memcpy(out + olen, tag, strlen(tag));
        olen += strlen(tag);
        memcpy(out + olen, digits, ndig);
        olen += ndig;
        out[olen++] = '"';
        copied = j;
      }
    }
    i = j - 1;
  }
  if (out == NULL)
    return NULL;
  memcpy(out + olen, json + copied, len - copied);
  olen += len - copied;
  out[olen] = '\0';
  *out_len = olen;
  return out;
}

int spec_load_json(const char *json, size_t len, const char *fname, json_t **out, herr_t *err)
{
  size_t rlen = 0;
  char *rewritten = spec_rewrite_big_ints(json, len, &rlen);
  json_error_t jerr;
  json_t *root =
      json_loadb(rewritten ? rewritten : json, rewritten ? rlen : len, JSON_DECODE_ANY, &jerr);
  free(rewritten);
  if (root == NULL)
    return herr_set(err, EINVAL, "%s: line %d, column %d: %s", fname, jerr.line, jerr.column,
                    jerr.text);
  if (!json_is_object(root)) {
    json_decref(root);
    return herr_set(err, EINVAL, "%s: expected a JSON object at the top level", fname);
  }
  *out = root;
  return 0;
}

int jc_check_names(struct jctx *c, const char *key, char **v, size_t n, const char *const *names,
                   const char *what)
{
  for (size_t i = 0; i < n; i++) {
    bool ok = false;
    for (size_t j = 0; names[j] && !ok; j++)
      ok = strcmp(names[j], v[i]) == 0;
    if (!ok) {
      size_t m = jc_key(c, key);
      jc_idx(c, i);
      jc_fail(c, "unknown %s \"%s\"", what, v[i]);
      jc_pop(c, m);
      return -1;
    }
  }
  return 0;
}
