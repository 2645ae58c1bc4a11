/* criu's RPC mode for containers with a terminal (criu.h says why):
 * `criu swrk FD` on a SOCK_SEQPACKET socketpair, one protobuf message per
 * packet.  The messages are generated at build time with protoc-c from
 * the rpc.proto that Debian's criu package installs, cut down to the
 * fields hutch sends and reads (criu_rpc.awk; unknown fields are skipped
 * on the wire).  libprotobuf-c is not linked: it is loaded with dlopen the
 * first time a checkpoint or restore needs it (criu depends on it, so it
 * is there whenever criu is), and the functions the generated code calls
 * are defined here as calls through the loaded pointers. */
#include "libcontainer/container/criu.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "libcontainer/utils/fileio.h"

/* What a value in criu's configuration file cannot hold (its parser has
 * no escapes for them). */
#define CONF_BAD "\"\\\n"

/* The options that go in the request, not in the configuration file:
 * criu parses the file twice in RPC mode and would register each of them
 * twice (an fd inherited twice; a namespace joined twice, and setns into
 * the user namespace one is already in fails). */
enum { IN_REQ_INHERIT_FD, IN_REQ_JOIN_NS, IN_REQ_N };
static const char *const in_req[IN_REQ_N] = {
    [IN_REQ_INHERIT_FD] = "--inherit-fd",
    [IN_REQ_JOIN_NS] = "--join-ns",
};

/* Which of in_req the option is, or -1. */
static int in_request(const char *opt)
{
  for (int k = 0; k < IN_REQ_N; k++)
    if (strcmp(opt, in_req[k]) == 0)
      return k;
  return -1;
}

int criu_rpc_write_config(const struct criu_job *j, const char *path)
{
  FILE *f = fopen(path, "we");
  if (!f)
    return -1;
  /* The annotation's file first: our options come after and win, as on
   * the command line, where they override --config's. */
  _cleanup_free_ char *user = NULL;
  size_t len = 0;
  herr_t e = NULL;
  if (j->config && read_file_at(AT_FDCWD, j->config, &user, &len, &e) < 0)
    herr_free(&e);
  else if (user)
    fwrite(user, 1, len, f);
  /* One option a line without its "--", its value quoted; not those the
   * request carries (in_req). */
  fprintf(f, "\nwork-dir \"%s\"", j->work);
  for (size_t i = 0; i < j->opts.n; i++) {
    const char *v = j->opts.v[i];
    if (in_request(v) >= 0) {
      i++;
      continue;
    }
    if (strncmp(v, "--", 2) == 0)
      fprintf(f, "\n%s", v + 2);
    else
      fprintf(f, " \"%s\"", v);
  }
  fprintf(f, "\n");
  return fclose(f) == 0 ? 0 : -1;
}

int criu_rpc_check_opts(const struct criu_job *j, herr_t *err)
{
  if (strpbrk(j->work, CONF_BAD))
    return herr_set(err, EINVAL,
                    "--work-path: criu's RPC cannot take a path with \", \\ or a newline");
  for (size_t i = 0; i < j->opts.n; i++)
    if (strpbrk(j->opts.v[i], CONF_BAD) ||
        (strncmp(j->opts.v[i], "--", 2) == 0 && strpbrk(j->opts.v[i], " \t")))
      return herr_set(err, EINVAL,
                      "criu option %s: criu's RPC cannot take it (\", \\ or a newline)",
                      j->opts.v[i]);
  return 0;
}

#ifndef HUTCH_CRIU_RPC

int criu_rpc_available(herr_t *err)
{
  return herr_set(err, ENOTSUP,
                  "process.terminal: checkpoint/restore of a container with a terminal needs "
                  "criu's RPC, and this hutch was built without it (%s missing at build time)",
                  HUTCH_CRIU_RPC_MISSING);
}

int criu_rpc_run(struct criu_job *j, bool *reply_failed, herr_t *err)
{
  return criu_rpc_available(err);
}

#else

#include <dlfcn.h>
#include <sys/socket.h>
#include <unistd.h>

#include "criu-rpc.pb-c.h"
#include "libcontainer/process/console.h"

#define PC_LIB "libprotobuf-c.so.1"
#define PC_FUNCS(X)                                                                                \
  X(protobuf_c_message_get_packed_size)                                                            \
  X(protobuf_c_message_pack)                                                                       \
  X(protobuf_c_message_pack_to_buffer)                                                             \
  X(protobuf_c_message_unpack)                                                                     \
  X(protobuf_c_message_free_unpacked)

static struct {
  void *lib;
#define MEMBER(f) __typeof__(f) *f;
  PC_FUNCS(MEMBER)
#undef MEMBER
} pc;

int criu_rpc_available(herr_t *err)
{
  if (pc.lib)
    return 0;
  void *lib = dlopen(PC_LIB, RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return herr_set(err, ENOENT,
                    "process.terminal: checkpoint/restore with a terminal needs " PC_LIB
                    " (apt-get install libprotobuf-c1): %s",
                    dlerror());
#define LOAD(f)                                                                                    \
  if (!(pc.f = (__typeof__(f) *)dlsym(lib, #f))) {                                                 \
    dlclose(lib);                                                                                  \
    return herr_set(err, ENOENT, "process.terminal: " PC_LIB " has no %s", #f);                    \
  }
  PC_FUNCS(LOAD)
#undef LOAD
  pc.lib = lib;
  return 0;
}

/* What the generated code calls. */
size_t protobuf_c_message_get_packed_size(const ProtobufCMessage *m)
{
  return pc.protobuf_c_message_get_packed_size(m);
}

size_t protobuf_c_message_pack(const ProtobufCMessage *m, uint8_t *out)
{
  return pc.protobuf_c_message_pack(m, out);
}

size_t protobuf_c_message_pack_to_buffer(const ProtobufCMessage *m, ProtobufCBuffer *b)
{
  return pc.protobuf_c_message_pack_to_buffer(m, b);
}

ProtobufCMessage *protobuf_c_message_unpack(const ProtobufCMessageDescriptor *d,
                                            ProtobufCAllocator *a, size_t len, const uint8_t *data)
{
  return pc.protobuf_c_message_unpack(d, a, len, data);
}

void protobuf_c_message_free_unpacked(ProtobufCMessage *m, ProtobufCAllocator *a)
{
  pc.protobuf_c_message_free_unpacked(m, a);
}

/* The largest answer criu sends is a few hundred bytes (an error message). */
#define RESP_MAX 16384

static int send_req(int sk, const CriuReq *req, herr_t *err)
{
  size_t len = criu_req__get_packed_size(req);
  _cleanup_free_ uint8_t *buf = xmalloc(len);
  criu_req__pack(req, buf);
  if (send(sk, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
    return herr_sys(err, "criu swrk: send the request");
  return 0;
}

/* One answer, with the fd it carries in *fd (or -1). */
static CriuResp *recv_resp(int sk, int *fd, herr_t *err)
{
  *fd = -1;
  _cleanup_free_ uint8_t *buf = xmalloc(RESP_MAX);
  union {
    char b[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  struct iovec iov = {.iov_base = buf, .iov_len = RESP_MAX};
  struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
  ssize_t n;
  do
    n = recvmsg(sk, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ECONNRESET) /* it exited leaving our request unread */
    n = 0;
  if (n < 0) {
    herr_sys(err, "criu swrk: receive an answer");
    return NULL;
  }
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
      c->cmsg_len == CMSG_LEN(sizeof(int)))
    memcpy(fd, CMSG_DATA(c), sizeof(int));
  if (n == 0 || (msg.msg_flags & MSG_TRUNC)) {
    herr_set(err, EPROTO, "criu swrk: %s", n ? "answer too long" : "exited without an answer");
  } else {
    CriuResp *r = criu_resp__unpack(NULL, (size_t)n, buf);
    if (r)
      return r;
    herr_set(err, EPROTO, "criu swrk: an answer that is not a criu_resp");
  }
  if (*fd >= 0)
    close(*fd);
  return NULL;
}

/* A notification: the new pty master goes to the console socket; every
 * one is acknowledged (a refused one makes criu give up). */
static int notified(struct criu_job *j, const CriuResp *r, int fd, bool *sent, herr_t *err)
{
  const char *script = r->notify && r->notify->script ? r->notify->script : "";
  int rc = 0;
  if (strcmp(script, "orphan-pts-master") == 0) {
    if (fd < 0)
      rc = herr_set(err, EPROTO, "criu swrk: orphan-pts-master without the pty master");
    else if (j->console_fd < 0)
      rc = herr_set(err, EINVAL, "criu swrk: a pty master and no --console-socket for it");
    else if (console_send_fd(j->console_fd, fd, "/dev/ptmx", err) < 0)
      rc = herr_wrap(err, "--console-socket");
    else
      *sent = true;
  }
  if (fd >= 0)
    close(fd);
  CriuReq ack = CRIU_REQ__INIT;
  ack.type = CRIU_REQ_TYPE__NOTIFY;
  ack.has_notify_success = true;
  ack.notify_success = rc == 0;
  herr_t e = NULL;
  if (send_req(j->sk, &ack, rc < 0 ? &e : err) < 0 && rc == 0)
    return -1;
  herr_free(&e);
  return rc;
}

/* The request: our options, the configuration file with the rest, and
 * the options of in_req as the request's own entries. */
static int send_opts(struct criu_job *j, CriuReqType type, int images, herr_t *err)
{
  _cleanup_free_ char *conf = xasprintf("%s/%s.conf", j->work, j->action);
  CriuOpts opts = CRIU_OPTS__INIT;
  opts.images_dir_fd = images;
  opts.has_pid = j->tree > 0;
  opts.pid = j->tree;
  opts.has_log_level = true;
  opts.log_level = 4;
  opts.log_file = (char *)j->log;
  opts.has_notify_scripts = opts.notify_scripts = true;
  opts.has_orphan_pts_master = opts.orphan_pts_master = true;
  opts.config_file = conf;
  /* --inherit-fd fd[N]:KEY and --join-ns TYPE:PATH (the path whole: no
   * ",EXTRA" split off, hutch adds none). */
  size_t n = j->opts.n;
  _cleanup_free_ InheritFd *inh = xcalloc(n, sizeof(*inh));
  _cleanup_free_ InheritFd **inhp = xcalloc(n, sizeof(*inhp));
  _cleanup_free_ JoinNamespace *jn = xcalloc(n, sizeof(*jn));
  _cleanup_free_ JoinNamespace **jnp = xcalloc(n, sizeof(*jnp));
  struct criu_argv types = {0}; /* the TYPEs, cut out */
  for (size_t i = 0; i + 1 < n; i++) {
    int k = in_request(j->opts.v[i]);
    if (k < 0)
      continue;
    char *v = j->opts.v[++i], *colon = strchr(v, ':');
    int fd, key = 0;
    if (k == IN_REQ_INHERIT_FD && sscanf(v, "fd[%d]:%n", &fd, &key) == 1 && key > 0) {
      InheritFd *e = &inh[opts.n_inherit_fd];
      inherit_fd__init(e);
      e->fd = fd;
      e->key = v + key;
      inhp[opts.n_inherit_fd++] = e;
    } else if (k == IN_REQ_JOIN_NS && colon) {
      JoinNamespace *e = &jn[opts.n_join_ns];
      join_namespace__init(e);
      criu_argv_add(&types, "%.*s", (int)(colon - v), v);
      e->ns = types.v[types.n - 1];
      e->ns_file = colon + 1;
      jnp[opts.n_join_ns++] = e;
    }
  }
  opts.inherit_fd = inhp;
  opts.join_ns = jnp;
  CriuReq req = CRIU_REQ__INIT;
  req.type = type;
  req.opts = &opts;
  int rc = send_req(j->sk, &req, err);
  criu_argv_free(&types);
  return rc;
}

int criu_rpc_run(struct criu_job *j, bool *reply_failed, herr_t *err)
{
  *reply_failed = false;
  if (criu_rpc_available(err) < 0)
    return -1;
  /* criu opens it as /proc/<our pid>/fd/N. */
  _cleanup_close_ int images = open(j->images, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (images < 0)
    return herr_sys(err, "--image-path %s", j->images);
  bool restore = strcmp(j->action, "restore") == 0;
  CriuReqType type = restore                              ? CRIU_REQ_TYPE__RESTORE
                     : strcmp(j->action, "pre-dump") == 0 ? CRIU_REQ_TYPE__PRE_DUMP
                                                          : CRIU_REQ_TYPE__DUMP;
  if (send_opts(j, type, images, err) < 0)
    return -1;
  herr_t first = NULL; /* the first notification that failed */
  bool sent = false;
  for (;;) {
    int fd;
    CriuResp *r = recv_resp(j->sk, &fd, err);
    if (!r) {
      herr_free(&first);
      return -1;
    }
    if (r->type == CRIU_REQ_TYPE__NOTIFY) {
      herr_t e = NULL;
      if (notified(j, r, fd, &sent, &e) < 0 && !first)
        first = e;
      else
        herr_free(&e);
      criu_resp__free_unpacked(r, NULL);
      continue;
    }
    int rc = 0;
    if (first) {
      *err = first;
      rc = -1;
    } else if (r->type != type || !r->success) {
      *reply_failed = true;
      rc = herr_set(err, 0, "criu %s failed", j->action);
    } else if (restore) {
      j->restored = r->restore ? r->restore->pid : 0;
      if (j->console_fd >= 0 && !sent)
        rc = herr_set(err, EPROTO,
                      "criu restore brought back no pty for --console-socket (a checkpoint of "
                      "a container without a terminal?)");
    }
    criu_resp__free_unpacked(r, NULL);
    return rc;
  }
}

#endif
