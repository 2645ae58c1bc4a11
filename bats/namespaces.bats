#!/usr/bin/env bats
# Namespaces: each type new, or joined by path; user namespace maps; time offsets.

load helpers

ALL_NEW='.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"},{"type":"time"},{"type":"user"}]
  | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
  | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'

# A user namespace's root (host uid 100000) must be able to reach the rootfs:
# bats makes its temporary directories 0700.
open_bundle_path() {
  local d=$BUNDLE
  while [ "$d" != / ]; do
    chmod o+x "$d"
    d=$(dirname "$d")
  done
}

extra_teardown() {
  if [ -n "${NETNS_FILE:-}" ]; then
    umount "$NETNS_FILE" 2>/dev/null || true
  fi
  if [ -n "${NETNS_NAME:-}" ]; then
    ip netns delete "$NETNS_NAME" 2>/dev/null || true
  fi
}

# ns_inodes: "type inode" lines for the namespaces of the process running it.
NS_SCRIPT='for n in pid net ipc uts mnt cgroup time user; do echo "$n $(readlink /proc/self/ns/$n)"; done'

@test "every namespace type is new (user and time included)" {
  open_bundle_path
  update_config "$ALL_NEW"
  set_args sh -c "$NS_SCRIPT"
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_equal "${#lines[@]}" 8
  for n in pid net ipc uts mnt cgroup time user; do
    host=$(readlink /proc/self/ns/$n)
    inside=$(echo "$output" | awk -v n=$n '$1 == n {print $2}')
    [ -n "$inside" ]
    [ "$inside" != "$host" ] || fail "$n namespace is the host's ($host)"
  done
}

@test "without a namespace entry the host's namespace is kept" {
  update_config '.linux.namespaces = [{"type":"pid"},{"type":"mount"}] | del(.hostname)'
  set_args sh -c "$NS_SCRIPT"
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  for n in net ipc uts user; do
    assert_line "$n $(readlink /proc/self/ns/$n)"
  done
  refute_line "pid $(readlink /proc/self/ns/pid)"
}

@test "user namespace: the maps are written, root inside is an unprivileged uid outside" {
  open_bundle_path
  update_config "$ALL_NEW | .root.readonly = false"
  set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/made-inside'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 --regexp '^ +0 +100000 +65536$'
  assert_line --index 1 --regexp '^ +0 +100000 +65536$'
  assert_line --index 2 "0"
  [ "$(stat -c %u:%g "$BUNDLE/rootfs/tmp/made-inside")" = "100000:100000" ]
}

@test "time namespace: timeOffsets shift the boottime clock" {
  update_config '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"boottime": {"secs": 86400000, "nanosecs": 0}, "monotonic": {"secs": 3600, "nanosecs": 0}}'
  set_args cat /proc/uptime
  host=$(cut -d. -f1 /proc/uptime) # before: the container's clock can only be later
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  up=${output%%.*}
  [ "$up" -ge $((host + 86400000)) ]
}

@test "timeOffsets without a time namespace is refused" {
  update_config '.linux.timeOffsets = {"boottime": {"secs": 1, "nanosecs": 0}} | .process.terminal = false'
  id=$(cid)
  run hutch create --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial "timeOffsets"
  assert_no_leftovers "$id"
}

@test "join another container's network, uts, ipc and pid namespaces by path" {
  set_args sleep 100
  update_config '.hostname = "first"'
  a=$(cid a)
  create_detached "$a"
  hutch start "$a"
  apid=$(container_pid "$a")

  b=$(cid b)
  update_config "del(.hostname) | .linux.namespaces |= map(
      if .type == \"network\" then .path = \"/proc/$apid/ns/net\"
      elif .type == \"uts\" then .path = \"/proc/$apid/ns/uts\"
      elif .type == \"ipc\" then .path = \"/proc/$apid/ns/ipc\"
      elif .type == \"pid\" then .path = \"/proc/$apid/ns/pid\"
      else . end)"
  set_args sh -c 'hostname; for n in net ipc pid; do readlink /proc/self/ns/$n; done; echo $$; ps -o comm | grep -c sleep'
  run hutch run --bundle "$BUNDLE" "$b"
  assert_success
  assert_line --index 0 "first"
  assert_line --index 1 "$(readlink /proc/$apid/ns/net)"
  assert_line --index 2 "$(readlink /proc/$apid/ns/ipc)"
  assert_line --index 3 "$(readlink /proc/$apid/ns/pid)"
  [ "${lines[4]}" != 1 ] # not the init of the joined pid namespace
  assert_line --index 5 "1" # sees the first container's sleep
  assert_no_leftovers "$b"
  assert_equal "$(container_status "$a")" running
}

@test "join a network namespace made with unshare --net=FILE" {
  NETNS_FILE="$BATS_TEST_TMPDIR/netns"
  touch "$NETNS_FILE"
  unshare --net="$NETNS_FILE" true
  want=$(nsenter --net="$NETNS_FILE" readlink /proc/self/ns/net)
  update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"$NETNS_FILE\" else . end)"
  set_args readlink /proc/self/ns/net
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output "$want"
  [ "$want" != "$(readlink /proc/self/ns/net)" ]
}

@test "a net.* sysctl in a network namespace joined by path (ip netns) is set there, not on the host" {
  # What podman with netavark hands over: a netns path plus net.ipv4.ping_group_range.
  NETNS_NAME=$(cid netns)
  ip netns add "$NETNS_NAME"
  host_before=$(cat /proc/sys/net/ipv4/ping_group_range)
  update_config ".linux.namespaces |= map(if .type == \"network\" then .path = \"/var/run/netns/$NETNS_NAME\" else . end)
    | .linux.sysctl = {\"net.ipv4.ping_group_range\": \"0 0\"}"
  set_args cat /proc/sys/net/ipv4/ping_group_range
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output "$(printf '0\t0')"
  assert_equal "$(ip netns exec "$NETNS_NAME" cat /proc/sys/net/ipv4/ping_group_range)" "$(printf '0\t0')"
  assert_equal "$(cat /proc/sys/net/ipv4/ping_group_range)" "$host_before"
  [ "$host_before" != "$(printf '0\t0')" ]
}

@test "join another container's user namespace with new other namespaces" {
  open_bundle_path
  update_config "$ALL_NEW"
  set_args sleep 100
  a=$(cid a)
  create_detached "$a"
  apid=$(container_pid "$a")

  b=$(cid b)
  update_config ".linux.namespaces |= map(if .type == \"user\" then .path = \"/proc/$apid/ns/user\" else . end) | del(.linux.uidMappings, .linux.gidMappings)"
  set_args sh -c 'readlink /proc/self/ns/user; cat /proc/self/uid_map; echo $$; readlink /proc/self/ns/net'
  run hutch run --bundle "$BUNDLE" "$b"
  assert_success
  assert_line --index 0 "$(readlink /proc/$apid/ns/user)"
  assert_line --index 1 --regexp '^ +0 +100000 +65536$'
  assert_line --index 2 "1" # a new pid namespace: the forked init is PID 1
  refute_line --index 3 "$(readlink /proc/$apid/ns/net)"
  assert_no_leftovers "$b"
}

@test "a UTS namespace joined by path gets the config's hostname (as runc and crun do)" {
  set_args sleep 100
  update_config '.hostname = "first"'
  a=$(cid a)
  create_detached "$a"
  hutch start "$a"
  apid=$(container_pid "$a")
  b=$(cid b)
  update_config ".hostname = \"second\" | .linux.namespaces |= map(
      if .type == \"uts\" then .path = \"/proc/$apid/ns/uts\" else . end)"
  set_args hostname
  run hutch run --bundle "$BUNDLE" "$b"
  assert_success
  assert_output "second"
  run nsenter --uts=/proc/$apid/ns/uts hostname
  assert_output "second"
  # Without any UTS entry, a hostname is still refused.
  update_config 'del(.linux.namespaces[] | select(.type == "uts"))'
  run hutch run --bundle "$BUNDLE" "$b"
  assert_failure 1
  assert_output --partial "hostname: setting the hostname needs a uts namespace"
}

# issue 16 item 16: runc reads "path": "" as no path (a new namespace).
@test "an empty namespace path means a new namespace, as runc" {
  update_config '.linux.namespaces |= map(if .type == "network" or .type == "uts" then . + {"path": ""} else . end)'
  set_args sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts'
  run hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_equal "${#lines[@]}" 2
  [ "${lines[0]}" != "$(readlink /proc/self/ns/net)" ]
  [ "${lines[1]}" != "$(readlink /proc/self/ns/uts)" ]
}
