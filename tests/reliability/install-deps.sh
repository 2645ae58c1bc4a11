#!/bin/sh
# Packages the reliability tests need on top of tests/install-deps.sh
# (idempotent; run as root): clang + libclang-rt (libFuzzer, ASan, UBSan),
# llvm (llvm-profdata/llvm-cov for fuzz coverage), strace (fault
# injection), valgrind (memcheck), python3 (big/nested JSON inputs).
set -eu
pkgs="clang libclang-rt-dev llvm strace valgrind python3"
# shellcheck disable=SC2086
sh "$(dirname "$0")/../apt-ensure.sh" $pkgs
