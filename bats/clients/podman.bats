#!/usr/bin/env bats
# podman (through conmon) drives the runtime under test, unchanged.
#   bats bats/clients/podman.bats                     # hutch (build/hutch)
#   CLIENT_RUNTIME=runc bats bats/clients/podman.bats  # the same tests with runc
#   CLIENT_CONFIG=default ...   # podman's default systemd cgroup manager
#                               # (in tests/vm/run-in-systemd-vm.sh)

load clients_helpers

IMAGE=localhost/hutch-busybox:latest

pm() {
  in_ns podman "$@"
}

setup_file() {
  clients_require podman conmon nsenter unshare ip
  export T="$BATS_FILE_TMPDIR"
  export CLIENT_BIN="$T/bin" CLIENT_ARGV_LOG="$T/argv.log"
  make_runtime_wrapper "$CLIENT_BIN"
  mkdir -p "$T/networks" "$T/storage" "$T/run"
  # Root's hard RLIMIT_NOFILE here is 20000 and cannot be raised, so
  # podman's default ulimits (nofile 1048576) fail with every runtime.
  # The test's containers.conf is contrib/podman/hutch.conf (so the snippet
  # users install is what the tests run with), pointed at the wrapper, plus
  # private settings.  CLIENT_CONFIG=default keeps podman's defaults for the
  # cgroup manager (systemd) and the events log (journald).
  local private='cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "'"$T"'/events.log"'
  systemd_cgroups && private=""
  {
    cat <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
# What a user gets from containers-common's own containers.conf (which
# CONTAINERS_CONF replaces here): with netavark, podman hands over the
# netns it made by path plus this net.* sysctl.
default_sysctls = ["net.ipv4.ping_group_range=0 0"]

[network]
network_backend = "netavark"
network_config_dir = "$T/networks"

EOF
    sed -e "/^\[engine\]\$/r /dev/stdin" \
      -e "s|^hutch = \\[|$CLIENT_RUNTIME = [|" \
      -e "s|^  \"/usr/local/bin/hutch\",|  \"$CLIENT_BIN/$CLIENT_RUNTIME\",|" \
      -e "/^  \"\/usr\/bin\/hutch\",/d" \
      "$REPO_ROOT/contrib/podman/hutch.conf" <<EOF
$private
runtime = "$CLIENT_RUNTIME"
static_dir = "$T/storage/libpod"
tmp_dir = "$T/libpod-tmp"
volume_path = "$T/storage/volumes"
EOF
  } >"$T/containers.conf"
  cat >"$T/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$T/storage"
runroot = "$T/run"
EOF
  printf 'unqualified-search-registries = []\n' >"$T/registries.conf"
  export CONTAINERS_CONF="$T/containers.conf"
  export CONTAINERS_STORAGE_CONF="$T/storage.conf"
  export CONTAINERS_REGISTRIES_CONF="$T/registries.conf"
  start_holder
  make_rootfs_tar "$T/rootfs.tar"
  pm import --change CMD=/bin/sh "$T/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
  if [ -n "${CONTAINERS_CONF:-}" ] && [ -e "$BATS_FILE_TMPDIR/holder.pid" ]; then
    pm rm --all --force --time 0 >/dev/null 2>&1 || true
    # Unmount the image store inside the holder before it goes away.
    pm system reset --force >/dev/null 2>&1 || true
  fi
  stop_holder
  # podman's cgroupfs parents (conmon's and the containers'), if now empty.
  local d
  for d in /sys/fs/cgroup/*/libpod_parent/conmon /sys/fs/cgroup/*/libpod_parent; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
  done
}

teardown() {
  # On failure, show what the engine sent to the runtime.
  [ -z "${BATS_TEST_COMPLETED:-}" ] && show_runtime_calls 8
  # Containers of this test (named after it) go, even when it failed.
  local c
  for c in $(pm ps --all --format '{{.Names}}' 2>/dev/null | grep "^hutch-test-$BATS_TEST_NUMBER-" || true); do
    pm rm --force --time 0 "$c" >/dev/null 2>&1 || true
  done
}

# name [SUFFIX]: a container name for this test.
name() {
  echo "hutch-test-$BATS_TEST_NUMBER-${1:-c}"
}

status_of() {
  pm inspect --format '{{.State.Status}}' "$1"
}

status_is() {
  [ "$(status_of "$1")" = "$2" ]
}

# logged_count_past C N: the last "count I" line in C's logs has I > N.
logged_count_past() {
  local n
  n=$(pm logs "$1" 2>&1 | tr -d '\r' | sed -n 's/^count \([0-9]*\)$/\1/p' | tail -n 1)
  [ "${n:-0}" -gt "$2" ]
}

# checkpoint_restore_same C: C (counting into /tmp/count, a token of its
# start in /tmp/boot) is checkpointed (exited) and restored (running), and
# the shell that wrote the token counts on: restored, not restarted.
checkpoint_restore_same() {
  local boot
  wait_until "the container counts" pm exec "$1" sh -c 'test "$(cat /tmp/count)" -gt 3'
  boot=$(pm exec "$1" cat /tmp/boot)
  run pm container checkpoint "$1"
  assert_success
  assert_equal "$(status_of "$1")" exited
  run pm container restore "$1"
  assert_success
  assert_equal "$(status_of "$1")" running
  assert_equal "$(pm exec "$1" cat /tmp/boot)" "$boot"
}

logs_contain() {
  pm logs "$1" 2>&1 | grep -q "$2"
}

@test "podman: info reports the runtime and its version (--version)" {
  run pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}'
  assert_success
  assert_output --partial "$CLIENT_RUNTIME"
  assert_output --partial "$CLIENT_RUNTIME version"
}

@test "podman run: output and exit code of the container" {
  run pm run --rm --name "$(name)" "$IMAGE" echo hello from the container
  assert_success
  assert_output "hello from the container"
  run pm run --rm --name "$(name 2)" "$IMAGE" sh -c 'exit 3'
  assert_equal "$status" 3
  # conmon called create with a --log file and json format.
  run runtime_calls_matching '--log-format=json --log .* create .*--bundle .*--pid-file'
  assert_output --partial "create"
}

# Like with runc and crun, podman maps "not found" to the shell's 127 (it
# looks for "no such file or directory" in the runtime's error).
@test "podman run: the error of a failed create reaches the user (--log json)" {
  run -127 pm run --rm --name "$(name)" "$IMAGE" /nonexistent-binary
  # podman shows the last error line of the runtime's --log file.
  assert_output --partial "/nonexistent-binary"
}

@test "podman run -d, exec (attached, exit code, detached)" {
  local c
  c=$(name)
  run pm run -d --name "$c" "$IMAGE" sleep 1000
  assert_success
  assert_equal "$(status_of "$c")" running
  run pm exec "$c" sh -c 'echo exec says hi; ls /proc | grep -c "^[0-9]"'
  assert_success
  assert_line --index 0 "exec says hi"
  run pm exec "$c" sh -c 'exit 5'
  assert_equal "$status" 5
  run pm exec -d "$c" sh -c 'echo detached >/tmp/marker; sleep 1000'
  assert_success
  wait_until "the detached exec wrote its marker" pm exec "$c" test -e /tmp/marker
  run pm exec "$c" cat /tmp/marker
  assert_output detached
  run pm exec -e FOO=bar -w /tmp "$c" sh -c 'echo $FOO $PWD'
  assert_output "bar /tmp"
  run runtime_calls_matching ' exec .*--process .*--detach'
  refute_output ""
}

@test "podman stop: SIGTERM reaches the container, which exits 0" {
  local c
  c=$(name)
  pm run -d --name "$c" "$IMAGE" sh -c 'trap "exit 0" TERM; touch /tmp/ready; while :; do sleep 1; done'
  wait_until "the container is ready" pm exec "$c" test -e /tmp/ready
  run pm stop --time 60 "$c"
  assert_success
  assert_equal "$(status_of "$c")" exited
  assert_equal "$(pm inspect --format '{{.State.ExitCode}}' "$c")" 0
  run runtime_calls_matching "^kill $(pm inspect --format '{{.Id}}' "$c") 15\$"
  refute_output ""
}

@test "podman stop --pid host: every process is signalled (kill --all)" {
  local c id
  c=$(name)
  pm run -d --pid host --name "$c" "$IMAGE" sleep 1000
  id=$(pm inspect --format '{{.Id}}' "$c")
  run pm stop --time 2 "$c"
  assert_success
  assert_equal "$(status_of "$c")" exited
  # Without its own PID namespace, podman stops the container with --all.
  run runtime_calls_matching "^kill --all $id [0-9]+\$"
  refute_output ""
  run failed_runtime_calls " $id\$"
  assert_output ""
}

@test "podman kill: default SIGKILL and a chosen signal" {
  local c
  c=$(name)
  pm run -d --name "$c" "$IMAGE" sh -c 'trap "echo got USR1" USR1; touch /tmp/ready; while :; do sleep 1; done'
  wait_until "the container is ready" pm exec "$c" test -e /tmp/ready
  run pm kill --signal USR1 "$c"
  assert_success
  wait_until "the container logged USR1" logs_contain "$c" "got USR1"
  assert_equal "$(status_of "$c")" running
  run pm kill "$c"
  assert_success
  wait_until "the container exited" status_is "$c" exited
  assert_equal "$(pm inspect --format '{{.State.ExitCode}}' "$c")" 137
}

@test "podman pause/unpause" {
  local c
  c=$(name)
  pm run -d --name "$c" "$IMAGE" sleep 1000
  run pm pause "$c"
  assert_success
  assert_equal "$(status_of "$c")" paused
  run pm unpause "$c"
  assert_success
  assert_equal "$(status_of "$c")" running
  run pm exec "$c" echo alive
  assert_output alive
}

@test "podman run -t: the container gets a terminal (console socket)" {
  run pm run --rm -t --name "$(name)" "$IMAGE" sh -c 'tty; stty size >/dev/null && echo stty-ok'
  assert_success
  assert_output --regexp '/dev/pts/[0-9]+'
  assert_output --partial stty-ok
  local c
  c=$(name 2)
  pm run -d --name "$c" "$IMAGE" sleep 1000
  run pm exec -t "$c" tty
  assert_success
  assert_output --regexp '/dev/pts/[0-9]+'
}

@test "podman run --memory and --pids-limit are visible inside" {
  run pm run --rm --name "$(name)" --memory 64m "$IMAGE" \
    sh -c "$(cgroup_file_script memory memory.limit_in_bytes memory.max)"
  assert_success
  assert_output 67108864
  run pm run --rm --name "$(name 2)" --pids-limit 42 "$IMAGE" \
    sh -c "$(cgroup_file_script pids pids.max pids.max)"
  assert_success
  assert_output 42
}

@test "podman run --memory: the limit is in the container's systemd scope, gone after rm (CLIENT_CONFIG=default)" {
  systemd_cgroups || skip "podman's systemd cgroup manager: CLIENT_CONFIG=default"
  local c id cg
  c=$(name)
  pm run -d --name "$c" --memory 64m "$IMAGE" sleep 1000
  id=$(pm inspect --format '{{.Id}}' "$c")
  cg=$(unit_cgroup "$(pm inspect --format '{{.State.Pid}}' "$c")")
  # machine.slice/libpod-ID.scope (crun adds a /container leaf).
  [[ $cg =~ ^/machine.slice/libpod-$id.scope(/container)?$ ]] || fail "container in cgroup $cg"
  assert_equal "$(cat "/sys/fs/cgroup$cg/memory.max")" 67108864
  run systemctl is-active "libpod-$id.scope"
  assert_output active
  run pm rm --force --time 0 "$c"
  assert_success
  wait_until "libpod-$id.scope is gone" test ! -e "/sys/fs/cgroup/machine.slice/libpod-$id.scope"
}

@test "podman update: new limits reach the running container (update --resources)" {
  local c
  c=$(name)
  pm run -d --name "$c" --memory 64m "$IMAGE" sleep 1000
  run pm update --memory 128m "$c"
  assert_success
  run pm exec "$c" sh -c "$(cgroup_file_script memory memory.limit_in_bytes memory.max)"
  assert_success
  assert_output 134217728
  run runtime_calls_matching "^update --resources[= ].* $(pm inspect --format '{{.Id}}' "$c")\$"
  refute_output ""
}

@test "podman run --network none: only loopback" {
  run pm run --rm --name "$(name)" --network none "$IMAGE" ls /sys/class/net
  assert_success
  assert_output lo
}

@test "podman run: the default bridge network gives eth0 an address" {
  run pm run --rm --name "$(name)" "$IMAGE" sh -c 'ls /sys/class/net; ip -4 -o addr show eth0'
  assert_success
  assert_line eth0
  assert_output --regexp 'inet 10\.88\.[0-9]+\.[0-9]+/16'
}

@test "podman --runtime PATH run --rm with the default netavark network (netns path + default sysctl)" {
  run pm --runtime "$CLIENT_BIN/$CLIENT_RUNTIME" run --rm --name "$(name)" "$IMAGE" echo hi
  assert_success
  assert_output hi
}

@test "podman run, default network: the joined netns gets net.ipv4.ping_group_range" {
  local c
  c=$(name)
  run pm run --name "$c" "$IMAGE" sh -c 'cat /proc/sys/net/ipv4/ping_group_range; ls /sys/class/net'
  assert_success
  assert_line --index 0 "$(printf '0\t0')"
  assert_line eth0
  # The config podman handed over: the network namespace netavark set up,
  # joined by path, and the sysctl for it.
  local cfg
  cfg=$(pm inspect --format '{{.OCIConfigPath}}' "$c")
  run in_ns jq -r '(.linux.namespaces[] | select(.type == "network") | .path // "none"),
    .linux.sysctl["net.ipv4.ping_group_range"]' "$cfg"
  assert_success
  assert_line --index 0 --regexp '^/run/netns/'
  assert_line --index 1 "0 0"
  pm rm --force --time 0 "$c" >/dev/null
}

@test "podman run --preserve-fds: an extra fd reaches the container" {
  echo "fd payload" >"$BATS_TEST_TMPDIR/payload"
  run in_ns sh -c 'exec 3<"$1"; podman run --rm --name "$2" --preserve-fds 1 "$3" cat /proc/self/fd/3' \
    sh "$BATS_TEST_TMPDIR/payload" "$(name)" "$IMAGE"
  assert_success
  assert_output "fd payload"
}

@test "podman rm --force: a running container goes away, nothing left in the runtime" {
  local c id
  c=$(name)
  pm run -d --name "$c" "$IMAGE" sleep 1000
  id=$(pm inspect --format '{{.Id}}' "$c")
  run pm rm --force --time 0 "$c"
  assert_success
  run pm container exists "$c"
  assert_failure
  # The runtime has no state left for it.
  run in_ns "$(runtime_binary)" state "$id"
  assert_failure
}

@test "podman run: volumes, tmpfs, read-only root, workdir, env, hostname" {
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  echo "from the host" >"$BATS_TEST_TMPDIR/vol/f"
  run pm run --rm --name "$(name)" --read-only -v "$BATS_TEST_TMPDIR/vol:/data:ro" \
    --tmpfs /scratch:size=1m -w /scratch -e GREETING=hi --hostname hutch-host "$IMAGE" \
    sh -c 'cat /data/f; echo x >/scratch/ok && echo tmpfs-ok; pwd; echo $GREETING; hostname;
           touch /rootfile 2>/dev/null && echo root-writable || echo root-ro;
           touch /data/g 2>/dev/null && echo vol-writable || echo vol-ro'
  assert_success
  assert_output "from the host
tmpfs-ok
/scratch
hi
hutch-host
root-ro
vol-ro"
}

@test "podman run --user" {
  run pm run --rm --name "$(name)" --user 65534:65534 "$IMAGE" sh -c 'id -u; id -g'
  assert_success
  assert_output "65534
65534"
}

@test "podman run --cap-drop all --cap-add NET_BIND_SERVICE" {
  run pm run --rm --name "$(name)" --cap-drop all --cap-add NET_BIND_SERVICE "$IMAGE" \
    sh -c 'grep CapEff /proc/self/status'
  assert_success
  assert_output --regexp 'CapEff:[[:space:]]+0000000000000400'
}

@test "podman run --privileged: every capability of root here, the host's devices" {
  local bnd
  bnd=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
  run pm run --rm --name "$(name)" --privileged "$IMAGE" \
    sh -c "grep CapEff /proc/self/status; test -e $(host_device) && echo host-devices"
  assert_success
  assert_line --regexp "CapEff:[[:space:]]+$bnd\$"
  assert_line host-devices
}

@test "podman run --device: the device is usable (podman adds the allow rule)" {
  # linux.devices alone allows nothing (as runc): podman passes a
  # resources.devices allow rule with it, which must keep working.
  run pm run --rm --name "$(name)" --device /dev/kmsg "$IMAGE" \
    sh -c 'echo "<7>hutch test: podman --device" >/dev/kmsg && echo written'
  assert_success
  assert_output written
}

@test "podman run --sysctl and --ulimit" {
  run pm run --rm --name "$(name)" --sysctl net.ipv4.ip_forward=1 --network none "$IMAGE" cat /proc/sys/net/ipv4/ip_forward
  assert_success
  assert_output 1
  run pm run --rm --name "$(name 2)" --ulimit nofile=1234:1234 --ulimit nproc=1000:1000 "$IMAGE" sh -c 'ulimit -n; ulimit -u'
  assert_success
  assert_output "1234
1000"
}

@test "podman exec --preserve-fds and --user" {
  local c
  c=$(name)
  pm run -d --name "$c" "$IMAGE" sleep 1000
  echo "exec fd payload" >"$BATS_TEST_TMPDIR/payload"
  run in_ns sh -c 'exec 3<"$1"; podman exec --preserve-fds 1 "$2" cat /proc/self/fd/3' \
    sh "$BATS_TEST_TMPDIR/payload" "$c"
  assert_success
  assert_output "exec fd payload"
  run pm exec --user 65534 "$c" id -u
  assert_success
  assert_output 65534
}

@test "podman container checkpoint/restore through the runtime: the same process counts on" {
  criu check >/dev/null 2>&1 || skip "criu does not work on this kernel (criu check fails)"
  local c at
  c=$(name)
  pm run -d --name "$c" "$IMAGE" sh -c 'echo $$-$RANDOM-$RANDOM >/tmp/boot; i=0; while :; do i=$((i+1)); echo $i >/tmp/count; sleep 0.1; done'
  checkpoint_restore_same "$c"
  at=$(pm exec "$c" cat /tmp/count)
  wait_until "the restored container counts on" pm exec "$c" sh -c "test \"\$(cat /tmp/count)\" -gt $at"
  run runtime_calls_matching ' restore .*--image-path'
  refute_output ""
}

# A terminal (-t: conmon passes --console-socket, hutch goes through criu's
# RPC): restore hands the new pty master to the new conmon, so the output
# written after restore reaches `podman logs`.
@test "podman container checkpoint/restore of a container with a terminal (-t): the count goes on, in the logs" {
  criu check >/dev/null 2>&1 || skip "criu does not work on this kernel (criu check fails)"
  local c at
  c=$(name)
  pm run -dt --name "$c" "$IMAGE" sh -c 'echo $$-$RANDOM-$RANDOM >/tmp/boot; i=0; while :; do i=$((i+1)); echo $i >/tmp/count; echo "count $i"; sleep 0.1; done'
  checkpoint_restore_same "$c"
  # The restored shell still writes to a terminal.
  run pm exec "$c" readlink /proc/1/fd/1
  assert_output --regexp '^/dev/pts/[0-9]+$'
  at=$(pm exec "$c" cat /tmp/count)
  wait_until "the count past $at in podman logs" logged_count_past "$c" "$at"
  run runtime_calls_matching ' restore .*--console-socket'
  refute_output ""
}
