#!/bin/sh
# Install what tests/vm/run-in-v2vm.sh needs on the host, from Debian's
# packages.  Idempotent (apt-get runs only when something is missing); run as
# root.  Reasons for each package:
#   qemu-system-x86   the emulator (TCG: /dev/kvm is not usable on our hosts)
#   qemu-system-data  /usr/share/qemu/qboot.rom, the fast minimal firmware
#   busybox-static    the initramfs' only binary
#   cpio              packs the initramfs
#   xz-utils          unpacks the uncompressed vmlinux out of the bzImage
#   util-linux        flock (serialises the kernel cache between runs)
# The guest kernel is not installed: run-in-v2vm.sh `apt-get download`s it
# into its cache and never installs it on the host.
set -eu
pkgs="qemu-system-x86 qemu-system-data busybox-static cpio xz-utils util-linux"
# shellcheck disable=SC2086
sh "$(dirname "$0")/../apt-ensure.sh" $pkgs
