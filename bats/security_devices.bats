#!/usr/bin/env bats
# Issue 16 item 4: linux.devices only makes device nodes; access is decided
# by linux.resources.devices and runc's default devices alone (v1
# devices.allow/deny, v2 the eBPF program), as runc.

load helpers
load cgroup_helpers

KMSG='{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11, "fileMode": 438, "uid": 0, "gid": 0}'

@test "devices: a node in linux.devices stays denied by resources.devices" {
  update_config ".linux.resources.devices = [{\"allow\": false, \"access\": \"rwm\"}]
                 | .linux.devices = [$KMSG]"
  set_args sh -c 'ls -l /dev/kmsg; echo "<7>hutch test: device cgroup" >/dev/kmsg && echo written'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  # The node exists (linux.devices made it) but the cgroup refuses it.
  assert_line --partial "1,  11"
  assert_line --partial "/dev/kmsg: Operation not permitted"
  refute_line written
}

@test "devices: a resources.devices allow rule for it gives access (podman --device)" {
  update_config ".linux.resources.devices = [{\"allow\": false, \"access\": \"rwm\"},
                   {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"rwm\"}]
                 | .linux.devices = [$KMSG]"
  set_args sh -c 'echo "<7>hutch test: device cgroup" >/dev/kmsg && echo written'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output written
}

@test "devices: the defaults are runc's: /dev/tty and ptys yes, the host console (5:1) no" {
  update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"}]
                 | .process.capabilities.bounding += ["CAP_MKNOD"]
                 | .process.capabilities.effective += ["CAP_MKNOD"]
                 | .process.capabilities.permitted += ["CAP_MKNOD"]'
  set_args sh -c 'mknod /dev/hostconsole c 5 1 && echo made; : >/dev/hostconsole && echo opened'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_line made
  assert_line --partial "/dev/hostconsole: Operation not permitted"
  refute_line opened
  if cg_is_v1 devices; then
    id=$(cid 2)
    set_args sleep 100000
    hutch run -d --bundle "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
    run cat "$(cg_dir devices "$(init_pid "$id")")/devices.list"
    assert_line "c 5:0 rwm"
    assert_line "c 136:* rwm"
    refute_line "c 5:1 rwm"
  fi
}
