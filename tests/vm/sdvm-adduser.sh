#!/bin/bash
# sdvm-adduser.sh NAME: inside the systemd VM (tests/vm/run-in-systemd-vm.sh),
# make the unprivileged user NAME for rootless tests: a home, 65536
# subordinate uids and gids (/etc/subuid, /etc/subgid, for newuidmap), and a
# lingering login (loginctl enable-linger) so that user@UID.service runs with
# its user bus at /run/user/UID/bus.  Prints the uid.  The VM's root is
# thrown away at power-off, so nothing needs removing.
set -euo pipefail
[ "${HUTCH_SDVM:-}" = 1 ] || { echo "sdvm-adduser: only inside run-in-systemd-vm.sh" >&2 && exit 1; }
[ $# = 1 ] || { echo "usage: sdvm-adduser.sh NAME" >&2 && exit 2; }
name=$1
id "$name" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$name"
uid=$(id -u "$name")
# The first 65536-id range above every range already given out.
start=100000
for f in /etc/subuid /etc/subgid; do
  [ -e $f ] || continue
  while IFS=: read -r _ s n; do
    [ "$((s + n))" -le "$start" ] || start=$((s + n))
  done <$f
done
for f in /etc/subuid /etc/subgid; do
  grep -q "^$name:" $f 2>/dev/null || echo "$name:$start:65536" >>$f
done
loginctl enable-linger "$name"
for _ in $(seq 600); do
  [ -S "/run/user/$uid/bus" ] && systemctl is-active --quiet "user@$uid.service" && break
  sleep 0.2
done
[ -S "/run/user/$uid/bus" ] || {
  echo "sdvm-adduser: no user bus at /run/user/$uid/bus after 120 s ($(systemctl is-active "user@$uid.service"))" >&2
  exit 1
}
echo "$uid"
