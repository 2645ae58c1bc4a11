#!/usr/bin/env bats
# containerd 1.6 (io.containerd.runc.v2 shim, driven with ctr) runs the
# runtime under test, unchanged.
#   bats bats/clients/containerd.bats                     # hutch (build/hutch)
#   CLIENT_RUNTIME=runc bats bats/clients/containerd.bats  # the same tests with runc
#   CLIENT_CONFIG=default ...   # SystemdCgroup=true: ctr run --runc-systemd-cgroup
#                               # (in tests/vm/run-in-systemd-vm.sh)

load clients_helpers

IMAGE=localhost/hutch-busybox:latest
# containerd's namespace: also the parent cgroup of the containers
# (/sys/fs/cgroup/*/NS/ID), which containerd leaves behind; removed in teardown_file.
NS=hutch-test-clients

# c CTR_ARGS...: ctr against this file's private containerd.
c() {
  in_ns ctr --address "$T/containerd/containerd.sock" --namespace "$NS" "$@"
}

# sd_args CTR_RUN_ARGS...: with CLIENT_CONFIG=default, the `ctr run` options
# that make the shim run the runtime with --systemd-cgroup (containerd's
# SystemdCgroup = true) and put the container (ID: the argument after
# $IMAGE) in the unit hutch-test-ID.scope in system.slice.
sd_args() {
  systemd_cgroups || return 0
  while [ $# -gt 1 ] && [ "$1" != "$IMAGE" ]; do shift; done
  echo "--runc-systemd-cgroup --cgroup system.slice:hutch-test:$2"
}

# crun_ CTR_RUN_ARGS...: `ctr run` through the runtime under test.
crun_() {
  # shellcheck disable=SC2046 # sd_args gives separate words
  c run --runc-binary "$CLIENT_BIN/$CLIENT_RUNTIME" $(sd_args "$@") "$@"
}

setup_file() {
  clients_require containerd ctr containerd-shim-runc-v2 umoci nsenter unshare ip script
  export T="$BATS_FILE_TMPDIR"
  export CLIENT_BIN="$T/bin" CLIENT_ARGV_LOG="$T/argv.log"
  make_runtime_wrapper "$CLIENT_BIN"
  mkdir -p "$T/containerd"
  cat >"$T/containerd/config.toml" <<EOF
version = 2
root = "$T/containerd/root"
state = "$T/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$T/containerd/containerd.sock"

[ttrpc]
  address = "$T/containerd/containerd.sock.ttrpc"

[debug]
  address = "$T/containerd/debug.sock"

[plugins."io.containerd.internal.v1.opt"]
  path = "$T/containerd/opt"
EOF
  start_holder
  # containerd runs in the holder (its own /run: the shim's runtime state in
  # /run/containerd/runc stays private), with the wrapper's `runc` first in PATH.
  # (nsenter execs containerd: $! is containerd's PID.)
  PATH="$CLIENT_BIN:$PATH" nsenter -t "$(cat "$T/holder.pid")" -m -n -- \
    containerd --config "$T/containerd/config.toml" \
    </dev/null >"$T/containerd/containerd.log" 2>&1 3>&- &
  echo $! >"$T/containerd/pid"
  wait_until "containerd answers" c version
  make_image
}

# make_image: the busybox rootfs as an OCI image layout (umoci), imported.
make_image() {
  local oci="$T/oci" ub="$T/umoci-bundle"
  make_rootfs_tar "$T/rootfs.tar"
  umoci init --layout "$oci"
  umoci new --image "$oci:latest"
  umoci unpack --image "$oci:latest" "$ub" >/dev/null
  tar -C "$ub/rootfs" -xf "$T/rootfs.tar"
  umoci repack --image "$oci:latest" "$ub" >/dev/null
  umoci config --image "$oci:latest" --config.cmd /bin/sh
  umoci gc --layout "$oci"
  tar -C "$oci" -cf "$T/oci.tar" .
  c images import --base-name localhost/hutch-busybox "$T/oci.tar" >/dev/null
  c images check | grep -q "^$IMAGE .*complete" || {
    echo "image import failed: $(c images ls)" >&2
    return 1
  }
  rm -rf "$ub"
}

teardown_file() {
  local pid
  if [ -e "$BATS_FILE_TMPDIR/holder.pid" ]; then
    cleanup_containers ""
    pid=$(cat "$T/containerd/pid" 2>/dev/null || true)
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  fi
  stop_holder
  # The namespace's (empty) parent cgroups.
  local d
  for d in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
  done
}

# cleanup_containers PREFIX: force-remove tasks and containers named PREFIX*.
# (The task delete with a timeout: containerd 1.6 hangs on a task whose
# restore failed, with runc as with hutch: the task stays CREATED with pid 0,
# the shim's `kill --all` gets "container ... does not exist", maps it to
# NotFound, and ctr's --force waits for an exit event that never comes.)
cleanup_containers() {
  local id
  for id in $(c containers ls -q 2>/dev/null | grep "^hutch-test-$1" || true); do
    c task kill --signal SIGKILL --all "$id" >/dev/null 2>&1 || true
    in_ns timeout 60 ctr --address "$T/containerd/containerd.sock" --namespace "$NS" \
      task delete --force "$id" >/dev/null 2>&1 || true
    c containers delete "$id" >/dev/null 2>&1 || true
  done
}

teardown() {
  [ -z "${BATS_TEST_COMPLETED:-}" ] && show_runtime_calls 8
  cleanup_containers "$BATS_TEST_NUMBER-"
  # A process a host-PID-namespace test left behind (its PID, recorded).
  local p
  p=$(cat "$BATS_TEST_TMPDIR/survivor" 2>/dev/null || true)
  if [ -n "$p" ] && grep -q 'sleep' "/proc/$p/cmdline" 2>/dev/null; then
    kill -9 "$p" 2>/dev/null || true
  fi
}

name() {
  echo "hutch-test-$BATS_TEST_NUMBER-${1:-c}"
}

# task_status ID: RUNNING, PAUSED, STOPPED... from `ctr task ls`.
task_status() {
  c task ls | awk -v id="$1" '$1 == id { print $3 }'
}
task_pid() {
  c task ls | awk -v id="$1" '$1 == id { print $2 }'
}
status_is() {
  [ "$(task_status "$1")" = "$2" ]
}

# run_detached ID ARGS...: `ctr run -d` and wait until the task runs.
run_detached() {
  local id=$1
  shift
  crun_ -d "$IMAGE" "$id" "$@" >/dev/null
  wait_until "task $id runs" status_is "$id" RUNNING
}

@test "ctr run: output and exit code of the container" {
  run crun_ --rm "$IMAGE" "$(name)" echo hello from the container
  assert_success
  assert_output "hello from the container"
  run crun_ --rm "$IMAGE" "$(name 2)" sh -c 'exit 3'
  assert_equal "$status" 3
  # The shim's calls: global options first, then create with a pid file.
  run runtime_calls_matching "^--root /run/containerd/runc/$NS --log .*/log.json --log-format json (--systemd-cgroup )?create --bundle .* --pid-file .*init.pid $(name)\$"
  refute_output ""
}

@test "ctr run: a failed create shows the runtime's error (--log json)" {
  run crun_ --rm "$IMAGE" "$(name)" /nonexistent-binary
  assert_failure
  assert_output --partial "/nonexistent-binary"
}

@test "ctr task exec: output, exit code, tty" {
  local id
  id=$(name)
  run_detached "$id" sleep 1000
  run c task exec --exec-id e1 "$id" sh -c 'echo exec says hi'
  assert_success
  assert_output "exec says hi"
  run c task exec --exec-id e2 "$id" sh -c 'exit 5'
  assert_equal "$status" 5
  run c task exec --exec-id e3 --cwd /tmp "$id" sh -c 'echo $PWD'
  assert_output /tmp
  run in_ns script -qec "ctr --address $T/containerd/containerd.sock --namespace $NS task exec -t --exec-id e4 $id tty" /dev/null
  assert_success
  assert_output --regexp '/dev/pts/[0-9]+'
  run runtime_calls_matching "exec --process .* --detach --pid-file .* $id\$"
  refute_output ""
}

@test "ctr run -t: the container gets a terminal (console socket)" {
  run in_ns script -qec "ctr --address $T/containerd/containerd.sock --namespace $NS run --runc-binary $CLIENT_BIN/$CLIENT_RUNTIME $(sd_args "$IMAGE" "$(name)") --rm -t $IMAGE $(name) tty" /dev/null
  assert_success
  assert_output --regexp '/dev/pts/[0-9]+'
  run runtime_calls_matching "create .*--console-socket .* $(name)\$"
  refute_output ""
}

# run_attached_bg ID ARGS...: `ctr run --rm` in the background; its exit
# status (the task's) goes to $BATS_TEST_TMPDIR/ID.status.
run_attached_bg() {
  local id=$1
  shift
  (
    set +e
    crun_ --rm "$IMAGE" "$id" "$@" </dev/null >"$BATS_TEST_TMPDIR/$id.out" 2>&1
    echo $? >"$BATS_TEST_TMPDIR/$id.status.tmp"
    mv "$BATS_TEST_TMPDIR/$id.status.tmp" "$BATS_TEST_TMPDIR/$id.status"
  ) 3>&- &
  wait_until "task $id runs" status_is "$id" RUNNING
}

# exit_status_of ID: wait for run_attached_bg's ctr run to end; print its status.
exit_status_of() {
  wait_until "ctr run $1 ended" test -e "$BATS_TEST_TMPDIR/$1.status"
  cat "$BATS_TEST_TMPDIR/$1.status"
}

@test "ctr task kill: SIGTERM, SIGKILL, --all; ctr run returns the exit status" {
  local id
  id=$(name)
  run_attached_bg "$id" sh -c 'trap "exit 7" TERM; touch /tmp/ready; while :; do sleep 1; done'
  wait_until "the task is ready" c task exec --exec-id ready "$id" test -e /tmp/ready
  run c task kill "$id"
  assert_success
  assert_equal "$(exit_status_of "$id")" 7
  run runtime_calls_matching "kill $id 15\$"
  refute_output ""

  id=$(name 2)
  run_attached_bg "$id" sleep 1000
  run c task kill --signal SIGKILL "$id"
  assert_success
  assert_equal "$(exit_status_of "$id")" 137

  id=$(name 3)
  run_detached "$id" sleep 1000
  c task exec --detach --exec-id bg "$id" sleep 1000
  run c task kill --all --signal SIGKILL "$id"
  assert_success
  wait_until "the task stopped" status_is "$id" STOPPED
  run runtime_calls_matching "kill --all $id 9\$"
  refute_output ""
  # Deleting the stopped task: the shim kills what may be left in its
  # cgroup (`kill --all ID 9` on a stopped container must succeed, as
  # with runc), then deletes.
  run c task delete --force "$id"
  assert_success
  run failed_runtime_calls " $id( |\$)"
  assert_output ""
}

# pid_gone PID: PID has exited (or is a zombie).
pid_gone() {
  ! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

@test "ctr: init of a container in a shared PID namespace exits: the shim's kill --all ends the rest" {
  local id pids survivor="" owner
  owner=$(name owner)
  run_detached "$owner" sleep 1000
  id=$(name)
  # Joining another container's PID namespace, this container's init is not
  # PID 1 there: its death does not kill the container's other processes;
  # the shim does it with `kill --all ID 9` on the now stopped container.
  crun_ -d --with-ns "pid:/proc/$(task_pid "$owner")/ns/pid" "$IMAGE" "$id" sleep 1000 >/dev/null
  wait_until "task $id runs" status_is "$id" RUNNING
  c task exec --detach --exec-id bg "$id" sleep 1001
  wait_until "two processes" test "$(c task ps "$id" | awk 'NR > 1' | wc -l)" = 2
  for pid in $(c task ps "$id" | awk 'NR > 1 { print $1 }'); do
    [ "$pid" = "$(task_pid "$id")" ] || survivor=$pid
  done
  echo "$survivor" >"$BATS_TEST_TMPDIR/survivor"
  [ -n "$survivor" ]
  run c task kill --signal SIGKILL "$id"
  assert_success
  wait_until "the task stopped" status_is "$id" STOPPED
  wait_until "the exec'd process $survivor was killed too" pid_gone "$survivor"
  run failed_runtime_calls "kill --all $id "
  assert_output ""
}

@test "ctr task pause/resume" {
  local id
  id=$(name)
  run_detached "$id" sleep 1000
  run c task pause "$id"
  assert_success
  assert_equal "$(task_status "$id")" PAUSED
  run c task resume "$id"
  assert_success
  assert_equal "$(task_status "$id")" RUNNING
  run c task exec --exec-id alive "$id" echo alive
  assert_output alive
}

@test "ctr task ps: the runtime lists the container's processes (ps --format json)" {
  local id pid
  id=$(name)
  run_detached "$id" sleep 1000
  pid=$(task_pid "$id")
  run c task ps "$id"
  assert_success
  assert_line --regexp "^${pid}[[:space:]]"
  run runtime_calls_matching "ps --format json $id\$"
  refute_output ""
}

# ctr's default spec mounts no cgroup filesystem: ask for one.
CGROUP_MOUNT="type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev"

@test "ctr run --memory-limit and --cpu-quota are visible inside" {
  run crun_ --rm --mount "$CGROUP_MOUNT" --memory-limit 67108864 "$IMAGE" "$(name)" \
    sh -c "$(cgroup_file_script memory memory.limit_in_bytes memory.max)"
  assert_success
  assert_output 67108864
  run crun_ --rm --mount "$CGROUP_MOUNT" --cpu-quota 50000 --cpu-period 100000 "$IMAGE" "$(name 2)" \
    sh -c "$(cgroup_file_script cpu cpu.cfs_quota_us cpu.max)"
  assert_success
  assert_output --regexp '^50000'
}

@test "ctr run --runc-systemd-cgroup: limits in the container's scope, gone after delete (CLIENT_CONFIG=default)" {
  systemd_cgroups || skip "containerd's SystemdCgroup = true: CLIENT_CONFIG=default"
  local id cg
  id=$(name)
  crun_ -d --memory-limit 67108864 --cpu-quota 50000 --cpu-period 100000 "$IMAGE" "$id" sleep 1000 >/dev/null
  wait_until "task $id runs" status_is "$id" RUNNING
  cg=$(unit_cgroup "$(task_pid "$id")")
  assert_equal "$cg" "/system.slice/hutch-test-$id.scope"
  assert_equal "$(cat "/sys/fs/cgroup$cg/memory.max")" 67108864
  assert_equal "$(cat "/sys/fs/cgroup$cg/cpu.max")" "50000 100000"
  run systemctl is-active "hutch-test-$id.scope"
  assert_output active
  run runtime_calls_matching "--systemd-cgroup .*create .* $id\$"
  refute_output ""
  c task kill --signal SIGKILL "$id"
  wait_until "the task stopped" status_is "$id" STOPPED
  run c task delete "$id"
  assert_success
  wait_until "hutch-test-$id.scope is gone" test ! -e "/sys/fs/cgroup$cg"
}

@test "ctr task delete / containers delete: nothing left, no failed runtime call" {
  local id
  id=$(name)
  run_detached "$id" sleep 1000
  c task kill --signal SIGKILL "$id"
  wait_until "the task stopped" status_is "$id" STOPPED
  run c task delete "$id"
  assert_success
  run c containers delete "$id"
  assert_success
  # The shim deletes, then force-deletes the already deleted container:
  # both must succeed.
  run failed_runtime_calls "delete.* $id\$"
  assert_output ""
  # No runtime state left (the shim's --root is /run/containerd/runc/<ns>).
  run in_ns test -e "/run/containerd/runc/$NS/$id"
  assert_failure

  # A running task: delete --force.
  id=$(name 2)
  run_detached "$id" sleep 1000
  run c task delete --force "$id"
  assert_success
  run c containers delete "$id"
  assert_success
  run failed_runtime_calls "delete.* $id\$"
  assert_output ""
}

@test "ctr run --no-pivot: containerd runs \`runc\` from PATH (a symlink to the runtime)" {
  # shellcheck disable=SC2046 # sd_args gives separate words
  run c run $(sd_args "$IMAGE" "$(name)") --rm --no-pivot "$IMAGE" "$(name)" echo no pivot
  assert_success
  assert_output "no pivot"
  run runtime_calls_matching "create .*--no-pivot .*$(name)\$"
  refute_output ""
}

@test "ctr run: no network namespace given, only loopback" {
  run crun_ --rm "$IMAGE" "$(name)" ls /sys/class/net
  assert_success
  assert_output lo
}

@test "ctr run: bind mount, read-only root, env, cwd, capabilities, seccomp, privileged" {
  mkdir -p "$BATS_TEST_TMPDIR/vol"
  echo "from the host" >"$BATS_TEST_TMPDIR/vol/f"
  run crun_ --rm --read-only --mount "type=bind,src=$BATS_TEST_TMPDIR/vol,dst=/data,options=rbind:ro" \
    --env GREETING=hi --cwd /data "$IMAGE" "$(name)" \
    sh -c 'cat f; pwd; echo $GREETING; touch /x 2>/dev/null && echo root-writable || echo root-ro'
  assert_success
  assert_output "from the host
/data
hi
root-ro"
  run crun_ --rm --cap-drop CAP_CHOWN "$IMAGE" "$(name 3)" sh -c 'touch /f; chown 65534 /f 2>/dev/null && echo chown-ok || echo chown-denied'
  assert_success
  assert_output chown-denied
  run crun_ --rm --seccomp "$IMAGE" "$(name 4)" sh -c 'grep Seccomp: /proc/self/status'
  assert_success
  assert_output --regexp 'Seccomp:[[:space:]]+2'
  run crun_ --rm --privileged "$IMAGE" "$(name 5)" sh -c "test -e $(host_device) && echo host-devices"
  assert_success
  assert_output host-devices
}

# count_of ID: "TOKEN N" as the task's loop last wrote it (N is 0 before
# the first write).  TOKEN is the shell's own, drawn when it started.
count_of() {
  local l
  l=$(c task exec --exec-id "count$RANDOM" "$1" cat /tmp/count 2>/dev/null) || l=
  echo "${l:-none 0}"
}
count_above() {
  local l
  l=$(count_of "$1")
  [ "${l#* }" -gt "$2" ]
}

@test "ctr c checkpoint --task / ctr c restore --live through the runtime: the task counts on" {
  criu check >/dev/null 2>&1 || skip "criu does not work on this kernel (criu check fails)"
  local id ref pid before after
  id=$(name)
  ref=localhost/hutch-test-checkpoint:$BATS_TEST_NUMBER
  # The loop keeps the shim's stdio pipes (restore hands them back with
  # --inherit-fd) and counts in memory, with a token drawn at its start: a
  # restart would draw another and count from 1 again.
  run_detached "$id" sh -c 't=$RANDOM$RANDOM; i=0; while :; do i=$((i+1)); echo "$t $i" >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
  pid=$(task_pid "$id")
  wait_until "the task counts" count_above "$id" 3
  before=$(count_of "$id")
  # containerd pauses the task, the shim calls `checkpoint --leave-running`
  # (the task runs on), then resumes it.
  run c containers checkpoint --task "$id" "$ref"
  assert_success
  status_is "$id" RUNNING
  run runtime_calls_matching "checkpoint .*--image-path .*--leave-running.* $id\$"
  refute_output ""
  c task kill --signal SIGKILL "$id"
  wait_until "the task stopped" status_is "$id" STOPPED
  c task delete "$id" >/dev/null
  c containers delete "$id"
  # The container back from the checkpoint (spec, runtime and its options:
  # --runc-binary, the systemd cgroup), its task restored by the runtime.
  run c containers restore --live "$id" "$ref"
  assert_success
  wait_until "task $id runs" status_is "$id" RUNNING
  [ "$(task_pid "$id")" != "$pid" ]
  run runtime_calls_matching "restore .*--image-path .*--detach .*--pid-file .*--bundle .* $id\$"
  refute_output ""
  # The same loop counts on (the rootfs is fresh: /tmp/count comes back
  # with the loop's next write).
  wait_until "the restored task writes its count" count_above "$id" 0
  after=$(count_of "$id")
  assert_equal "${after% *}" "${before% *}"
  [ "${after#* }" -gt "${before#* }" ] || fail "count went from $before to $after"
  if systemd_cgroups; then
    assert_equal "$(unit_cgroup "$(task_pid "$id")")" "/system.slice/hutch-test-$id.scope"
  fi
  run failed_runtime_calls " $id\$"
  assert_output ""
  c task kill --signal SIGKILL "$id"
  wait_until "the task stopped" status_is "$id" STOPPED
  run c task delete "$id"
  assert_success
  c images rm "$ref" >/dev/null
}
