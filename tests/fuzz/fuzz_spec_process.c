/* libFuzzer target: process.json parser (exec --process), spec_parse_process. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct spec_process *p = NULL;
  herr_t err = NULL;
  int r = spec_parse_process((const char *)data, size, "process.json", &p, &err);
  if (r < 0) {
    fuzz_check_error(&err, "process.json: ");
    FUZZ_ASSERT(p == NULL);
    herr_free(&err);
    return 0;
  }
  FUZZ_ASSERT(p != NULL);
  for (size_t i = 0; i < p->n_args; i++)
    FUZZ_ASSERT(p->args[i] != NULL);
  for (size_t i = 0; i < p->n_env; i++)
    FUZZ_ASSERT(p->env[i] != NULL);
  spec_process_free(p);
  return 0;
}
