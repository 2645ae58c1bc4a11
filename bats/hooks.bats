#!/usr/bin/env bats
# OCI hooks: each kind runs at its point of the lifecycle, in the right
# namespaces, with the state on stdin; failures of the create-time hooks fail
# `create` and leave nothing behind, failures of the later ones only warn.

load helpers

# A hook script usable both from the host and inside the container (busybox):
#   hook.sh NAME LOG  appends "NAME STATUS PID UTSNS" to LOG, the status and
#   pid taken from the state JSON on stdin.
_write_hook() {
  cat >"$BUNDLE/rootfs/hook.sh" <<'EOF'
#!/bin/sh
s=$(cat)
st=$(echo "$s" | grep -o '"status": *"[a-z]*"' | sed 's/.*"\([a-z]*\)"$/\1/')
pid=$(echo "$s" | grep -o '"pid": *[0-9]*' | sed 's/.*[^0-9]\([0-9]*\)$/\1/')
echo "$1 $st ${pid:-0} $(readlink /proc/self/ns/uts)" >>"$2"
EOF
  chmod 755 "$BUNDLE/rootfs/hook.sh"
  HOOK="$BUNDLE/rootfs/hook.sh"
  LOG="$BUNDLE/rootfs/hooks.log"
}

# add_hook KIND PATH ARG... : append a hook (args[0] = "hook.sh").
add_hook() {
  local kind=$1 path=$2
  shift 2
  local args
  args=$(printf '%s\n' hook.sh "$@" | jq -R . | jq -s .)
  update_config ".hooks.$kind += [{\"path\": \"$path\", \"args\": $args}]"
}

# add_sh_hook KIND SCRIPT [TIMEOUT]: a /bin/sh -c SCRIPT hook.
add_sh_hook() {
  local kind=$1 script=$2 timeout=${3:-}
  local h
  h=$(jq -n --arg s "$script" '{path: "/bin/sh", args: ["sh", "-c", $s]}')
  [ -z "$timeout" ] || h=$(jq --argjson t "$timeout" '. + {timeout: $t}' <<<"$h")
  update_config ".hooks.$kind += [$h]"
}

# create_ok ID: create (the container's stdio go to a file, see
# create_detached), showing what create printed when it fails.
create_ok() {
  create_detached "$1" || { container_output "$1"; return 1; }
}

@test "every hook kind runs at its point, in order, with the state on stdin" {
  _write_hook
  update_config '.root.readonly = false'
  set_args true
  add_hook prestart "$HOOK" prestart "$LOG"
  add_hook createRuntime "$HOOK" createRuntime "$LOG"
  add_hook createContainer "$HOOK" createContainer "$LOG"
  # startContainer's path resolves in the container.
  add_hook startContainer /hook.sh startContainer /hooks.log
  add_hook poststart "$HOOK" poststart "$LOG"
  add_hook poststop "$HOOK" poststop "$LOG"
  local id
  id=$(cid)

  create_ok "$id"
  run cut -d' ' -f1,2 "$LOG"
  assert_output "prestart created
createRuntime created
createContainer created"

  run hutch start "$id"
  assert_success
  wait_status "$id" stopped
  run hutch delete "$id"
  assert_success

  run cut -d' ' -f1,2 "$LOG"
  assert_output "prestart created
createRuntime created
createContainer created
startContainer created
poststart running
poststop stopped"

  # Every hook saw the container's pid (until it is gone).
  local pid
  pid=$(head -1 "$LOG" | cut -d' ' -f3)
  [ "$pid" -gt 1 ]
  run awk -v p="$pid" '$1 != "poststop" && $3 != p' "$LOG"
  assert_output ""
}

@test "run: every hook kind runs, poststop once the container is gone" {
  _write_hook
  update_config '.root.readonly = false'
  set_args true
  add_hook prestart "$HOOK" prestart "$LOG"
  add_hook createRuntime "$HOOK" createRuntime "$LOG"
  add_hook createContainer "$HOOK" createContainer "$LOG"
  add_hook startContainer /hook.sh startContainer /hooks.log
  add_hook poststart "$HOOK" poststart "$LOG"
  add_hook poststop "$HOOK" poststop "$LOG"
  local id
  id=$(cid)
  run hutch run -b "$BUNDLE" "$id" </dev/null
  assert_success
  run cut -d' ' -f1 "$LOG"
  assert_output "prestart
createRuntime
createContainer
startContainer
poststart
poststop"
  assert_no_leftovers "$id"
}

@test "createContainer and startContainer run in the container's namespaces" {
  _write_hook
  update_config '.root.readonly = false'
  set_args true
  add_hook createRuntime "$HOOK" createRuntime "$LOG"
  add_hook createContainer "$HOOK" createContainer "$LOG"
  add_hook startContainer /hook.sh startContainer /hooks.log
  add_hook poststart "$HOOK" poststart "$LOG"
  local id host_uts
  id=$(cid)
  host_uts=$(readlink /proc/self/ns/uts)

  create_ok "$id"
  run hutch start "$id"
  assert_success

  run awk '{print $1, $4}' "$LOG"
  assert_line --index 0 "createRuntime $host_uts"
  assert_line --index 1 --regexp '^createContainer uts:\[[0-9]+\]$'
  assert_line --index 2 --regexp '^startContainer uts:\[[0-9]+\]$'
  assert_line --index 3 "poststart $host_uts"
  refute_line --index 1 "createContainer $host_uts"
  refute_line --index 2 "startContainer $host_uts"
  # Both container-side hooks saw the same (the container's) namespace.
  [ "$(sed -n 2p "$LOG" | cut -d' ' -f4)" = "$(sed -n 3p "$LOG" | cut -d' ' -f4)" ]
}

@test "a failing createRuntime hook fails create with one line and leaves nothing" {
  set_args true
  add_sh_hook createRuntime 'cat >/dev/null; echo "hook-says-no" >&2; exit 3'
  local id
  id=$(cid)
  run hutch create -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'createRuntime hook #0 (/bin/sh): exited with status 3: hook-says-no'
  assert_no_leftovers "$id"
}

@test "a failing prestart hook (second in the list) fails create, named by its index" {
  set_args true
  add_sh_hook prestart 'exit 0'
  add_sh_hook prestart 'kill -9 $$'
  local id
  id=$(cid)
  run hutch create -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'prestart hook #1 (/bin/sh): killed by signal 9'
  assert_no_leftovers "$id"
}

@test "a createContainer hook that does not exist fails create" {
  set_args true
  update_config '.hooks.createContainer = [{"path": "/nonexistent/hutch-hook"}]'
  local id
  id=$(cid)
  run hutch create -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'createContainer hook #0 (/nonexistent/hutch-hook): exec: No such file or directory'
  assert_no_leftovers "$id"
}

@test "a hook's timeout is enforced" {
  set_args true
  add_sh_hook createRuntime 'sleep 100' 1
  local id
  id=$(cid)
  run hutch create -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'createRuntime hook #0 (/bin/sh): timed out after 1s'
  assert_no_leftovers "$id"
}

@test "a failing poststart hook only warns and the next ones still run" {
  set_args true
  local mark="$BATS_TEST_TMPDIR/poststart-ran"
  add_sh_hook poststart 'echo poststart-broken >&2; exit 4'
  add_sh_hook poststart "echo second >\"$mark\""
  local id
  id=$(cid)
  create_ok "$id"
  run hutch start "$id"
  assert_success
  assert_output --partial 'poststart hook #0 (/bin/sh): exited with status 4: poststart-broken'
  run cat "$mark"
  assert_output second
  wait_status "$id" stopped
}

@test "a failing poststop hook only warns, the next ones run and the container is deleted" {
  set_args true
  local mark="$BATS_TEST_TMPDIR/poststop-ran"
  add_sh_hook poststop 'echo poststop-broken >&2; exit 5'
  add_sh_hook poststop "echo second >\"$mark\""
  local id
  id=$(cid)
  create_ok "$id"
  run hutch start "$id"
  assert_success
  wait_status "$id" stopped
  run hutch delete "$id"
  assert_success
  assert_output --partial 'poststop hook #0 (/bin/sh): exited with status 5: poststop-broken'
  run cat "$mark"
  assert_output second
  assert_no_leftovers "$id"
}

@test "hooks get exactly their env and args" {
  set_args true
  local out="$BATS_TEST_TMPDIR/hook-env" script="$BATS_TEST_TMPDIR/env-hook.sh"
  printf '#!/bin/sh\n{ tr "\\0" "|" </proc/$$/environ; echo "$2|$3"; } >"$1"\n' >"$script"
  chmod 755 "$script"
  update_config ".hooks.createRuntime = [{\"path\": \"$script\",
      \"args\": [\"env-hook\", \"$out\", \"a b\", \"c\"], \"env\": [\"HOOK_VAR=42\"]}]"
  local id
  id=$(cid)
  create_ok "$id"
  run cat "$out"
  assert_output "HOOK_VAR=42|a b|c"
}

# `run` starts its init over the sync socket (no start.sock): a failure after
# the start (here a startContainer hook) still reaches the caller as one line.
@test "run: a failing startContainer hook fails run with one line and leaves nothing" {
  set_args true
  add_sh_hook startContainer 'cat >/dev/null; echo "start-hook-says-no" >&2; exit 4'
  local id
  id=$(cid)
  run hutch run -b "$BUNDLE" "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'startContainer hook #0 (/bin/sh): exited with status 4: start-hook-says-no'
  assert_no_leftovers "$id"
}

@test "create + start: a failing startContainer hook fails start with one line" {
  set_args true
  add_sh_hook startContainer 'cat >/dev/null; echo "start-hook-says-no" >&2; exit 4'
  local id
  id=$(cid)
  create_ok "$id"
  run hutch start "$id"
  assert_failure
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'startContainer hook #0 (/bin/sh): exited with status 4: start-hook-says-no'
  hutch delete --force "$id"
  assert_no_leftovers "$id"
}

# issue 16 item 15: runc runs createContainer hooks with the container's
# rootfs as their working directory.
@test "a createContainer hook runs in the container's rootfs, as runc" {
  set_args true
  update_config '.root.readonly = false'
  add_sh_hook createContainer 'echo hi >hook-cwd-marker'
  cd "$BATS_TEST_TMPDIR" # where the hook wrote before the fix
  id=$(cid)
  create_ok "$id"
  [ -f "$BUNDLE/rootfs/hook-cwd-marker" ] || fail "the hook did not run in the rootfs (cwd: $(ls "$BUNDLE"))"
}

# issue 16 item 10: no wait on a child may hang `create`: an init stopped
# during its setup (here by a createRuntime hook) is an error, not a hang.
@test "an init stopped during setup fails create instead of hanging it" {
  set_args true
  # (from the host: inside its pid namespace the init ignores SIGSTOP)
  add_sh_hook createRuntime 'kill -STOP $(sed -n "s/.*\"pid\": *\([0-9]*\).*/\1/p")'
  id=$(cid)
  status=0
  timeout -s KILL 30 "$HUTCH" --root "$ROOT" create --bundle "$BUNDLE" "$id" \
    >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null || status=$?
  output=$(cat "$BATS_TEST_TMPDIR/out")
  [ "$status" -ne 137 ] || fail "create hung on a stopped init"
  assert_failure 1
  assert_output --partial "was stopped during setup"
  assert_no_leftovers "$id"
}
