#!/usr/bin/env bats
# The root filesystem: mounts and their options, /dev, linux.devices,
# maskedPaths, readonlyPaths, root.readonly, sysctl, rootfsPropagation,
# --no-pivot, and errors naming the failing mount.

load helpers
bats_require_minimum_version 1.5.0

@test "a tmpfs mount takes its size option" {
  update_config '.mounts += [{"destination":"/scratch","type":"tmpfs","source":"tmpfs","options":["size=1m","nosuid","nodev"]}]'
  set_args sh -c 'grep " /scratch " /proc/self/mounts; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>&1; echo dd=$?'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --regexp '^tmpfs /scratch tmpfs rw,nosuid,nodev,.*size=1024k'
  assert_output --partial 'No space left on device'
  assert_line 'dd=1'
}

@test "a tmpfs takes the mode of the directory it covers (1777 on a new one)" {
  mkdir -p "$BUNDLE/rootfs/priv"
  chmod 0700 "$BUNDLE/rootfs/priv"
  update_config '.mounts += [{"destination":"/priv","type":"tmpfs","source":"tmpfs"},
                             {"destination":"/newtmp","type":"tmpfs","source":"tmpfs"},
                             {"destination":"/explicit","type":"tmpfs","source":"tmpfs","options":["mode=0751"]}]'
  set_args stat -c '%n %a' /priv /newtmp /explicit
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line '/priv 700'
  assert_line '/newtmp 1777'
  assert_line '/explicit 751'
}

@test "tmpcopyup: a tmpfs starts with a copy of the directory it covers" {
  local d="$BUNDLE/rootfs/copied"
  mkdir -p "$d/sub"
  echo content >"$d/f"
  echo deep >"$d/sub/g"
  touch "$d/owned"
  chmod 0640 "$d/owned"
  chown 1000:1001 "$d/owned"
  ln -s f "$d/link"
  update_config '.mounts += [{"destination":"/copied","type":"tmpfs","source":"tmpfs","options":["tmpcopyup","size=1m"]}]'
  set_args sh -c 'cat /copied/f /copied/sub/g; stat -c "%a %u:%g" /copied/owned; readlink /copied/link; grep -c " /copied tmpfs " /proc/mounts; echo new >/copied/f; cat /copied/f'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_equal "${lines[*]}" "content deep 640 1000:1001 f 1 new"
  [ "$(cat "$d/f")" = content ] # the image is untouched
}

@test "bind mounts: ro directory, file onto a missing path, rbind keeps submounts" {
  local src="$BATS_TEST_TMPDIR/src"
  mkdir -p "$src/sub"
  echo hello >"$src/hello"
  echo single >"$BATS_TEST_TMPDIR/file"
  update_config '.root.readonly = false | .mounts += [
    {"destination":"/ro","source":"'"$src"'","options":["bind","ro"]},
    {"destination":"/etc/hutch-file","source":"'"$BATS_TEST_TMPDIR/file"'","options":["bind"]},
    {"destination":"/rb","source":"'"$src"'","options":["rbind","nosuid"]}]'
  set_args sh -c 'cat /ro/hello; touch /ro/x 2>&1; cat /etc/hutch-file; [ -f /etc/hutch-file ] && echo isfile; cat /rb/sub/marker'
  # The submount exists only in a private mount namespace around hutch.
  run --separate-stderr unshare -m --propagation private sh -c \
    "mount -t tmpfs hutch-test-sub '$src/sub' && echo inner >'$src/sub/marker' && '$HUTCH' --root '$ROOT' run --bundle '$BUNDLE' '$(cid)'"
  assert_success
  assert_line --index 0 'hello'
  assert_line --index 1 --partial 'Read-only file system'
  assert_line --index 2 'single'
  assert_line --index 3 'isfile'
  assert_line --index 4 'inner'
  [ ! -e "$src/x" ]
  [ -f "$BUNDLE/rootfs/etc/hutch-file" ] # the mount point was made as a file
}

@test "a relative bind source is taken from the bundle" {
  mkdir -p "$BUNDLE/vol"
  echo from-bundle >"$BUNDLE/vol/f"
  update_config '.mounts += [{"destination":"/vol","source":"vol","options":["rbind","ro"]}]'
  set_args cat /vol/f
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output 'from-bundle'
}

@test "recursive attributes: rro makes submounts read-only too" {
  local src="$BATS_TEST_TMPDIR/rsrc"
  mkdir -p "$src/sub"
  update_config '.mounts += [{"destination":"/r","source":"'"$src"'","options":["rbind","rro"]}]'
  set_args sh -c 'touch /r/sub/x 2>&1; touch /r/y 2>&1; true'
  run --separate-stderr unshare -m --propagation private sh -c \
    "mount -t tmpfs hutch-test-rsub '$src/sub' && '$HUTCH' --root '$ROOT' run --bundle '$BUNDLE' '$(cid)'"
  assert_success
  assert_line --index 0 --partial 'Read-only file system'
  assert_line --index 1 --partial 'Read-only file system'
}

@test "/dev has the default devices, links and devpts" {
  set_args sh -c 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T %a" /dev/$d; done; for l in ptmx fd stdin stdout stderr; do readlink /dev/$l; done; [ -c /dev/pts/ptmx ] && echo pts'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line '/dev/null character special file 1:3 666'
  assert_line '/dev/zero character special file 1:5 666'
  assert_line '/dev/full character special file 1:7 666'
  assert_line '/dev/random character special file 1:8 666'
  assert_line '/dev/urandom character special file 1:9 666'
  assert_line '/dev/tty character special file 5:0 666'
  assert_line 'pts/ptmx'
  assert_line '/proc/self/fd'
  assert_line '/proc/self/fd/0'
  assert_line '/proc/self/fd/2'
  assert_line 'pts'
}

@test "linux.devices: a node with the given type, numbers, mode and owner" {
  update_config '.linux.devices = [{"path":"/dev/hutch0","type":"c","major":1,"minor":5,"fileMode":384,"uid":1000,"gid":1001},
                                   {"path":"/dev/sub/hutchfifo","type":"p","major":0,"minor":0}]'
  set_args sh -c 'stat -c "%F %t:%T %a %u:%g" /dev/hutch0; stat -c "%F" /dev/sub/hutchfifo'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 'character special file 1:5 600 1000:1001'
  assert_line --index 1 'fifo'
}

@test "linux.devices outside /dev is rejected before anything is created" {
  update_config '.linux.devices = [{"path":"/etc/evil","type":"c","major":1,"minor":3}]'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'linux.devices[0]: path /etc/evil is not under /dev'
  assert_no_leftovers "$id"
}

@test "maskedPaths: files read empty, directories are empty and read-only, missing ones skipped" {
  update_config '.linux.maskedPaths = ["/proc/keys", "/proc/timer_list", "/sys/firmware", "/proc/kcore", "/no/such/path"]'
  set_args sh -c 'wc -c </proc/keys; wc -c </proc/timer_list; ls -A /sys/firmware | wc -l; touch /sys/firmware/x 2>&1; true'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 '0'
  assert_line --index 1 '0'
  assert_line --index 2 '0'
  assert_line --index 3 --partial 'Read-only file system'
}

@test "readonlyPaths: writes fail with EROFS, missing paths are skipped" {
  update_config '.linux.readonlyPaths = ["/proc/sys", "/proc/sysrq-trigger", "/nothing/here"]'
  set_args sh -c '(echo x >/proc/sys/kernel/domainname) 2>&1; (echo 1 >/proc/sys/net/ipv4/ip_forward) 2>&1; true'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 --partial 'Read-only file system'
  assert_line --index 1 --partial 'Read-only file system'
}

@test "root.readonly: / is read-only, tmpfs mounts stay writable" {
  update_config '.root.readonly = true'
  set_args sh -c 'touch /x 2>&1; touch /dev/shm/ok && echo shm-ok'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 --partial 'Read-only file system'
  assert_line --index 1 'shm-ok'
  [ ! -e "$BUNDLE/rootfs/x" ]
}

@test "a tmpfs with ro is read-only once the container runs" {
  update_config '.mounts += [{"destination":"/rotmp","type":"tmpfs","source":"tmpfs","options":["ro","size=64k"]}]'
  set_args sh -c 'touch /rotmp/x 2>&1; true'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_output --partial 'Read-only file system'
}

@test "linux.sysctl: a namespaced key is visible inside" {
  update_config '.linux.sysctl = {"net.ipv4.ip_forward":"1","kernel.shmmni":"2048"}'
  set_args sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --index 0 '1'
  assert_line --index 1 '2048'
  [ "$(cat /proc/sys/kernel/shmmni)" != 2048 ] || [ "$(cat /proc/sys/kernel/shmmni)" = 4096 ]
}

@test "linux.sysctl: a non-namespaced key is rejected with a clear error, nothing left behind" {
  update_config '.linux.sysctl = {"kernel.pid_max":"4096"}'
  set_args true
  id=$(cid)
  before=$(cat /proc/sys/kernel/pid_max)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial 'linux.sysctl: kernel.pid_max is not in a separate kernel namespace'
  assert_no_leftovers "$id"
  [ "$(cat /proc/sys/kernel/pid_max)" = "$before" ]
}

@test "linux.sysctl: net.* without a network namespace is rejected" {
  update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward":"1"}'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial "net.ipv4.ip_forward is not allowed in the host's network namespace"
  assert_no_leftovers "$id"
}

@test "rootfsPropagation: shared makes / shared, private and the default leave it unshared" {
  set_args sh -c 'head -1 /proc/self/mountinfo'
  update_config '.linux.rootfsPropagation = "shared"'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid a)"
  assert_success
  assert_output --regexp ' / [^ ]+ .*shared:[0-9]+ - '
  update_config '.linux.rootfsPropagation = "private"'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid b)"
  assert_success
  refute_output --partial 'shared:'
  update_config 'del(.linux.rootfsPropagation)'
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid c)"
  assert_success
  refute_output --partial 'shared:'
}

@test "an unknown rootfsPropagation is a config error" {
  update_config '.linux.rootfsPropagation = "sideways"'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial 'rootfsPropagation'
  assert_no_leftovers "$id"
}

@test "--no-pivot runs the container chrooted into its rootfs" {
  touch "$BUNDLE/rootfs/hutch-rootfs-marker"
  set_args sh -c 'ls /; echo pid=$$; touch /x 2>&1; true'
  run --separate-stderr hutch run --no-pivot --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line 'bin'
  assert_line 'hutch-rootfs-marker'
  refute_line 'boot'
  assert_line 'pid=1'
  assert_line --partial 'Read-only file system'
}

@test "the cgroup mount shows the container's own cgroups, read-only, without touching the host's" {
  set_args sh -c 'ls /sys/fs/cgroup; touch /sys/fs/cgroup/x 2>&1; test -e /sys/fs/cgroup/memory/memory.limit_in_bytes && echo v1-ok; test -e /sys/fs/cgroup/cgroup.controllers && echo v2-ok; true'
  before=$(grep -E ' - cgroup2? ' /proc/self/mountinfo)
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  assert_success
  assert_line --partial 'Read-only file system'
  if [ -d /sys/fs/cgroup/memory ]; then
    assert_line 'memory'
    assert_line 'v1-ok'
  else
    assert_line 'v2-ok'
  fi
  # A cgroup2 mount in the initial cgroup namespace would reset the host's
  # options (nsdelegate, ...): the host's cgroup mounts are unchanged.
  [ "$(grep -E ' - cgroup2? ' /proc/self/mountinfo)" = "$before" ]
}

@test "a missing bind source: one-line error naming the mount, exit 1, nothing left behind" {
  update_config '.mounts += [{"destination":"/data","source":"/nope-hutch-test","options":["bind"]}]'
  n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "mounts[$n]: bind source /nope-hutch-test: No such file or directory"
  assert_no_leftovers "$id"
}

@test "an unknown filesystem type fails naming the mount" {
  update_config '.mounts += [{"destination":"/weird","type":"hutchfs","source":"none"}]'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial 'mount hutchfs on /weird: No such device'
  assert_no_leftovers "$id"
}

@test "nothing can be mounted inside /proc except the lxcfs files" {
  update_config '.mounts += [{"destination":"/proc/sys/kernel","type":"tmpfs","source":"tmpfs"}]'
  set_args true
  id=$(cid)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_output --partial '/proc/sys/kernel cannot be mounted because it is inside /proc'
  assert_no_leftovers "$id"
}

@test "idmap: a bind mount shows files through the mount's uid/gid mappings" {
  local src="$BATS_TEST_TMPDIR/idsrc"
  mkdir -p "$src"
  touch "$src/f"
  chown 0:0 "$src/f"
  update_config '.mounts += [{"destination":"/idm","source":"'"$src"'","options":["bind","idmap"],
     "uidMappings":[{"containerID":0,"hostID":1000,"size":10}],
     "gidMappings":[{"containerID":0,"hostID":2000,"size":10}]}]'
  set_args stat -c '%u:%g' /idm/f
  run --separate-stderr hutch run --bundle "$BUNDLE" "$(cid)"
  if [ "$status" -ne 0 ] && [[ "$stderr" == *"idmap bind"*"Invalid argument"* ]]; then
    skip "the filesystem of $src has no idmapped mounts (tmpfs before Linux 6.3)"
  fi
  assert_success
  assert_output '1000:2000'
  [ "$(stat -c %u:%g "$src/f")" = 0:0 ]
}

# issue 16 item 21: a file bound on a directory (or the reverse) says which,
# naming the mount, not the kernel's "Invalid argument".
@test "a bind of a directory on a file, or a file on a directory, says so naming the mount" {
  mkdir "$BATS_TEST_TMPDIR/srcdir"
  echo x >"$BATS_TEST_TMPDIR/srcfile"
  set_args true
  update_config ".mounts += [{\"destination\":\"/etc/passwd\",\"source\":\"$BATS_TEST_TMPDIR/srcdir\",\"options\":[\"bind\"]}]"
  n=$(jq '.mounts | length - 1' "$BUNDLE/config.json")
  id=$(cid a)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "mounts[$n]: bind $BATS_TEST_TMPDIR/srcdir on /etc/passwd: not a directory"
  assert_no_leftovers "$id"
  update_config ".mounts[$n] = {\"destination\":\"/etc\",\"source\":\"$BATS_TEST_TMPDIR/srcfile\",\"options\":[\"bind\"]}"
  id=$(cid b)
  run hutch run --bundle "$BUNDLE" "$id"
  assert_failure 1
  assert_equal "${#lines[@]}" 1
  assert_output --partial "mounts[$n]: bind $BATS_TEST_TMPDIR/srcfile on /etc: is a directory"
  assert_no_leftovers "$id"
}
