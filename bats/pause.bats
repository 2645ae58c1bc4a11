#!/usr/bin/env bats
# pause / resume: the freezer (v1 freezer.state, v2 cgroup.freeze).

load helpers
load cgroup_helpers

freezer_state() {
  local pid=$1
  if cg_is_v1 freezer; then
    cg_read freezer freezer.state "$pid"
  else
    case "$(cg_read unified cgroup.freeze "$pid")" in 1) echo FROZEN ;; *) echo THAWED ;; esac
  fi
}

@test "pause freezes every process, state says paused; resume thaws" {
  set_args sh -c 'sleep 1000 & sleep 1000'
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  pid=$(init_pid "$id")
  run hutch pause "$id"
  assert_success
  assert_output ""
  run hutch state "$id"
  assert_output --partial '"status": "paused"'
  [ "$(freezer_state "$pid")" = FROZEN ]
  if cg_is_v1 freezer; then
    # Every task of the cgroup is frozen (v1 shows them in the freezer's tasks).
    [ "$(wc -l <"$(cg_dir freezer "$pid")/tasks")" -ge 1 ]
  else
    run cat "$(cg_dir unified "$pid")/cgroup.events"
    assert_line "frozen 1"
  fi
  run hutch list
  assert_output --partial paused
  run hutch resume "$id"
  assert_success
  run hutch state "$id"
  assert_output --partial '"status": "running"'
  [ "$(freezer_state "$pid")" = THAWED ]
}

@test "a paused container does not run: a counter stops moving" {
  set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count; done'
  update_config '.root.readonly = false'
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  for _ in $(seq 100); do [ -s "$BUNDLE/rootfs/tmp/count" ] && break; sleep 0.1; done
  hutch pause "$id"
  a=$(cat "$BUNDLE/rootfs/tmp/count")
  b=$(cat "$BUNDLE/rootfs/tmp/count")
  c=$(cat "$BUNDLE/rootfs/tmp/count")
  [ "$a" = "$b" ] && [ "$b" = "$c" ]
  hutch resume "$id"
  hutch delete --force "$id"
  assert_no_leftovers "$id"
}

@test "pause a paused container, resume a running one: clear errors" {
  id=$(cid)
  run_sleeping "$id"
  hutch pause "$id"
  run hutch pause "$id"
  assert_one_line_error
  assert_output "hutch: pause $id: the container is paused, not running"
  hutch resume "$id"
  run hutch resume "$id"
  assert_one_line_error
  assert_output "hutch: resume $id: the container is running, not paused"
}

@test "pause and resume of a missing container" {
  run hutch pause nosuch-hutch-test
  assert_one_line_error
  assert_output --partial "container nosuch-hutch-test does not exist"
  run hutch resume nosuch-hutch-test
  assert_one_line_error
}

@test "pause of a stopped container is refused" {
  set_args /bin/true
  id=$(cid)
  hutch run -d --keep --bundle "$BUNDLE" "$id" || hutch run --keep --bundle "$BUNDLE" "$id"
  for _ in $(seq 100); do [ "$(hutch state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  run hutch pause "$id"
  assert_one_line_error
  assert_output --partial "the container is stopped, not running"
}

@test "delete --force and kill --all work on a paused container" {
  set_args sh -c 'sleep 1000 & sleep 1000'
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  hutch pause "$id"
  run hutch kill --all "$id" KILL
  assert_success
  for _ in $(seq 100); do [ "$(hutch state "$id" | jq -r .status)" = stopped ] && break; sleep 0.1; done
  run hutch state "$id"
  assert_output --partial '"status": "stopped"'
  id2=$(cid 2)
  BUNDLE=$(new_bundle "$BATS_TEST_TMPDIR/b2")
  run_sleeping "$id2"
  hutch pause "$id2"
  run hutch delete --force "$id2"
  assert_success
  assert_no_leftovers "$id2"
}
