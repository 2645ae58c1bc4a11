#!/bin/bash
# systemd-selftest.sh: prove that tests/vm/run-in-systemd-vm.sh gives a pure
# cgroup-v2 host with systemd as PID 1, as podman and containerd expect it.
# Boots the VM once and checks: PID 1 is systemd and the system is
# "running" with no failed unit, busctl reaches org.freedesktop.systemd1 on
# the system bus, cgroup2 is the only cgroup mount with the controllers
# enabled, the command runs in hutch-job.service's delegated cgroup with
# PATH and HOME, the kernel loads modules on demand (bridge, veth: what
# netavark needs), a lingering user (loginctl enable-linger) gets
# user@UID.service with its user bus and delegated controllers, and newuidmap
# maps its subordinate ids (rootless podman); exit status and stderr come
# back.  Ends with "N passed, N failed"; exits non-zero if any check failed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm=$here/run-in-systemd-vm.sh
passed=0 failed=0
ok() {
  echo "ok: $*"
  passed=$((passed + 1))
}
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}

work=$(mktemp -d "$repo/.sdvm-selftest.XXXXXX")
trap 'rm -rf "$work"' EXIT

cd "$repo" || exit 1
start=$(date +%s)
# shellcheck disable=SC2016 # expanded in the VM
"$vm" --timeout 900 '
  echo "pid1=$(cat /proc/1/comm)"
  echo "state=$(systemctl is-system-running)"
  echo "failed=$(systemctl --failed --no-legend --plain | awk "{print \$1}" | tr "\n" " ")"
  echo "bus=$(busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager Version)"
  echo "cgmounts=$(grep -c cgroup /proc/self/mountinfo)"
  echo "cgfs=$(stat -fc %T /sys/fs/cgroup)"
  echo "ctrls=$(cat /sys/fs/cgroup/cgroup.subtree_control)"
  echo "cgroup=$(cat /proc/self/cgroup)"
  echo "delegate=$(systemctl show -P Delegate hutch-job.service)"
  svc=/sys/fs/cgroup/system.slice/hutch-job.service
  echo "+memory +pids" >$svc/cgroup.subtree_control && echo "subtree=$(cat $svc/cgroup.subtree_control)"
  echo "env=$PATH $HOME"
  ip link add hsd-br0 type bridge && ip link add hsd-v0 type veth peer name hsd-v1 &&
    echo "links=$(ls -d /sys/module/bridge /sys/module/veth | tr "\n" " ")"
  uid=$(tests/vm/sdvm-adduser.sh hutch-sdvm-user) && echo "uid=$uid"
  echo "userbus=$(setpriv --reuid "$uid" --regid "$uid" --init-groups env XDG_RUNTIME_DIR=/run/user/$uid \
    busctl --user get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager Version)"
  echo "userctrls=$(cat /sys/fs/cgroup/user.slice/user-$uid.slice/user@$uid.service/cgroup.controllers)"
  echo "subuid=$(grep "^hutch-sdvm-user:" /etc/subuid | cut -d: -f2-3 | tr : " ")"
  echo "usermap=$(cd / && setpriv --reuid "$uid" --regid "$uid" --init-groups env HOME=/home/hutch-sdvm-user USER=hutch-sdvm-user \
    XDG_RUNTIME_DIR=/run/user/$uid podman unshare cat /proc/self/uid_map 2>&1 | tr -s " \n" "  ")"
  echo "err line" >&2
  exit 3' >"$work/out" 2>"$work/err"
rc=$?
elapsed=$(($(date +%s) - start))
get() { sed -n "s/^$1=//p" "$work/out"; }

check() { # DESCRIPTION DETAIL-IF-FAILED TEST...
  local desc=$1 detail=$2
  shift 2
  if "$@"; then ok "$desc"; else fail "$desc: $detail"; fi
}
has_words() { # LIST WORD...: every WORD is in the space-separated LIST
  local w
  for w in "${@:2}"; do [[ " $1 " == *" $w "* ]] || return 1; done
}
check "exit status 3 passed through" "got $rc ($(tail -n 5 "$work/err"))" [ "$rc" = 3 ]
check "stderr passed through" "got '$(cat "$work/err")'" grep -qx 'err line' "$work/err"
check "PID 1 is systemd" "got '$(get pid1)'" [ "$(get pid1)" = systemd ]
check "systemctl is-system-running: running" "got '$(get state)', failed units: $(get failed)" \
  [ "$(get state)" = running ]
check "busctl reaches org.freedesktop.systemd1" "got '$(get bus)'" grep -q '^bus=s "2[0-9][0-9]' "$work/out"
check "one cgroup mount, cgroup2 at /sys/fs/cgroup" "got $(get cgmounts) $(get cgfs)" \
  [ "$(get cgmounts) $(get cgfs)" = "1 cgroup2fs" ]
check "root subtree_control has cpu io memory pids" "got '$(get ctrls)'" \
  has_words "$(get ctrls)" cpu io memory pids
check "the command runs in hutch-job.service's leaf" "got '$(get cgroup)'" \
  [ "$(get cgroup)" = 0::/system.slice/hutch-job.service/job ]
check "hutch-job.service has Delegate=yes, the command enables controllers in it" \
  "got '$(get delegate)' '$(get subtree)'" [ "$(get delegate) $(get subtree)" = "yes memory pids" ]
check "PATH and HOME set" "got '$(get env)'" \
  [ "$(get env)" = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /root" ]
check "bridge and veth modules load on demand (kernel.modprobe)" "got '$(get links)'" \
  [ "$(get links)" = "/sys/module/bridge /sys/module/veth " ]
uid=$(get uid)
check "loginctl enable-linger: user@$uid.service answers on /run/user/$uid/bus" "got '$(get userbus)'" \
  grep -q '^userbus=s "2[0-9][0-9]' "$work/out"
check "the user's systemd has cpu memory pids delegated" "got '$(get userctrls)'" \
  has_words "$(get userctrls)" cpu memory pids
check "newuidmap maps the user's subordinate ids (podman unshare)" "got '$(get usermap)'" \
  [ "$(get usermap)" = " 0 $uid 1 1 $(get subuid) " ]

echo "# the VM ran ${elapsed}s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
