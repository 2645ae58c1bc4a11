#!/bin/sh
# Build hutch with warnings as errors and run every test: the C unit tests
# (ctest), the integration tests (bats) on this host, the cgroup-sensitive
# bats files again inside a pure cgroup-v2 VM (tests/vm), and the client
# and reliability suites, and a VM with systemd as PID 1 on pure cgroup v2
# (tests/vm/run-in-systemd-vm.sh).  Run as root
# from the repo, after tests/install-deps.sh.  HUTCH_SKIP_V2VM=1 skips the
# pure-v2 VM part, HUTCH_SKIP_SDVM=1 the systemd VM part.
set -eu
cd "$(dirname "$0")/.."
repo=$PWD
build=${BUILD_DIR:-build}
# Test cgroups are all named hutch-test-*: note the ones already there.
cgroups_before=$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'hutch-test-*' 2>/dev/null | sort)
cmake -S . -B "$build" -DHUTCH_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure --timeout 300)
HUTCH="$repo/$build/hutch" bats bats/

echo "# podman and containerd driving hutch"
HUTCH="$repo/$build/hutch" bats bats/clients/

echo "# reliability: fuzzing (60 s), races, fault injection, load, sanitizers + valgrind"
# (the bad-input corpus ran with bats/ above; docs/RELIABILITY.md)
SKIP="bad_corpus" HUTCH="$repo/$build/hutch" bash tests/run-reliability.sh

if [ "${HUTCH_SKIP_V2VM:-0}" != 1 ]; then
  # (and checkpoint/restore: criu works on the guest's kernel, not on 6.18)
  echo "# cgroup-sensitive tests and checkpoint/restore on a pure cgroup v2 host (qemu VM)"
  tests/vm/run-in-v2vm.sh --timeout 2400 \
    "cd $repo && export HUTCH=$repo/$build/hutch && \
      bats bats/cgroups.bats bats/pause.bats bats/update.bats bats/events.bats bats/security_devices.bats bats/checkpoint.bats && \
      bats -f 'cgroup' bats/security_harden.bats"
fi

if [ "${HUTCH_SKIP_SDVM:-0}" != 1 ]; then
  # systemd 252 as PID 1 on pure cgroup v2, D-Bus, logind, a lingering user
  # with its user bus and subordinate ids (docs/TESTING-V2.md).
  echo "# a pure cgroup v2 host with systemd as PID 1 (qemu VM)"
  tests/vm/systemd-selftest.sh
  # One boot: hutch's systemd driver directly (bats/systemd.bats, as root
  # and as a lingering user with its own systemd), rootless podman as that
  # user (bats/clients/podman_rootless.bats: its default systemd cgroup
  # manager and cgroupfs), then podman and containerd as root in their
  # default configurations (systemd cgroup managers, netavark) and with
  # cgroupfs.  A selection of the client tests: each takes a minute or more
  # under TCG.
  echo "# hutch --systemd-cgroup, podman and containerd driving hutch in the systemd VM"
  # ('checkpoint/restore': podman's, without and with a terminal.)
  sel='output and exit code of the container|checkpoint/restore|ctr c checkpoint|--memory and --pids-limit|systemd scope|run -d, exec|pause/unpause|netavark network|runc-systemd-cgroup|memory-limit and --cpu-quota'
  # The cgroup-sensitive bats files again with HUTCH_CGROUP_DRIVER=systemd
  # (every call with --systemd-cgroup, each container in its scope): pause,
  # update, events and checkpoint (restore into a new scope) whole, and the tests of cgroups, exec and lifecycle
  # that exercise the cgroup (the others repeat the cgroupfs run; ~40 tests,
  # each 10-25 s under TCG).
  sdsel='cgroup named after|memory: limit|pids: limit|cpu: shares|devices: deny|kill --all|delete --force|ps lists|cgroup namespace|own processes never join|exec runs a command|--detach --pid-file|exec --cgroup|paused container fails|run /bin/true exits 0|create then start|failure between start and execve|signals sent to a foreground|delete of a created container'
  tests/vm/run-in-systemd-vm.sh --timeout 4200 "cd $repo && export HUTCH=$repo/$build/hutch && \
    bats bats/systemd.bats && \
    HUTCH_CGROUP_DRIVER=systemd bats bats/pause.bats bats/update.bats bats/events.bats bats/checkpoint.bats && \
    HUTCH_CGROUP_DRIVER=systemd bats -f '$sdsel' bats/cgroups.bats bats/exec.bats bats/lifecycle.bats && \
    bats bats/clients/podman_rootless.bats && \
    CLIENT_CONFIG=default bats -f '$sel' bats/clients/containerd.bats bats/clients/podman.bats && \
    CLIENT_CONFIG=cgroupfs bats -f 'output and exit code of the container|memory-limit and --cpu-quota|--memory and --pids-limit|ctr c checkpoint|checkpoint/restore' \
      bats/clients/containerd.bats bats/clients/podman.bats"
  # The same systemd on a hybrid host (v1 controllers, as Ubuntu 20.04 and
  # CentOS 7/8 boot): systemd resets v1 device rules on every property change.
  echo "# hutch --systemd-cgroup on a hybrid host with systemd (qemu VM)"
  HUTCH_V2VM_APPEND=systemd.unified_cgroup_hierarchy=0 tests/vm/run-in-systemd-vm.sh --timeout 1200 \
    "cd $repo && HUTCH=$repo/$build/hutch bats -f 'hybrid host' bats/systemd.bats"
fi

# The tests must not have changed the host: /dev/null still root's and
# world-writable, no hutch mounts left.
[ "$(stat -c %u:%g:%a /dev/null)" = 0:0:666 ] || { echo "run-all: host /dev/null changed: $(ls -l /dev/null)" >&2; exit 1; }
if grep -qE 'hutch|bats-run' /proc/self/mountinfo; then
  echo "run-all: mounts left on the host:" >&2
  grep -E 'hutch|bats-run' /proc/self/mountinfo >&2
  exit 1
fi
cgroups_after=$(find /sys/fs/cgroup -maxdepth 4 -type d -name 'hutch-test-*' 2>/dev/null | sort)
leaked=$(printf '%s\n' "$cgroups_after" | grep -vxF -e "$cgroups_before" | grep . || true)
if [ -n "$leaked" ]; then
  echo "run-all: cgroups left on the host:" >&2
  echo "$leaked" >&2
  exit 1
fi
echo "run-all: every test passed"
