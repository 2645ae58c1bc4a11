#!/bin/sh
# Build hutch with warnings as errors and run every test: the C unit tests
# (ctest) and the integration tests (bats).  Run as root from the repo.
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DHUTCH_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure)
HUTCH="$PWD/$build/hutch" bats bats/
