#!/usr/bin/env bats
# Issue 16 item 3: startContainer hooks run from the container's filesystem,
# so they get the container process's credentials and restrictions (user,
# groups, capabilities, no_new_privs, seccomp), applied right before its
# execve, as runc: not the init's full privileges.

load helpers
load security_helpers

# status_of FILE FIELD: the first value of FIELD: in a saved /proc/self/status.
status_of() {
  awk -v k="$2:" '$1 == k {print $2; exit}' "$1"
}

# confine: uid 1234 with one ambient capability, no_new_privs, a seccomp
# profile, a hook that saves its /proc/self/status to /out/hook, and a
# process that saves its own to /out/proc.
confine() {
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT"
  chmod 777 "$OUT"
  update_config ".process.user = {\"uid\": 1234, \"gid\": 1234, \"additionalGids\": [4321]}
                 | .process.noNewPrivileges = true
                 | .process.capabilities = {\"bounding\": [\"CAP_NET_BIND_SERVICE\", \"CAP_KILL\"],
                     \"effective\": [\"CAP_NET_BIND_SERVICE\"], \"permitted\": [\"CAP_NET_BIND_SERVICE\"],
                     \"inheritable\": [\"CAP_NET_BIND_SERVICE\"], \"ambient\": [\"CAP_NET_BIND_SERVICE\"]}
                 | .mounts += [{\"destination\": \"/out\", \"type\": \"bind\", \"source\": \"$OUT\", \"options\": [\"rbind\"]}]
                 | .hooks.startContainer = [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"cat /proc/self/status >/out/hook\"]}]"
  seccomp_allow_but '[{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]'
  set_args sh -c 'cat /proc/self/status >/out/proc'
}

# assert_confined: the hook ran with the process's credentials.
assert_confined() {
  [ -f "$OUT/hook" ] || fail "the hook did not run"
  local f
  for f in Uid Gid Groups NoNewPrivs Seccomp CapInh CapPrm CapEff CapBnd CapAmb; do
    assert_equal "$f: $(status_of "$OUT/hook" "$f")" "$f: $(status_of "$OUT/proc" "$f")"
  done
  assert_equal "$(status_of "$OUT/hook" Uid)" 1234
  assert_equal "$(status_of "$OUT/hook" Groups)" 4321
  assert_equal "$(status_of "$OUT/hook" NoNewPrivs)" 1
  assert_equal "$(status_of "$OUT/hook" Seccomp)" 2
  assert_equal "$(status_of "$OUT/hook" CapEff)" 0000000000000400
  assert_equal "$(status_of "$OUT/hook" CapBnd)" 0000000000000420
}

@test "startContainer hook (run): the process's uid, groups, caps, no_new_privs and seccomp" {
  confine
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_confined
}

@test "startContainer hook (create + start): the process's uid, groups, caps, no_new_privs and seccomp" {
  confine
  create_detached "$(cid)" || fail "create: $(container_output "$(cid)")"
  run hutch start "$(cid)"
  assert_success
  wait_status "$(cid)" stopped
  assert_confined
}

@test "startContainer hook: a hook the seccomp profile blocks fails the start (as runc)" {
  confine
  # The process's own profile applies to the hook too.
  seccomp_allow_but '[{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]'
  update_config '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "mkdir /out/d"]}]'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_failure
  assert_output --partial "startContainer hook #0"
  [ ! -e "$OUT/d" ] || fail "the hook could mkdir despite the profile"
  [ ! -e "$OUT/proc" ] || fail "the process ran"
}
