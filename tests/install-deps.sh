#!/bin/sh
# Install what hutch needs to build and test, from Debian's packages.
# Idempotent; run as root.  Reasons for each package:
#   build: gcc cmake pkg-config libjansson-dev libseccomp-dev libcap-dev
#          libsystemd-dev (the sd-bus header of the systemd cgroup driver),
#          protobuf-c-compiler libprotobuf-c-dev criu (criu's RPC for the
#          checkpoint of a container with a terminal: protoc-c generates C
#          from criu's /usr/include/criu/rpc.proto; libprotobuf-c1 is loaded
#          with dlopen at run time)
#   tests: bats bats-support bats-assert, busybox-static (test root
#          filesystems), jq (editing config.json in tests), iproute2
#          (network namespace checks), util-linux (unshare, script),
#          file (checks busybox is static), bc + time (tests/bench),
#          uidmap (newuidmap/newgidmap: bats/rootless.bats, multi-id maps)
#   bench: crun runc (the runtimes tests/bench compares hutch with)
set -eu
pkgs="gcc make cmake pkg-config libjansson-dev libseccomp-dev libcap-dev libsystemd-dev
      protobuf-c-compiler libprotobuf-c-dev criu
      bats bats-support bats-assert busybox-static jq iproute2 util-linux file
      bc time crun runc uidmap"
# shellcheck disable=SC2086
sh "$(dirname "$0")/apt-ensure.sh" $pkgs
# The pure cgroup-v2 VM (qemu) that tests/run-all.sh uses.
sh "$(dirname "$0")/vm/install-deps.sh"
# podman, conmon, containerd, umoci, ... for bats/clients.
sh "$(dirname "$0")/clients-deps.sh"
# clang (libFuzzer), strace, valgrind for tests/run-reliability.sh.
sh "$(dirname "$0")/reliability/install-deps.sh"
