#!/usr/bin/env bats
# update: --resources FILE|- and runc's per-field flags.

load helpers
load cgroup_helpers

@test "update flags: memory, pids, cpu quota/period/shares, cpuset" {
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run hutch update --memory 100m --memory-reservation 50m --pids-limit 20 \
    --cpu-quota 20000 --cpu-period 50000 --cpu-share 256 --cpuset-cpus 0 --cpuset-mems 0 "$id"
  assert_success
  assert_output ""
  if cg_is_v1 memory; then
    [ "$(cg_read memory memory.limit_in_bytes "$pid")" = 104857600 ]
    [ "$(cg_read memory memory.soft_limit_in_bytes "$pid")" = 52428800 ]
  else
    [ "$(cg_read memory memory.max "$pid")" = 104857600 ]
  fi
  [ "$(cg_read pids pids.max "$pid")" = 20 ]
  if cg_is_v1 cpu; then
    [ "$(cg_read cpu cpu.cfs_quota_us "$pid")" = 20000 ]
    [ "$(cg_read cpu cpu.cfs_period_us "$pid")" = 50000 ]
    [ "$(cg_read cpu cpu.shares "$pid")" = 256 ]
  else
    [ "$(cg_read cpu cpu.max "$pid")" = "20000 50000" ]
  fi
  [ "$(cg_read cpuset cpuset.cpus "$pid")" = 0 ]
}

@test "update --memory-swap together with --memory (v1 ordering both ways)" {
  cg_is_v1 memory || skip "memory not on v1"
  [ -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ] || skip "no swap accounting"
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  hutch update --memory 64m --memory-swap 128m "$id"
  [ "$(cg_read memory memory.memsw.limit_in_bytes "$pid")" = 134217728 ]
  hutch update --memory 512m --memory-swap 1g "$id"
  [ "$(cg_read memory memory.limit_in_bytes "$pid")" = 536870912 ]
  [ "$(cg_read memory memory.memsw.limit_in_bytes "$pid")" = 1073741824 ]
  hutch update --memory 32m --memory-swap 64m "$id"
  [ "$(cg_read memory memory.limit_in_bytes "$pid")" = 33554432 ]
  [ "$(cg_read memory memory.memsw.limit_in_bytes "$pid")" = 67108864 ]
}

@test "update --resources FILE" {
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  echo '{"pids": {"limit": 33}, "memory": {"limit": 209715200}}' >"$BATS_TEST_TMPDIR/r.json"
  run hutch update --resources "$BATS_TEST_TMPDIR/r.json" "$id"
  assert_success
  [ "$(cg_read pids pids.max "$pid")" = 33 ]
  if cg_is_v1 memory; then
    [ "$(cg_read memory memory.limit_in_bytes "$pid")" = 209715200 ]
  fi
}

@test "update --resources - reads stdin" {
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run bash -c "echo '{\"pids\": {\"limit\": 44}}' | $HUTCH --root $ROOT update -r - $id"
  assert_success
  [ "$(cg_read pids pids.max "$pid")" = 44 ]
}

@test "update with bad input: clear one-line errors" {
  id=$(cid)
  run_sleeping "$id"
  echo '{"memory": {"limit": -5}}' >"$BATS_TEST_TMPDIR/bad.json"
  run hutch update -r "$BATS_TEST_TMPDIR/bad.json" "$id"
  assert_one_line_error
  assert_output --partial "linux.resources.memory.limit"
  echo '{"memory": ' >"$BATS_TEST_TMPDIR/broken.json"
  run hutch update -r "$BATS_TEST_TMPDIR/broken.json" "$id"
  assert_one_line_error
  assert_output --partial "broken.json: line"
  run hutch update --memory lots "$id"
  assert_one_line_error
  assert_output --partial '--memory: "lots" is not a size'
  run hutch update --pids-limit x "$id"
  assert_one_line_error
  run hutch update -r /nonexistent/r.json "$id"
  assert_one_line_error
  assert_output --partial "/nonexistent/r.json"
  run hutch update "$id"
  assert_one_line_error
  assert_output --partial "nothing to change"
  run hutch update --pids-limit 3 nosuch-hutch-test
  assert_one_line_error
  assert_output --partial "container nosuch-hutch-test does not exist"
}

@test "update of what the host cannot do names the field" {
  id=$(cid)
  run_sleeping "$id"
  if ! cg_has rdma; then
    echo '{"rdma": {"mlx5_0": {"hcaHandles": 1}}}' >"$BATS_TEST_TMPDIR/r.json"
    run hutch update -r "$BATS_TEST_TMPDIR/r.json" "$id"
    assert_one_line_error
    assert_output --partial "linux.resources.rdma: not supported on this host"
  fi
  if [ "$(cg_mode)" != unified ] && cg_is_v1 pids; then
    echo '{"unified": {"pids.max": "5"}}' >"$BATS_TEST_TMPDIR/u.json"
    run hutch update -r "$BATS_TEST_TMPDIR/u.json" "$id"
    assert_one_line_error
    assert_output --partial 'linux.resources.unified["pids.max"]'
  fi
}

@test "update of a stopped container is refused" {
  set_args /bin/true
  id=$(cid)
  hutch run --keep --bundle "$BUNDLE" "$id" || true
  run hutch update --pids-limit 5 "$id"
  assert_one_line_error
  assert_output --partial "the container is stopped"
}

# issue 16 item 13: as runc, --memory -1 without --memory-swap also lifts the
# memory+swap limit (the kernel refuses a memory limit above memsw: EINVAL).
@test "update --memory -1 after a swap limit unlimits both, as runc" {
  id=$(cid)
  run_sleeping "$id"
  pid=$(init_pid "$id")
  run hutch update --memory 128m --memory-swap 256m "$id"
  assert_success
  run hutch update --memory -1 "$id"
  assert_success
  assert_output ""
  if cg_is_v1 memory; then
    [ "$(cg_read memory memory.limit_in_bytes "$pid")" -gt 1099511627776 ]
    if [ -e "$(cg_v1_mount memory)/memory.memsw.limit_in_bytes" ]; then
      [ "$(cg_read memory memory.memsw.limit_in_bytes "$pid")" -gt 1099511627776 ]
    fi
  else
    [ "$(cg_read memory memory.max "$pid")" = max ]
  fi
}
