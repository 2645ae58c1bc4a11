#!/bin/sh
# Packages the reliability tests need on top of tests/install-deps.sh
# (idempotent; run as root): clang + libclang-rt (libFuzzer, ASan, UBSan),
# llvm (llvm-profdata/llvm-cov for fuzz coverage), strace (fault
# injection), valgrind (memcheck), python3 (big/nested JSON inputs).
set -eu
pkgs="clang libclang-rt-dev llvm strace valgrind python3"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # shellcheck disable=SC2086
  apt-get install -y --no-install-recommends $missing
fi
