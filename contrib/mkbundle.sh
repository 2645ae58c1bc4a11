#!/bin/sh
# mkbundle.sh DIR [HUTCH]: make an OCI bundle in DIR with a busybox root
# filesystem (from Debian's busybox-static) and the default config.json that
# `hutch spec` writes.  Used by the README demo and the bats tests.
set -eu
dir=${1:?usage: mkbundle.sh DIR [HUTCH]}
hutch=${2:-hutch}
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkbundle.sh: $busybox not found: apt-get install busybox-static" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
  ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
  { echo "mkbundle.sh: $busybox is not static: apt-get install busybox-static" >&2; exit 1; }
mkdir -p "$dir/rootfs"
root="$dir/rootfs"
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" \
         "$root/tmp" "$root/root" "$root/usr/bin" "$root/var"
cp "$busybox" "$root/bin/busybox"
# One symlink per applet, pointing at /bin/busybox inside the rootfs.  As
# root, busybox makes them itself in a chroot (one process instead of ~270
# ln calls: seconds in the test VM); otherwise a loop does.
if [ "$(id -u)" = 0 ] && chroot "$root" /bin/busybox --install -s /bin 2>/dev/null; then
  :
else
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
if [ ! -e "$dir/config.json" ]; then
  "$hutch" spec --bundle "$dir"
fi
