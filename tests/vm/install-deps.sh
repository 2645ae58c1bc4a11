#!/bin/sh
# Install what tests/vm/run-in-v2vm.sh and run-in-systemd-vm.sh need on the
# host, from Debian's packages (the VMs' root is the host's /).  Idempotent
# (apt-get runs only when something is missing); run as root.  Reasons for
# each package:
#   qemu-system-x86   the emulator (TCG: /dev/kvm is not usable on our hosts)
#   qemu-system-data  /usr/share/qemu/qboot.rom, the fast minimal firmware
#   busybox-static    the initramfs' only binary
#   cpio              packs the initramfs
#   xz-utils          unpacks the uncompressed vmlinux out of the bzImage
#   util-linux        flock (serialises the kernel cache between runs)
# and for the systemd VM (run-in-systemd-vm.sh), which boots the host's own
# systemd, D-Bus and logind and runs rootless engines as a test user there:
#   systemd dbus      PID 1 and the system bus
#   libpam-systemd    logind sessions, user@UID.service for lingering users
#   dbus-user-session the user bus at /run/user/UID/bus
#   passwd            useradd for the test user
#   uidmap            newuidmap/newgidmap (rootless user namespaces)
#   slirp4netns       rootless podman's network
#   criu              hutch checkpoint/restore (bats/checkpoint.bats in the v2 VM:
#                     criu works on the guest's Debian kernel, not on 6.18 hosts)
# The guest kernel is not installed: run-in-v2vm.sh `apt-get download`s it
# into its cache and never installs it on the host.
set -eu
pkgs="qemu-system-x86 qemu-system-data busybox-static cpio xz-utils util-linux
      systemd dbus libpam-systemd dbus-user-session passwd uidmap slirp4netns criu"
# shellcheck disable=SC2086
sh "$(dirname "$0")/../apt-ensure.sh" $pkgs
