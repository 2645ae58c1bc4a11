#!/usr/bin/env bats
# checkpoint / restore through criu.  criu works only where `criu check`
# passes (the test VMs' Debian 6.1 kernel, not our 6.18 hosts): there the
# tests that need it skip, with the reason.  tests/run-all.sh runs this file
# in the pure cgroup v2 VM.

load helpers
load cgroup_helpers

# Skip unless hutch says checkpoint works here (criu installed, `criu
# check` passes).
need_criu() {
  local why
  if ! why=$(hutch checkpoint --help 2>&1 >/dev/null); then
    skip "checkpoint/restore unavailable here: $why"
  fi
}

# A container counting into its rootfs' /tmp/count.  Its stdio is the
# container's own /dev/null: criu checkpoints what is inside the container.
counting_bundle() {
  set_args sh -c 'exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done'
  update_config '.root.readonly = false'
}

count() {
  cat "${1:-$BUNDLE}/rootfs/tmp/count" 2>/dev/null || echo 0
}

# wait_count_above N [BUNDLE]: poll until the count is above N (fails after
# 30 s, which only a container that does not run reaches).
wait_count_above() {
  local i
  for i in $(seq 300); do
    [ "$(count "${2:-}")" -gt "$1" ] && return 0
    sleep 0.1
  done
  fail "the count never went above $1 (now $(count "${2:-}"))"
}

# wait_count_changed FROM [BUNDLE]: poll until the count is not FROM; echo it.
wait_count_changed() {
  local i c
  for i in $(seq 300); do
    c=$(count "${2:-}")
    if [ "$c" != "$1" ]; then
      echo "$c"
      return 0
    fi
    sleep 0.1
  done
  fail "the count stayed at $1"
}

RECVTTY=${RECVTTY:-$(dirname "$HUTCH")/tests/tools/recvtty}
RECVTTY_PIDS=()

# start_recvtty NAME: a console-socket receiver on $SOCKDIR/NAME.sock that
# copies what the pty prints to $SOCKDIR/NAME.out (bats/console.bats).
start_recvtty() {
  [ -x "$RECVTTY" ] || fail "recvtty not built ($RECVTTY)"
  [ -n "${SOCKDIR:-}" ] || SOCKDIR=$(mktemp -d /tmp/hutch-test-cr.XXXXXX)
  "$RECVTTY" -o "$SOCKDIR/$1.out" "$SOCKDIR/$1.sock" 3>&- &
  RECVTTY_PIDS+=($!)
  wait_socket "$SOCKDIR/$1.sock"
}

# assert_counts_on N: the container's count changes to one above N (restored,
# not restarted).
assert_counts_on() {
  local next
  next=$(wait_count_changed "$1")
  [ "$next" -gt "$1" ] || fail "count restarted: $1 before, $next after"
}

# wait_console_above NAME N: poll until $SOCKDIR/NAME.out shows "count M"
# with M above N (fails after 30 s).
wait_console_above() {
  local i n=0
  for i in $(seq 300); do
    n=$(tr -d '\r' <"$SOCKDIR/$1.out" | sed -n 's/^count \([0-9]*\)$/\1/p' | tail -1)
    [ "${n:-0}" -gt "$2" ] && return 0
    sleep 0.1
  done
  fail "nothing past count $2 on console $1: $(tail -c 300 "$SOCKDIR/$1.out")"
}

# No state dir of a replaced container left aside (restore.c: .restore@PID).
assert_none_aside() {
  if ls -A "$ROOT" | grep -q '@'; then
    fail "left in $ROOT: $(ls -A "$ROOT")"
  fi
}

# start_ns_holder: a process in an ipc and a uts namespace of its own,
# $HOLDER (killed in teardown).
start_ns_holder() {
  unshare --ipc --uts sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
  HOLDER=$!
  disown "$HOLDER" # no "Killed" notice at teardown
  local i
  for i in $(seq 100); do
    [ "$(readlink /proc/$HOLDER/ns/uts)" = "$(readlink /proc/self/ns/uts)" ] || return 0
    sleep 0.1
  done
  fail "unshare --ipc --uts made no namespaces"
}

# assert_holder_ns ID: container ID's init is in $HOLDER's ipc and uts
# namespaces.
assert_holder_ns() {
  local pid ns
  pid=$(container_pid "$1")
  for ns in ipc uts; do
    [ "$(readlink "/proc/$pid/ns/$ns")" = "$(readlink "/proc/$HOLDER/ns/$ns")" ] ||
      fail "$1: $ns namespace $(readlink "/proc/$pid/ns/$ns"), not the holder's $(readlink "/proc/$HOLDER/ns/$ns")"
  done
}

extra_teardown() {
  [ -z "${HOLDER:-}" ] || kill -9 "$HOLDER" 2>/dev/null || true
  local p
  for p in "${RECVTTY_PIDS[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  [ -z "${SOCKDIR:-}" ] || rm -rf "$SOCKDIR"
}

# Nothing of a restore under $ROOT stays mounted (criu-root).
assert_no_root_mounts() {
  if grep -q " $ROOT/" /proc/self/mountinfo; then
    fail "mount under $ROOT left behind: $(grep " $ROOT/" /proc/self/mountinfo)"
  fi
}

@test "checkpoint --help and features agree on whether criu works here" {
  run hutch features
  assert_success
  enabled=$(printf '%s\n' "$output" | jq -r '.annotations["org.hutch.checkpoint.enabled"]')
  run hutch checkpoint --help
  if [ "$enabled" = true ]; then
    assert_success
    assert_output --partial "--image-path"
  else
    assert_one_line_error
    assert_output --partial "criu"
    run hutch restore --help
    assert_one_line_error
    run hutch --help
    assert_output --partial "checkpoint  unavailable here"
  fi
}

@test "criu absent: checkpoint and restore say so in one line; the container runs on" {
  run_sleeping "$(cid)"
  id=$(cid)
  pid=$(init_pid "$id")
  run hutch --criu /nonexistent/criu checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
  assert_one_line_error
  assert_output --partial "--criu /nonexistent/criu is not executable"
  run env PATH=/nonexistent "$HUTCH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
  assert_one_line_error
  assert_output --partial "criu, which is not installed (no criu in PATH)"
  run hutch --criu /nonexistent/criu restore --image-path "$BATS_TEST_TMPDIR/img" "$(cid 2)"
  assert_one_line_error
  assert_output --partial "criu"
  # go-runc (containerd's shim) passes -no-subreaper with one dash.
  run hutch --criu /nonexistent/criu restore --image-path "$BATS_TEST_TMPDIR/img" -no-subreaper "$(cid 2)"
  assert_one_line_error
  assert_output --partial "--criu /nonexistent/criu is not executable"
  [ ! -e "$BATS_TEST_TMPDIR/img" ]
  [ ! -e "$ROOT/$(cid 2)" ]
  [ "$(container_status "$id")" = running ]
  [ "$(init_pid "$id")" = "$pid" ]
}

@test "checkpoint stops a counting container; restore brings it back counting on" {
  need_criu
  counting_bundle
  id=$(cid)
  img=$BATS_TEST_TMPDIR/img
  hutch run -d --bundle "$BUNDLE" "$id"
  old_pid=$(init_pid "$id")
  wait_count_above 4
  run hutch checkpoint --image-path "$img" "$id"
  assert_success
  assert_output ""
  [ -f "$img/inventory.img" ]
  [ "$(container_status "$id")" = stopped ]
  at=$(count)
  # In the foreground: restore waits for the restored init, as run does.
  hutch restore --image-path "$img" --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/restore.out" 2>&1 &
  rpid=$!
  wait_status "$id" running
  new_pid=$(init_pid "$id")
  [ "$new_pid" != 0 ] && [ -d "/proc/$new_pid" ]
  [ "$new_pid" != "$old_pid" ] || [ ! -d "/proc/$old_pid" ]
  # The count goes on from where it was (a restart would say 1).
  assert_counts_on "$at"
  hutch kill "$id" KILL
  st=0
  wait "$rpid" || st=$?
  [ "$st" = 137 ] || fail "restore exited $st, not 137: $(cat "$BATS_TEST_TMPDIR/restore.out")"
  # ... and deletes the container once it is gone.
  assert_no_leftovers "$id"
  assert_no_root_mounts
}

@test "checkpoint --leave-running keeps it running; restore into a new ID has the memory limit back" {
  need_criu
  counting_bundle
  update_config '.linux.resources.memory.limit = 67108864'
  id=$(cid)
  img=$BATS_TEST_TMPDIR/img
  hutch run -d --bundle "$BUNDLE" "$id"
  pid=$(init_pid "$id")
  wait_count_above 2
  # A process started by exec is outside the init's tree: criu leaves it
  # out, and checkpoint says so.
  hutch exec -d "$id" sleep 1000 </dev/null >/dev/null 2>&1
  run hutch checkpoint --leave-running --image-path "$img" --work-path "$BATS_TEST_TMPDIR/work" "$id"
  assert_success
  assert_output --regexp "process [0-9]+ \(sleep\) is not in the init's process tree"
  [ -f "$BATS_TEST_TMPDIR/work/dump.log" ]
  [ "$(container_status "$id")" = running ]
  [ "$(init_pid "$id")" = "$pid" ]
  wait_count_changed "$(count)" >/dev/null
  hutch delete --force "$id"
  assert_no_test_cgroups
  at=$(count)
  id2=$(cid new)
  run hutch restore -d --image-path "$img" --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$id2"
  assert_success
  [ "$(container_status "$id2")" = running ]
  pid=$(init_pid "$id2")
  [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
  run hutch list -q
  assert_output "$id2"
  # The restored tree is in the new container's cgroup, with the limit.
  dir=$(cg_dir memory "$pid")
  [[ $dir == *"$id2"* ]] || fail "restored into $dir, not the container's cgroup"
  if systemd_driver; then
    [ "$(systemctl is-active "$(cg_leaf "$id2")")" = active ] || fail "$(cg_leaf "$id2") is not active"
  fi
  if cg_is_v1 memory; then
    [ "$(cg_read memory memory.limit_in_bytes "$pid")" = 67108864 ]
  else
    [ "$(cg_read memory memory.max "$pid")" = 67108864 ]
  fi
  # Restored from the checkpoint: the count goes on from (about) the
  # checkpoint's value, not from 1.
  next=$(wait_count_changed "$at")
  [ "$next" -gt 1 ] || fail "count restarted: $next"
  run hutch delete --force "$id2"
  assert_success
  assert_no_leftovers "$id2"
}

@test "a container with a terminal: restore hands a new pty master to --console-socket; the count goes on there; joined ipc/uts namespaces stay joined" {
  need_criu
  # The count goes to the container's file and to its terminal.
  set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; echo "count $i"; sleep 0.1; done'
  update_config '.root.readonly = false | .process.terminal = true | del(.process.capabilities.ambient)'
  # Its ipc and uts namespaces are joined by path: criu's --join-ns, which
  # goes in the RPC request (the configuration file would join each twice).
  start_ns_holder
  update_config "(.linux.namespaces[] | select(.type == \"ipc\" or .type == \"uts\")) |= . + {path: (\"/proc/$HOLDER/ns/\" + .type)}"
  id=$(cid)
  img=$BATS_TEST_TMPDIR/img
  start_recvtty first
  hutch run -d --console-socket "$SOCKDIR/first.sock" --bundle "$BUNDLE" "$id"
  assert_holder_ns "$id"
  wait_count_above 4
  # --leave-running: it runs on, its console too; the image comes back in
  # a new ID on a console of its own.
  run hutch checkpoint --leave-running --image-path "$img.live" "$id"
  assert_success
  [ "$(container_status "$id")" = running ]
  at=$(count)
  wait_console_above first "$at"
  id2=$(cid live)
  start_recvtty third
  run hutch restore -d --console-socket "$SOCKDIR/third.sock" --image-path "$img.live" --bundle "$BUNDLE" "$id2"
  assert_success
  [ "$(container_status "$id2")" = running ]
  assert_holder_ns "$id2"
  wait_console_above third "$at"
  ! grep -q "^count 1\b" "$SOCKDIR/third.out" || fail "the count restarted on the new console"
  [ "$(container_status "$id")" = running ]
  hutch delete --force "$id2"
  assert_no_leftovers "$id2"
  run hutch checkpoint --image-path "$img" "$id"
  assert_success
  [ "$(container_status "$id")" = stopped ]
  at=$(count)
  # The first console saw the count until the checkpoint, then its pty closed.
  wait "${RECVTTY_PIDS[0]}"
  grep -q "^count 3" "$SOCKDIR/first.out" || fail "first console: $(head -c 300 "$SOCKDIR/first.out")"
  # Without a console socket a terminal cannot come back.
  run hutch restore -d --image-path "$img" --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial "--console-socket is needed"
  [ "$(container_status "$id")" = stopped ]
  assert_none_aside
  start_recvtty second
  run hutch restore -d --console-socket "$SOCKDIR/second.sock" --image-path "$img" --bundle "$BUNDLE" "$id"
  assert_success
  assert_output ""
  [ "$(container_status "$id")" = running ]
  assert_holder_ns "$id"
  ! grep -q "join-ns" "$img/restore.conf" || fail "--join-ns in criu's configuration file, which criu reads twice"
  assert_counts_on "$at"
  # The restored process prints on the new pty: counts past the checkpoint's.
  wait_console_above second "$at"
  ! grep -q "^count 1\b" "$SOCKDIR/second.out" || fail "the count restarted on the new console"
  run hutch delete --force "$id"
  assert_success
  assert_no_leftovers "$id"
  assert_no_root_mounts
}

@test "a failed restore leaves nothing behind and says why in one line" {
  need_criu
  counting_bundle
  id=$(cid)
  img=$BATS_TEST_TMPDIR/img
  hutch run -d --bundle "$BUNDLE" "$id"
  wait_count_above 1
  hutch checkpoint --image-path "$img" "$id"
  # A rootfs without the checkpointed program: criu cannot restore it.
  b2=$BATS_TEST_TMPDIR/b2
  mkdir -p "$b2"
  cp -a "$BUNDLE/rootfs" "$b2/rootfs"
  cp "$BUNDLE/config.json" "$b2/config.json"
  rm "$b2/rootfs/bin/busybox"
  id2=$(cid 2)
  run hutch restore -d --image-path "$img" --bundle "$b2" "$id2"
  assert_one_line_error
  assert_output --partial "criu restore failed"
  assert_output --partial "restore.log"
  [ ! -e "$ROOT/$id2" ]
  [ -z "$(find /sys/fs/cgroup -maxdepth 5 -type d -name "$id2" | head -1)" ] || fail "cgroup of $id2 left"
  assert_no_root_mounts
  # The checkpointed container is as it was (stopped) ...
  [ "$(container_status "$id")" = stopped ]
  # ... also after a restore onto its ID failed in criu (after it was moved
  # aside): then delete removes it.
  run hutch restore -d --image-path "$img" --bundle "$b2" "$id"
  assert_one_line_error
  assert_output --partial "criu restore failed"
  [ "$(container_status "$id")" = stopped ]
  assert_none_aside
  assert_no_root_mounts
  run hutch delete "$id"
  assert_success
  assert_no_leftovers "$id"
}

@test "checkpoint --pre-dump, then --parent-path (relative to --image-path) --auto-dedup; restore replaces the stopped container" {
  need_criu
  counting_bundle
  local log=$BATS_TEST_TMPDIR/poststop.log
  update_config ".hooks.poststop = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo poststop >>$log\"]}]"
  id=$(cid)
  hutch run -d --bundle "$BUNDLE" "$id"
  wait_count_above 2
  run hutch checkpoint --pre-dump --image-path "$BATS_TEST_TMPDIR/p1" "$id"
  assert_success
  [ "$(container_status "$id")" = running ]
  wait_count_changed "$(count)" >/dev/null
  # --auto-dedup: criu punches the pages p2 holds again out of p1.
  local before after
  before=$(du -sk "$BATS_TEST_TMPDIR/p1" | cut -f1)
  run hutch checkpoint --parent-path ../p1 --auto-dedup --image-path "$BATS_TEST_TMPDIR/p2" "$id"
  assert_success
  [ "$(container_status "$id")" = stopped ]
  [ -L "$BATS_TEST_TMPDIR/p2/parent" ] || fail "no parent link in p2: $(ls "$BATS_TEST_TMPDIR/p2")"
  after=$(du -sk "$BATS_TEST_TMPDIR/p1" | cut -f1)
  [ "$after" -lt "$before" ] || fail "--auto-dedup: p1 took ${before} KiB before, ${after} KiB after"
  at=$(count)
  run hutch restore -d --image-path "$BATS_TEST_TMPDIR/p2" --bundle "$BUNDLE" "$id"
  assert_success
  [ "$(container_status "$id")" = running ]
  assert_counts_on "$at"
  # The stopped container was deleted as delete does (its poststop hook
  # ran), without the cgroup the restored one now uses.
  [ "$(cat "$log")" = poststop ]
  assert_none_aside
  pid=$(init_pid "$id")
  dir=$(cg_dir memory "$pid")
  [[ $dir == *"$id"* ]] || fail "restored into $dir, not the container's cgroup"
  [ -d "$dir" ] || fail "cgroup $dir is gone"
  wait_count_changed "$(count)" >/dev/null
  run hutch delete --force "$id"
  assert_success
  [ "$(wc -l <"$log")" = 2 ]
  assert_no_leftovers "$id"
}

@test "bad input: no --image-path, not a checkpoint, an ID in use: one line, nothing changed" {
  need_criu
  run_sleeping "$(cid)"
  id=$(cid)
  pid=$(init_pid "$id")
  run hutch checkpoint "$id"
  assert_one_line_error
  assert_output --partial "--image-path: required"
  mkdir "$BATS_TEST_TMPDIR/empty"
  run hutch restore -d --image-path "$BATS_TEST_TMPDIR/empty" --bundle "$BUNDLE" "$(cid 2)"
  assert_one_line_error
  assert_output --partial "not a checkpoint (no inventory.img)"
  [ ! -e "$ROOT/$(cid 2)" ]
  run hutch checkpoint --manage-cgroups-mode bogus --image-path "$BATS_TEST_TMPDIR/i" "$id"
  assert_one_line_error
  assert_output --partial "--manage-cgroups-mode: expected soft, full, strict or ignore"
  # Images restored onto the ID of a running container: refused.
  mkdir "$BATS_TEST_TMPDIR/img"
  : >"$BATS_TEST_TMPDIR/img/inventory.img"
  run hutch restore -d --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BUNDLE" "$id"
  assert_one_line_error
  assert_output --partial "already exists and is running"
  [ "$(container_status "$id")" = running ]
  [ "$(init_pid "$id")" = "$pid" ]
  run hutch restore -d --console-socket /x --image-path "$BATS_TEST_TMPDIR/img" --bundle "$BUNDLE" "$(cid 3)"
  assert_one_line_error
  assert_output --partial "--console-socket: the container has no terminal"
  [ ! -e "$ROOT/$(cid 3)" ]
}
