/* The systemd manager over D-Bus, with sd-bus from libsystemd.
 *
 * libsystemd is loaded with dlopen("libsystemd.so.0") the first time a
 * command uses --systemd-cgroup: Debian ships no static libsystemd, and
 * linking the shared one (with its lzma, zstd, lz4, gcrypt dependencies)
 * would put its loading on the path of every hutch command, systemd or not.
 * The calls are the library's own, typed through <systemd/sd-bus.h>.
 *
 * One connection per command; every call that waits has a bound.  Errors
 * name --systemd-cgroup and the unit. */
#ifndef HUTCH_CGROUPS_SYSTEMD_DBUS_H
#define HUTCH_CGROUPS_SYSTEMD_DBUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/base/error.h"

/* One unit property: its D-Bus name and a value of one of these types. */
enum sd_prop_type {
  SD_PROP_BOOL = 'b',
  SD_PROP_STRING = 's',
  SD_PROP_U64 = 't',
  SD_PROP_I64 = 'x',
  SD_PROP_U32 = 'u',
  SD_PROP_I32 = 'i',
  SD_PROP_DOUBLE = 'd',
  SD_PROP_BYTES = 'y', /* "ay" (AllowedCPUs, AllowedMemoryNodes) */
  SD_PROP_PIDS = 'p',  /* "au" (PIDs) */
};

struct sd_prop {
  char *name;
  enum sd_prop_type type;
  union {
    uint64_t u64;
    int64_t i64;
    double d;
    bool b;
  } v;
  char *s;        /* SD_PROP_STRING */
  uint8_t *bytes; /* SD_PROP_BYTES */
  uint32_t *pids; /* SD_PROP_PIDS */
  size_t n;       /* elements of bytes or pids */
};

struct sd_props {
  struct sd_prop *v;
  size_t n, cap;
};

/* Add a property; a later one of the same name replaces an earlier one (so
 * org.systemd.property.* annotations override what hutch derives). */
struct sd_prop *sd_props_add(struct sd_props *p, const char *name, enum sd_prop_type type);
void sd_props_add_bool(struct sd_props *p, const char *name, bool v);
void sd_props_add_u64(struct sd_props *p, const char *name, uint64_t v);
void sd_props_add_string(struct sd_props *p, const char *name, const char *v);
const struct sd_prop *sd_props_find(const struct sd_props *p, const char *name);
void sd_props_clear(struct sd_props *p);

struct sd_conn;

/* Connect to the system manager's bus (user: the calling user's manager, at
 * $DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus; the error names the
 * address tried).  sd-bus authenticates with the socket's peer
 * credentials, so uid 0 of a user namespace (rootless podman) reaches the
 * user's bus as the user. */
int sd_conn_open(bool user, struct sd_conn **out, herr_t *err);
/* Where that manager's own cgroup is (its ControlGroup property): a user's
 * manager makes its units below "/user.slice/user-UID.slice/user@UID.service". */
int sd_manager_cgroup(struct sd_conn *c, char **out, herr_t *err);
void sd_conn_close(struct sd_conn *c);

/* StartTransientUnit(unit, "replace", props) and wait until its job is
 * removed; an error unless the job's result is "done".  A failed leftover
 * of the same name is reset first. */
int sd_unit_start(struct sd_conn *c, const char *unit, const struct sd_props *props, herr_t *err);
/* StopUnit and wait, then ResetFailedUnit.  A unit that does not exist is
 * not an error. */
int sd_unit_stop(struct sd_conn *c, const char *unit, herr_t *err);
/* SetUnitProperties(unit, runtime=true, props). */
int sd_unit_set_properties(struct sd_conn *c, const char *unit, const struct sd_props *props,
                           herr_t *err);

#endif
