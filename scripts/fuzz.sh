#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/fuzz_*.cpp) with clang and runs each for a bounded
# time on its seed corpus (fuzz/corpus/<name>/). Only knit::error may escape a parser;
# anything else (crash, sanitizer report, other exception) fails the run.
#   scripts/fuzz.sh [seconds per target, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/blas-env.sh
seconds="${1:-30}"
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
  echo "-- $name for ${seconds}s"
  build/fuzz/fuzz/"$name" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=0 \
    -artifact_prefix="build/fuzz/$name-" "$work" 2>&1 | tail -n 1
  rm -rf "$work"
done
echo "fuzzers: all targets ran without a finding"
