/* The default config.json that `hutch spec` writes, modeled on `runc spec`. */
#include <stdlib.h>
#include <unistd.h>

#include "spec/internal.h"

static json_t *strv(const char *const *v)
{
  json_t *a = json_array();
  for (; *v; v++)
    json_array_append_new(a, json_string(*v));
  return a;
}

static json_t *mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
  json_t *m = json_object();
  json_object_set_new(m, "destination", json_string(dst));
  json_object_set_new(m, "type", json_string(type));
  json_object_set_new(m, "source", json_string(src));
  if (opts)
    json_object_set_new(m, "options", strv(opts));
  return m;
}

static json_t *mapping(unsigned host_id)
{
  json_t *a = json_array();
  json_t *m = json_object();
  json_object_set_new(m, "containerID", json_integer(0));
  json_object_set_new(m, "hostID", json_integer(host_id));
  json_object_set_new(m, "size", json_integer(1));
  json_array_append_new(a, m);
  return a;
}

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
                                           NULL};

static json_t *process(void)
{
  json_t *p = json_object();
  json_object_set_new(p, "terminal", json_true());
  json_t *user = json_object();
  json_object_set_new(user, "uid", json_integer(0));
  json_object_set_new(user, "gid", json_integer(0));
  json_object_set_new(p, "user", user);
  json_object_set_new(p, "args", strv((const char *const[]){"sh", NULL}));
  json_object_set_new(p, "env",
                      strv((const char *const[]){
                          "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                          "TERM=xterm", NULL}));
  json_object_set_new(p, "cwd", json_string("/"));
  json_t *caps = json_object();
  /* No ambient set: without the same caps in inheritable it cannot be raised
   * (runc >= 1.2 leaves it out of `runc spec` for that reason). */
  const char *sets[] = {"bounding", "effective", "permitted"};
  for (size_t i = 0; i < 3; i++)
    json_object_set_new(caps, sets[i], strv(default_caps));
  json_object_set_new(p, "capabilities", caps);
  json_t *rl = json_object();
  json_object_set_new(rl, "type", json_string("RLIMIT_NOFILE"));
  json_object_set_new(rl, "hard", json_integer(1024));
  json_object_set_new(rl, "soft", json_integer(1024));
  json_t *rls = json_array();
  json_array_append_new(rls, rl);
  json_object_set_new(p, "rlimits", rls);
  json_object_set_new(p, "noNewPrivileges", json_true());
  return p;
}

static json_t *mounts(int rootless)
{
  json_t *a = json_array();
  json_array_append_new(a, mount("/proc", "proc", "proc", NULL));
  json_array_append_new(
      a, mount("/dev", "tmpfs", "tmpfs",
               (const char *const[]){"nosuid", "strictatime", "mode=755", "size=65536k", NULL}));
  /* gid=5 (tty) may not be mapped in a rootless user namespace. */
  json_array_append_new(
      a, mount("/dev/pts", "devpts", "devpts",
               rootless ? (const char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                                "mode=0620", NULL}
                        : (const char *const[]){"nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                                "mode=0620", "gid=5", NULL}));
  json_array_append_new(a, mount("/dev/shm", "tmpfs", "shm",
                                 (const char *const[]){"nosuid", "noexec", "nodev", "mode=1777",
                                                       "size=65536k", NULL}));
  json_array_append_new(a, mount("/dev/mqueue", "mqueue", "mqueue",
                                 (const char *const[]){"nosuid", "noexec", "nodev", NULL}));
  if (rootless) {
    /* A user namespace without its own network namespace cannot mount
     * sysfs; bind the host's (read-only), which also brings /sys/fs/cgroup. */
    json_array_append_new(
        a, mount("/sys", "none", "/sys",
                 (const char *const[]){"rbind", "nosuid", "noexec", "nodev", "ro", NULL}));
  } else {
    json_array_append_new(a, mount("/sys", "sysfs", "sysfs",
                                   (const char *const[]){"nosuid", "noexec", "nodev", "ro", NULL}));
    json_array_append_new(
        a, mount("/sys/fs/cgroup", "cgroup", "cgroup",
                 (const char *const[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL}));
  }
  return a;
}

static json_t *linux_section(int rootless)
{
  json_t *l = json_object();
  if (rootless) {
    json_object_set_new(l, "uidMappings", mapping(getuid()));
    json_object_set_new(l, "gidMappings", mapping(getgid()));
  } else {
    json_t *res = json_object();
    json_t *devs = json_array();
    json_t *deny = json_object();
    json_object_set_new(deny, "allow", json_false());
    json_object_set_new(deny, "access", json_string("rwm"));
    json_array_append_new(devs, deny);
    json_object_set_new(res, "devices", devs);
    json_object_set_new(l, "resources", res);
  }
  json_t *ns = json_array();
  const char *names[] = {"pid", "network", "ipc", "uts", "mount", "user"};
  for (size_t i = 0; i < 6; i++) {
    if (rootless ? i == 1 : i == 5)
      continue; /* rootless: no network namespace; root: no user namespace */
    json_t *o = json_object();
    json_object_set_new(o, "type", json_string(names[i]));
    json_array_append_new(ns, o);
  }
  json_object_set_new(l, "namespaces", ns);
  json_object_set_new(
      l, "maskedPaths",
      strv((const char *const[]){"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                 "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                 "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
                                 "/sys/devices/virtual/powercap", NULL}));
  json_object_set_new(l, "readonlyPaths",
                      strv((const char *const[]){"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger", NULL}));
  return l;
}

char *spec_default_json(int rootless)
{
  json_t *doc = json_object();
  json_object_set_new(doc, "ociVersion", json_string("1.3.0"));
  json_object_set_new(doc, "process", process());
  json_t *root = json_object();
  json_object_set_new(root, "path", json_string("rootfs"));
  json_object_set_new(root, "readonly", json_true());
  json_object_set_new(doc, "root", root);
  json_object_set_new(doc, "hostname", json_string("hutch"));
  json_object_set_new(doc, "mounts", mounts(rootless));
  json_object_set_new(doc, "linux", linux_section(rootless));
  char *out = json_dumps(doc, JSON_INDENT(2));
  json_decref(doc);
  if (out == NULL)
    abort();
  return out;
}
