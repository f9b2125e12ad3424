#!/usr/bin/env bash
# Quick start, command 2: install what is missing, build knit with its tests, examples
# and benchmarks, and run every test.
#   scripts/test.sh                   Release build (build/release), all tests (ctest)
#   scripts/test.sh --sanitize        the same tests built with -fsanitize=address,undefined
#                                     (build/sanitize)
#   scripts/test.sh --configure-only  configure as above and list the tests, no build
# Tests that need the DREAM4 files run when KNIT_DREAM4_DIR names them (else skipped).
# KNIT_BUILD_DIR overrides the build folder.
#
# Every option that decides what is built is given explicitly, so a cache left by another
# configure of the same folder (scripts/demo.sh turns the tests off) cannot drop the tests;
# and a run in which no test ran fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/blas-env.sh
jobs=$(nproc)
mode="${1:-}"
case "$mode" in
  ""|--configure-only) build="${KNIT_BUILD_DIR:-build/release}"
    options=(-DCMAKE_BUILD_TYPE=Release -DKNIT_SANITIZE=OFF -DKNIT_BUILD_TESTS=ON -DKNIT_BUILD_EXAMPLES=ON
             -DKNIT_BUILD_BENCH=ON -DKNIT_BUILD_CLI=ON -DKNIT_INSTALL=ON -DKNIT_WITH_MPI=ON) ;;
  --sanitize) build="${KNIT_BUILD_DIR:-build/sanitize}"
    # -O1 -g1, not -O2 -g: line tables are all a sanitizer's stack trace needs, and the
    # build, most of this mode's time, is much shorter. Without MPI: Open MPI's own
    # allocations, never freed by design, would fill LeakSanitizer's report; the sharded
    # code paths run here through this_process() and under MPI in the Release tests
    options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DKNIT_SANITIZE=ON -DKNIT_BUILD_TESTS=ON -DKNIT_BUILD_EXAMPLES=OFF
             -DKNIT_BUILD_BENCH=OFF -DKNIT_BUILD_CLI=ON -DKNIT_INSTALL=OFF -DKNIT_WITH_MPI=OFF) ;;
  *) echo "test.sh: got '$mode', expected no argument, --sanitize or --configure-only" >&2; exit 2 ;;
esac

# ctest, then a check of its own summary line: fails unless at least one test ran.
run_ctest() {
  local log rc ran
  log=$(mktemp)
  set +e
  ctest --test-dir "$build" --output-on-failure --no-tests=error -j"$jobs" "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  ran=$(sed -n 's/.*tests passed, [0-9]* tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  rm -f "$log"
  [ "$rc" -eq 0 ] || exit "$rc"
  if [ -z "$ran" ] || [ "$ran" -eq 0 ]; then echo "test.sh: no test ran in $build" >&2; exit 1; fi
}

if [ "$mode" = "--configure-only" ]; then
  cmake -S . -B "$build" "${options[@]}" >/dev/null
  ctest --test-dir "$build" -N | tail -n 1
  exit 0
fi
scripts/install-deps.sh test
cmake -S . -B "$build" "${options[@]}" >/dev/null
cmake --build "$build" -j"$jobs"
if [ "$mode" = "--sanitize" ]; then
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_ctest -E '^(package\..*|shipped_models)$'
else
  run_ctest
fi
