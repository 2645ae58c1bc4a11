# Shared setup for bats/clients/: real container engines (podman, containerd)
# driving an OCI runtime, by default hutch.
#
#   CLIENT_RUNTIME=hutch|runc|crun   the runtime under test (default: hutch)
#   HUTCH=/path/to/hutch             the hutch binary (default: build/hutch)
#   CLIENT_CONFIG=cgroupfs|default   cgroupfs (default): the engines manage
#       cgroups themselves (podman --cgroup-manager cgroupfs, containerd's
#       SystemdCgroup=false), which works on any host; default: as the
#       engines come on a host with systemd as PID 1: podman's systemd
#       cgroup manager (containers in machine.slice/libpod-ID.scope),
#       containerd with SystemdCgroup=true (ctr run --runc-systemd-cgroup
#       --cgroup system.slice:hutch-test:ID).  Needs systemd as PID 1, e.g.
#       in tests/vm/run-in-systemd-vm.sh; the files skip elsewhere.
#
# Every engine runs with private configs and state under the test's temp dir,
# inside a private mount + network namespace ("the holder") with its own
# tmpfs on /run, so nothing touches the host's engines, /run, network
# interfaces or firewall: the holder dies in teardown_file and takes every
# mount and interface the engines made with it.  (With CLIENT_CONFIG=default
# the holder keeps the host's /run: the engines and runtimes reach systemd
# through /run/dbus/system_bus_socket and look for /run/systemd/system.)
#
# The engines call a wrapper ($CLIENT_BIN/<runtime>) that appends its argv to
# $CLIENT_ARGV_LOG and execs the runtime, so a failing test shows the exact
# command lines the engine sent.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

CLIENTS_DIR=$(cd "$BATS_TEST_DIRNAME" && pwd)
REPO_ROOT=$(cd "$CLIENTS_DIR/../.." && pwd)
HUTCH=${HUTCH:-$REPO_ROOT/build/hutch}
CLIENT_RUNTIME=${CLIENT_RUNTIME:-hutch}
CLIENT_CONFIG=${CLIENT_CONFIG:-cgroupfs}
export HUTCH CLIENT_RUNTIME CLIENT_CONFIG

# runtime_binary: the real binary of $CLIENT_RUNTIME.
runtime_binary() {
  case "$CLIENT_RUNTIME" in
  hutch) echo "$HUTCH" ;;
  *) command -v "$CLIENT_RUNTIME" || echo "/usr/sbin/$CLIENT_RUNTIME" ;;
  esac
}

# clients_require CMD...: skip the file unless we are root and every CMD exists.
clients_require() {
  [ "$(id -u)" = 0 ] || skip "client tests need root"
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null || skip "$c not installed: run tests/clients-deps.sh"
  done
  local bin
  bin=$(runtime_binary)
  [ -x "$bin" ] || skip "runtime $CLIENT_RUNTIME not found at $bin"
  case $CLIENT_CONFIG in
  cgroupfs) ;;
  default)
    if [ ! -d /run/systemd/system ] || [ ! -S /run/dbus/system_bus_socket ]; then
      skip "CLIENT_CONFIG=default needs systemd as PID 1 and its bus (tests/vm/run-in-systemd-vm.sh)"
    fi
    ;;
  *) fail "CLIENT_CONFIG=$CLIENT_CONFIG: expected cgroupfs or default" ;;
  esac
}

# systemd_cgroups: the engines use systemd's cgroup driver (CLIENT_CONFIG=default).
systemd_cgroups() {
  [ "$CLIENT_CONFIG" = default ]
}

# make_runtime_wrapper DIR: DIR/$CLIENT_RUNTIME runs the real runtime with
# the same arguments, stdio and fds, and logs its command line to
# $CLIENT_ARGV_LOG before and "EXIT_STATUS COMMAND LINE" to
# $CLIENT_ARGV_LOG.exit after.  DIR/runc is the same wrapper (containerd's
# `ctr run --no-pivot` ignores --runc-binary and runs `runc` from PATH).
make_runtime_wrapper() {
  local dir=$1 bin
  bin=$(runtime_binary)
  mkdir -p "$dir"
  cat >"$dir/$CLIENT_RUNTIME" <<WRAPPER
#!/bin/sh
printf '%s\n' "\$*" >>"$CLIENT_ARGV_LOG"
"$bin" "\$@"
rc=\$?
printf '%s %s\n' "\$rc" "\$*" >>"$CLIENT_ARGV_LOG.exit"
if [ \$rc -ne 0 ]; then
  # The last error line of the --log file: what the engine shows the user.
  log= prev=
  for a in "\$@"; do
    [ "\$prev" = --log ] && log=\$a
    case "\$a" in --log=*) log=\${a#--log=} ;; esac
    prev=\$a
  done
  [ -n "\$log" ] && [ -f "\$log" ] &&
    grep '"error"' "\$log" | tail -n 1 | sed 's/^/    log: /' >>"$CLIENT_ARGV_LOG.exit"
fi
exit \$rc
WRAPPER
  chmod 755 "$dir/$CLIENT_RUNTIME"
  [ "$CLIENT_RUNTIME" = runc ] || ln -sf "$CLIENT_RUNTIME" "$dir/runc"
}

# make_rootfs_tar FILE: a busybox root filesystem (contrib/mkbundle.sh) as a tar.
make_rootfs_tar() {
  local out=$1 tmp
  tmp=$(mktemp -d "$BATS_FILE_TMPDIR/rootfs.XXXXXX")
  # mkbundle.sh only needs a `spec` command when config.json is missing.
  echo '{}' >"$tmp/config.json"
  "$REPO_ROOT/contrib/mkbundle.sh" "$tmp" /bin/false >/dev/null
  tar -C "$tmp/rootfs" -cf "$out" .
  rm -rf "$tmp"
}

# start_holder: a process in a new mount + network namespace with a private
# /run and loopback up; sets HOLDER_PID.  Engines run inside it (in_ns).
start_holder() {
  local ready="$BATS_FILE_TMPDIR/holder.ready"
  rm -f "$ready"
  local run_tmpfs='mount -t tmpfs -o mode=755 tmpfs /run &&'
  systemd_cgroups && run_tmpfs=""
  # shellcheck disable=SC2016 # $1 is expanded by the inner sh
  unshare --mount --net --propagation private \
    sh -c "$run_tmpfs"' ip link set lo up && : >"$1" && exec sleep infinity' \
    sh "$ready" </dev/null >/dev/null 2>&1 3>&- &
  HOLDER_PID=$!
  echo "$HOLDER_PID" >"$BATS_FILE_TMPDIR/holder.pid"
  local _
  for _ in $(seq 100); do
    [ -e "$ready" ] && return 0
    kill -0 "$HOLDER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "namespace holder did not start" >&2
  return 1
}

stop_holder() {
  local pid
  pid=$(cat "$BATS_FILE_TMPDIR/holder.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$BATS_FILE_TMPDIR/holder.pid"
}

# in_ns CMD...: run CMD inside the holder's namespaces, with the test env.
in_ns() {
  local pid
  pid=$(cat "$BATS_FILE_TMPDIR/holder.pid")
  nsenter -t "$pid" -m -n -- "$@"
}

# show_runtime_calls [N]: the last N command lines the engine sent (for failures).
show_runtime_calls() {
  echo "# last calls to $CLIENT_RUNTIME:" >&2
  tail -n "${1:-15}" "$CLIENT_ARGV_LOG" 2>/dev/null | sed 's/^/#   /' >&2 || true
  echo "# calls to $CLIENT_RUNTIME that failed (exit status, command line):" >&2
  failed_runtime_calls "" | tail -n 10 | sed 's/^/#   /' >&2
}

# runtime_calls_matching REGEX: the engine's runtime calls that match REGEX.
runtime_calls_matching() {
  grep -E -- "$1" "$CLIENT_ARGV_LOG" || true
}

# failed_runtime_calls [REGEX]: "STATUS COMMAND LINE" of every runtime call
# (matching REGEX) that exited non-zero, each followed by the last error line
# of its --log file, if any ("    log: {...}").
failed_runtime_calls() {
  grep -E -A1 -- "^[1-9][0-9]* .*${1:-}" "$CLIENT_ARGV_LOG.exit" 2>/dev/null |
    grep -E -e "^[1-9][0-9]* .*${1:-}" -e '^    log: ' || true
}

# wait_until DESC CMD...: poll CMD until it succeeds (fails after 30s,
# which only a broken runtime or engine reaches).
wait_until() {
  local desc=$1 _
  shift
  for _ in $(seq 300); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "timed out waiting until $desc"
}

# The busybox snippet that prints a cgroup v1 or v2 control file of the
# calling process, wherever the runtime mounted the cgroup filesystem, with
# or without a cgroup namespace: cgroup_file_script CONTROLLER FILE_V1 FILE_V2.
cgroup_file_script() {
  local ctrl=$1 f1=$2 f2=$3
  cat <<EOF
p=\$(sed -n 's/^[0-9]*:[^:]*\\b$ctrl\\b[^:]*://p' /proc/self/cgroup)
p2=\$(sed -n 's/^0:://p' /proc/self/cgroup)
for f in /sys/fs/cgroup/$ctrl/$f1 /sys/fs/cgroup/$ctrl\$p/$f1 /sys/fs/cgroup/$f2 /sys/fs/cgroup\$p2/$f2; do
  [ -r "\$f" ] && { cat "\$f"; exit 0; }
done
echo "no $ctrl cgroup file visible (/proc/self/cgroup: \$(cat /proc/self/cgroup | tr '\n' ' '))"
exit 1
EOF
}

# host_device: a device node of this host that a container gets only when
# privileged (a disk, a loop device, or the serial console in the test VMs).
host_device() {
  local d
  for d in /dev/vda /dev/sda /dev/nvme0n1 /dev/loop0 /dev/ttyS0; do
    [ -e "$d" ] && echo "$d" && return 0
  done
  echo /dev/no-host-device-found
}

# unit_cgroup PID: the cgroup of PID (a path under /sys/fs/cgroup, v2).
unit_cgroup() {
  sed -n 's/^0:://p' "/proc/$1/cgroup"
}
