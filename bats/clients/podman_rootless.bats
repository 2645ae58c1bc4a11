#!/usr/bin/env bats
# Rootless podman drives the runtime under test, as a workstation user runs
# it: a lingering user (tests/vm/sdvm-adduser.sh) with its user bus and
# subordinate ids, podman run as that user (setpriv, no sudo), the runtime
# called inside podman's user namespace (uid 0 mapping only the user).
#   systemd:  podman's default cgroup manager; the runtime gets
#             --systemd-cgroup and makes the scope through the user's systemd
#             (user@UID.service/user.slice/libpod-ID.scope).
#   cgroupfs: --cgroup-manager cgroupfs; no cgroupsPath, the runtime puts
#             the container's cgroup beside its own (the user's delegated
#             subtree), as runc does.
# Only in the systemd VM (tests/vm/run-in-systemd-vm.sh; skipped elsewhere):
#   CLIENT_RUNTIME=runc bats bats/clients/podman_rootless.bats   # the same with runc

load clients_helpers

IMAGE=localhost/hutch-rl-busybox:latest
RL_USER=hutch-sdvm-rl

# pu ARGS...: podman as the lingering user, in its home, with its session's
# environment and the runtime under test.
pu() {
  (cd "$RL_HOME" && setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_HOME" \
    USER="$RL_USER" LOGNAME="$RL_USER" XDG_RUNTIME_DIR="/run/user/$RL_UID" \
    DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$RL_UID/bus" CONTAINERS_CONF="$T/containers.conf" \
    podman "$@")
}

# pr CGROUP_MANAGER ARGS...: a podman command with that cgroup manager and
# the runtime under test (by path, as `podman --runtime PATH`).
pr() {
  local cm=$1
  shift
  pu --cgroup-manager "$cm" --runtime "$CLIENT_BIN/$CLIENT_RUNTIME" "$@"
}

# (bats 1.8 cannot skip from setup_file: setup skips each test instead.)
setup_file() {
  RL_SKIP=
  [ "$(id -u)" = 0 ] || RL_SKIP="needs root (to make the test user)"
  [ "${HUTCH_SDVM:-}" = 1 ] || RL_SKIP="needs the systemd VM (tests/vm/run-in-systemd-vm.sh)"
  command -v podman >/dev/null || RL_SKIP="podman not installed"
  export RL_SKIP
  [ -z "$RL_SKIP" ] || return 0
  RL_UID=$("$REPO_ROOT/tests/vm/sdvm-adduser.sh" "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  RL_HOME=$(getent passwd "$RL_USER" | cut -d: -f6)
  # The user writes the runtime wrapper's logs: a dir of its own.
  T=$(mktemp -d /tmp/hutch-rl-podman.XXXXXX)
  chmod 755 "$T"
  export RL_UID RL_GID RL_HOME T
  export CLIENT_BIN="$T/bin" CLIENT_ARGV_LOG="$T/argv.log"
  make_runtime_wrapper "$CLIENT_BIN"
  cat >"$T/containers.conf" <<EOF
[containers]
log_driver = "k8s-file"

[engine]
events_logger = "file"
events_logfile_path = "$T/events.log"
EOF
  # A small busybox image: the applets the tests use.
  local r="$T/rootfs"
  mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/etc"
  cp /bin/busybox "$r/bin/busybox"
  local a
  for a in sh sleep cat echo true test; do ln -s busybox "$r/bin/$a"; done
  tar -C "$r" -cf "$T/rootfs.tar" .
  rm -rf "$r"
  touch "$CLIENT_ARGV_LOG" "$CLIENT_ARGV_LOG.exit"
  chown -R "$RL_UID:$RL_GID" "$T"
  pu import --change CMD=/bin/sh "$T/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
  if [ -n "${T:-}" ] && [ -d "$T" ]; then
    pu rm --all --force --time 0 >/dev/null 2>&1 || true
    rm -rf "$T"
  fi
}

setup() {
  [ -z "$RL_SKIP" ] || skip "$RL_SKIP"
  # Each test's runtime calls only (the files stay the user's).
  : >"$CLIENT_ARGV_LOG"
  : >"$CLIENT_ARGV_LOG.exit"
}

teardown() {
  [ -z "$RL_SKIP" ] || return 0
  [ -z "${BATS_TEST_COMPLETED:-}" ] && show_runtime_calls 8
  local c
  for c in $(pu ps --all --format '{{.Names}}' 2>/dev/null | grep "^hutch-test-$BATS_TEST_NUMBER-" || true); do
    pu rm --force --time 0 "$c" >/dev/null 2>&1 || true
  done
}

name() {
  echo "hutch-test-$BATS_TEST_NUMBER-${1:-c}"
}

# run_exit CM: podman run --rm, its output and the container's exit code.
run_exit() {
  local cm=$1
  run pr "$cm" run --rm --network none --name "$(name)" "$IMAGE" sh -c 'read -r _ host _ </proc/self/uid_map; echo hello from $host; exit 3'
  assert_equal "$status" 3
  # The container's root is the user on the host (podman's namespace maps it).
  assert_output "hello from $RL_UID"
  run failed_runtime_calls ""
  assert_output ""
}

# lifecycle CM: run -d --memory, the limit in the container's cgroup (inside
# and on the host), exec with exit codes, stop, rm: nothing left.
lifecycle() {
  local cm=$1 c id pid cg
  c=$(name)
  run pr "$cm" run -d --network none --memory 64m --name "$c" "$IMAGE" sleep 1000
  assert_success
  id=$(pu inspect --format '{{.Id}}' "$c")
  pid=$(pu inspect --format '{{.State.Pid}}' "$c")
  cg=$(unit_cgroup "$pid")
  # The user's delegated subtree, below user@UID.service.
  [[ $cg == /user.slice/user-$RL_UID.slice/user@$RL_UID.service/* ]] || fail "container in cgroup $cg"
  if [ "$cm" = systemd ]; then
    [[ $cg =~ ^/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/libpod-$id.scope(/container)?$ ]] ||
      fail "container in cgroup $cg, not in the user's libpod-$id.scope"
    run setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups env XDG_RUNTIME_DIR="/run/user/$RL_UID" \
      systemctl --user show -P Delegate "libpod-$id.scope"
    assert_output yes
  fi
  assert_equal "$(cat "/sys/fs/cgroup$cg/memory.max")" 67108864
  run pu exec "$c" cat /sys/fs/cgroup/memory.max
  assert_success
  assert_output 67108864
  run pu exec "$c" sh -c 'echo exec ok; exit 5'
  assert_equal "$status" 5
  assert_output "exec ok"
  run pu stop --time 0 "$c"
  assert_success
  assert_equal "$(pu inspect --format '{{.State.Status}} {{.State.ExitCode}}' "$c")" "exited 137"
  run pu rm "$c"
  assert_success
  wait_until "the container's cgroup $cg is gone" test ! -e "/sys/fs/cgroup$cg"
  [ "$cm" != systemd ] || wait_until "libpod-$id.scope is gone" test ! -e "/sys/fs/cgroup${cg%/container}"
  # Every call to the runtime succeeded; the runtime's state is gone.
  run failed_runtime_calls ""
  assert_output ""
  [ -z "$(find "/run/user/$RL_UID" -maxdepth 4 -name "$id" 2>/dev/null)" ] ||
    fail "runtime state left: $(find "/run/user/$RL_UID" -maxdepth 4 -name "$id")"
}

@test "rootless podman (systemd, its default): run --rm: output and exit code; the runtime gets --systemd-cgroup" {
  run pu info --format '{{.Host.CgroupManager}} {{.Host.CgroupsVersion}}'
  assert_success
  assert_output "systemd v2"
  run_exit systemd
  run runtime_calls_matching "--systemd-cgroup .*create .*--bundle"
  refute_output ""
}

@test "rootless podman (systemd): run -d --memory, exec, stop, rm; the limit is in the user's scope" {
  lifecycle systemd
}

# (run --rm's output and exit code take the same path with cgroupfs: one
# podman run less in the VM.)
@test "rootless podman (cgroupfs): run -d --memory, exec, stop, rm; the limit is in the user's delegated cgroup" {
  lifecycle cgroupfs
  run runtime_calls_matching "--systemd-cgroup"
  assert_output ""
}
