#!/usr/bin/env bats
# Confinement of the container process: capabilities (all five sets),
# no_new_privs, process attributes (oomScoreAdj, scheduler, ioPriority,
# personality) and LSM fields on a host without that LSM.

load helpers
load security_helpers

# status_field NAME: the value of NAME: in the container's /proc/self/status
# (from $output).
status_field() {
  printf '%s\n' "$output" | awk -v k="$1:" '$1 == k {print $2}'
}

@test "capabilities: /proc/self/status shows exactly the configured sets (root)" {
  local set
  set=$(caps_json CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID)
  update_config ".process.capabilities = {\"bounding\": $set, \"effective\": $set, \"permitted\": $set,
                 \"inheritable\": [\"CAP_NET_BIND_SERVICE\"], \"ambient\": [\"CAP_NET_BIND_SERVICE\"]}"
  set_args cat /proc/self/status
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  # CHOWN 0, KILL 5, SETGID 6, SETUID 7, NET_BIND_SERVICE 10.
  assert_equal "$(status_field CapBnd)" 00000000000004e1
  assert_equal "$(status_field CapEff)" 00000000000004e1
  assert_equal "$(status_field CapPrm)" 00000000000004e1
  assert_equal "$(status_field CapInh)" 0000000000000400
  assert_equal "$(status_field CapAmb)" 0000000000000400
}

@test "capabilities: a non-root user with ambient capabilities keeps them across exec" {
  local bnd
  bnd=$(caps_json CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID)
  update_config ".process.user = {\"uid\": 1000, \"gid\": 1000}
                 | .process.capabilities = {\"bounding\": $bnd, \"effective\": [\"CAP_NET_BIND_SERVICE\"],
                   \"permitted\": [\"CAP_NET_BIND_SERVICE\"], \"inheritable\": [\"CAP_NET_BIND_SERVICE\"],
                   \"ambient\": [\"CAP_NET_BIND_SERVICE\"]}"
  set_args cat /proc/self/status
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_equal "$(status_field Uid | head -1)" 1000
  assert_equal "$(status_field CapBnd)" 00000000000004e1
  assert_equal "$(status_field CapEff)" 0000000000000400
  assert_equal "$(status_field CapPrm)" 0000000000000400
  assert_equal "$(status_field CapAmb)" 0000000000000400
}

@test "capabilities: a non-root user without ambient capabilities has none after exec" {
  update_config '.process.user = {"uid": 1000, "gid": 1000}
                 | .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"],
                   "permitted": ["CAP_NET_BIND_SERVICE"]}'
  set_args cat /proc/self/status
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_equal "$(status_field CapEff)" 0000000000000000
  assert_equal "$(status_field CapPrm)" 0000000000000000
  assert_equal "$(status_field CapBnd)" 0000000000000400
}

@test "capabilities: without CAP_SYS_ADMIN the container cannot mount" {
  update_config '.root.readonly = false'
  set_args sh -c 'mount -t tmpfs none /mnt 2>&1; echo "rc=$?"'
  mkdir -p "$BUNDLE/rootfs/mnt"
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial "rc=1"
  assert_output --partial "ermission denied"
  # And with it, it can (the test above fails for the right reason).
  update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
                 | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
                 | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_success
  assert_output --partial "rc=0"
}

@test "capabilities: an unknown capability is a one-line error naming the field" {
  update_config '.process.capabilities.bounding += ["CAP_NOPE"]'
  set_args true
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.capabilities.bounding"
  assert_output --partial "CAP_NOPE"
}

@test "capabilities: effective outside permitted is refused before anything is created" {
  update_config '.process.capabilities.effective += ["CAP_SYS_ADMIN"]'
  set_args true
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.capabilities.effective: CAP_SYS_ADMIN is not in the permitted set"
}

@test "noNewPrivileges: true and false are what the process sees" {
  set_args sh -c 'grep NoNewPrivs /proc/self/status'
  update_config '.process.noNewPrivileges = true'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_output --regexp 'NoNewPrivs:[[:space:]]+1'
  update_config '.process.noNewPrivileges = false'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_success
  assert_output --regexp 'NoNewPrivs:[[:space:]]+0'
}

@test "process attributes: oomScoreAdj, scheduler, ioPriority, personality" {
  need_helper
  update_config '.process.oomScoreAdj = 321
                 | .process.scheduler = {"policy": "SCHED_BATCH", "nice": 6}
                 | .process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 5}
                 | .linux.personality = {"domain": "LINUX32", "flags": ["ADDR_NO_RANDOMIZE"]}'
  set_args sh -c '/helper attrs; uname -m'
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_success
  assert_line "oom_score_adj=321"
  assert_line "policy=3" # SCHED_BATCH
  assert_line "nice=6"
  assert_line "ioprio_class=2"
  assert_line "ioprio_prio=5"
  assert_line "personality=0x40008" # PER_LINUX32 | ADDR_NO_RANDOMIZE
  assert_line "i686"
  # The user program runs dumpable again (execve resets it).
  assert_line "dumpable=1"
}

@test "process attributes: a bad scheduler or personality is refused naming the field" {
  update_config '.process.scheduler = {"policy": "SCHED_FIFO"}'
  set_args true
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.scheduler"
  update_config 'del(.process.scheduler) | .linux.personality = {"domain": "LINUX", "flags": ["NOT_A_FLAG"]}'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_bad_config "$(cid 2)" "linux.personality.flags"
}

@test "apparmorProfile on a host without AppArmor is an error, not silently dropped" {
  if [ -d /sys/kernel/security/apparmor ] && grep -q Y /sys/module/apparmor/parameters/enabled 2>/dev/null; then
    skip "AppArmor is enabled on this host"
  fi
  update_config '.process.apparmorProfile = "hutch-test-profile"'
  set_args true
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.apparmorProfile"
  assert_output --partial "AppArmor is not enabled"
}

@test "selinuxLabel and mountLabel on a host without SELinux are errors" {
  if [ -e /sys/fs/selinux/enforce ]; then
    skip "SELinux is enabled on this host"
  fi
  update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
  set_args true
  run hutch run -b "$BUNDLE" "$(cid)"
  assert_bad_config "$(cid)" "process.selinuxLabel"
  update_config 'del(.process.selinuxLabel) | .linux.mountLabel = "system_u:object_r:container_file_t:s0"'
  run hutch run -b "$BUNDLE" "$(cid 2)"
  assert_bad_config "$(cid 2)" "linux.mountLabel"
}
