/* libFuzzer target: the state.json reader (state_parse, the JSON-to-struct
 * part of state_read), including the cgroup manager's from_json.  When a
 * document parses, its cgroup part must survive a to_json -> from_json ->
 * to_json round trip unchanged. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "libcontainer/cgroups/cgroup.h"
#include "libcontainer/container/container.h"
#include "libcontainer/container/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct container *c = calloc(1, sizeof(*c));
  FUZZ_ASSERT(c);
  c->lock_fd = -1;
  c->root_fd = c->dir_fd = -1;
  c->id = strdup("hutch-test-fuzz");
  c->state_dir = strdup("/nonexistent/hutch-test-fuzz");
  herr_t err = NULL;
  if (state_parse(c, (const char *)data, size, "state.json", &err) < 0) {
    fuzz_check_error(&err, "state.json: ");
    herr_free(&err);
  } else if (c->cgroup) {
    json_t *j1 = cgroup_manager_to_json(c->cgroup);
    if (j1) {
      struct cgroup_manager *m2 = NULL;
      int r = cgroup_manager_from_json(j1, c->id, &m2, &err);
      FUZZ_ASSERT(r == 0); /* what we wrote we must read back */
      json_t *j2 = cgroup_manager_to_json(m2);
      FUZZ_ASSERT(j2 && json_equal(j1, j2));
      json_decref(j2);
      cgroup_manager_free(m2);
      json_decref(j1);
    }
  }
  container_free(c);
  return 0;
}
