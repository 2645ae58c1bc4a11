#!/bin/bash
# run-in-systemd-vm.sh [OPTIONS] CMD...: run the shell command line CMD as
# root inside a throw-away qemu VM that boots systemd as PID 1 on pure
# cgroup v2, with D-Bus and logind up, and exit with CMD's exit status.
# The same VM as run-in-v2vm.sh (same options, see its --help and
# docs/TESTING-V2.md), with systemd as PID 1: CMD runs in
# hutch-job.service (Delegate=yes, in a leaf .../hutch-job.service/job).
exec "$(dirname "${BASH_SOURCE[0]}")/run-in-v2vm.sh" --systemd "$@"
