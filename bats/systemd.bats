#!/usr/bin/env bats
# --systemd-cgroup: the container's cgroup is a transient systemd scope.
# Needs systemd as PID 1 on pure cgroup v2 (tests/vm/run-in-systemd-vm.sh);
# skipped elsewhere.  Each test checks the scope while the container runs,
# its limits in the scope's files, and that nothing is left afterwards.

load helpers
load cgroup_helpers

need_systemd() {
  if [ ! -d /run/systemd/system ] || [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
    skip "needs systemd as PID 1 on pure cgroup v2 (run in tests/vm/run-in-systemd-vm.sh)"
  fi
}

sd() {
  "$HUTCH" --root "$ROOT" --systemd-cgroup "$@"
}

# sd_run_d ID: run -d with the container's stdio in a file (a pipe of bats'
# `run` would stay open as long as the container lives).
sd_run_d() {
  sd run -d --bundle "$BUNDLE" "$1" >"$BATS_TEST_TMPDIR/$1.out" 2>&1 </dev/null ||
    fail "run -d $1: $(cat "$BATS_TEST_TMPDIR/$1.out")"
}

# The scope of container $1 with prefix hutch-test (set_scope).
scope_of() {
  echo "hutch-test-$1.scope"
}

set_scope() {
  update_config ".linux.cgroupsPath = \"system.slice:hutch-test:$1\""
}

scope_dir() {
  echo "/sys/fs/cgroup/system.slice/$(scope_of "$1")"
}

assert_scope_gone() {
  local s
  s=$(scope_of "$1")
  run systemctl is-active "$s"
  [ "$output" != active ] || fail "$s is still active"
  [ ! -e "$(scope_dir "$1")" ] || fail "$(scope_dir "$1") left behind"
  [ ! -e "$ROOT/$1" ] || fail "state directory $ROOT/$1 left behind"
}

extra_teardown() {
  local u
  if [ -d "$BATS_TEST_TMPDIR/root2" ]; then
    for u in $(ls "$BATS_TEST_TMPDIR/root2"); do
      "$HUTCH" --root "$BATS_TEST_TMPDIR/root2" --systemd-cgroup delete --force "$u" >/dev/null 2>&1 || true
    done
  fi
  for u in $(systemctl list-units --all --plain --no-legend 'hutch-test-*' 2>/dev/null | awk '{print $1}'); do
    systemctl kill -s KILL "$u" 2>/dev/null || true
    systemctl stop "$u" 2>/dev/null || true
    systemctl reset-failed "$u" 2>/dev/null || true
  done
  if declare -F rl_teardown >/dev/null; then rl_teardown; fi
}

@test "systemd: run -d makes a scope with the init in it and the limits; delete removes it" {
  need_systemd
  id=$(cid)
  set_scope "$id"
  set_args sleep 1000
  update_config '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 77},
                 "cpu": {"quota": 50000, "period": 100000, "shares": 1024}}'
  sd_run_d "$id"
  run systemctl is-active "$(scope_of "$id")"
  assert_output active
  pid=$(init_pid "$id")
  grep -qx "0::/system.slice/$(scope_of "$id")" "/proc/$pid/cgroup"
  [ "$(cat "$(scope_dir "$id")/memory.max")" = 67108864 ]
  [ "$(cat "$(scope_dir "$id")/pids.max")" = 77 ]
  [ "$(cat "$(scope_dir "$id")/cpu.max")" = "50000 100000" ]
  run systemctl show -p MemoryMax -p TasksMax -p Delegate "$(scope_of "$id")"
  assert_line MemoryMax=67108864
  assert_line TasksMax=77
  assert_line Delegate=yes
  run sd delete --force "$id"
  assert_success
  assert_scope_gone "$id"
}

@test "systemd: no cgroupsPath gives system.slice:hutch:ID" {
  need_systemd
  id=$(cid)
  set_args sleep 1000
  sd_run_d "$id"
  run systemctl is-active "hutch-$id.scope"
  assert_output active
  [ -d "/sys/fs/cgroup/system.slice/hutch-$id.scope" ]
  sd delete --force "$id"
  [ ! -e "/sys/fs/cgroup/system.slice/hutch-$id.scope" ]
}

@test "systemd: a nested slice and org.systemd.property annotations" {
  need_systemd
  id=$(cid)
  update_config ".linux.cgroupsPath = \"hutch-test-a.slice:hutch-test:$id\" |
    .annotations = {\"org.systemd.property.TimeoutStopUSec\": \"uint64 5000000\",
                    \"org.systemd.property.CollectMode\": \"'inactive-or-failed'\"}"
  set_args sleep 1000
  sd_run_d "$id"
  [ -d "/sys/fs/cgroup/hutch.slice/hutch-test.slice/hutch-test-a.slice/$(scope_of "$id")" ]
  run systemctl show -p TimeoutStopUSec -p CollectMode "$(scope_of "$id")"
  assert_line TimeoutStopUSec=5s
  assert_line CollectMode=inactive-or-failed
  sd delete --force "$id"
  [ ! -e "/sys/fs/cgroup/hutch.slice/hutch-test.slice/hutch-test-a.slice/$(scope_of "$id")" ]
  systemctl stop hutch-test-a.slice hutch-test.slice hutch.slice 2>/dev/null || true
}

@test "systemd: exec joins the scope; ps lists; pause/resume; events --stats; kill --all" {
  need_systemd
  id=$(cid)
  set_scope "$id"
  set_args sh -c 'sleep 1000 & sleep 1000'
  sd_run_d "$id"
  run sd exec "$id" true
  assert_success
  # the exec'd process is in the scope
  sd exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 999 >/dev/null 2>&1 </dev/null
  grep -qx "0::/system.slice/$(scope_of "$id")" "/proc/$(cat "$BATS_TEST_TMPDIR/exec.pid")/cgroup"
  run sd ps "$id"
  assert_success
  [ "${#lines[@]}" -ge 4 ]
  run sd pause "$id"
  assert_success
  grep -qx "frozen 1" "$(scope_dir "$id")/cgroup.events"
  [ "$(container_status "$id")" = paused ] || [ "$(sd state "$id" | jq -r .status)" = paused ]
  run sd resume "$id"
  assert_success
  grep -qx "frozen 0" "$(scope_dir "$id")/cgroup.events"
  run sd events --stats "$id"
  assert_success
  echo "$output" | jq -e '.data.pids.current >= 3' >/dev/null
  run sd kill --all "$id" KILL
  assert_success
  wait_status_sd() {
    local i
    for i in $(seq 100); do
      [ "$(sd state "$id" | jq -r .status)" = stopped ] && return 0
      sleep 0.1
    done
    return 1
  }
  wait_status_sd
  sd delete "$id"
  assert_scope_gone "$id"
}

@test "systemd: update sets the unit's properties and the files" {
  need_systemd
  id=$(cid)
  set_scope "$id"
  set_args sleep 1000
  update_config '.linux.resources = {"memory": {"limit": 67108864}}'
  sd_run_d "$id"
  run sd update --memory 33554432 --pids-limit 50 "$id"
  assert_success
  [ "$(cat "$(scope_dir "$id")/memory.max")" = 33554432 ]
  [ "$(cat "$(scope_dir "$id")/pids.max")" = 50 ]
  run systemctl show -p MemoryMax -p TasksMax "$(scope_of "$id")"
  assert_line MemoryMax=33554432
  assert_line TasksMax=50
  sd delete --force "$id"
  assert_scope_gone "$id"
}

@test "systemd on a hybrid host: update keeps the container's device rules (systemd resets them to allow all)" {
  if [ ! -d /run/systemd/system ] || [ ! -e /sys/fs/cgroup/devices/devices.list ]; then
    skip "needs systemd as PID 1 with a v1 devices hierarchy (HUTCH_V2VM_APPEND=systemd.unified_cgroup_hierarchy=0)"
  fi
  local list
  id=$(cid)
  set_scope "$id"
  set_args sleep 1000
  sd_run_d "$id"
  list=/sys/fs/cgroup/devices/system.slice/$(scope_of "$id")/devices.list
  [ -e "$list" ] || fail "no $list"
  run grep -x 'a \*:\* rwm' "$list"
  assert_failure
  grep -qx 'c 1:3 rwm' "$list" || fail "/dev/null not allowed: $(cat "$list")"
  run sd update --pids-limit 50 "$id"
  assert_success
  run grep -x 'a \*:\* rwm' "$list"
  [ "$status" -ne 0 ] || fail "every device allowed after update: $(cat "$list")"
  grep -qx 'c 1:3 rwm' "$list" || fail "/dev/null not allowed after update: $(cat "$list")"
  sd delete --force "$id"
}

@test "systemd: a container's own exit leaves no scope after delete; run (foreground) too" {
  need_systemd
  id=$(cid)
  set_scope "$id"
  set_args sh -c 'exit 3'
  run sd run --bundle "$BUNDLE" "$id"
  assert_failure 3
  assert_scope_gone "$id"
}

@test "systemd: a failed create leaves no scope" {
  need_systemd
  id=$(cid)
  set_scope "$id"
  set_args /no/such/binary
  run sd run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "no/such/binary"
  assert_scope_gone "$id"
}

@test "systemd: a create whose unit name is taken fails and leaves that unit and its processes alone" {
  need_systemd
  id=$(cid)
  set_scope "$id"
  set_args sleep 1000
  sd_run_d "$id"
  pid=$(init_pid "$id")
  # Another root, the same ID and cgroupsPath: the scope's name is taken.
  other=$BATS_TEST_TMPDIR/root2
  mkdir -p "$other"
  run "$HUTCH" --root "$other" --systemd-cgroup run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "unit $(scope_of "$id") already exists"
  [ ! -e "$other/$id" ]
  # The first container still runs in its scope.
  kill -0 "$pid" || fail "the first container's init was killed"
  run systemctl is-active "$(scope_of "$id")"
  assert_output active
  grep -qx "0::/system.slice/$(scope_of "$id")" "/proc/$pid/cgroup"
  [ "$(sd state "$id" | jq -r .status)" = running ]
  sd delete --force "$id"
  assert_scope_gone "$id"
}

@test "systemd: bad input is one line, exit 1, nothing left" {
  need_systemd
  id=$(cid)
  set_args true
  update_config '.linux.cgroupsPath = "/not/systemd/form"'
  run sd run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'linux.cgroupsPath: "/not/systemd/form" is not of the form "slice:prefix:name"'
  [ ! -e "$ROOT/$id" ]

  set_scope "$id"
  update_config '.annotations = {"org.systemd.property.MemoryMax": "[1, 2]"}'
  run sd run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'annotations["org.systemd.property.MemoryMax"]: cannot use value "[1, 2]"'
  assert_scope_gone "$id"

  update_config 'del(.annotations)'
  DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/bus run sd run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "--systemd-cgroup: cannot connect to the system bus"
  assert_scope_gone "$id"
}

@test "systemd: features reports the systemd driver, for root and for a user's manager" {
  run "$HUTCH" features
  assert_success
  [ "$(echo "$output" | jq -r .linux.cgroup.systemd)" = true ]
  [ "$(echo "$output" | jq -r .linux.cgroup.systemdUser)" = true ]
}

# ---- rootless: hutch run by a lingering user with its own systemd ------

RL_USER=hutch-sdvm-rl

# need_user_systemd: the lingering test user (tests/vm/sdvm-adduser.sh, in
# the systemd VM only), its bundle (a copy of $BUNDLE with the config of
# `hutch spec --rootless`) and state root in a dir of its own.
need_user_systemd() {
  need_systemd
  [ "${HUTCH_SDVM:-}" = 1 ] || skip "needs the systemd VM's lingering user (tests/vm/sdvm-adduser.sh)"
  RL_UID=$("$REPO_ROOT/tests/vm/sdvm-adduser.sh" "$RL_USER")
  RL_GID=$(id -g "$RL_USER")
  RL_T=$(mktemp -d /tmp/hutch-test-rl.XXXXXX)
  chmod 755 "$RL_T"
  cp -a "$BUNDLE" "$RL_T/bundle"
  rm -f "$RL_T/bundle/config.json"
  chown -R "$RL_UID:$RL_GID" "$RL_T"
  RL_BUNDLE=$RL_T/bundle
  rl "$HUTCH" spec --rootless --bundle "$RL_BUNDLE"
  rl_config '.process.terminal = false'
}

# rl CMD...: CMD as the user, with its session's environment.
rl() {
  setpriv --reuid "$RL_UID" --regid "$RL_GID" --init-groups \
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$RL_T" USER="$RL_USER" \
    XDG_RUNTIME_DIR="/run/user/$RL_UID" "$@"
}

# rsd ARGS...: hutch --systemd-cgroup as the user, its state in $RL_T/root.
rsd() {
  rl "$HUTCH" --root "$RL_T/root" --systemd-cgroup "$@"
}

rl_config() {
  jq "$1" "$RL_BUNDLE/config.json" >"$RL_BUNDLE/config.json.tmp" &&
    mv "$RL_BUNDLE/config.json.tmp" "$RL_BUNDLE/config.json"
  chown "$RL_UID:$RL_GID" "$RL_BUNDLE/config.json"
}

# The user's manager and its cgroup.
rl_systemctl() {
  rl env DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$RL_UID/bus" systemctl --user "$@"
}

rl_scope_dir() {
  echo "/sys/fs/cgroup/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/hutch-test-$1.scope"
}

rl_teardown() {
  [ -n "${RL_T:-}" ] && [ -d "$RL_T" ] || return 0
  local id
  for id in $(ls "$RL_T/root" 2>/dev/null); do
    rsd delete --force "$id" >/dev/null 2>&1 || true
  done
  local u
  for u in $(rl_systemctl list-units --all --plain --no-legend 'hutch-test-*' 2>/dev/null | awk '{print $1}'); do
    rl_systemctl kill -s KILL "$u" 2>/dev/null || true
    rl_systemctl stop "$u" 2>/dev/null || true
  done
  rm -rf "$RL_T"
}

@test "systemd rootless: the user's systemd makes the scope below user@UID.service, with the limits; delete removes it" {
  need_user_systemd
  local id pid d
  id=$(cid)
  rl_config ".linux.cgroupsPath = \"user.slice:hutch-test:$id\" | .process.args = [\"sleep\", \"1000\"]
    | .linux.resources = {\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 77}}"
  rsd run -d -b "$RL_BUNDLE" "$id" </dev/null >"$RL_T/out" 2>&1 || fail "run -d: $(cat "$RL_T/out")"
  d=$(rl_scope_dir "$id")
  pid=$(rsd state "$id" | jq -r .pid)
  assert_equal "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "${d#/sys/fs/cgroup}"
  # The user's own manager runs it, delegated to the user, with the limits.
  run rl_systemctl show -p Delegate -p MemoryMax -p TasksMax "hutch-test-$id.scope"
  assert_line Delegate=yes
  assert_line MemoryMax=67108864
  assert_line TasksMax=77
  assert_equal "$(stat -c %u "$d")" "$RL_UID"
  assert_equal "$(cat "$d/memory.max") $(cat "$d/pids.max")" "67108864 77"
  # The delegated cgroup serves ps, pause/resume, update, kill --all.
  run rsd ps "$id"
  assert_success
  assert_output --partial "$pid"
  run rsd pause "$id"
  assert_success
  grep -qx "frozen 1" "$d/cgroup.events"
  run rsd resume "$id"
  assert_success
  # exec from a cgroup of the user's systemd joins the scope; from root's
  # (hutch-job.service here, as from a login session's scope) cgroup v2
  # refuses the move: one line saying why, exit 255 (runc leaves the
  # process outside the container's cgroup instead).
  run rl env DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$RL_UID/bus" systemd-run --user --scope --quiet \
    "$HUTCH" --root "$RL_T/root" --systemd-cgroup exec "$id" cat /proc/self/cgroup
  assert_success
  assert_output "0::${d#/sys/fs/cgroup}"
  run rsd exec "$id" true
  assert_failure 255
  assert_equal "${#lines[@]}" 1
  assert_output --partial "cgroup: join $d: Permission denied (rootless: the cgroup you run in is not in your delegated subtree"
  run rsd update --memory 33554432 "$id"
  assert_success
  assert_equal "$(cat "$d/memory.max")" 33554432
  run rsd kill --all "$id" KILL
  assert_success
  run rsd delete --force "$id"
  assert_success
  [ ! -e "$d" ] || fail "$d left"
  run rl_systemctl is-active "hutch-test-$id.scope"
  refute_output active
  [ ! -e "$RL_T/root/$id" ] || fail "state left"
}

@test "systemd rootless: the user's bus unreachable, or limits without a delegated cgroup: one line, exit 1, nothing left" {
  need_user_systemd
  local id
  id=$(cid)
  rl_config ".linux.cgroupsPath = \"user.slice:hutch-test:$id\" | .linux.resources = {\"memory\": {\"limit\": 67108864}}"
  run rl env DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent-hutch/bus "$HUTCH" --root "$RL_T/root" --systemd-cgroup run -b "$RL_BUNDLE" "$id"
  assert_failure 1
  assert_output "hutch: run $id: --systemd-cgroup: rootless: cannot reach the user's systemd on its user bus (DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent-hutch/bus): start a user session (e.g. loginctl enable-linger) or drop --systemd-cgroup: No such file or directory"
  [ ! -e "$(rl_scope_dir "$id")" ]
  [ -z "$(ls -A "$RL_T/root" 2>/dev/null)" ] || fail "state left: $(ls -A "$RL_T/root")"
  # cgroupfs, no cgroupsPath: beside the caller's cgroup, which is root's
  # (hutch-job.service here): not delegated, so limits are refused.
  rl_config 'del(.linux.cgroupsPath)'
  run rl "$HUTCH" --root "$RL_T/root" run -b "$RL_BUNDLE" "$id"
  assert_failure 1
  assert_output "hutch: run $id: linux.resources.memory: limits need a cgroup, and rootless uid $RL_UID cannot write /sys/fs/cgroup/system.slice/hutch-job.service/$id (not delegated): remove the limits or delegate the cgroup"
  [ ! -e "/sys/fs/cgroup/system.slice/hutch-job.service/$id" ]
  [ -z "$(ls -A "$RL_T/root" 2>/dev/null)" ] || fail "state left: $(ls -A "$RL_T/root")"
}
