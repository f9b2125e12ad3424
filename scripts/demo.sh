#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build knit, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DKNIT_BUILD_TESTS=OFF -DKNIT_BUILD_BENCH=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target example_xor
build/release/examples/example_xor
