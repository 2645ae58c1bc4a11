/* libFuzzer target: config.json parser + validator (spec_parse), then the
 * read-only helpers that run on a parsed spec (spec_find_ns,
 * spec_annotation, the hook and namespace names).  Invariants checked:
 * success <=> *out set and err clear; failure => one-line message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct spec *s = NULL;
  herr_t err = NULL;
  int r = spec_parse((const char *)data, size, "config.json", &s, &err);
  if (r < 0) {
    fuzz_check_error(&err, "config.json: ");
    FUZZ_ASSERT(s == NULL);
    herr_free(&err);
    return 0;
  }
  FUZZ_ASSERT(s != NULL);
  FUZZ_ASSERT(s->oci_version != NULL);
  for (int t = 0; t < SPEC_NS_TYPES; t++) {
    const struct spec_namespace *ns = spec_find_ns(s, (enum spec_ns_type)t);
    if (ns)
      FUZZ_ASSERT((int)ns->type == t);
    FUZZ_ASSERT(spec_ns_name((enum spec_ns_type)t) != NULL);
  }
  /* Annotations: every key is found again, and the first value wins. */
  for (size_t i = 0; i < s->n_annotations; i++) {
    FUZZ_ASSERT(s->annotations[i].key && s->annotations[i].key[0]);
    const char *v = spec_annotation(s, s->annotations[i].key);
    FUZZ_ASSERT(v != NULL);
  }
  FUZZ_ASSERT(spec_annotation(s, "hutch.fuzz/not-a-key-anyone-uses\x01") == NULL);
  /* Hooks: every hook has a path (validated absolute) and a known kind. */
  for (int k = 0; k < SPEC_HOOK_KINDS; k++) {
    FUZZ_ASSERT(spec_hook_name((enum spec_hook_kind)k) != NULL);
    for (size_t i = 0; i < s->hooks.n_hooks[k]; i++) {
      const struct spec_hook *h = &s->hooks.hooks[k][i];
      FUZZ_ASSERT(h->path && h->path[0] == '/');
      FUZZ_ASSERT(!h->has_timeout || h->timeout > 0);
    }
  }
  spec_free(s);
  return 0;
}
