/* The systemd manager over D-Bus (see dbus.h). */
#include "libcontainer/cgroups/systemd/dbus.h"

#include <dlfcn.h>
#include <errno.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "spec/base/log.h"
#include "spec/base/util.h"

/* How long a unit's job may take (runc waits 30 s too). */
#define JOB_TIMEOUT_USEC (30ULL * 1000 * 1000)

#define SD_FUNCS(X)                                                                                \
  X(sd_bus_open_system)                                                                            \
  X(sd_bus_open_user)                                                                              \
  X(sd_bus_flush_close_unref)                                                                      \
  X(sd_bus_message_new_method_call)                                                                \
  X(sd_bus_message_append)                                                                         \
  X(sd_bus_message_append_basic)                                                                   \
  X(sd_bus_message_append_array)                                                                   \
  X(sd_bus_message_open_container)                                                                 \
  X(sd_bus_message_close_container)                                                                \
  X(sd_bus_message_read)                                                                           \
  X(sd_bus_message_unref)                                                                          \
  X(sd_bus_call)                                                                                   \
  X(sd_bus_error_free)                                                                             \
  X(sd_bus_error_has_name)                                                                         \
  X(sd_bus_match_signal_async)                                                                     \
  X(sd_bus_process)                                                                                \
  X(sd_bus_wait)                                                                                   \
  X(sd_bus_slot_unref)                                                                             \
  X(sd_bus_get_property_string)

static struct {
  void *lib;
#define MEMBER(f) __typeof__(f) *f;
  SD_FUNCS(MEMBER)
#undef MEMBER
} sd;

static int sd_load(herr_t *err)
{
  if (sd.lib)
    return 0;
  void *lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return herr_set(err, ENOENT, "--systemd-cgroup: cannot load libsystemd.so.0 (%s)", dlerror());
#define LOAD(f)                                                                                    \
  if (!(sd.f = (__typeof__(f) *)dlsym(lib, #f))) {                                                 \
    dlclose(lib);                                                                                  \
    return herr_set(err, ENOENT, "--systemd-cgroup: libsystemd.so.0 has no %s", #f);               \
  }
  SD_FUNCS(LOAD)
#undef LOAD
  sd.lib = lib;
  return 0;
}

/* ---- properties ------------------------------------------------------- */

struct sd_prop *sd_props_add(struct sd_props *p, const char *name, enum sd_prop_type type)
{
  struct sd_prop *e = NULL;
  for (size_t i = 0; i < p->n && !e; i++)
    if (strcmp(p->v[i].name, name) == 0)
      e = &p->v[i];
  if (e) {
    free(e->s);
    free(e->bytes);
    free(e->pids);
    free(e->name);
  } else {
    if (p->n == p->cap) {
      p->cap = p->cap ? 2 * p->cap : 16;
      p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
    }
    e = &p->v[p->n++];
  }
  memset(e, 0, sizeof(*e));
  e->name = xstrdup(name);
  e->type = type;
  return e;
}

void sd_props_add_bool(struct sd_props *p, const char *name, bool v)
{
  sd_props_add(p, name, SD_PROP_BOOL)->v.b = v;
}

void sd_props_add_u64(struct sd_props *p, const char *name, uint64_t v)
{
  sd_props_add(p, name, SD_PROP_U64)->v.u64 = v;
}

void sd_props_add_string(struct sd_props *p, const char *name, const char *v)
{
  sd_props_add(p, name, SD_PROP_STRING)->s = xstrdup(v);
}

const struct sd_prop *sd_props_find(const struct sd_props *p, const char *name)
{
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, name) == 0)
      return &p->v[i];
  return NULL;
}

void sd_props_clear(struct sd_props *p)
{
  for (size_t i = 0; i < p->n; i++) {
    free(p->v[i].name);
    free(p->v[i].s);
    free(p->v[i].bytes);
    free(p->v[i].pids);
  }
  free(p->v);
  memset(p, 0, sizeof(*p));
}

/* Append a(sv). */
static int append_props(sd_bus_message *m, const struct sd_props *p)
{
  int r = sd.sd_bus_message_open_container(m, 'a', "(sv)");
  for (size_t i = 0; r >= 0 && p && i < p->n; i++) {
    const struct sd_prop *e = &p->v[i];
    char sig[3] = {(char)e->type, 0, 0};
    if (e->type == SD_PROP_BYTES || e->type == SD_PROP_PIDS) {
      sig[0] = 'a';
      sig[1] = e->type == SD_PROP_BYTES ? 'y' : 'u';
    }
    if ((r = sd.sd_bus_message_open_container(m, 'r', "sv")) < 0 ||
        (r = sd.sd_bus_message_append_basic(m, 's', e->name)) < 0 ||
        (r = sd.sd_bus_message_open_container(m, 'v', sig)) < 0)
      break;
    int b = e->v.b;
    int32_t i32 = (int32_t)e->v.i64;
    uint32_t u32 = (uint32_t)e->v.u64;
    switch (e->type) {
    case SD_PROP_BOOL:
      r = sd.sd_bus_message_append_basic(m, 'b', &b);
      break;
    case SD_PROP_STRING:
      r = sd.sd_bus_message_append_basic(m, 's', e->s);
      break;
    case SD_PROP_U64:
      r = sd.sd_bus_message_append_basic(m, 't', &e->v.u64);
      break;
    case SD_PROP_I64:
      r = sd.sd_bus_message_append_basic(m, 'x', &e->v.i64);
      break;
    case SD_PROP_U32:
      r = sd.sd_bus_message_append_basic(m, 'u', &u32);
      break;
    case SD_PROP_I32:
      r = sd.sd_bus_message_append_basic(m, 'i', &i32);
      break;
    case SD_PROP_DOUBLE:
      r = sd.sd_bus_message_append_basic(m, 'd', &e->v.d);
      break;
    case SD_PROP_BYTES:
      r = sd.sd_bus_message_append_array(m, 'y', e->bytes, e->n);
      break;
    case SD_PROP_PIDS:
      r = sd.sd_bus_message_append_array(m, 'u', e->pids, e->n * sizeof(uint32_t));
      break;
    }
    if (r >= 0 && (r = sd.sd_bus_message_close_container(m)) >= 0)
      r = sd.sd_bus_message_close_container(m);
  }
  if (r >= 0)
    r = sd.sd_bus_message_close_container(m);
  return r;
}

/* ---- the connection ---------------------------------------------------- */

struct sd_conn {
  sd_bus *bus;
  bool user;
  /* JobRemoved signals seen so far: the job we wait for may be removed
   * before its StartUnit reply has been read. */
  struct {
    char *path, *result;
  } removed[8];
  size_t n_removed;
  sd_bus_slot *match;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
  struct sd_conn *c = userdata;
  uint32_t id;
  const char *path, *unit, *result;
  (void)e;
  if (sd.sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  size_t k = c->n_removed < 8 ? c->n_removed++ : 7; /* keep the newest */
  if (k == 7 && c->removed[7].path) {
    free(c->removed[7].path);
    free(c->removed[7].result);
  }
  c->removed[k].path = xstrdup(path);
  c->removed[k].result = xstrdup(result);
  return 0;
}

/* Rootless: say which bus was tried and what to do about it. */
static int user_bus_error(int e, herr_t *err)
{
  const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS"), *xdg = getenv("XDG_RUNTIME_DIR");
  _cleanup_free_ char *where = NULL;
  if (addr && *addr)
    where = xasprintf("DBUS_SESSION_BUS_ADDRESS=%s", addr);
  else if (xdg && *xdg)
    where = xasprintf("%s/bus", xdg);
  else
    where = xstrdup("$XDG_RUNTIME_DIR/bus, and XDG_RUNTIME_DIR is not set");
  return herr_errno(err, e,
                    "--systemd-cgroup: rootless: cannot reach the user's systemd on its user bus "
                    "(%s): start a user session (e.g. loginctl enable-linger) or drop "
                    "--systemd-cgroup",
                    where);
}

int sd_conn_open(bool user, struct sd_conn **out, herr_t *err)
{
  if (sd_load(err) < 0)
    return -1;
  struct sd_conn *c = xcalloc(1, sizeof(*c));
  c->user = user;
  int r = user ? sd.sd_bus_open_user(&c->bus) : sd.sd_bus_open_system(&c->bus);
  if (r < 0) {
    free(c);
    if (!user)
      return herr_errno(err, -r, "--systemd-cgroup: cannot connect to the system bus");
    return user_bus_error(-r, err);
  }
  /* Sent without waiting: the bus handles it before the calls that follow. */
  r = sd.sd_bus_match_signal_async(c->bus, &c->match, "org.freedesktop.systemd1",
                                   "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                   "JobRemoved", on_job_removed, NULL, c);
  if (r < 0) {
    sd_conn_close(c);
    return herr_errno(err, -r, "--systemd-cgroup: subscribe to JobRemoved");
  }
  *out = c;
  return 0;
}

int sd_manager_cgroup(struct sd_conn *c, char **out, herr_t *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  char *v = NULL;
  int r =
      sd.sd_bus_get_property_string(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                    "org.freedesktop.systemd1.Manager", "ControlGroup", &e, &v);
  if (r < 0) {
    herr_errno(err, -r, "--systemd-cgroup: ask the %s systemd for its cgroup%s%s",
               c->user ? "user's" : "system", e.message ? ": " : "", e.message ? e.message : "");
    sd.sd_bus_error_free(&e);
    return -1;
  }
  *out = v;
  return 0;
}

void sd_conn_close(struct sd_conn *c)
{
  if (!c)
    return;
  if (c->match)
    sd.sd_bus_slot_unref(c->match);
  if (c->bus)
    sd.sd_bus_flush_close_unref(c->bus);
  for (size_t i = 0; i < c->n_removed; i++) {
    free(c->removed[i].path);
    free(c->removed[i].result);
  }
  free(c);
}

static uint64_t now_usec(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait for JobRemoved of job; *result is borrowed from c. */
static int wait_job(struct sd_conn *c, const char *job, const char *what, const char *unit,
                    const char **result, herr_t *err)
{
  uint64_t deadline = now_usec() + JOB_TIMEOUT_USEC;
  for (;;) {
    for (size_t i = 0; i < c->n_removed; i++)
      if (strcmp(c->removed[i].path, job) == 0) {
        *result = c->removed[i].result;
        return 0;
      }
    int r = sd.sd_bus_process(c->bus, NULL);
    if (r < 0)
      return herr_errno(err, -r, "--systemd-cgroup: %s %s: waiting for its job", what, unit);
    if (r > 0)
      continue;
    uint64_t now = now_usec();
    if (now >= deadline)
      return herr_set(err, ETIMEDOUT, "--systemd-cgroup: %s %s: its job did not finish in %llu s",
                      what, unit, (unsigned long long)(JOB_TIMEOUT_USEC / 1000000));
    r = sd.sd_bus_wait(c->bus, deadline - now);
    if (r < 0 && r != -EINTR)
      return herr_errno(err, -r, "--systemd-cgroup: %s %s: waiting for its job", what, unit);
  }
}

static int new_call(struct sd_conn *c, const char *method, sd_bus_message **m)
{
  return sd.sd_bus_message_new_method_call(c->bus, m, "org.freedesktop.systemd1",
                                           "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", method);
}

/* Call and read the job path of the reply ("o"), copied into *job. */
static int call_job(struct sd_conn *c, sd_bus_message *m, char **job, sd_bus_error *e)
{
  sd_bus_message *reply = NULL;
  int r = sd.sd_bus_call(c->bus, m, JOB_TIMEOUT_USEC, e, &reply);
  const char *path = NULL;
  if (r >= 0 && (r = sd.sd_bus_message_read(reply, "o", &path)) >= 0)
    *job = xstrdup(path);
  if (reply)
    sd.sd_bus_message_unref(reply);
  return r;
}

static int simple_call(struct sd_conn *c, const char *method, const char *unit)
{
  sd_bus_message *m = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = new_call(c, method, &m);
  if (r >= 0)
    r = sd.sd_bus_message_append(m, "s", unit);
  if (r >= 0)
    r = sd.sd_bus_call(c->bus, m, JOB_TIMEOUT_USEC, &e, NULL);
  sd.sd_bus_error_free(&e);
  if (m)
    sd.sd_bus_message_unref(m);
  return r;
}

static int start_once(struct sd_conn *c, const char *unit, const struct sd_props *props,
                      sd_bus_error *e, char **job)
{
  sd_bus_message *m = NULL;
  int r = new_call(c, "StartTransientUnit", &m);
  if (r >= 0)
    r = sd.sd_bus_message_append(m, "ss", unit, "replace");
  if (r >= 0)
    r = append_props(m, props);
  if (r >= 0)
    r = sd.sd_bus_message_append(m, "a(sa(sv))", 0);
  if (r >= 0)
    r = call_job(c, m, job, e);
  if (m)
    sd.sd_bus_message_unref(m);
  return r;
}

int sd_unit_start(struct sd_conn *c, const char *unit, const struct sd_props *props, herr_t *err)
{
  sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_free_ char *job = NULL;
  int r = start_once(c, unit, props, &e, &job);
  if (r < 0 && sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
    /* A failed leftover keeps its name until reset; a live unit does not. */
    sd.sd_bus_error_free(&e);
    if (simple_call(c, "ResetFailedUnit", unit) >= 0)
      r = start_once(c, unit, props, &e, &job);
  }
  if (r < 0) {
    if (sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists"))
      herr_set(err, EEXIST, "--systemd-cgroup: unit %s already exists", unit);
    else
      herr_errno(err, -r, "--systemd-cgroup: start unit %s%s%s", unit, e.message ? ": " : "",
                 e.message ? e.message : "");
    sd.sd_bus_error_free(&e);
    return -1;
  }
  const char *result;
  if (wait_job(c, job, "start unit", unit, &result, err) < 0)
    return -1;
  if (strcmp(result, "done") != 0) {
    herr_set(err, EIO, "--systemd-cgroup: start unit %s: job %s", unit, result);
    simple_call(c, "ResetFailedUnit", unit);
    return -1;
  }
  return 0;
}

int sd_unit_stop(struct sd_conn *c, const char *unit, herr_t *err)
{
  sd_bus_message *m = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  _cleanup_free_ char *job = NULL;
  int r = new_call(c, "StopUnit", &m);
  if (r >= 0)
    r = sd.sd_bus_message_append(m, "ss", unit, "replace");
  if (r >= 0)
    r = call_job(c, m, &job, &e);
  if (m)
    sd.sd_bus_message_unref(m);
  if (r < 0) {
    bool gone = sd.sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
    if (!gone)
      herr_errno(err, -r, "--systemd-cgroup: stop unit %s%s%s", unit, e.message ? ": " : "",
                 e.message ? e.message : "");
    sd.sd_bus_error_free(&e);
    return gone ? 0 : -1;
  }
  const char *result;
  if (wait_job(c, job, "stop unit", unit, &result, err) < 0)
    return -1;
  /* A scope whose processes are gone may end "failed": forget it. */
  simple_call(c, "ResetFailedUnit", unit);
  if (strcmp(result, "done") != 0 && strcmp(result, "skipped") != 0)
    hlog_debug("--systemd-cgroup: stop unit %s: job %s", unit, result);
  return 0;
}

int sd_unit_set_properties(struct sd_conn *c, const char *unit, const struct sd_props *props,
                           herr_t *err)
{
  if (!props || props->n == 0)
    return 0;
  sd_bus_message *m = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  int r = new_call(c, "SetUnitProperties", &m);
  if (r >= 0)
    r = sd.sd_bus_message_append(m, "sb", unit, 1);
  if (r >= 0)
    r = append_props(m, props);
  if (r >= 0)
    r = sd.sd_bus_call(c->bus, m, JOB_TIMEOUT_USEC, &e, NULL);
  if (m)
    sd.sd_bus_message_unref(m);
  if (r < 0) {
    herr_errno(err, -r, "--systemd-cgroup: set properties of %s%s%s", unit, e.message ? ": " : "",
               e.message ? e.message : "");
    sd.sd_bus_error_free(&e);
    return -1;
  }
  return 0;
}
