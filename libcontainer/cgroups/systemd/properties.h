/* Unit properties of a container's scope (or slice):
 *   linux.resources  -> MemoryMax, MemoryLow, MemorySwapMax, CPUWeight,
 *                       CPUQuotaPerSecUSec, CPUQuotaPeriodUSec, AllowedCPUs,
 *                       AllowedMemoryNodes, TasksMax, IOWeight (cgroup v2
 *                       names, runc's conversions).  What systemd has no
 *                       property for is written to the scope's cgroup files
 *                       afterwards by the cgroupfs code, as runc does.
 *   annotations      -> org.systemd.property.NAME=VALUE as NAME, VALUE in
 *                       the GVariant text form runc accepts; NAMESec=N
 *                       becomes NAMEUSec=N*1000000.  They come last, so
 *                       they override what hutch derives.
 * Pure conversions, unit-tested in tests/unit/test_systemd_unit.c. */
#ifndef HUTCH_CGROUPS_SYSTEMD_PROPERTIES_H
#define HUTCH_CGROUPS_SYSTEMD_PROPERTIES_H

#include "libcontainer/cgroups/systemd/dbus.h"
#include "spec/spec.h"

int sd_props_from_resources(const struct spec_resources *r, struct sd_props *p, herr_t *err);
int sd_props_from_annotations(const struct spec_kv *a, size_t n, struct sd_props *p, herr_t *err);
/* "0-2,4" -> a bitmask, byte 0 bit 0 = CPU 0 (systemd's "ay" form). */
int sd_parse_cpuset(const char *list, const char *field, uint8_t **bytes, size_t *n, herr_t *err);

#endif
