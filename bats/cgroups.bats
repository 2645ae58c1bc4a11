#!/usr/bin/env bats
# Resource control: every linux.resources field lands in the container's
# cgroup files (found through /proc/<init>/cgroup), low limits, cgroupsPath,
# and clear errors for what the host cannot enforce.

load helpers
load cgroup_helpers

@test "the init is in a cgroup named after the container in every hierarchy" {
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run cat "/proc/$pid/cgroup"
  assert_success
  while IFS=: read -r n ctrls path; do
    [ "$path" = "$(cg_path "$id")" ] || fail "hierarchy $n ($ctrls): $path, expected $(cg_path "$id")"
  done <"/proc/$pid/cgroup"
  hutch delete --force "$id"
  assert_no_leftovers "$id"
}

@test "memory: limit, reservation, swap, swappiness" {
  cg_has memory || skip "no memory controller"
  update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432}'
  if cg_is_v1 memory; then
    update_config '.linux.resources.memory.swappiness = 10'
    if [ -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ]; then
      update_config '.linux.resources.memory.swap = 134217728'
    fi
  fi
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  if cg_is_v1 memory; then
    [ "$(cg_read memory memory.limit_in_bytes "$pid")" = 67108864 ]
    [ "$(cg_read memory memory.soft_limit_in_bytes "$pid")" = 33554432 ]
    [ "$(cg_read memory memory.swappiness "$pid")" = 10 ]
    if [ -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ]; then
      [ "$(cg_read memory memory.memsw.limit_in_bytes "$pid")" = 134217728 ]
    fi
    # From inside: the container's cgroup mount shows its own limit.
    run hutch exec "$id" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    if [ "$status" -eq 0 ]; then assert_output 67108864; fi
  else
    [ "$(cg_read memory memory.max "$pid")" = 67108864 ]
    [ "$(cg_read memory memory.low "$pid")" = 33554432 ]
  fi
}

@test "cpu: shares, quota, period, cpus, mems" {
  cg_has cpu || skip "no cpu controller"
  update_config '.linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}'
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  if cg_is_v1 cpu; then
    [ "$(cg_read cpu cpu.shares "$pid")" = 512 ]
    [ "$(cg_read cpu cpu.cfs_quota_us "$pid")" = 50000 ]
    [ "$(cg_read cpu cpu.cfs_period_us "$pid")" = 100000 ]
  else
    [ "$(cg_read cpu cpu.weight "$pid")" = 20 ]
    [ "$(cg_read cpu cpu.max "$pid")" = "50000 100000" ]
  fi
  [ "$(cg_read cpuset cpuset.cpus "$pid")" = 0 ]
  [ "$(cg_read cpuset cpuset.mems "$pid")" = 0 ]
  run grep Cpus_allowed_list "/proc/$pid/status"
  assert_output --regexp $'Cpus_allowed_list:\t0$'
}

@test "cpu: realtime period and runtime (v1)" {
  cg_is_v1 cpu || skip "cpu controller not on v1"
  [ -e "$(cg_v1_mount cpu)/cpu.rt_runtime_us" ] || skip "no CONFIG_RT_GROUP_SCHED"
  update_config '.linux.resources.cpu = {"realtimePeriod": 1000000, "realtimeRuntime": 5000}'
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  [ "$(cg_read cpu cpu.rt_period_us "$pid")" = 1000000 ]
  [ "$(cg_read cpu cpu.rt_runtime_us "$pid")" = 5000 ]
}

@test "pids: limit" {
  cg_has pids || skip "no pids controller"
  update_config '.linux.resources.pids = {"limit": 42}'
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  [ "$(cg_read pids pids.max "$pid")" = 42 ]
}

@test "devices: deny by default, the standard devices work, others are refused" {
  update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]'
  set_args sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && mknod /dev/xmem c 1 1 && head -c 1 /dev/xmem'
  # mknod needs CAP_MKNOD; the device cgroup allows mknod of anything.
  update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure
  assert_line 4
  assert_line --partial "/dev/xmem: Operation not permitted"
  assert_no_leftovers "$id"
}

@test "devices: the rules are in devices.list (v1)" {
  cg_is_v1 devices || skip "devices controller not on v1"
  update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 4, "minor": 1, "access": "rw"}]'
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run cat "$(cg_dir devices "$pid")/devices.list"
  assert_line "c 4:1 rw"
  assert_line "c 1:3 rwm"
  refute_line "a *:* rwm"
}

@test "a small memory limit runs /bin/true (256 KiB on v1 memory, 384 KiB on v2)" {
  cg_has memory || skip "no memory controller"
  # On v2 the init is born in the cgroup (CLONE_INTO_CGROUP), so its whole
  # setup (namespaces, mount tree, pivot_root) is charged: 256 KiB failed 1
  # run in 40 in the v2 VM, 320 and 384 KiB none.  On v1 it joins after its
  # first mounts (docs/BENCHMARKS.md, (f)).
  local lim=393216
  cg_is_v1 memory && lim=262144
  update_config ".linux.resources.memory = {\"limit\": $lim}"
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "a memory limit too low for the setup says so instead of a bare SIGKILL" {
  cg_has memory || skip "no memory controller"
  update_config '.linux.resources.memory = {"limit": 16384}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure
  assert_output --partial "memory limit linux.resources.memory.limit = 16384 bytes"
  assert_output --partial "too low"
  assert_no_leftovers "$id"
}

@test "pids limit 1 runs /bin/true, and the container cannot fork" {
  cg_has pids || skip "no pids controller"
  update_config '.linux.resources.pids = {"limit": 1}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_no_leftovers "$id"
  set_args sh -c '/bin/true; echo forked'
  run hutch run --bundle "$BUNDLE" "$(cid 2)"
  refute_output --partial forked
}

@test "absolute cgroupsPath: nested directories, all removed on delete" {
  skip_if_systemd_driver "cgroupsPath is slice:prefix:name there (bats/systemd.bats)"
  id=$(cid)
  update_config ".linux.cgroupsPath = \"/hutch-test-$$-${BATS_TEST_NUMBER}-parent/$id\""
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run cat "/proc/$pid/cgroup"
  assert_line --partial ":/hutch-test-$$-${BATS_TEST_NUMBER}-parent/$id"
  hutch delete --force "$id"
  assert_no_test_cgroups
}

@test "relative cgroupsPath: under the runtime's own cgroup" {
  skip_if_systemd_driver "cgroupsPath is slice:prefix:name there (bats/systemd.bats)"
  id=$(cid)
  update_config ".linux.cgroupsPath = \"$id\""
  run_sleeping "$id"
  pid=$(init_pid "$id")
  # In each hierarchy, the init's cgroup is ours + /<id>.
  while IFS=: read -r n ctrls path; do
    own=$(awk -F: -v n="$n" '$1 == n { print $3 }' /proc/self/cgroup)
    [ "$path" = "${own%/}/$id" ] || fail "hierarchy $n: $path, expected ${own%/}/$id"
  done <"/proc/$pid/cgroup"
  hutch delete --force "$id"
  assert_no_test_cgroups
}

@test "a systemd slice:prefix:name cgroupsPath is refused without --systemd-cgroup" {
  skip_if_systemd_driver "the test is about the cgroupfs driver"
  update_config '.linux.cgroupsPath = "system.slice:hutch:test"'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial 'linux.cgroupsPath "system.slice:hutch:test"'
  assert_no_leftovers "$id"
}

@test "bad values: one-line error, exit 1, nothing left behind" {
  local cases=(
    '.linux.resources.memory = {"limit": -5}|linux.resources.memory.limit'
    '.linux.resources.cpu = {"quota": -7}|linux.resources.cpu.quota'
    '.linux.resources.devices = [{"allow": true, "type": "x"}]|linux.resources.devices[0].type'
    '.linux.resources.blockIO = {"weight": 5}|linux.resources.blockIO.weight'
    '.linux.resources.hugepageLimits = [{"pageSize": "3XB", "limit": 0}]|linux.resources.hugepageLimits'
    '.linux.cgroupsPath = "/a/../../b"|linux.cgroupsPath'
  )
  local i=0 c
  for c in "${cases[@]}"; do
    i=$((i + 1))
    BUNDLE=$(new_bundle "$BATS_TEST_TMPDIR/b$i")
    update_config "${c%%|*}"
    set_args /bin/true
    id=$(cid "$i")
    run hutch run --bundle "$BUNDLE" "$id"
    assert_one_line_error
    assert_output --partial "${c##*|}"
    assert_no_leftovers "$id"
  done
  assert_no_test_cgroups
}

@test "unified on a host whose controller is on cgroup v1 is refused" {
  [ "$(cg_mode)" != unified ] || skip "pure cgroup v2 host"
  cg_is_v1 memory || skip "memory not on v1"
  update_config '.linux.resources.unified = {"memory.max": "100000000"}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial 'linux.resources.unified["memory.max"]'
  assert_output --partial 'cgroup v1'
  assert_no_leftovers "$id"
}

@test "unified: raw v2 values (v2 host)" {
  [ "$(cg_mode)" = unified ] || skip "needs a pure cgroup v2 host"
  update_config '.linux.resources.unified = {"memory.high": "104857600", "pids.max": "17"}'
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  [ "$(cg_read memory memory.high "$pid")" = 104857600 ]
  [ "$(cg_read pids pids.max "$pid")" = 17 ]
}

@test "a controller the host lacks (rdma) is a clear error" {
  cg_has rdma && skip "this host has rdma"
  update_config '.linux.resources.rdma = {"mlx5_0": {"hcaHandles": 3}}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial "linux.resources.rdma: not supported on this host (the rdma controller is not available)"
  assert_no_leftovers "$id"
}

@test "network classID without net_cls is a clear error" {
  cg_is_v1 net_cls && skip "this host has net_cls"
  update_config '.linux.resources.network = {"classID": 1048577}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial "linux.resources.network.classID: not supported on this host"
  assert_no_leftovers "$id"
}

# issue 16 item 20: memory.kernel is deprecated and the runtime-spec lets
# runtimes ignore it: a warning, as runc (it used to be honoured or refused).
@test "memory.kernel: ignored with a warning, as runc" {
  update_config '.linux.resources.memory = {"kernel": 268435456}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_output "hutch: warning: linux.resources.memory.kernel: ignored (kernel memory limits are deprecated)"
  assert_no_leftovers "$id"
}

# issue 16 item 20: blockIO.leafWeight where the kernel has no leaf weights
# (cgroup v2, or v1 without CFQ): ignored with a warning.
@test "blockIO.leafWeight without kernel support: ignored with a warning" {
  cg_has blkio || cg_has io || skip "no blkio/io controller"
  if cg_is_v1 blkio && [ -e "$(cg_v1_mount blkio)/blkio.leaf_weight" ]; then
    skip "this kernel has blkio.leaf_weight"
  fi
  update_config '.linux.resources.blockIO = {"leafWeight": 300}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  assert_output --partial "warning: linux.resources.blockIO.leafWeight: ignored"
  assert_no_leftovers "$id"
}

@test "blockIO weight: written, or refused naming the missing file" {
  cg_has blkio || cg_has io || skip "no blkio/io controller"
  update_config '.linux.resources.blockIO = {"weight": 500}'
  set_args /bin/true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  if [ "$status" -ne 0 ]; then
    assert_one_line_error
    assert_output --regexp 'linux.resources.blockIO.weight: not supported by this kernel \((blkio|io)\.[a-z.]*weight does not exist\)'
  fi
  assert_no_leftovers "$id"
}

@test "blockIO throttling: per-device read bps" {
  cg_is_v1 blkio || skip "blkio not on v1"
  dev=$(lsblk -dno MAJ:MIN 2>/dev/null | head -1 | tr -d ' ')
  [ -n "$dev" ] || skip "no block device"
  update_config ".linux.resources.blockIO = {\"throttleReadBpsDevice\": [{\"major\": ${dev%%:*}, \"minor\": ${dev##*:}, \"rate\": 1048576}]}"
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run cat "$(cg_dir blkio "$pid")/blkio.throttle.read_bps_device"
  assert_output "$dev 1048576"
}

@test "kill --all signals every process of the container" {
  set_args sh -c 'sleep 1000 & sleep 1000 & wait'
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  pid=$(init_pid "$id")
  dir=$(cg_dir pids "$pid")
  # wait until both children exist (bounded)
  for _ in $(seq 50); do [ "$(wc -l <"$dir/cgroup.procs")" -ge 3 ] && break; sleep 0.1; done
  run hutch kill --all "$id" KILL
  assert_success
  for _ in $(seq 100); do [ "$(hutch state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  run hutch state "$id"
  assert_output --partial '"status": "stopped"'
  [ -z "$(cat "$dir/cgroup.procs")" ]
  hutch delete "$id"
  assert_no_leftovers "$id"
}

@test "delete --force removes a cgroup with live processes" {
  set_args sh -c 'sleep 1000 & sleep 1000 & wait'
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  pid=$(init_pid "$id")
  run hutch delete --force "$id"
  assert_success
  assert_no_leftovers "$id"
  # Gone, or a zombie waiting for its reaper.
  [ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
}

@test "ps lists the container's processes (table and json)" {
  set_args sh -c 'sleep 1000 & sleep 1000'
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  pid=$(init_pid "$id")
  for _ in $(seq 50); do [ "$(hutch ps --format json "$id" | jq length)" -ge 2 ] && break; sleep 0.1; done
  run hutch ps --format json "$id"
  assert_success
  echo "$output" | jq -e --argjson p "$pid" 'index($p) != null and length == 2' >/dev/null
  run hutch ps "$id"
  assert_success
  assert_line --index 0 --regexp '^UID +PID'
  [ "${#lines[@]}" -eq 3 ]
  assert_line --regexp "^root +$pid "
  run hutch ps "$id" -o pid,comm
  assert_success
  assert_line --index 0 --regexp 'PID +COMMAND'
  assert_line --regexp "^ *$pid sleep$"
  run hutch ps --format yaml "$id"
  assert_failure
}

@test "cgroup namespace: the container sees its own cgroup as /" {
  update_config '.linux.namespaces += [{"type": "cgroup"}]'
  set_args cat /proc/self/cgroup
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_success
  # Every hierarchy: "N:controllers:/"
  [ "$(printf '%s\n' "$output" | grep -c ':/$')" -eq "$(grep -c . /proc/self/cgroup)" ] ||
    fail "not / in every hierarchy: $output"
  refute_output --partial "$id"
  assert_no_leftovers "$id"
}

@test "hutch's own processes never join the container's cgroup" {
  cg_has pids || skip "no pids controller"
  update_config '.linux.resources.pids = {"limit": 1}'
  id=$(cid)
  set_args sleep 1000
  hutch run -d --bundle "$BUNDLE" "$id"
  pid=$(init_pid "$id")
  run cat "$(cg_dir pids "$pid")/cgroup.procs"
  assert_output "$pid"
  # Commands on the container work although the cgroup is full.
  run hutch ps --format json "$id"
  assert_output "[$pid]"
  run hutch events --stats "$id"
  assert_success
  run hutch pause "$id"
  assert_success
  run hutch resume "$id"
  assert_success
}

@test "v2: a relative cgroupsPath under a cgroup with processes gets a clear error for limits" {
  skip_if_systemd_driver "cgroupsPath is slice:prefix:name there (bats/systemd.bats)"
  [ "$(cg_mode)" = unified ] || skip "needs a pure cgroup v2 host"
  own=$(awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup)
  [ "$own" != / ] || skip "the runtime runs in the root cgroup"
  id=$(cid)
  update_config ".linux.cgroupsPath = \"$id\" | .linux.resources.pids = {\"limit\": 10}"
  set_args /bin/true
  run hutch run --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial "linux.resources.pids.limit: cannot enable the pids controller in"
  assert_output --partial "it has processes of its own"
  assert_no_test_cgroups
  # Its subtree_control was left alone.
  run cat "$(cg_v2_mount)$own/cgroup.subtree_control"
  refute_output --partial pids
}

# issue 16 item 10: a cgroup frozen before `run` would freeze the init as it
# joins, and `run` would wait for it forever: refused with one line first.
FROZEN_DIRS=()
extra_teardown() {
  local d
  for d in "${FROZEN_DIRS[@]}"; do
    [ -e "$d/freezer.state" ] && echo THAWED >"$d/freezer.state"
    [ -e "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze"
    rmdir "$d" 2>/dev/null || true
  done
}

@test "a frozen cgroup is refused before the init joins it (no hang)" {
  skip_if_systemd_driver "systemd makes the scope, it cannot be frozen before"
  local name="hutch-test-$$-${BATS_TEST_NUMBER}-frozen" d fz tried=0
  update_config ".linux.cgroupsPath = \"/$name\""
  set_args /bin/true
  fz=$(cg_v1_mount freezer)
  if [ -n "$fz" ]; then
    d=$fz/$name
    mkdir "$d"
    FROZEN_DIRS+=("$d")
    echo FROZEN >"$d/freezer.state"
    id=$(cid v1)
    # (to a file: a frozen init would keep bats' output pipe open)
    status=0
    timeout -s KILL 20 "$HUTCH" --root "$ROOT" run --bundle "$BUNDLE" "$id" \
      >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/out")
    [ ! -e "$d/freezer.state" ] || echo THAWED >"$d/freezer.state" # let a stuck init go
    [ "$status" -ne 137 ] || fail "run hung on a frozen v1 cgroup"
    assert_one_line_error
    assert_output --partial "cgroup $d is frozen"
    tried=1
  fi
  if [ -n "$(cg_v2_mount)" ]; then
    d=$(cg_v2_mount)/$name
    mkdir "$d"
    FROZEN_DIRS+=("$d")
    echo 1 >"$d/cgroup.freeze"
    id=$(cid v2)
    # (to a file: a frozen init would keep bats' output pipe open)
    status=0
    timeout -s KILL 20 "$HUTCH" --root "$ROOT" run --bundle "$BUNDLE" "$id" \
      >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null || status=$?
    output=$(cat "$BATS_TEST_TMPDIR/out")
    [ ! -e "$d/cgroup.freeze" ] || echo 0 >"$d/cgroup.freeze" # let a stuck init go
    [ "$status" -ne 137 ] || fail "run hung on a frozen v2 cgroup"
    assert_one_line_error
    assert_output --partial "cgroup $d is frozen"
    tried=1
  fi
  [ "$tried" = 1 ] || skip "no freezer"
}
