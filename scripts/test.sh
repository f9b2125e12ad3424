#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build knit with its tests, examples
# and benchmarks, and run every test.
#   scripts/test.sh              Release build, all tests (ctest)
#   scripts/test.sh --sanitize   the same tests built with -fsanitize=address,undefined
# Tests that need the DREAM4 files run when KNIT_DREAM4_DIR names them (else skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/blas-env.sh
jobs=$(nproc)
if [ "${1:-}" = "--sanitize" ]; then
  scripts/install-deps.sh test
  cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKNIT_SANITIZE=ON \
        -DKNIT_BUILD_BENCH=OFF -DKNIT_BUILD_EXAMPLES=OFF -DKNIT_INSTALL=OFF >/dev/null
  cmake --build build/sanitize -j"$jobs"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build/sanitize --output-on-failure -j"$jobs" -E '^package\.'
else
  scripts/install-deps.sh test
  cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/release -j"$jobs"
  ctest --test-dir build/release --output-on-failure -j"$jobs"
fi
