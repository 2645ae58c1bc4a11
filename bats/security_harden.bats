#!/usr/bin/env bats
# Hardening found by attacks and side-by-side runs with runc (issue 16,
# items 5-9): the state root, links in it, shared cgroups, exec --cwd and
# bind sources a user namespace cannot read.

load helpers
load security_helpers

# run_detached ID [JQ FILTER]: `run -d` a container whose init sleeps.
run_detached() {
  local id=$1
  set_args sleep 100000
  [ -z "${2:-}" ] || update_config "$2"
  hutch run -d --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/$id.out" 2>&1 </dev/null ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/$id.out")"
}

@test "exec --cwd: a missing directory is an error, not made root-owned (as runc)" {
  local id
  id=$(cid)
  run_detached "$id" '.root.readonly = false'
  run hutch exec --cwd /nosuch/dir "$id" pwd
  [ "$status" -ne 0 ] || fail "exec into a missing --cwd succeeded: $output"
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "error is not one line: $output"
  assert_output --partial "/nosuch/dir"
  assert_output --partial "No such file or directory"
  run hutch exec "$id" test -e /nosuch
  [ "$status" -eq 1 ] || fail "exec --cwd created /nosuch"
  # An existing directory still works.
  run hutch exec --cwd /etc "$id" pwd
  assert_success
  assert_output /etc
}

@test "create still makes a missing process.cwd (as runc)" {
  update_config '.process.cwd = "/made/by/create"'
  set_args pwd
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output /made/by/create
}

# one_line_failure: $status is 1 and $output one line.
one_line_failure() {
  [ "$status" -eq 1 ] || fail "expected exit 1, got $status: $output"
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "error is not one line: $output"
}

@test "state root: one writable by others is refused, and nothing is made in it" {
  local root=$BATS_TEST_TMPDIR/open-root
  mkdir -m 0777 "$root"
  chmod 0777 "$root"
  set_args true
  run "$HUTCH" --root "$root" run -b "$BUNDLE" "$(cid)"
  one_line_failure
  assert_output "hutch: --root $root: writable by group or others (mode 0777)"
  [ -z "$(ls -A "$root")" ] || fail "made in a refused root: $(ls -A "$root")"
  run "$HUTCH" --root "$root" list
  one_line_failure
  chmod 0775 "$root"
  run "$HUTCH" --root "$root" state x
  one_line_failure
  assert_output "hutch: --root $root: writable by group or others (mode 0775)"
  # spec and features need no root.
  run "$HUTCH" --root "$root" features
  assert_success
}

@test "state root: one owned by another uid is refused" {
  local root=$BATS_TEST_TMPDIR/their-root
  mkdir -m 0700 "$root"
  chown 1000:1000 "$root"
  set_args true
  run "$HUTCH" --root "$root" run -b "$BUNDLE" "$(cid)"
  one_line_failure
  assert_output "hutch: --root $root: owned by uid 1000, not by uid 0"
  [ -z "$(ls -A "$root")" ] || fail "made in a refused root: $(ls -A "$root")"
  run "$HUTCH" --root "$root" delete --force "$(cid)"
  one_line_failure
}

@test "state root: a missing one is made 0700, parents too" {
  local root=$BATS_TEST_TMPDIR/a/b/root
  set_args true
  run "$HUTCH" --root "$root" run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_equal "$(stat -c %a "$root")" 700
  assert_equal "$(stat -c %a "$BATS_TEST_TMPDIR/a")" 700
}

# cache_entry: the only file in $ROOT/.seccomp~cache (fails otherwise).
cache_entries() {
  find "$ROOT/.seccomp~cache" -mindepth 1 -maxdepth 1 | sort
}

# forge STRICT PERMISSIVE OUT: the cache entry of STRICT (its key) with the
# program of PERMISSIVE: "HUTCHBPF1\n", u32 key length, key, program.
forge() {
  local klen plen
  klen=$(od -An -tu4 -j10 -N4 "$1" | tr -d ' ')
  plen=$(od -An -tu4 -j10 -N4 "$2" | tr -d ' ')
  head -c $((14 + klen)) "$1" >"$3"
  tail -c +$((14 + plen + 1)) "$2" >>"$3"
}

@test "seccomp cache: a planted entry (a symlink, another uid's file) does not loosen a profile" {
  update_config '.root.readonly = false'
  # Permissive first: its entry gives the program to forge with.
  seccomp_allow_but '[{"names": ["acct"], "action": "SCMP_ACT_ERRNO"}]'
  set_args true
  run hutch run -b "$BUNDLE" "$(cid a)"
  assert_success
  local permissive
  permissive=$(cache_entries)
  [ -f "$permissive" ] || fail "no cache entry: $permissive"
  seccomp_allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
  set_args sh -c 'mkdir /made && echo made'
  run hutch run -b "$BUNDLE" "$(cid b)"
  [ "$status" -ne 0 ] || fail "the strict profile allowed mkdir: $output"
  local strict
  strict=$(cache_entries | grep -vx "$permissive")
  [ -f "$strict" ] || fail "no cache entry for the strict profile"
  forge "$strict" "$permissive" "$BATS_TEST_TMPDIR/forged"
  # The forged entry is good: as a file of ours it is used (the cache
  # trusts what only we can write) ...
  cp "$BATS_TEST_TMPDIR/forged" "$strict"
  run hutch run -b "$BUNDLE" "$(cid c)"
  assert_success
  assert_output made
  rmdir "$BUNDLE/rootfs/made"
  # ... but not as a symlink to it ...
  rm "$strict"
  ln -s "$BATS_TEST_TMPDIR/forged" "$strict"
  run hutch run -b "$BUNDLE" "$(cid d)"
  [ "$status" -ne 0 ] || fail "a symlinked cache entry loosened the profile: $output"
  [ ! -e "$BUNDLE/rootfs/made" ]
  [ ! -L "$strict" ] || fail "the symlinked entry was kept"
  # ... nor as another uid's file.
  rm -f "$strict"
  cp "$BATS_TEST_TMPDIR/forged" "$strict"
  chown 1000:1000 "$strict"
  run hutch run -b "$BUNDLE" "$(cid e)"
  [ "$status" -ne 0 ] || fail "another uid's cache entry loosened the profile: $output"
  [ ! -e "$BUNDLE/rootfs/made" ]
}

@test "state root: delete never follows a symlinked state directory" {
  local victim=$BATS_TEST_TMPDIR/victim id
  id=$(cid)
  mkdir "$victim"
  echo keep >"$victim/file"
  ln -s "$victim" "$ROOT/$id"
  run hutch delete "$id"
  one_line_failure
  assert_output --partial "container $id does not exist"
  run hutch delete --force "$id"
  assert_success
  assert_equal "$(cat "$victim/file")" keep
  run hutch state "$id"
  one_line_failure
  run hutch list -q
  refute_output --partial "$id"
  rm "$ROOT/$id"
}

@test "state root: a directory that holds no container (lost+found) is not listed nor deleted" {
  mkdir "$ROOT/lost+found"
  touch "$ROOT/lost+found/x"
  local id
  id=$(cid)
  set_args sleep 100000
  hutch run -d -b "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
  run hutch list -q
  assert_success
  assert_output "$id"
  run hutch list
  refute_output --partial "lost+found"
  run hutch delete --force lost+found
  assert_success
  [ -e "$ROOT/lost+found/x" ] || fail "delete emptied lost+found"
  # A create killed before state.json (cgroup.json only) is still one.
  mkdir "$ROOT/$id-died"
  : >"$ROOT/$id-died/cgroup.json"
  run hutch list -q
  assert_line "$id-died"
  run hutch delete "$id-died"
  assert_success
  [ ! -e "$ROOT/$id-died" ]
  # A create killed between its mkdir and its first file: an empty
  # directory, not listed, but delete removes it (rmdir: nothing to lose).
  mkdir "$ROOT/$id-empty"
  run hutch list -q
  refute_line "$id-empty"
  run hutch delete --force "$id-empty"
  assert_success
  [ ! -e "$ROOT/$id-empty" ] || fail "delete left the empty directory of a killed create"
  rm -rf "$ROOT/lost+found"
}


@test "user namespace: a bind source only host root can reach is opened before entering it (as runc)" {
  # The mapped root (host uid 100000) must reach the rootfs, not the source.
  USERNS_DIR=$(mktemp -d /tmp/hutch-test-userns.XXXXXX)
  chmod 755 "$USERNS_DIR"
  BUNDLE=$(new_bundle "$USERNS_DIR/bundle")
  chown -R 100000:100000 "$BUNDLE/rootfs"
  local private=$BATS_TEST_TMPDIR/private
  mkdir -p "$private/data"
  chmod 0700 "$private" "$private/data"
  echo secret >"$private/data/file"
  update_config '.linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
    | .mounts += [{"destination":"/private","type":"bind","source":"'"$private/data"'","options":["rbind","ro"]}]'
  set_args sh -c 'grep -c " /private " /proc/self/mountinfo; cat /private/file 2>&1 || echo denied'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  # The mount is there; reading through it is still the kernel's call
  # (host root's 0700 directory, an unmapped owner in the namespace).
  assert_line --index 0 1
  assert_line --index 2 denied
}

extra_teardown() {
  [ -z "${USERNS_DIR:-}" ] || rm -rf "$USERNS_DIR"
  local d
  if [ -n "${PREMADE:-}" ]; then
    for d in $(cg_roots); do [ ! -d "$d/$PREMADE" ] || rmdir "$d/$PREMADE"; done
  fi
}

# cg_leaf PID: PID's cgroup directory in its first hierarchy listed in
# /proc/PID/cgroup that names the given path (any hierarchy will do).
cg_dir_of() {
  local pid=$1 path
  path=$(awk -F: 'NR == 1 { print $3 }' "/proc/$pid/cgroup")
  find /sys/fs/cgroup -maxdepth 3 -type d -path "*$path" 2>/dev/null | head -1
}

# The root of every cgroup hierarchy: /sys/fs/cgroup itself on a pure v2
# host, else each v1 controller's and the unified one.
cg_roots() {
  if [ -e /sys/fs/cgroup/cgroup.controllers ]; then
    echo /sys/fs/cgroup/
  else
    local d
    for d in /sys/fs/cgroup/*/; do [ -e "$d/cgroup.procs" ] && echo "$d"; done
  fi
}

@test "shared cgroupsPath: delete --force of one container leaves the other running (as runc)" {
  local path=/hutch-test-$$-${BATS_TEST_NUMBER}-shared a b pa pb dir
  a=".$(cid a)" # an ID starting with a dot is a container too
  b=$(cid b)
  update_config ".linux.cgroupsPath = \"$path\""
  run_detached "$a"
  run_detached "$b"
  pa=$(container_pid "$a")
  pb=$(container_pid "$b")
  dir=$(cg_dir_of "$pa")
  [ -d "$dir" ] || fail "no cgroup for $path"
  grep -qx "$pb" "$dir/cgroup.procs" || fail "$b is not in $dir"
  run hutch delete --force "$b"
  assert_success
  kill -0 "$pa" || fail "deleting $b killed $a"
  assert_equal "$(container_status "$a")" running
  assert_output --partial "not empty" # a warning: another container is in it
  [ -d "$dir" ] || fail "the cgroup was removed while $a lives in it"
  run hutch delete --force "$a"
  assert_success
  [ ! -d "$dir" ] || fail "the cgroup hutch made is left after both were deleted"
  [ -z "$(find /sys/fs/cgroup -maxdepth 3 -type d -name "${path#/}")" ] || fail "cgroup left"
}

@test "shared cgroupsPath without pid namespaces: delete --force of one never kills the other" {
  local path=/hutch-test-$$-${BATS_TEST_NUMBER}-shared a b pa dir
  a=$(cid a)
  b=$(cid b)
  update_config ".linux.cgroupsPath = \"$path\" | .linux.namespaces |= map(select(.type != \"pid\"))"
  run_detached "$a"
  run_detached "$b"
  pa=$(container_pid "$a")
  dir=$(cg_dir_of "$pa")
  run hutch delete --force "$b"
  assert_success
  kill -0 "$pa" || fail "deleting $b killed $a"
  assert_output --partial "another container uses it"
  run hutch delete --force "$a"
  assert_success
  [ ! -d "$dir" ] || fail "the cgroup hutch made is left after both were deleted"
}

@test "shared cgroupsPath: deleting an old --keep container never kills the new one that reused the path" {
  local path=/hutch-test-$$-${BATS_TEST_NUMBER}-shared old new pn dir
  old=$(cid old)
  new=$(cid new)
  update_config ".linux.cgroupsPath = \"$path\""
  set_args true
  run hutch run --keep -b "$BUNDLE" "$old"
  assert_success
  run_detached "$new"
  pn=$(container_pid "$new")
  dir=$(cg_dir_of "$pn")
  run hutch delete "$old"
  assert_success
  kill -0 "$pn" || fail "deleting $old killed $new"
  assert_equal "$(container_status "$new")" running
  [ -d "$dir" ] || fail "the cgroup was removed while $new lives in it"
  run hutch delete --force "$new"
  assert_success
  [ ! -d "$dir" ] || fail "the cgroup hutch made is left after both were deleted"
}

@test "a cgroup hutch did not make is never removed nor emptied by delete" {
  local path=/hutch-test-$$-${BATS_TEST_NUMBER}-premade id pid dir d
  id=$(cid)
  # Make the leaf in every hierarchy first (as a caller would).
  PREMADE=${path#/}
  for d in $(cg_roots); do mkdir -p "$d/$PREMADE"; done
  update_config ".linux.cgroupsPath = \"$path\""
  run_detached "$id"
  pid=$(container_pid "$id")
  dir=$(cg_dir_of "$pid")
  run hutch delete --force "$id"
  assert_success
  [ -d "$dir" ] || fail "delete removed a cgroup it did not make"
}
