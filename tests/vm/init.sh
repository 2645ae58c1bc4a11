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
#     exit status to the control share and power off.  With "systemd" in the
#     config, write the units of hutch-job.target and exec systemd instead;
#     its hutch-job.service runs "init.sh job", which does the same from a
#     leaf of the service's cgroup.
#
# The host passes its settings in the control share (9p tag hutchctl):
#   config: lines "share TAG PATH", "modules PATH", "cwd PATH",
#           "env NAME=VALUE", "hostname NAME", "systemd"
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
    systemd.unified_cgroup_hierarchy=0 | systemd.unified_cgroup_hierarchy=false | systemd.unified_cgroup_hierarchy=no)
      hybrid=1 ;;
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
  # root (like systemd: nsdelegate, memory_recursiveprot).  Not with
  # systemd.unified_cgroup_hierarchy=0 (HUTCH_V2VM_APPEND, --systemd only):
  # systemd then mounts the hybrid layout itself (v1 controllers, cgroup2
  # at /sys/fs/cgroup/unified).
  [ "${hybrid:-0}" = 1 ] || mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 $n/sys/fs/cgroup 2>/dev/null ||
    mount -t cgroup2 -o nsdelegate cgroup2 $n/sys/fs/cgroup ||
    stage1_fail "cannot mount cgroup2 on /sys/fs/cgroup"
  if [ "${hybrid:-0}" != 1 ]; then
    ctrls=""
    read -r avail <$n/sys/fs/cgroup/cgroup.controllers
    for c in $avail; do ctrls="$ctrls +$c"; done
    echo "$ctrls" >$n/sys/fs/cgroup/cgroup.subtree_control ||
      stage1_fail "cannot enable the controllers ($ctrls) in /sys/fs/cgroup/cgroup.subtree_control"
  fi

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
  # The kernel's own module requests (a bridge or veth link, an nf_tables
  # chain...) load from the guest kernel's tree with busybox's modprobe: the
  # host may have no kmod.
  { ln -s busybox $n$run/modprobe && echo $run/modprobe >$n/proc/sys/kernel/modprobe; } ||
    stage1_fail "cannot set kernel.modprobe"
  mount --move /ctl $n$run/ctl || stage1_fail "cannot move the control share"
  mount --make-rshared $n
  ip link set lo up
  # shellcheck disable=SC2093 # the failure path is reached only if exec fails
  exec switch_root $n $run/busybox sh $run/init stage2
  stage1_fail "switch_root failed"
}

# find_ports: OUT and ERR, the virtio-serial ports the host reads CMD's
# stdout and stderr from (/dev/null if missing).
find_ports() {
  out=/dev/null err=/dev/null
  for d in /sys/class/virtio-ports/*; do
    case $($bb cat "$d/name" 2>/dev/null) in
    hutch.stdout) out=/dev/${d##*/} ;;
    hutch.stderr) err=/dev/${d##*/} ;;
    esac
  done
}

# run_cmd CGROUP VAR=VALUE...: run CMD in the (new, leaf) cgroup CGROUP with
# exactly the environment given plus the config's "env" lines, in the
# config's cwd; write its exit status to the control share, sync and power
# off.
run_cmd() {
  cg=$1
  shift
  find_ports
  cwd=/
  while read -r kind rest; do
    case $kind in
    cwd) cwd=$rest ;;
    env) set -- "$@" "$rest" ;;
    esac
  done <$ctl/config
  shell=/bin/bash
  [ -x $shell ] || shell=/bin/sh

  $bb mkdir -p "$cg"
  (
    echo 0 >"$cg/cgroup.procs"
    cd "$cwd" 2>/dev/null || {
      echo "$prog: no directory $cwd in the VM (not under a --share or /); running CMD in /" >&2
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

stage2() {
  if $bb grep -qx systemd $ctl/config; then
    systemd_boot
  fi
  # Run the command in a leaf cgroup, as a systemd host would (the root
  # cgroup keeps only this init, which reaps orphans).
  prog="run-in-v2vm"
  run_cmd /sys/fs/cgroup/hutch-v2vm.scope PATH=$path HOME=/root USER=root LOGNAME=root HUTCH_V2VM=1
}

# systemd_boot: write the job's units and exec systemd as PID 1 on this root.
# systemd keeps the mounts stage 1 made (cgroup2 alone at /sys/fs/cgroup,
# /run, /dev, the shares) and starts hutch-job.target: sysinit, basic.target,
# D-Bus and logind, then hutch-job.service runs "init.sh job".
systemd_boot() {
  u=/run/systemd/system
  $bb mkdir -p $u
  $bb cat >$u/hutch-job.target <<EOF
[Unit]
Description=run-in-systemd-vm: the system with the command running
Requires=hutch-job.service
After=hutch-job.service
AllowIsolate=yes
EOF
  # Type=exec: the target (and so the system: is-system-running says
  # "running") is reached once the command started, as on a booted host.
  # Delegate=yes: the command owns its cgroup subtree (it runs in the leaf
  # .../hutch-job.service/job), as a cgroupfs runtime needs.
  $bb cat >$u/hutch-job.service <<EOF
[Unit]
Description=run-in-systemd-vm: the command
Wants=basic.target dbus.service systemd-logind.service
After=basic.target dbus.service systemd-logind.service
OnFailure=hutch-job-failed.service

[Service]
Type=exec
ExecStart=$run/busybox sh $run/init job
Delegate=yes
TimeoutStartSec=infinity
StandardInput=null
StandardOutput=journal+console
StandardError=journal+console
EOF
  $bb cat >$u/hutch-job-failed.service <<EOF
[Unit]
Description=run-in-systemd-vm: report that the command could not start
DefaultDependencies=no

[Service]
Type=oneshot
ExecStart=$run/busybox sh $run/init jobfailed
StandardOutput=journal+console
StandardError=journal+console
EOF
  # Masked: what makes no sense in a throw-away VM that shares the host's
  # /etc and /var and only costs boot time under TCG (users come from the
  # host's /etc/passwd, the journal stays in /run, no timers, no clock sync,
  # no kernel modules or sysctls of the host's).
  for m in timers.target systemd-sysusers.service systemd-journal-flush.service \
    systemd-update-utmp.service systemd-timesyncd.service systemd-pstore.service \
    systemd-modules-load.service systemd-remount-fs.service systemd-random-seed.service \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount sys-kernel-debug.mount \
    sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount \
    dev-hugepages.mount modprobe@.service e2scrub_reap.service; do
    $bb ln -sf /dev/null $u/$m
  done
  # A VM, not the container the host may be: systemd would take the host's
  # /.dockerenv for its own and skip what containers skip.
  $bb rm -f /.dockerenv
  for sd in /lib/systemd/systemd /usr/lib/systemd/systemd; do
    # shellcheck disable=SC2093 # the failure path is reached only if exec fails
    [ -x $sd ] && exec $sd --unit=hutch-job.target
  done
  fail "no /lib/systemd/systemd in the VM's root (apt-get install systemd on the host)"
}

# fail MESSAGE: report why the VM could not run CMD, and power off.
fail() {
  echo "hutch-v2vm init: $*" >&2
  echo "$*" >$ctl/error
  $bb sync
  $bb poweroff -f
  $bb reboot -f
}

bb=$run/busybox
ctl=$run/ctl
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
case ${1:-} in
stage2) stage2 ;;
job)
  # In hutch-job.service, under systemd: run the command in a leaf of the
  # service's delegated cgroup.
  prog="run-in-systemd-vm"
  # (this shell too: a delegated cgroup with processes in it cannot enable
  # controllers for its children).
  v2=/sys/fs/cgroup
  [ -e $v2/cgroup.controllers ] || v2=/sys/fs/cgroup/unified # hybrid
  own=$v2$($bb sed -n 's/^0:://p' /proc/self/cgroup)
  $bb mkdir -p "${own%/}/job" && echo $$ >"${own%/}/job/cgroup.procs"
  run_cmd "${own%/}/job" PATH=$path HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
    HUTCH_V2VM=1 HUTCH_SDVM=1
  ;;
jobfailed) fail "systemd could not start hutch-job.service (console: lines show why; --verbose for the boot)" ;;
*) stage1 ;;
esac
