#!/usr/bin/env bash
# Quick start, command 1: install what is missing, build knit and its knit-grn command,
# and run the main job: `knit-grn demo` simulates five 100-gene networks (no downloads),
# runs the classic baselines and the paper's three models under leave-one-network-out,
# and writes tables, SVG plots and a report to ./knit-grn-demo/ (the simulated data of an
# earlier run in knit-grn-demo/data are replaced).
#   scripts/demo.sh [knit-grn demo options]   e.g. --full, --seed 3
#   scripts/demo.sh --configure-only          configure build/release as the demo does, no build
# KNIT_BUILD_DIR overrides the build folder (default build/release).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/blas-env.sh
build="${KNIT_BUILD_DIR:-build/release}"
configure() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DKNIT_SANITIZE=OFF -DKNIT_BUILD_CLI=ON \
        -DKNIT_BUILD_TESTS=OFF -DKNIT_BUILD_BENCH=OFF -DKNIT_BUILD_EXAMPLES=OFF >/dev/null
}
if [ "${1:-}" = "--configure-only" ]; then configure; exit 0; fi
scripts/install-deps.sh build
configure
cmake --build "$build" -j"$(nproc)" --target knit-grn
"$build"/src/cli/knit-grn demo --threads "$(nproc)" --out knit-grn-demo --force "$@"
