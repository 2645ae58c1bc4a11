#!/bin/bash
# run-in-v2vm.sh [OPTIONS] CMD...: run the shell command line CMD inside a
# throw-away qemu VM whose only cgroup hierarchy is cgroup2 with every
# controller enabled, and exit with CMD's exit status (CMD's stdout and
# stderr come out on ours).  See docs/TESTING-V2.md.
#
# In the VM the host's / is visible read-only under a tmpfs overlay (writes
# are thrown away at the end), and each --share DIR (default: this repo) is
# shared read-write at the same path.  CMD runs as root in bash (sh if the
# host has no bash), in the host's current directory if the VM has it.
#
# The guest kernel is Debian's linux-image-amd64 kernel, `apt-get download`ed
# and unpacked into a cache (never installed on the host); the VM runs under
# TCG, since /dev/kvm is not usable on our hosts.
#
# With --systemd (what tests/vm/run-in-systemd-vm.sh passes) the VM boots
# systemd as PID 1 on the same root and runs CMD in a service once D-Bus and
# logind are up; see docs/TESTING-V2.md.
set -euo pipefail

prog=run-in-v2vm
[ "${1:-}" != --systemd ] || prog=run-in-systemd-vm
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

# Exit statuses of our own (CMD's status is passed through otherwise).
EX_TIMEOUT=124
EX_VM=125

usage() {
  cat <<EOF
usage: $prog [OPTIONS] CMD...
Run the shell command line CMD (the words joined with spaces) as root in a
pure cgroup-v2 qemu VM, and exit with its exit status.
  --share DIR        share DIR read-write at the same path (repeatable;
                     default: $repo)
  --env NAME=VALUE   set NAME in CMD's environment (repeatable)
  --timeout SECONDS  kill the VM and fail after SECONDS (default 1500)
  --mem MIB          guest memory in MiB (default 2048)
  --smp N            guest CPUs (default 2)
  --module NAME      also load this kernel module at boot (repeatable)
  --systemd          boot systemd as PID 1 and run CMD in its service
                     hutch-job.service (Delegate=yes) after basic.target,
                     dbus.service and systemd-logind.service
  --verbose          show the kernel's boot messages on stderr at the end
  -h, --help         this help
Environment: HUTCH_V2VM_CACHE (kernel cache dir, default /var/cache/hutch-v2vm),
HUTCH_V2VM_REFRESH=1 (re-resolve and fetch the newest Debian kernel),
HUTCH_V2VM_KEEP=1 (keep the temporary directory, for debugging),
HUTCH_V2VM_APPEND (extra kernel command line arguments).
Exit status: CMD's, or $EX_TIMEOUT on timeout, $EX_VM if the VM could not run CMD.
EOF
}

die() {
  echo "$prog: $*" >&2
  exit "$EX_VM"
}

shares=() envs=() modules=() timeout=1500 mem=2048 smp=2 verbose=0 systemd=0
while [ $# -gt 0 ]; do
  case $1 in
  --share | --env | --timeout | --mem | --smp | --module)
    [ $# -ge 2 ] || die "$1 needs an argument"
    case $1 in
    --share)
      [ -d "$2" ] || die "--share $2: not a directory"
      shares+=("$(cd "$2" && pwd -P)")
      ;;
    --env)
      [[ $2 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env $2: expected NAME=VALUE"
      envs+=("$2")
      ;;
    --timeout | --mem | --smp)
      [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 $2: expected a positive integer"
      case $1 in
      --timeout) timeout=$2 ;;
      --mem) mem=$2 ;;
      --smp) smp=$2 ;;
      esac
      ;;
    --module) modules+=("$2") ;;
    esac
    shift 2
    ;;
  --verbose) verbose=1 && shift ;;
  --systemd) systemd=1 && shift ;;
  -h | --help) usage && exit 0 ;;
  --) shift && break ;;
  -*) die "unknown option $1 (see --help)" ;;
  *) break ;;
  esac
done
[ $# -gt 0 ] || { usage >&2 && exit 2; }
cmd="$*"
[ ${#shares[@]} -gt 0 ] || shares=("$(cd "$repo" && pwd -P)")
# Parents before children (a share inside another is mounted on top of it).
mapfile -t shares < <(printf '%s\n' "${shares[@]}" | sort -u)
for s in "${shares[@]}" "${envs[@]}" "$PWD"; do
  [[ $s != *$'\n'* ]] || die "newlines are not supported in --share, --env or the current directory"
done
for s in "${shares[@]}"; do
  case $s in
  / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) die "--share $s: cannot share that directory" ;;
  esac
done

# --- what we need on the host -------------------------------------------
qemu="qemu-system-x86_64"
qboot=/usr/share/qemu/qboot.rom
busybox=/bin/busybox
for tool in "$qemu" cpio xz flock timeout apt-get apt-cache dpkg-deb grep awk; do
  command -v "$tool" >/dev/null || die "missing $tool: run tests/vm/install-deps.sh"
done
[ -f "$qboot" ] || die "missing $qboot: run tests/vm/install-deps.sh (qemu-system-data)"
if [ ! -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  die "missing a static $busybox: run tests/vm/install-deps.sh (busybox-static)"
fi
[ "$(id -u)" = 0 ] || die "must run as root (9p passthrough shares, /var/cache)"

# --- the guest kernel, cached ---------------------------------------------
cache=${HUTCH_V2VM_CACHE:-/var/cache/hutch-v2vm}
mkdir -p "$cache" || die "cannot create the kernel cache $cache"
exec 9>"$cache/.lock"
flock 9 || die "cannot lock $cache/.lock"

resolve_kernel_pkg() {
  local pkg
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  if [ -z "$pkg" ]; then
    echo "$prog: refreshing the apt lists to find linux-image-amd64's kernel" >&2
    apt-get update -qq >&2 || true
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  fi
  [ -n "$pkg" ] || die "cannot resolve the kernel package linux-image-amd64 depends on (apt-cache depends linux-image-amd64)"
  echo "$pkg"
}

# extract_vmlinux BZIMAGE OUT: cut the uncompressed ELF vmlinux out of the
# bzImage's xz payload (qemu boots it through its PVH note, ~9 s faster than
# the bzImage under TCG).
extract_vmlinux() {
  local off
  while read -r off; do
    tail -c +$((off + 1)) "$1" | xz -dc --single-stream >"$2" 2>/dev/null || true
    if [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      return 0
    fi
  done < <(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | cut -d: -f1)
  rm -f "$2"
  return 1
}

fetch_kernel() { # PKG DIR
  local pkg=$1 dir=$2 tmpd deb
  echo "$prog: fetching the guest kernel $pkg into $dir (once)" >&2
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb"
  tmpd=$dir.tmp
  if ! (cd "$tmpd/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
    apt-get update -qq >&2 || true
    (cd "$tmpd/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
      die "apt-get download $pkg failed"
  fi
  deb=$(echo "$tmpd"/deb/*.deb)
  dpkg-deb -x "$deb" "$tmpd/root" || die "dpkg-deb -x $deb failed"
  rm -rf "$tmpd/deb"
  local kver
  kver=$(cd "$tmpd/root/lib/modules" && echo *)
  [ -d "$tmpd/root/lib/modules/$kver" ] || die "$pkg: no /lib/modules/KVERSION in the package"
  [ -f "$tmpd/root/boot/vmlinuz-$kver" ] || die "$pkg: no /boot/vmlinuz-$kver in the package"
  if ! extract_vmlinux "$tmpd/root/boot/vmlinuz-$kver" "$tmpd/vmlinux"; then
    echo "$prog: warning: no xz-compressed ELF in vmlinuz-$kver; booting the bzImage (slower)" >&2
    cp "$tmpd/root/boot/vmlinuz-$kver" "$tmpd/vmlinux"
  fi
  # modules.dep for the closure below and for modprobe in the guest.
  "$busybox" depmod -b "$tmpd/root" "$kver" || die "depmod for $kver failed"
  echo "$kver" >"$tmpd/kver"
  rm -rf "$dir" && mv "$tmpd" "$dir"
}

if [ "${HUTCH_V2VM_REFRESH:-0}" != 1 ] && [ -f "$cache/current/kver" ]; then
  kdir=$(cd "$cache/current" && pwd -P)
else
  pkg=$(resolve_kernel_pkg)
  kdir=$cache/$pkg
  [ -f "$kdir/kver" ] || fetch_kernel "$pkg" "$kdir"
  ln -sfn "$pkg" "$cache/current"
fi
kver=$(cat "$kdir/kver")
kernel=$kdir/vmlinux
moddir=$kdir/root/lib/modules/$kver
if [ ! -f "$kernel" ] || [ ! -f "$moddir/modules.dep" ]; then
  die "kernel cache $kdir is incomplete: remove it"
fi
flock -u 9
exec 9>&-

# --- per-run directory, cleaned up on exit ---------------------------------
tmp=$(mktemp -d "/tmp/hutch-$([ "$systemd" = 1 ] && echo sdvm || echo v2vm).XXXXXX")
qpid="" catout="" caterr=""
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
  if [ -n "$qpid" ]; then kill "$qpid" 2>/dev/null || true; fi
  for p in $catout $caterr; do kill "$p" 2>/dev/null || true; done
  if [ "${HUTCH_V2VM_KEEP:-0}" = 1 ]; then
    echo "$prog: kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'echo "$prog: interrupted; killing the VM" >&2; exit 130' INT
trap 'echo "$prog: terminated; killing the VM" >&2; exit 143' TERM HUP

# --- the initramfs: busybox, init.sh, the modules to reach the shares ------
ird=$tmp/initramfs
mkdir -p "$ird/bin" "$ird/proc" "$ird/sys" "$ird/dev" "$ird/ctl" "$ird/newroot" "$ird/lib/modules"
cp "$busybox" "$ird/bin/busybox"
cp "$here/init.sh" "$ird/init"
chmod 755 "$ird/init"
# The wanted modules and their dependencies, in load order (deps first),
# skipping the ones built into this kernel.
want="virtio_pci 9pnet_virtio 9p virtio_console overlay ${modules[*]}"
awk -v want="$want" -v builtin="$moddir/modules.builtin" '
  function name(p, n) { n = p; sub(/.*\//, "", n); sub(/\.ko(\.(xz|zst|gz))?$/, "", n); gsub(/-/, "_", n); return n }
  function visit(p,   a, i, k) {
    if (p in seen) return
    seen[p] = 1
    k = split(deps[p], a, " ")
    for (i = 1; i <= k; i++) visit(a[i])
    print p
  }
  { key = $1; sub(/:$/, "", key); path[name(key)] = key; deps[key] = ""
    for (i = 2; i <= NF; i++) deps[key] = deps[key] " " $i }
  END {
    while ((getline line < builtin) > 0) isbuiltin[name(line)] = 1
    k = split(want, w, " ")
    for (i = 1; i <= k; i++) {
      m = w[i]; gsub(/-/, "_", m)
      if (m in path) visit(path[m])
      else if (!(m in isbuiltin)) { print "MISSING " w[i]; exit 1 }
    }
  }' "$moddir/modules.dep" >"$tmp/modules.list" ||
  die "kernel $kver has no module $(sed -n 's/^MISSING //p' "$tmp/modules.list")"
: >"$ird/modules.list"
while read -r m; do
  dst=$ird/lib/modules/${m%.*}
  case $m in
  *.ko) dst=$ird/lib/modules/$m && mkdir -p "${dst%/*}" && cp "$moddir/$m" "$dst" ;;
  *.ko.xz) mkdir -p "${dst%/*}" && xz -dc "$moddir/$m" >"$dst" ;;
  *.ko.gz) mkdir -p "${dst%/*}" && gzip -dc "$moddir/$m" >"$dst" ;;
  *.ko.zst)
    command -v zstd >/dev/null || die "missing zstd for $m: apt-get install zstd"
    mkdir -p "${dst%/*}" && zstd -qdc "$moddir/$m" >"$dst"
    ;;
  *) die "unexpected module file $m" ;;
  esac
  echo "${dst#"$ird"/lib/modules/}" >>"$ird/modules.list"
done <"$tmp/modules.list"
(cd "$ird" && find . | cpio -o -H newc --quiet >"$tmp/initramfs.cpio") || die "cpio failed"

# --- the control share: settings in, exit status out -----------------------
ctl=$tmp/ctl
mkdir "$ctl"
printf '%s\n' "$cmd" >"$ctl/cmd"
{
  if [ "$systemd" = 1 ]; then
    echo "hostname sdvm"
    echo "systemd"
  else
    echo "hostname v2vm"
  fi
  echo "modules $moddir"
  i=0
  for s in "${shares[@]}"; do
    echo "share share$i $s"
    i=$((i + 1))
  done
  echo "cwd $PWD"
  for e in "${envs[@]}"; do echo "env $e"; done
} >"$ctl/config"

qpath() { printf '%s' "${1//,/,,}"; } # qemu option value: commas doubled
# systemd: no mounts from the host's fstab, no GPT auto-mounts, no first-boot
# questions; its unit status lines stay off the serial console unless --verbose.
sdargs=""
if [ "$systemd" = 1 ]; then
  sdargs="fstab=no systemd.gpt_auto=0 systemd.firstboot=off"
  [ "$verbose" = 1 ] || sdargs="$sdargs systemd.show_status=0"
fi
# shellcheck disable=SC2054 # the commas are qemu's
args=(
  -nodefaults -no-user-config -display none -no-reboot
  -accel tcg -cpu max -machine pc -smp "$smp" -m "$mem"
  -bios "$qboot"
  -kernel "$kernel" -initrd "$tmp/initramfs.cpio"
  -append "console=ttyS0 $([ "$verbose" = 1 ] || echo quiet) acpi=noirq no_timer_check cryptomgr.notests panic=-1 rdinit=/init $sdargs ${HUTCH_V2VM_APPEND:-}"
  -serial "file:$(qpath "$tmp/console.log")"
  -nic none
  -fsdev "local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap"
  -device virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot
  -fsdev "local,id=fsctl,path=$(qpath "$ctl"),security_model=none"
  -device virtio-9p-pci,fsdev=fsctl,mount_tag=hutchctl
  -device virtio-serial-pci
  -chardev "file,id=out,path=$(qpath "$tmp/out.fifo")"
  -device virtserialport,chardev=out,name=hutch.stdout
  -chardev "file,id=err,path=$(qpath "$tmp/err.fifo")"
  -device virtserialport,chardev=err,name=hutch.stderr
)
i=0
for s in "${shares[@]}"; do
  args+=(-fsdev "local,id=fs$i,path=$(qpath "$s"),security_model=passthrough,multidevs=remap"
    -device "virtio-9p-pci,fsdev=fs$i,mount_tag=share$i")
  i=$((i + 1))
done

# --- boot, run, power off ----------------------------------------------------
mkfifo "$tmp/out.fifo" "$tmp/err.fifo"
cat "$tmp/out.fifo" &
catout=$!
cat "$tmp/err.fifo" >&2 &
caterr=$!
start=$(date +%s)
timeout -k 5 "$timeout" "$qemu" "${args[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
qpid=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=""
# Unblock a reader still waiting in open() (qemu died before opening its
# end); O_RDWR on a FIFO never blocks.
for f in "$tmp/out.fifo" "$tmp/err.fifo"; do
  exec 8<>"$f"
  exec 8>&-
done
wait "$catout" "$caterr" 2>/dev/null || true
catout="" caterr=""
elapsed=$(($(date +%s) - start))

if [ "$verbose" = 1 ]; then
  echo "$prog: --- kernel console ---" >&2
  cat "$tmp/console.log" >&2 || true
  echo "$prog: --- VM ran ${elapsed}s ---" >&2
fi
if [ -f "$ctl/status" ]; then
  exit "$(cat "$ctl/status")"
fi
show_logs() {
  if [ -s "$tmp/qemu.log" ]; then sed "s/^/$prog: qemu: /" "$tmp/qemu.log" | tail -n 20 >&2; fi
  if [ "$verbose" != 1 ] && [ -s "$tmp/console.log" ]; then
    sed "s/^/$prog: console: /" "$tmp/console.log" | tail -n 40 >&2
  fi
}
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
  show_logs
  echo "$prog: timed out after ${timeout}s (--timeout); killed the VM" >&2
  exit "$EX_TIMEOUT"
fi
show_logs
if [ -f "$ctl/error" ]; then
  die "the VM could not run the command: $(cat "$ctl/error")"
fi
if [ "$qrc" != 0 ]; then
  die "qemu failed (exit status $qrc) after ${elapsed}s, before the command finished (qemu: lines above)"
fi
die "the VM stopped after ${elapsed}s without reporting the command's exit status (kernel crash? console: lines above, --verbose for the whole boot)"
