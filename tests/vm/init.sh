#!/bin/busybox sh
# Init of the pure cgroup-v2 test VM (see tests/vm/run-in-v2vm.sh and
# docs/TESTING-V2.md).  Runs under the initramfs' busybox sh, in two stages:
#
#   /init (no argument), PID 1 in the initramfs: load the virtio/9p/overlay
#     modules, build the new root (the host's / read-only over 9p under a
#     tmpfs overlay, plus the read-write 9p shares at their host paths),
#     mount proc, sys, dev, run, tmp and cgroup2 in it, then switch_root.
#   init.sh stage2, PID 1 in the new root: move into a leaf cgroup, run the
#     command with its stdout/stderr on the virtio-serial ports, write its
#     exit status to the control share and power off.
#
# The host passes its settings in the control share (9p tag hutchctl):
#   config: lines "share TAG PATH", "modules PATH", "cwd PATH",
#           "env NAME=VALUE", "hostname NAME"
#   cmd:    the shell command line
# and reads back "status" (the command's exit status) or "error" (why the VM
# could not run it).
# shellcheck shell=sh

run=/run/hutch-v2vm          # in the new root: busybox, this script, ctl/
msize=262144
p9opts="trans=virtio,version=9p2000.L,msize=$msize"

stage1_fail() {
  echo "hutch-v2vm init: $*" >&2
  if [ -w /ctl ]; then echo "$*" >/ctl/error; fi
  sync
  poweroff -f
  reboot -f
}

stage1() {
  export PATH=/bin
  /bin/busybox --install -s /bin
  mount -t proc proc /proc
  read -r cmdline </proc/cmdline
  for arg in $cmdline; do
    case $arg in
    hutch.msize=*) msize=${arg#*=} p9opts="trans=virtio,version=9p2000.L,msize=$msize" ;;
    esac
  done
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev

  while read -r mod; do
    insmod "/lib/modules/$mod" || stage1_fail "insmod $mod failed"
  done </modules.list

  # The 9p transport can come up a moment after virtio_pci probed.
  i=0
  until mount -t 9p -o "$p9opts" hutchctl /ctl 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -lt 50 ] || stage1_fail "cannot mount the control share (9p tag hutchctl)"
    sleep 0.1
  done

  mkdir -p /lower /upper
  mount -t 9p -o "$p9opts,ro,cache=loose" hostroot /lower ||
    stage1_fail "cannot mount the host's / over 9p (tag hostroot)"
  mount -t tmpfs -o mode=0755 tmpfs /upper || stage1_fail "cannot mount tmpfs for the overlay"
  mkdir -p /upper/data /upper/work
  mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot ||
    stage1_fail "cannot mount the overlay root (lower: host / over 9p, upper: tmpfs)"

  n=/newroot
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs $n/run || stage1_fail "cannot mount /run"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $n/tmp || stage1_fail "cannot mount /tmp"
  mount --move /proc $n/proc || stage1_fail "cannot move /proc"
  mount --move /sys $n/sys || stage1_fail "cannot move /sys"
  mount --move /dev $n/dev || stage1_fail "cannot move /dev"
  mkdir -p $n/dev/pts $n/dev/shm $n/dev/mqueue
  mount -t devpts -o newinstance,gid=5,mode=0620,ptmxmode=0666 devpts $n/dev/pts ||
    stage1_fail "cannot mount /dev/pts"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $n/dev/shm || stage1_fail "cannot mount /dev/shm"
  mount -t mqueue mqueue $n/dev/mqueue || stage1_fail "cannot mount /dev/mqueue"
  ln -sf /proc/self/fd $n/dev/fd
  ln -sf /proc/self/fd/0 $n/dev/stdin
  ln -sf /proc/self/fd/1 $n/dev/stdout
  ln -sf /proc/self/fd/2 $n/dev/stderr
  [ -e $n/dev/ptmx ] || ln -sf pts/ptmx $n/dev/ptmx

  # The only cgroup hierarchy: cgroup2, with every controller enabled in the
  # root (like systemd: nsdelegate, memory_recursiveprot).
  mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 $n/sys/fs/cgroup 2>/dev/null ||
    mount -t cgroup2 -o nsdelegate cgroup2 $n/sys/fs/cgroup ||
    stage1_fail "cannot mount cgroup2 on /sys/fs/cgroup"
  ctrls=""
  read -r avail <$n/sys/fs/cgroup/cgroup.controllers
  for c in $avail; do ctrls="$ctrls +$c"; done
  echo "$ctrls" >$n/sys/fs/cgroup/cgroup.subtree_control ||
    stage1_fail "cannot enable the controllers ($ctrls) in /sys/fs/cgroup/cgroup.subtree_control"

  while read -r kind rest; do
    case $kind in
    share)
      tag=${rest%% *}
      path=${rest#* }
      mkdir -p "$n$path" || stage1_fail "cannot create mount point $path"
      mount -t 9p -o "$p9opts,cache=loose,access=client" "$tag" "$n$path" ||
        stage1_fail "cannot mount the shared directory $path (9p tag $tag)"
      ;;
    modules)
      # The guest kernel's module tree (from the host's cache), so that
      # `/run/hutch-v2vm/busybox modprobe NAME` works in the VM.
      kver=$(uname -r)
      if [ -d "$n$rest" ]; then
        mkdir -p "$n/lib/modules/$kver" && mount --bind "$n$rest" "$n/lib/modules/$kver"
      fi
      ;;
    hostname) hostname "$rest" ;;
    esac
  done </ctl/config

  mkdir -p $n$run/ctl
  cp /bin/busybox /init $n$run/ || stage1_fail "cannot copy busybox into the new root"
  mount --move /ctl $n$run/ctl || stage1_fail "cannot move the control share"
  mount --make-rshared $n
  ip link set lo up
  # shellcheck disable=SC2093 # the failure path is reached only if exec fails
  exec switch_root $n $run/busybox sh $run/init stage2
  stage1_fail "switch_root failed"
}

stage2() {
  bb=$run/busybox
  ctl=$run/ctl
  cg=/sys/fs/cgroup/hutch-v2vm.scope

  out=/dev/null err=/dev/null
  for d in /sys/class/virtio-ports/*; do
    case $($bb cat "$d/name" 2>/dev/null) in
    hutch.stdout) out=/dev/${d##*/} ;;
    hutch.stderr) err=/dev/${d##*/} ;;
    esac
  done

  cwd=/
  set -- PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    USER=root LOGNAME=root HUTCH_V2VM=1
  while read -r kind rest; do
    case $kind in
    cwd) cwd=$rest ;;
    env) set -- "$@" "$rest" ;;
    esac
  done <$ctl/config
  shell=/bin/bash
  [ -x $shell ] || shell=/bin/sh

  $bb mkdir -p $cg
  (
    # Run the command in a leaf cgroup, as a systemd host would (the root
    # cgroup keeps only this init).
    echo 0 >$cg/cgroup.procs
    cd "$cwd" 2>/dev/null || {
      echo "run-in-v2vm: no directory $cwd in the VM (not under a --share or /); running CMD in /" >&2
      cd /
    }
    exec $bb env -i "$@" $shell -c "$($bb cat $ctl/cmd)"
  ) </dev/null >"$out" 2>"$err"
  status=$?
  echo $status >$ctl/status.tmp && $bb mv $ctl/status.tmp $ctl/status
  $bb sync
  $bb poweroff -f
  $bb reboot -f
}

case ${1:-} in
stage2) stage2 ;;
*) stage1 ;;
esac
