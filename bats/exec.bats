#!/usr/bin/env bats
# hutch exec: a second process in a running container, each flag, the
# containerd/conmon flows (--process, --detach, --pid-file), bad input.

load helpers
load cgroup_helpers

# start_container [JQ FILTER]: run -d a container whose init sleeps (config
# edited by the filter first); sets $ID and $INIT (its host pid).
start_container() {
  set_args sleep 100000
  # `hutch spec` lists ambient capabilities without inheritable ones, which
  # makes every process print a warning: keep the outputs exact here.
  update_config 'del(.process.capabilities.ambient)'
  [ -z "${1:-}" ] || update_config "$1"
  ID=$(cid)
  hutch run -d --bundle "$BUNDLE" "$ID" >"$BATS_TEST_TMPDIR/$ID.out" 2>&1 </dev/null ||
    fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/$ID.out")"
  INIT=$(container_pid "$ID")
  [ "$INIT" -gt 1 ]
}

# detached_exec ARG...: `hutch exec ARG...` whose stdio (which a detached
# process inherits) is a file, not bats' pipe; sets $status and $output.
detached_exec() {
  status=0
  hutch exec "$@" >"$BATS_TEST_TMPDIR/exec.out" 2>&1 </dev/null || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/exec.out")
}

extra_teardown() {
  [ -z "${USERNS_DIR:-}" ] || rm -rf "$USERNS_DIR"
  local p
  for p in ${AGENT_PIDS:-}; do kill "$p" 2>/dev/null || true; done
}

# procs_in ID: the pids in the container's pids cgroup (host view), sorted
# (the init's cgroup: v1, v2, or a systemd scope).
procs_in() {
  sort -n "$(cg_dir pids "$(container_pid "$1")")/cgroup.procs"
}

# assert_one_line_error TEXT: exit 255 (hutch's own exec failure, as runc
# and crun: issue 16 item 11) and a single line naming TEXT.
assert_one_line_error() {
  [ "$status" -eq 255 ] || fail "expected exit 255, got $status: $output"
  [[ "$output" == *"$1"* ]] || fail "error does not say \"$1\": $output"
  [ "$(printf '%s\n' "$output" | grep -c .)" -eq 1 ] || fail "error is not one line: $output"
}

# assert_container_unharmed: still running, only its init in the cgroup.
assert_container_unharmed() {
  assert_equal "$(container_status "$ID")" running
  assert_equal "$(procs_in "$ID")" "$INIT"
}

@test "exec runs a command and returns its exit status" {
  start_container
  run hutch exec "$ID" echo hello from exec
  assert_success
  assert_output "hello from exec"
  run hutch exec "$ID" sh -c 'exit 7'
  assert_failure 7
  run hutch exec "$ID" sh -c 'kill -9 $$'
  assert_failure 137
  assert_container_unharmed
}

@test "exec sees the container's hostname, root, pid namespace and cgroup" {
  start_container '.hostname = "exec-box"'
  run hutch exec "$ID" hostname
  assert_output "exec-box"
  # The same root directory as the container's rootfs.
  run hutch exec "$ID" stat -c %i /
  assert_output "$(stat -c %i "$BUNDLE/rootfs")"
  run hutch exec "$ID" test -e "$REPO_ROOT/CMakeLists.txt"
  assert_failure
  # PID 1 is the container's init; the exec'd process is in the same pid ns.
  run hutch exec "$ID" sh -c 'tr "\0" " " </proc/1/cmdline'
  assert_output "sleep 100000 "
  local ns want=""
  for ns in pid net mnt ipc uts; do want+="$(readlink /proc/$INIT/ns/$ns) "; done
  run hutch exec "$ID" sh -c 'for ns in pid net mnt ipc uts; do printf "%s " $(readlink /proc/self/ns/$ns); done'
  assert_output "$want"
  run hutch exec "$ID" cat /proc/self/cgroup
  assert_output "$(cat /proc/$INIT/cgroup)"
}

@test "exec: the process gets the container's env, rlimits and capabilities" {
  start_container '.process.env += ["FROM_CONFIG=yes"] | .process.rlimits = [{"type":"RLIMIT_NOFILE","soft":777,"hard":888}]'
  run hutch exec "$ID" sh -c 'echo $FROM_CONFIG; ulimit -n; grep CapBnd /proc/self/status'
  assert_success
  assert_line --index 0 "yes"
  assert_line --index 1 "777"
  # CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE only.
  assert_line --index 2 --regexp "CapBnd:.*0000000020000420"
}

@test "exec --env adds and replaces variables, --cwd sets the directory" {
  start_container '.process.env += ["KEEP=1", "REPLACE=old"]'
  run hutch exec -e NEW=added --env REPLACE=new --cwd /etc "$ID" sh -c 'echo $KEEP $REPLACE $NEW; pwd'
  assert_success
  assert_line --index 0 "1 new added"
  assert_line --index 1 "/etc"
  run hutch exec -e REPLACE=new "$ID" sh -c 'env | grep -c "^REPLACE="'
  assert_output "1"
  run hutch exec -e NOEQUALS "$ID" true
  assert_one_line_error '--env "NOEQUALS": expected KEY=VALUE'
}

@test "exec --user UID:GID and --additional-gids" {
  start_container
  run hutch exec --user 1000:1001 -g 10 --additional-gids 20 "$ID" id
  assert_success
  assert_output "uid=1000 gid=1001 groups=10,20"
  run hutch exec -u 65534 "$ID" id -u
  assert_output "65534"
}

@test "exec --user NAME resolves the user in the container's /etc/passwd" {
  echo 'alice:x:4242:4343:Alice:/home/alice:/bin/sh' >>"$BUNDLE/rootfs/etc/passwd"
  echo 'staff:x:50:' >>"$BUNDLE/rootfs/etc/group"
  start_container
  run hutch exec -u alice "$ID" sh -c 'id -u; id -g; echo $HOME'
  assert_success
  assert_output "$(printf '4242\n4343\n/home/alice')"
  run hutch exec -u alice:staff "$ID" id -g
  assert_output "50"
  # The host's passwd is not the one used.
  run hutch exec -u daemon "$ID" id
  assert_one_line_error "no such user daemon in the container's /etc/passwd"
  assert_container_unharmed
}

@test "exec --cap adds a capability, --no-new-privs sets no_new_privs" {
  start_container '.process.noNewPrivileges = false'
  run hutch exec "$ID" grep -E 'CapEff|NoNewPrivs' /proc/self/status
  assert_line --index 0 --regexp "CapEff:.*0000000020000420"
  assert_line --index 1 --regexp "NoNewPrivs:.*0"
  # CAP_SYS_ADMIN is bit 21 (0x200000).
  run hutch exec --cap CAP_SYS_ADMIN --no-new-privs "$ID" grep -E 'CapEff|NoNewPrivs' /proc/self/status
  assert_line --index 0 --regexp "CapEff:.*0000000020200420"
  assert_line --index 1 --regexp "NoNewPrivs:.*1"
  run hutch exec --cap CAP_NOPE "$ID" true
  assert_one_line_error '--cap: unknown capability "CAP_NOPE"'
}

@test "exec: the process gets the container's seccomp filter" {
  start_container '.root.readonly = false | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122}]}'
  run hutch exec "$ID" sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/x'
  assert_failure
  assert_line --index 0 --regexp "Seccomp:[[:space:]]+2"
  assert_output --partial "Disk quota exceeded" # EDQUOT (122)
}

@test "exec --apparmor and --process-label are refused where the LSM is off" {
  [ ! -e /sys/kernel/security/apparmor ] || skip "AppArmor is enabled here"
  start_container
  run hutch exec --apparmor some-profile "$ID" true
  assert_one_line_error 'process.apparmorProfile: "some-profile" cannot be applied'
  [ "$(stat -f -c %T /sys/fs/selinux 2>/dev/null)" != selinuxfs ] || skip "SELinux is enabled here"
  run hutch exec --process-label system_u:system_r:container_t:s0 "$ID" true
  assert_one_line_error 'process.selinuxLabel'
  assert_container_unharmed
}

@test "exec --process runs a process.json" {
  start_container
  cat >"$BATS_TEST_TMPDIR/process.json" <<'EOF'
{"args": ["sh", "-c", "echo $GREETING; id -u; pwd"], "env": ["GREETING=hi from process.json"],
 "cwd": "/tmp", "user": {"uid": 123, "gid": 456}, "terminal": false}
EOF
  run hutch exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
  assert_success
  assert_output "$(printf 'hi from process.json\n123\n/tmp')"
}

@test "exec --process: a missing or invalid file is a one-line error naming the field" {
  start_container
  run hutch exec --process "$BATS_TEST_TMPDIR/nope.json" "$ID"
  assert_one_line_error "nope.json"
  echo '{"args": [], "cwd": "/"}' >"$BATS_TEST_TMPDIR/p1.json"
  run hutch exec --process "$BATS_TEST_TMPDIR/p1.json" "$ID"
  assert_one_line_error "args"
  echo '{"args": ["true"], "cwd": "/", "user": {"uid": "root"}}' >"$BATS_TEST_TMPDIR/p2.json"
  run hutch exec --process "$BATS_TEST_TMPDIR/p2.json" "$ID"
  assert_one_line_error "user.uid"
  echo '{"args": ["true"' >"$BATS_TEST_TMPDIR/p3.json"
  run hutch exec --process "$BATS_TEST_TMPDIR/p3.json" "$ID"
  assert_one_line_error "p3.json"
  assert_container_unharmed
}

@test "exec --detach --pid-file (containerd's flow) returns while the process runs" {
  start_container
  echo '{"args": ["sleep", "1000"], "cwd": "/"}' >"$BATS_TEST_TMPDIR/process.json"
  detached_exec --process "$BATS_TEST_TMPDIR/process.json" --detach --pid-file "$BATS_TEST_TMPDIR/pid" "$ID"
  assert_success
  assert_output ""
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  [ "$pid" -gt 1 ]
  [ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "sleep 1000 " ]
  [ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$INIT/ns/pid)" ]
  [ "$(readlink /proc/$pid/ns/mnt)" = "$(readlink /proc/$INIT/ns/mnt)" ]
  grep -qx "$pid" "$(cg_dir pids "$INIT")/cgroup.procs"
  # hutch exec is gone: the process was reparented.
  ppid=$(awk '{print $4}' /proc/$pid/stat)
  [ "$(cat /proc/$ppid/comm)" != hutch ]
  # No temporary file next to the pid file.
  [ "$(ls "$BATS_TEST_TMPDIR" | grep -c '^pid')" -eq 1 ]
  # Only the init and the sleep in the container.
  assert_equal "$(procs_in "$ID" | wc -l)" 2
}

@test "exec --preserve-fds passes fds 3.. to the process" {
  start_container
  echo "through fd 3" >"$BATS_TEST_TMPDIR/in"
  run hutch exec --preserve-fds 1 "$ID" sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/in"
  assert_success
  assert_output "through fd 3"
  # Without it, the fd does not reach the process.
  run hutch exec "$ID" sh -c 'cat <&3' 3<"$BATS_TEST_TMPDIR/in"
  assert_failure
  run hutch exec --preserve-fds 5 "$ID" true
  assert_one_line_error "--preserve-fds: fd"
}

@test "exec: no fd of hutch reaches the process" {
  start_container
  run hutch exec "$ID" ls /proc/self/fd
  assert_success
  # 0, 1, 2 and the directory ls reads.
  assert_output "$(printf '0\n1\n2\n3')"
}

@test "exec --cgroup joins a sub-cgroup of the container's" {
  start_container
  dir=$(cg_dir pids "$INIT")
  mkdir "$dir/sub"
  if cg_is_v1 pids; then
    run hutch exec --cgroup pids:sub "$ID" grep pids /proc/self/cgroup
    assert_success
    assert_output --regexp "pids:$(cg_path "$ID")/sub\$"
    run hutch exec --cgroup pids:nosuch "$ID" true
    assert_one_line_error "--cgroup pids:nosuch"
  else
    # v2: no controller names; the container's cgroup namespace shows it as /sub
    run hutch exec --cgroup sub "$ID" cat /proc/self/cgroup
    assert_success
    assert_output --regexp "^0::.*/sub\$"
    run hutch exec --cgroup nosuch "$ID" true
    assert_one_line_error "nosuch"
  fi
  rmdir "$dir/sub"
}

@test "exec into a paused container fails unless --ignore-paused" {
  start_container
  hutch pause "$ID"
  run hutch exec "$ID" true
  assert_one_line_error "container $ID is paused"
  detached_exec --ignore-paused -d --pid-file "$BATS_TEST_TMPDIR/pid" "$ID" sh -c 'echo ran >/dev/null; sleep 1000'
  assert_success
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  # It joined the (frozen) cgroup.
  grep -qx "$pid" "$(cg_dir freezer "$INIT")/cgroup.procs"
  hutch resume "$ID"
  assert_equal "$(container_status "$ID")" running
}

@test "exec into a stopped or missing container fails cleanly" {
  set_args true
  update_config 'del(.process.capabilities.ambient)'
  ID=$(cid)
  hutch run -d --bundle "$BUNDLE" "$ID" >/dev/null 2>&1 </dev/null
  wait_status "$ID" stopped
  run hutch exec "$ID" true
  assert_one_line_error "cannot exec in a stopped container"
  run hutch exec hutch-test-nosuch-container true
  assert_one_line_error "container hutch-test-nosuch-container does not exist"
  run hutch exec
  assert_failure 1
  run hutch exec "$ID"
  assert_failure 255 # as runc: "process args cannot be empty"
  assert_output --partial "command"
}

@test "exec of a missing binary: one-line error, exit 255, nothing left in the container" {
  start_container
  run hutch exec "$ID" nosuch-binary arg
  assert_one_line_error 'exec: "nosuch-binary": executable file not found in $PATH'
  run hutch exec "$ID" /no/such/path
  assert_one_line_error '/no/such/path'
  assert_container_unharmed
}

@test "exec in the foreground forwards signals to the process" {
  start_container
  "$HUTCH" --root "$ROOT" "${HUTCH_DRIVER_OPTS[@]}" exec "$ID" sh -c 'trap "echo got TERM; exit 42" TERM; touch /dev/shm/ready; while :; do sleep 0.1; done' \
    >"$BATS_TEST_TMPDIR/out" 2>&1 &
  local hpid=$!
  local i
  for i in $(seq 200); do hutch exec "$ID" test -e /dev/shm/ready && break; sleep 0.05; done
  kill -TERM "$hpid"
  local st=0
  wait "$hpid" || st=$?
  assert_equal "$st" 42
  assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "got TERM"
}

@test "exec works the same in a container with a user namespace" {
  # The mapped root must reach the rootfs: a bundle outside bats' 0700 dirs.
  USERNS_DIR=$(mktemp -d /tmp/hutch-test-userns.XXXXXX)
  chmod 755 "$USERNS_DIR"
  BUNDLE=$(new_bundle "$USERNS_DIR/bundle")
  update_config '.linux.namespaces += [{"type":"user"}]
    | .linux.uidMappings = [{"containerID":0,"hostID":200000,"size":65536}]
    | .linux.gidMappings = [{"containerID":0,"hostID":200000,"size":65536}]'
  chown -R 200000:200000 "$BUNDLE/rootfs"
  echo 'alice:x:4242:4343::/:/bin/sh' >>"$BUNDLE/rootfs/etc/passwd"
  start_container '.hostname = "userns-box"'
  run hutch exec "$ID" sh -c 'id -u; hostname; cat /proc/self/uid_map'
  assert_success
  assert_line --index 0 "0"
  assert_line --index 1 "userns-box"
  assert_line --index 2 --regexp "^ +0 +200000 +65536$"
  run hutch exec "$ID" readlink /proc/self/ns/user
  assert_output "$(readlink /proc/$INIT/ns/user)"
  run hutch exec -u alice "$ID" id
  assert_output "uid=4242(alice) gid=4343"
  # Seen from the host, the process runs as the mapped uid.
  detached_exec -d --pid-file "$BATS_TEST_TMPDIR/pid" -u 1000 "$ID" sleep 1000
  assert_success
  assert_equal "$(awk '/^Uid:/ {print $2}' /proc/$(cat "$BATS_TEST_TMPDIR/pid")/status)" 201000
  run hutch exec "$ID" nosuch
  assert_one_line_error 'exec: "nosuch": executable file not found in $PATH'
}

# start_agent NAME ERRNO: hutch-test-helper's seccomp agent on $SOCK (one
# connection), answering every notification with -ERRNO.
start_agent() {
  local helper=${HUTCH_TEST_HELPER:-$(dirname "$HUTCH")/tests/helper/hutch-test-helper}
  [ -x "$helper" ] || fail "hutch-test-helper not built ($helper)"
  "$helper" listen "$SOCK" "$BATS_TEST_TMPDIR/$1.state" "$2" >"$BATS_TEST_TMPDIR/$1.out" 2>&1 &
  AGENT_PIDS+=" $!"
  local i
  for i in $(seq 1 200); do
    grep -q ready "$BATS_TEST_TMPDIR/$1.out" 2>/dev/null && return 0
    sleep 0.05
  done
  fail "seccomp agent $1 did not start"
}

@test "exec: SCMP_ACT_NOTIFY hands the exec'd process's notify fd to the listener" {
  SOCK=$BATS_TEST_TMPDIR/agent.sock
  AGENT_PIDS=
  start_agent init 123
  start_container ".root.readonly = false | .linux.seccomp = {\"defaultAction\": \"SCMP_ACT_ALLOW\",
    \"listenerPath\": \"$SOCK\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
  # The init's agent has its connection; a second one serves the exec.
  start_agent exec 124
  run hutch exec "$ID" sh -c 'mkdir /tmp/n; echo rc=$?'
  assert_success
  assert_output --partial "Wrong medium type" # ENOMEDIUMTYPE (124): the second agent answered
  assert_output --partial "rc=1"
  run jq -r '.fds[0] + " " + .state.id' "$BATS_TEST_TMPDIR/exec.state"
  assert_output "seccompFd $ID"
}

# issue 16 item 17: `exec -p <(...)` (a pipe) works, as runc; a stream is
# read up to 4 MiB.
@test "exec --process reads a pipe (/dev/fd/N), capped at 4 MiB" {
  start_container
  run hutch exec --process <(echo '{"args": ["echo", "from a pipe"], "cwd": "/"}') "$ID"
  assert_success
  assert_output "from a pipe"
  run hutch exec --process <(head -c 5M /dev/zero) "$ID"
  [ "$status" -ne 0 ]
  assert_output --partial "--process: /dev/fd/"
  assert_output --partial "too big"
  assert_container_unharmed
}

# issue 16 item 11: as runc and crun, hutch's own exec failures exit 255 so
# that a caller can tell them from the process's own status.
@test "exec: hutch's own failures exit 255, the process's status otherwise" {
  start_container
  run hutch exec --pid-file "$BATS_TEST_TMPDIR/no/such/dir/pid" "$ID" true
  assert_one_line_error "--pid-file"
  run hutch exec -u nosuchuser "$ID" true
  assert_one_line_error "nosuchuser"
  run hutch exec "$ID" sh -c 'exit 1'
  assert_failure 1
  run hutch exec "$ID" sh -c 'exit 254'
  assert_failure 254
  run hutch exec --frobnicate "$ID" true
  assert_failure 1 # a usage error, as runc's
}
