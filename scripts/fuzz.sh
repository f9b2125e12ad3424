#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/fuzz_*.cpp) with clang and runs each on its seed
# corpus (fuzz/corpus/<name>/). Only knit::error may escape a parser; anything else (crash,
# sanitizer report, other exception) fails the run.
#   scripts/fuzz.sh [seconds per target, default 30]   bounded time (CI: 10 s)
#   scripts/fuzz.sh --long [executions, default 1000000]
#       every target for at least that many executions; prints each target's count and
#       time (docs/robustness.md records a run)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/blas-env.sh
if [ "${1:-}" = "--long" ]; then
  runs="${2:-1000000}"
  limit=(-runs="$runs")
else
  seconds="${1:-30}"
  limit=(-max_total_time="$seconds")
fi
if ! ls fuzz/fuzz_*.cpp >/dev/null 2>&1; then echo "no fuzz targets"; exit 0; fi
scripts/install-deps.sh fuzz
CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKNIT_BUILD_FUZZ=ON \
  -DKNIT_BUILD_TESTS=OFF -DKNIT_BUILD_BENCH=OFF -DKNIT_BUILD_EXAMPLES=OFF -DKNIT_BUILD_CLI=OFF \
  -DKNIT_INSTALL=OFF >/dev/null
cmake --build build/fuzz -j"$(nproc)" --target fuzz_all
for src in fuzz/fuzz_*.cpp; do
  name=$(basename "$src" .cpp)
  corpus="fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  log=$(mktemp)
  start=$(date +%s)
  echo "-- $name (${limit[*]})"
  if ! build/fuzz/fuzz/"$name" "${limit[@]}" -max_len=4096 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="build/fuzz/$name-" "$work" >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzzers: $name found a problem (artifact in build/fuzz/)" >&2
    exit 1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "   $name: ${executions:-?} executions in $(( $(date +%s) - start )) s, corpus of $(ls "$work" | wc -l) inputs"
  rm -rf "$work" "$log"
done
echo "fuzzers: all targets ran without a finding"
