#!/bin/sh
# Build the libFuzzer targets (clang, ASan + UBSan) into $FUZZ_BUILD
# (default build-fuzz/): the library is built by CMake with CC=clang and
# -fsanitize=fuzzer-no-link, each tests/fuzz/fuzz_*.c is linked against it.
# FUZZ_COVERAGE=1 builds source-based coverage instead (-fprofile-instr-
# generate -fcoverage-mapping, no sanitizers) into $FUZZ_BUILD-cov.
set -eu
cd "$(dirname "$0")/../.."
cc=${FUZZ_CC:-clang}
if [ "${FUZZ_COVERAGE:-0}" = 1 ]; then
  out=${FUZZ_BUILD:-build-fuzz}-cov
  lib_flags="-fprofile-instr-generate -fcoverage-mapping -g -O1"
  link_flags="-fsanitize=fuzzer $lib_flags"
else
  out=${FUZZ_BUILD:-build-fuzz}
  san="address,undefined"
  lib_flags="-fsanitize=fuzzer-no-link,$san -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
  link_flags="-fsanitize=fuzzer,$san -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
fi
CC=$cc cmake -S . -B "$out" -DHUTCH_TESTS=OFF -DHUTCH_WERROR=OFF -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="$lib_flags" >/dev/null
cmake --build "$out" --target hutch_lc -j"$(nproc)" >/dev/null
libs=$(pkg-config --libs jansson libseccomp libcap)
for src in tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  # shellcheck disable=SC2086
  $cc $link_flags -D_GNU_SOURCE -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
    -I. -I"$out/generated" -Itests/fuzz "$src" -o "$out/$name" \
    "$out/libhutch_lc.a" "$out/libhutch_spec.a" $libs
done
echo "$out"
