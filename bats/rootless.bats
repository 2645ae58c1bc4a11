#!/usr/bin/env bats
# Rootless hutch (issue 15): an unprivileged test user, made for this file and
# removed after it, runs hutch with setpriv (no sudo): spec --rootless, run,
# run -d, exec, ps, kill, delete; bad inputs give one line, exit 1 and leave
# nothing; and the user gains nothing through the container.

load helpers

# The test user: hutch-test-rl-<pid of bats>, with its home (for bundles) and
# a /run/user/UID-style XDG_RUNTIME_DIR it owns.
setup_file() {
  RL_USER="hutch-test-rl-$$"
  useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$RL_USER"
  RL_UID=$(id -u "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  RL_HOME=$(mktemp -d /tmp/hutch-test-rl-home.XXXXXX)
  chmod 0755 "$RL_HOME"
  chown "$RL_UID:$RL_GID" "$RL_HOME"
  RL_XDG="$RL_HOME/run-user-$RL_UID"
  mkdir -m 0700 "$RL_XDG"
  chown "$RL_UID:$RL_GID" "$RL_XDG"
  export RL_USER RL_UID RL_GID RL_HOME RL_XDG
}

# Every process of the test user, by PID (never by name).
rl_kill_all() {
  local pid i
  for i in $(seq 50); do
    local pids
    pids=$(ps -e -o pid= -o uid= | awk -v u="$RL_UID" '$2 == u {print $1}')
    [ -z "$pids" ] && return 0
    for pid in $pids; do kill -9 "$pid" 2>/dev/null || true; done
    sleep 0.1
  done
}

teardown_file() {
  [ -n "${RL_USER:-}" ] || return 0
  # userdel refuses while a process of the user is still exiting: retry.
  local i
  for i in $(seq 20); do
    rl_kill_all
    userdel "$RL_USER" 2>/dev/null && break
    sleep 0.2
  done
  id "$RL_USER" >/dev/null 2>&1 && userdel -f "$RL_USER" 2>/dev/null
  # userdel drops the user's /etc/subuid and /etc/subgid lines; make sure.
  sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid 2>/dev/null || true
  rm -rf "${RL_HOME:?}"
}

# as_user CMD...: run CMD as the test user, no capabilities, a clean env.
as_user() {
  setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups --inh-caps=-all \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_HOME" XDG_RUNTIME_DIR="$RL_XDG" "$@"
}

# rl_hutch ARGS...: hutch as the test user with its default --root.
rl_hutch() {
  as_user "$HUTCH" "$@"
}

# rl_config 'JQ FILTER': edit the test user's bundle config.
rl_config() {
  jq "$1" "$BUNDLE/config.json" >"$BUNDLE/config.json.tmp" && mv "$BUNDLE/config.json.tmp" "$BUNDLE/config.json"
  chown "$RL_UID:$RL_GID" "$BUNDLE/config.json"
}

setup() {
  # A busybox rootfs the user owns, and the config `hutch spec --rootless` writes.
  BUNDLE=$(new_bundle "$RL_HOME/bundle-$BATS_TEST_NUMBER")
  rm -f "$BUNDLE/config.json"
  chown -R "$RL_UID:$RL_GID" "$BUNDLE"
  as_user "$HUTCH" spec --rootless --bundle "$BUNDLE"
  rl_config '.process.terminal = false'
  ROOT="$RL_XDG/hutch"
  export BUNDLE ROOT
}

teardown() {
  local id
  for id in $(ls "$RL_XDG/hutch" 2>/dev/null); do
    rl_hutch delete --force "$id" >/dev/null 2>&1 || true
  done
  rl_kill_all
  rm -rf "${RL_XDG:?}/hutch" "$RL_HOME/bundle-$BATS_TEST_NUMBER" "$RL_HOME/share-$BATS_TEST_NUMBER"
  if [ -n "${RL_SECRET:-}" ]; then rm -f "$RL_SECRET"; fi
  if [ -n "${RL_LOCKED:-}" ]; then
    umount "$RL_LOCKED" 2>/dev/null || true
    rmdir "$RL_LOCKED" 2>/dev/null || true
  fi
  # The cgroups this test delegated (and what was made in them), leaves first.
  if [ -n "${RL_DELEG:-}" ]; then
    local d
    for d in $(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path "*/$RL_DELEG*" 2>/dev/null | sort -r); do
      rmdir "$d" 2>/dev/null || true
    done
  fi
}

# Nothing of the user's containers is left: no state, no process of its uid.
assert_rl_clean() {
  [ -z "$(ls -A "$RL_XDG/hutch" 2>/dev/null)" ] || fail "left under \$XDG_RUNTIME_DIR/hutch: $(ls -A "$RL_XDG/hutch")"
  local i pids
  for i in $(seq 50); do
    pids=$(ps -e -o pid= -o uid= | awk -v u="$RL_UID" '$2 == u {print $1}')
    [ -z "$pids" ] && return 0
    sleep 0.1
  done
  fail "processes of uid $RL_UID left: $pids"
}

@test "rootless: spec --rootless maps the caller to root in a user namespace, run works, root is \$XDG_RUNTIME_DIR/hutch" {
  run jq -c '[.linux.uidMappings, .linux.gidMappings, (.linux.namespaces | map(.type) | index("user") != null), .linux.resources]' "$BUNDLE/config.json"
  assert_output "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}],true,null]"
  rl_config '.process.args = ["sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map"]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output "$(printf '0\n0\n         0 %10d          1\n         0 %10d          1' "$RL_UID" "$RL_GID")"
  # The default root: made 0700, owned by the user, empty after the run.
  [ "$(stat -c '%a %u' "$RL_XDG/hutch")" = "700 $RL_UID" ]
  assert_rl_clean
}

@test "rootless: run -d, exec, ps, kill and delete as the test user" {
  local id
  id=$(cid)
  rl_config '.process.args = ["sleep", "1000"]'
  rl_hutch run -b "$BUNDLE" -d "$id" </dev/null >"$BATS_TEST_TMPDIR/run-d.out" 2>&1 || fail "run -d: $(cat "$BATS_TEST_TMPDIR/run-d.out")"
  run rl_hutch state "$id"
  assert_success
  [ "$(echo "$output" | jq -r .status)" = running ]
  local pid
  pid=$(echo "$output" | jq -r .pid)
  [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$RL_UID" ] || fail "the init does not run as uid $RL_UID on the host"
  # exec: in the container's namespaces, as its root (the user on the host).
  run rl_hutch exec "$id" sh -c 'echo $$; id -u; cat /proc/1/cmdline | tr "\0" " "'
  assert_success
  assert_output "$(printf '%s\n0\nsleep 1000 ' "$(echo "$output" | head -1)")"
  [ "$(echo "$output" | head -1)" -gt 1 ]
  # exec -d leaves a second process; ps lists both (the pid namespace's).
  rl_hutch exec -d "$id" sleep 999 </dev/null >"$BATS_TEST_TMPDIR/exec-d.out" 2>&1 || fail "exec -d: $(cat "$BATS_TEST_TMPDIR/exec-d.out")"
  run rl_hutch ps --format json "$id"
  assert_success
  echo "$output" | jq -e --argjson p "$pid" 'length == 2 and index($p) != null'
  run rl_hutch ps "$id"
  assert_success
  assert_output --partial "sleep 999"
  # kill: the init (pid 1 of its namespace ignores what it has no handler
  # for, so SIGKILL).
  run rl_hutch kill "$id" KILL
  assert_success
  wait_status_rl "$id" stopped
  run rl_hutch delete "$id"
  assert_success
  assert_rl_clean
}

# wait_status_rl ID STATUS: poll `hutch state` as the user.
wait_status_rl() {
  local i
  for i in $(seq 200); do
    [ "$(rl_hutch state "$1" 2>/dev/null | jq -r .status)" = "$2" ] && return 0
    sleep 0.1
  done
  fail "container $1 never reached status $2"
}

@test "rootless: kill --all kills every process through the pid namespace; pause/update/events say there is no cgroup" {
  local id
  id=$(cid)
  rl_config '.process.args = ["sleep", "1000"]'
  rl_hutch run -b "$BUNDLE" -d "$id" </dev/null >"$BATS_TEST_TMPDIR/run-d.out" 2>&1 || fail "run -d: $(cat "$BATS_TEST_TMPDIR/run-d.out")"
  rl_hutch exec -d "$id" sleep 999 </dev/null >"$BATS_TEST_TMPDIR/exec-d.out" 2>&1 || fail "exec -d: $(cat "$BATS_TEST_TMPDIR/exec-d.out")"
  local verb
  for verb in pause resume update events; do
    local args=("$verb" "$id")
    [ "$verb" = update ] && args=(update --pids-limit 10 "$id")
    [ "$verb" = events ] && args=(events --stats "$id")
    run rl_hutch "${args[@]}"
    assert_failure 1
    [ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
    assert_output --regexp "^hutch: $verb $id: container $id has no cgroup hutch can .* \\(rootless, and its cgroup was not delegated to uid $RL_UID\\)\$"
  done
  # Only SIGKILL can reach every process without a cgroup.
  run rl_hutch kill --all "$id" TERM
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ]
  assert_output --partial "no cgroup hutch can signal every process of"
  run rl_hutch kill --all "$id" KILL
  assert_success
  wait_status_rl "$id" stopped
  run rl_hutch delete "$id"
  assert_success
  assert_rl_clean
  # delete --force of a running one: the init, and with it its pid namespace.
  rl_hutch run -d -b "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/run-d2.out" 2>&1 || fail "run -d: $(cat "$BATS_TEST_TMPDIR/run-d2.out")"
  rl_hutch exec -d "$id" sleep 998 </dev/null >"$BATS_TEST_TMPDIR/exec-d2.out" 2>&1 || fail "exec -d: $(cat "$BATS_TEST_TMPDIR/exec-d2.out")"
  run rl_hutch delete --force "$id"
  assert_success
  assert_rl_clean
}

@test "rootless: a failing create leaves nothing under \$XDG_RUNTIME_DIR/hutch and no process" {
  rl_config '.mounts += [{"destination": "/x", "type": "bind", "source": "/nonexistent-hutch-rl", "options": ["bind"]}]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
  assert_output --partial "/nonexistent-hutch-rl"
  assert_rl_clean
}

@test "rootless: no XDG_RUNTIME_DIR is one line saying to set it or pass --root" {
  run setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups env -i PATH=/usr/bin:/bin "$HUTCH" run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: rootless: XDG_RUNTIME_DIR is not set: set it (e.g. /run/user/$RL_UID) or pass --root DIR"
  [ ! -e "$RL_XDG/hutch" ]
  # spec and features need no state root.
  run setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups env -i PATH=/usr/bin:/bin "$HUTCH" features
  assert_success
  assert_rl_clean
}

@test "rootless: a multi-id mapping without newuidmap in PATH is one line naming linux.uidMappings" {
  rl_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}, {\"containerID\": 1, \"hostID\": 100000, \"size\": 1000}]"
  run setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups env -i PATH=/nonexistent-hutch-rl XDG_RUNTIME_DIR="$RL_XDG" "$HUTCH" run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: run $(cid): linux.uidMappings: mapping more than your own uid $RL_UID needs newuidmap (package uidmap), not found in PATH"
  assert_rl_clean
}

@test "rootless: a multi-id mapping goes through newuidmap/newgidmap and /etc/subuid" {
  command -v newuidmap >/dev/null || skip "newuidmap not installed (package uidmap: tests/install-deps.sh)"
  local sub subg
  sub=$(awk -F: -v u="$RL_USER" '$1 == u {print $2}' /etc/subuid)
  subg=$(awk -F: -v u="$RL_USER" '$1 == u {print $2}' /etc/subgid)
  [ -n "$sub" ] && [ -n "$subg" ] || skip "useradd gave $RL_USER no /etc/subuid and /etc/subgid range"
  rl_config ".linux.uidMappings = [{\"containerID\": 0, \"hostID\": $RL_UID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $sub, \"size\": 1000}]
    | .linux.gidMappings = [{\"containerID\": 0, \"hostID\": $RL_GID, \"size\": 1}, {\"containerID\": 1, \"hostID\": $subg, \"size\": 1000}]
    | .root.readonly = false
    | .process.capabilities |= with_entries(.value += [\"CAP_CHOWN\"])
    | .process.args = [\"sh\", \"-c\", \"cat /proc/self/uid_map; touch /tmp/f; chown 7:8 /tmp/f; stat -c %u:%g /tmp/f\"]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output "$(printf '         0 %10d          1\n         1 %10d       1000\n7:8' "$RL_UID" "$sub")"
  # A range the user does not own: newuidmap refuses, one line.
  rl_config ".linux.uidMappings[1].hostID = 1"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
  assert_output --partial "linux.uidMappings: "
  assert_output --partial "newuidmap failed"
  assert_rl_clean
}

@test "rootless: limits without a delegated cgroup are one line naming linux.resources, nothing left" {
  local id
  id=$(cid)
  rl_config '.linux.resources = {"pids": {"limit": 10}}'
  run rl_hutch run -b "$BUNDLE" "$id"
  assert_failure 1
  assert_output --regexp "^hutch: run $id: linux.resources.pids: limits need a cgroup, and rootless uid $RL_UID cannot write /sys/fs/cgroup/.*/$id \\(not delegated\\): remove the limits or delegate the cgroup\$"
  [ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "$id" 2>/dev/null)" ]
  assert_rl_clean
}

@test "rootless: rlimits above the hard limit and a lowered oomScoreAdj are one-line errors" {
  local hard
  hard=$(as_user sh -c 'ulimit -Hn')
  rl_config ".process.rlimits = [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": $((hard + 1))}]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: run $(cid): process.rlimits[0]: RLIMIT_NOFILE hard limit $((hard + 1)) is above the current hard limit $hard, which a rootless container cannot raise"
  local adj
  adj=$(cat /proc/self/oom_score_adj)
  rl_config ".process.rlimits = [] | .process.oomScoreAdj = $((adj - 1)) | .process.args = [\"true\"]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: run $(cid): process.oomScoreAdj: lowering it from $adj to $((adj - 1)) needs CAP_SYS_RESOURCE (which a rootless container does not have)"
  # Raising it is allowed.
  rl_config ".process.oomScoreAdj = $((adj + 1)) | .process.args = [\"cat\", \"/proc/self/oom_score_adj\"]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output "$((adj + 1))"
  assert_rl_clean
}

@test "rootless: a user gains nothing: a root-only host file stays closed to the container's root, even with CAP_DAC_OVERRIDE" {
  RL_SECRET="$RL_HOME/secret-$BATS_TEST_NUMBER"
  echo "root only" >"$RL_SECRET"
  chmod 0600 "$RL_SECRET"
  local caps='["CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_CHOWN","CAP_SYS_ADMIN","CAP_MKNOD"]'
  rl_config ".mounts += [{\"destination\": \"/secret\", \"type\": \"bind\", \"source\": \"$RL_SECRET\", \"options\": [\"bind\"]}]
    | .process.capabilities = {\"bounding\": $caps, \"effective\": $caps, \"permitted\": $caps}
    | .process.args = [\"sh\", \"-c\", \"grep CapEff /proc/self/status; cat /secret && echo READ; echo pwned > /secret && echo WROTE; chmod 666 /secret && echo CHMOD; chown 0 /secret && echo CHOWN; mknod /tmp/mem c 1 1 && echo MKNOD; exit 0\"]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  # The capabilities are there, in the container's user namespace...
  assert_line "$(printf 'CapEff:\t%016x' $(((1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 21) | (1 << 27))))"
  # ...and open nothing on the host.
  refute_output --partial READ
  refute_output --partial WROTE
  refute_output --partial CHMOD
  refute_output --partial CHOWN
  refute_output --partial MKNOD
  [ "$(cat "$RL_SECRET")" = "root only" ]
  [ "$(stat -c '%a %u' "$RL_SECRET")" = "600 0" ]
  assert_rl_clean
}

@test "rootless: the container cannot see the user's other processes (own pid namespace)" {
  # A process of the same user on the host, with a marker argument.
  as_user sleep 7777777 &
  rl_config '.process.args = ["sh", "-c", "cat /proc/[0-9]*/cmdline | tr \"\\0\" \" \"; echo; ls -d /proc/[0-9]* | wc -l"]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  local status_run=$status
  rl_kill_all
  wait 2>/dev/null || true
  [ "$status_run" -eq 0 ] || fail "run failed: $output"
  refute_output --partial 7777777
  # sh, cat, tr, ls, wc at most: only the container's own processes.
  [ "$(echo "$output" | tail -1)" -le 5 ]
  assert_rl_clean
}

@test "rootless: a file made in a bind mount of a user-owned dir belongs to the user on the host" {
  local share="$RL_HOME/share-$BATS_TEST_NUMBER"
  mkdir "$share"
  chown "$RL_UID:$RL_GID" "$share"
  rl_config ".mounts += [{\"destination\": \"/share\", \"type\": \"bind\", \"source\": \"$share\", \"options\": [\"bind\", \"rw\"]}]
    | .process.args = [\"sh\", \"-c\", \"touch /share/made && stat -c %u /share/made\"]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output "0"
  [ "$(stat -c '%u %g' "$share/made")" = "$RL_UID $RL_GID" ]
  assert_rl_clean
}

@test "rootless: a setuid or setgid hutch refuses to run" {
  local copy="$RL_HOME/hutch-suid-$BATS_TEST_NUMBER"
  cp "$HUTCH" "$copy"
  chmod 4755 "$copy"
  run as_user "$copy" list
  assert_failure 1
  assert_output "hutch: refusing to run: the hutch binary is installed setuid/setgid (or with file capabilities)"
  [ ! -e "$RL_XDG/hutch" ]
  cp "$HUTCH" "$copy.g"
  chmod 2755 "$copy.g"
  run as_user "$copy.g" list
  rm -f "$copy" "$copy.g"
  assert_failure 1
  assert_output "hutch: refusing to run: the hutch binary is installed setuid/setgid (or with file capabilities)"
  assert_rl_clean
}

@test "rootless: sysfs without a network namespace of our own falls back to the host's /sys (bind)" {
  rl_config '.mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]} else . end)
    | .process.args = ["sh", "-c", "ls /sys/kernel/mm >/dev/null && grep \" /sys \" /proc/self/mountinfo"]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --regexp "^[0-9]+ [0-9]+ [0-9:]+ / /sys ro,nosuid,nodev,noexec,.* - sysfs "
  assert_rl_clean
}

@test "rootless: a read-only bind of a nosuid,nodev,noexec mount keeps those locked flags; clearing them is one line" {
  RL_LOCKED="$RL_HOME/locked-$BATS_TEST_NUMBER"
  mkdir "$RL_LOCKED"
  mount -t tmpfs -o nosuid,nodev,noexec,size=1m tmpfs "$RL_LOCKED"
  rl_config ".mounts += [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$RL_LOCKED\", \"options\": [\"bind\", \"ro\"]}]
    | .process.args = [\"sh\", \"-c\", \"grep ' /mnt ' /proc/self/mountinfo\"]"
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --regexp "^[0-9]+ [0-9]+ [0-9:]+ / /mnt ro,nosuid,nodev,noexec,"
  rl_config '.mounts[-1].options = ["bind", "ro", "suid"]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: run $(cid): mounts[$(jq '.mounts | length - 1' "$BUNDLE/config.json")]: bind $RL_LOCKED on /mnt: clear locked mount flags: Operation not permitted"
  assert_rl_clean
}

@test "rootless: a delegated (user-owned) cgroup is used: limits, ps, pause, update, events, kill --all, delete" {
  RL_DELEG="hutch-test-rl-$$-$BATS_TEST_NUMBER-deleg"
  local h id
  id=$(cid)
  for h in /sys/fs/cgroup/*/; do
    mkdir "$h$RL_DELEG"
    chown -R "$RL_UID:$RL_GID" "$h$RL_DELEG"
  done
  cat /sys/fs/cgroup/cpuset/cpuset.cpus >"/sys/fs/cgroup/cpuset/$RL_DELEG/cpuset.cpus" 2>/dev/null || true
  cat /sys/fs/cgroup/cpuset/cpuset.mems >"/sys/fs/cgroup/cpuset/$RL_DELEG/cpuset.mems" 2>/dev/null || true
  rl_config ".linux.cgroupsPath = \"/$RL_DELEG/$id\" | .linux.resources = {\"pids\": {\"limit\": 20}}
    | .process.args = [\"sleep\", \"1000\"]"
  # On cgroup2, moving a process needs write access to the common ancestor:
  # hutch starts inside the delegated cgroup, as a user's session would.
  local uni=/sys/fs/cgroup/unified
  [ -d "$uni/$RL_DELEG" ] || uni=/sys/fs/cgroup
  sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$uni/$RL_DELEG" \
    setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups env -i XDG_RUNTIME_DIR="$RL_XDG" \
    "$HUTCH" run -d -b "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/run-d.out" 2>&1 ||
    fail "run -d: $(cat "$BATS_TEST_TMPDIR/run-d.out")"
  local pid
  pid=$(rl_hutch state "$id" | jq -r .pid)
  grep -qx "[0-9]*:pids:/$RL_DELEG/$id" "/proc/$pid/cgroup" || fail "not in the delegated cgroup: $(cat "/proc/$pid/cgroup")"
  [ "$(cat "/sys/fs/cgroup/pids/$RL_DELEG/$id/pids.max")" = 20 ]
  run rl_hutch ps --format json "$id"
  assert_success
  assert_output "[$pid]"
  run rl_hutch pause "$id"
  assert_success
  [ "$(rl_hutch state "$id" | jq -r .status)" = paused ]
  run rl_hutch resume "$id"
  assert_success
  run rl_hutch update --pids-limit 30 "$id"
  assert_success
  [ "$(cat "/sys/fs/cgroup/pids/$RL_DELEG/$id/pids.max")" = 30 ]
  run rl_hutch events --stats "$id"
  assert_success
  [ "$(echo "$output" | jq -r .data.pids.limit)" = 30 ]
  run rl_hutch kill --all "$id" KILL
  assert_success
  wait_status_rl "$id" stopped
  run rl_hutch delete "$id"
  assert_success
  [ -z "$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -name "$id")" ] || fail "cgroup left: $(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -name "$id")"
  assert_rl_clean
}

@test "rootless: uid 0 in a user namespace mapping only the user (as rootless podman runs it) is rootless; --rootless false is not" {
  command -v unshare >/dev/null || skip "unshare (util-linux) not installed"
  local id
  id=$(cid)
  # Inside, the user is 0: the config maps that.
  rl_config '.process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]
    | .linux.uidMappings[0].hostID = 0 | .linux.gidMappings[0].hostID = 0'
  # auto: euid 0, but uid_map is not the whole range: $XDG_RUNTIME_DIR/hutch,
  # and the cgroup the kernel refuses is skipped (no limits asked).
  run as_user unshare --user --map-root-user "$HUTCH" run -b "$BUNDLE" "$id"
  assert_success
  assert_output "$(printf '0\n         0          0          1')"
  [ -d "$RL_XDG/hutch" ] || fail "the default root was not \$XDG_RUNTIME_DIR/hutch"
  # --rootless false: treated as root, the cgroup it cannot make is an error.
  run as_user unshare --user --map-root-user "$HUTCH" --rootless false --root "$RL_XDG/hutch" run -b "$BUNDLE" "$id"
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
  assert_output --partial "cgroup: create /sys/fs/cgroup/"
  assert_rl_clean
}

@test "rootless: sysctls in namespaces of its own work, others are one line" {
  rl_config '.linux.sysctl = {"kernel.shmmax": "123456789"} | .process.args = ["cat", "/proc/sys/kernel/shmmax"]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output 123456789
  # No network namespace of its own: the host's is not the container's to change.
  rl_config '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: run $(cid): linux.sysctl: net.ipv4.ip_forward is not allowed in the host's network namespace"
  # With one (owned by the container's user namespace), it is.
  rl_config '.linux.namespaces += [{"type": "network"}] | .linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.args = ["cat", "/proc/sys/net/ipv4/ip_forward"]'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output 1
  rl_config '.linux.sysctl = {"vm.swappiness": "10"}'
  run rl_hutch run -b "$BUNDLE" "$(cid)"
  assert_failure 1
  assert_output "hutch: run $(cid): linux.sysctl: vm.swappiness is not in a separate kernel namespace"
  assert_rl_clean
}

@test "rootless: --systemd-cgroup without the user's bus is one line naming it, exit 1, nothing left" {
  local id
  id=$(cid)
  rl_config '.linux.cgroupsPath = "user.slice:hutch-test:'"$id"'" | .linux.resources = {"memory": {"limit": 67108864}}'
  # $XDG_RUNTIME_DIR/bus: no user session here.
  run rl_hutch --systemd-cgroup run -b "$BUNDLE" "$id"
  assert_failure 1
  assert_output "hutch: run $id: --systemd-cgroup: rootless: cannot reach the user's systemd on its user bus ($RL_XDG/bus): start a user session (e.g. loginctl enable-linger) or drop --systemd-cgroup: No such file or directory"
  # DBUS_SESSION_BUS_ADDRESS wins over XDG_RUNTIME_DIR, and is named.
  run as_user env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent-hutch-rl/bus "$HUTCH" --systemd-cgroup run -b "$BUNDLE" "$id"
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
  assert_output --partial "on its user bus (DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent-hutch-rl/bus)"
  # No XDG_RUNTIME_DIR at all, with --root: the bus error says so.
  run setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups env -i PATH=/usr/bin:/bin \
    "$HUTCH" --root "$RL_XDG/hutch" --systemd-cgroup run -b "$BUNDLE" "$id"
  assert_failure 1
  [ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
  assert_output --partial "on its user bus (\$XDG_RUNTIME_DIR/bus, and XDG_RUNTIME_DIR is not set)"
  [ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "*$id*" 2>/dev/null)" ]
  assert_rl_clean
}

@test "rootless: a --root owned by another user (root) is one line, exit 1, nothing made in it" {
  local id other
  id=$(cid)
  other="$RL_HOME/share-$BATS_TEST_NUMBER"
  # Root's dir, even one the user may write (1777, as /tmp): not the user's to trust.
  mkdir -m 1777 "$other"
  run rl_hutch --root "$other" run -b "$BUNDLE" "$id"
  assert_failure 1
  assert_output "hutch: --root $other: owned by uid 0, not by uid $RL_UID"
  [ -z "$(ls -A "$other")" ] || fail "made in $other: $(ls -A "$other")"
  # The default root made by someone else first: refused the same way.
  mkdir -m 0755 "$RL_XDG/hutch"
  run rl_hutch run -b "$BUNDLE" "$id"
  assert_failure 1
  assert_output "hutch: --root $RL_XDG/hutch: owned by uid 0, not by uid $RL_UID"
  # uid 0 of a user namespace mapping only the user (rootless podman): root's
  # dir is nobody's there, still refused.
  if command -v unshare >/dev/null; then
    run as_user unshare --user --map-root-user "$HUTCH" --root "$other" run -b "$BUNDLE" "$id"
    assert_failure 1
    assert_output "hutch: --root $other: owned by uid 65534, not by uid 0"
  fi
  [ -z "$(ls -A "$other")" ] || fail "made in $other: $(ls -A "$other")"
  rm -rf "${RL_XDG:?}/hutch"
  assert_rl_clean
}

@test "rootless: uid 0 of a user namespace the user holds (as rootless podman's) runs, execs into, kills and deletes a container" {
  command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "unshare/nsenter (util-linux) not installed"
  local id holder
  id=$(cid)
  rl_config '.process.args = ["sleep", "1000"] | .linux.uidMappings[0].hostID = 0 | .linux.gidMappings[0].hostID = 0'
  # The namespace holder, as podman's pause process: uid 0 maps the user alone.
  as_user unshare --user --map-root-user sh -c "echo \$\$ >$RL_HOME/share-$BATS_TEST_NUMBER.pid; exec sleep 1000" &
  local i
  for i in $(seq 50); do [ -s "$RL_HOME/share-$BATS_TEST_NUMBER.pid" ] && break; sleep 0.1; done
  holder=$(cat "$RL_HOME/share-$BATS_TEST_NUMBER.pid")
  in_userns() { as_user nsenter --user --preserve-credentials --target "$holder" "$@"; }
  in_userns "$HUTCH" run -d -b "$BUNDLE" "$id" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 || fail "run -d: $(cat "$BATS_TEST_TMPDIR/run.out")"
  # exec enters the container's pid namespace and cannot come back to the
  # host's (not its user namespace's): it stays there, and works.
  run in_userns "$HUTCH" exec "$id" sh -c 'echo exec ok; exit 4'
  assert_failure 4
  assert_output "exec ok"
  run in_userns "$HUTCH" exec "$id" cat /proc/1/cmdline
  assert_success
  assert_output "sleep1000"
  run in_userns "$HUTCH" kill "$id" KILL
  assert_success
  wait_status_rl "$id" stopped
  run in_userns "$HUTCH" delete "$id"
  assert_success
  kill -9 "$holder" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -f "$RL_HOME/share-$BATS_TEST_NUMBER.pid"
  assert_rl_clean
}
