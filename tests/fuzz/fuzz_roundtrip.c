/* libFuzzer target: hooks and annotations through the serializers.  The
 * input is a config whose "hooks" and "annotations" are taken as they are;
 * the rest comes from the default config (spec_default_json), so the fuzzer
 * spends its time in the hook/annotation paths.  Checks: the default and the
 * features documents are valid JSON and the default config parses; a merged
 * config that parses keeps every annotation (same count, same values in
 * document order) and every hook (same count per kind, same paths). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "spec/spec.h"

static json_t *base_config;

static void init_once(void)
{
  if (base_config)
    return;
  char *def = spec_default_json(0);
  FUZZ_ASSERT(def);
  json_error_t jerr;
  base_config = json_loads(def, 0, &jerr);
  FUZZ_ASSERT(base_config);
  struct spec *s = NULL;
  herr_t err = NULL;
  FUZZ_ASSERT(spec_parse(def, strlen(def), "config.json", &s, &err) == 0);
  spec_free(s);
  free(def);
  char *feat = spec_features_json(NULL);
  FUZZ_ASSERT(feat);
  json_t *f = json_loads(feat, 0, &jerr);
  FUZZ_ASSERT(f && json_is_object(f));
  json_decref(f);
  free(feat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  init_once();
  json_error_t jerr;
  json_t *in = json_loadb((const char *)data, size, 0, &jerr);
  if (!in)
    return 0;
  json_t *doc = json_deep_copy(base_config);
  json_t *hooks = json_is_object(in) ? json_object_get(in, "hooks") : NULL;
  json_t *ann = json_is_object(in) ? json_object_get(in, "annotations") : NULL;
  if (hooks)
    json_object_set(doc, "hooks", hooks);
  if (ann)
    json_object_set(doc, "annotations", ann);
  char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
  FUZZ_ASSERT(text);
  struct spec *s = NULL;
  herr_t err = NULL;
  if (spec_parse(text, strlen(text), "config.json", &s, &err) < 0) {
    fuzz_check_error(&err, "config.json: ");
    herr_free(&err);
  } else {
    if (json_is_object(ann)) {
      FUZZ_ASSERT(s->n_annotations == json_object_size(ann));
      for (size_t i = 0; i < s->n_annotations; i++) {
        json_t *v = json_object_get(ann, s->annotations[i].key);
        FUZZ_ASSERT(v && json_is_string(v));
        FUZZ_ASSERT(strcmp(json_string_value(v), s->annotations[i].value) == 0 ||
                    memchr(json_string_value(v), 0, json_string_length(v)));
        FUZZ_ASSERT(spec_annotation(s, s->annotations[i].key) != NULL);
      }
    }
    for (int k = 0; k < SPEC_HOOK_KINDS; k++) {
      json_t *a = json_is_object(hooks) ? json_object_get(hooks, spec_hook_name(k)) : NULL;
      size_t n = json_is_array(a) ? json_array_size(a) : 0;
      FUZZ_ASSERT(s->hooks.n_hooks[k] == n);
      for (size_t i = 0; i < n; i++) {
        const char *p = json_string_value(json_object_get(json_array_get(a, i), "path"));
        FUZZ_ASSERT(p && strcmp(p, s->hooks.hooks[k][i].path) == 0);
      }
    }
    spec_free(s);
  }
  free(text);
  json_decref(doc);
  json_decref(in);
  return 0;
}
