/* Internal helpers shared by the spec/ parser files (not part of the API).
 *
 * A `struct jctx` carries the file name and the JSON path of the value being
 * parsed, so every error reads "config.json: linux.namespaces[2].type: ...".
 * The typed getters look a key up in an object, check its type and range and
 * return 1 when the key is present, 0 when it is absent (JSON null counts as
 * absent, as Go's encoding/json treats it) and -1 with an error set. */
#ifndef HUTCH_SPEC_INTERNAL_H
#define HUTCH_SPEC_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/util.h"
#include "spec/spec.h"

struct jctx {
  const char *fname; /* "config.json" */
  char *path;        /* current JSON path, "" at the document root */
  size_t len, cap;
  herr_t *err;
};

void jc_init(struct jctx *c, const char *fname, herr_t *err);
void jc_fini(struct jctx *c);
/* Descend into a key / an index; return a mark for jc_pop(). */
size_t jc_key(struct jctx *c, const char *key);
size_t jc_idx(struct jctx *c, size_t i);
/* Descend into a map key: .key, or ["a.b"] when it is not a plain word. */
size_t jc_map_key(struct jctx *c, const char *key);
void jc_pop(struct jctx *c, size_t mark);
/* Set "<fname>: <path>: <msg>" (no path part at the root).  Returns -1. */
int jc_fail(struct jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fail at obj.key without leaving the path changed. */
int jc_fail_at(struct jctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Look up a key: NULL when absent or null. */
json_t *jc_get(json_t *obj, const char *key);

/* Value checks at the current path. */
int jv_object(struct jctx *c, json_t *v);
int jv_array(struct jctx *c, json_t *v);
int jv_string(struct jctx *c, json_t *v, char **out);
int jv_int(struct jctx *c, json_t *v, int64_t min, int64_t max, int64_t *out);
int jv_uint64(struct jctx *c, json_t *v, uint64_t *out);

/* Key getters: 1 present, 0 absent, -1 error.  `required` turns absence into
 * "missing required field". */
int jc_object(struct jctx *c, json_t *obj, const char *key, bool required, json_t **out);
int jc_array(struct jctx *c, json_t *obj, const char *key, bool required, json_t **out);
int jc_string(struct jctx *c, json_t *obj, const char *key, bool required, char **out);
int jc_bool(struct jctx *c, json_t *obj, const char *key, bool required, bool *out);
int jc_int(struct jctx *c, json_t *obj, const char *key, bool required, int64_t min, int64_t max,
           int64_t *out);
int jc_i32(struct jctx *c, json_t *obj, const char *key, bool required, int32_t *out);
int jc_u32(struct jctx *c, json_t *obj, const char *key, bool required, uint32_t *out);
/* A user or group id: 0..SPEC_ID_MAX (spec.h). */
int jc_id(struct jctx *c, json_t *obj, const char *key, bool required, uint32_t *out);
int jc_u16(struct jctx *c, json_t *obj, const char *key, bool required, uint16_t *out);
int jc_i64(struct jctx *c, json_t *obj, const char *key, bool required, int64_t *out);
int jc_u64(struct jctx *c, json_t *obj, const char *key, bool required, uint64_t *out);
/* An array of strings (present-and-empty gives *n = 0, returns 1). */
int jc_strv(struct jctx *c, json_t *obj, const char *key, bool required, char ***out, size_t *n);
/* An object of string values, in document order. */
int jc_kv(struct jctx *c, json_t *obj, const char *key, struct spec_kv **out, size_t *n);
/* An absolute-path string ("must be an absolute path, got ..."). */
int jc_abspath(struct jctx *c, json_t *obj, const char *key, bool required, char **out);
/* A string that must be one of `names` (NULL-terminated); `what` names the
 * kind in the error: unknown <what> "x". */
/* Check each element of an already parsed string array `key` against the
 * NULL-terminated `names`: "unknown <what> \"x\"" at key[i]. */
int jc_check_names(struct jctx *c, const char *key, char **v, size_t n, const char *const *names,
                   const char *what);
int jc_enum(struct jctx *c, json_t *obj, const char *key, bool required, const char *const *names,
            const char *what, char **out);
int jv_enum(struct jctx *c, json_t *v, const char *const *names, const char *what, char **out);

/* Big unsigned literals (> INT64_MAX, e.g. RLIM_INFINITY) do not fit
 * jansson's integers; the loader rewrites them into tagged strings that
 * jv_uint64 accepts and every other getter rejects as the wrong type. */
#define SPEC_U64_TAG "\x01u64:"
char *spec_rewrite_big_ints(const char *json, size_t len, size_t *out_len);
/* Parse JSON text into an object; errors carry line and column. */
int spec_load_json(const char *json, size_t len, const char *fname, json_t **out, herr_t *err);

/* Sections. */
int spec_parse_process_obj(struct jctx *c, json_t *obj, struct spec_process *p);
int spec_parse_linux_obj(struct jctx *c, json_t *obj, struct spec_linux *l);
int spec_parse_resources_obj(struct jctx *c, json_t *obj, struct spec_resources *r);
int spec_parse_seccomp_obj(struct jctx *c, json_t *obj, struct spec_seccomp *s);
int spec_parse_id_mappings(struct jctx *c, json_t *obj, const char *key,
                           struct spec_id_mapping **out, size_t *n);
int spec_check_cross(struct jctx *c, struct spec *s);

/* Free helpers. */
void spec_strv_free(char **v, size_t n);
void spec_kv_free(struct spec_kv *kv, size_t n);
void spec_linux_clear(struct spec_linux *l);
void spec_resources_clear(struct spec_resources *r);
void spec_seccomp_clear(struct spec_seccomp *s);

/* Name tables (names.c), NULL-terminated. */
extern const char *const spec_seccomp_actions[];
extern const char *const spec_seccomp_operators[];
extern const char *const spec_seccomp_archs[];
extern const char *const spec_seccomp_flags[];
extern const char *const spec_mount_options[];
extern const char *const spec_rlimit_names[];
int spec_known_caps(const char *const **names); /* count, names[i] = CAP name of i */

#endif
