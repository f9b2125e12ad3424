#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build knit and its knit-grn command,
# and run the main job: `knit-grn demo` simulates five 100-gene networks (no downloads),
# runs the classic baselines and the paper's three models under leave-one-network-out,
# and writes tables, SVG plots and a report to ./knit-grn-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/blas-env.sh
scripts/install-deps.sh build
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DKNIT_BUILD_TESTS=OFF -DKNIT_BUILD_BENCH=OFF \
      -DKNIT_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target knit-grn
build/release/src/cli/knit-grn demo --threads "$(nproc)" --out knit-grn-demo "$@"
