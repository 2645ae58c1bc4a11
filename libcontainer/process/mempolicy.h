/* linux.memoryPolicy: the NUMA memory policy of the container's processes,
 * set with set_mempolicy(2) in the init (inherited by every child). */
#ifndef HUTCH_MEMPOLICY_H
#define HUTCH_MEMPOLICY_H

#include "spec/base/error.h"
#include "spec/spec.h"

/* Parent, before anything is created: mode/nodes/flags consistent. */
int mempolicy_validate(const struct spec_memory_policy *p, herr_t *err);
/* Init, before exec. */
int mempolicy_apply(const struct spec_memory_policy *p, herr_t *err);

#endif
