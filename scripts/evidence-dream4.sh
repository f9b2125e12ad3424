#!/usr/bin/env bash
# evidence-mlp on DREAM4 under leave-one-network-out, official scorer (issue 14): size 100
# with every kind, size 100 without the multifactorial data (which DREAM4's size-100
# participants did not have), and size 10; each beside the baselines, with p-values and
# the overall score. Prints the markdown tables of docs/results.md and the commit.
#   scripts/evidence-dream4.sh [OUT]     (default OUT: build/evidence-dream4)
# Needs a built knit-grn and KNIT_DREAM4_DIR; KNIT_GRN picks another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/evidence-dream4}"
data="${KNIT_DREAM4_DIR:?set KNIT_DREAM4_DIR to the DREAM4 folder}"
export OPENBLAS_NUM_THREADS=1
[ -x "$knit" ] || { echo "evidence-dream4.sh: no knit-grn at $knit (build it with scripts/test.sh)" >&2; exit 2; }
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include || echo ' (with local changes)')"

run() {  # name, then evaluate's options
  local name="$1"; shift
  local start
  start=$(date +%s%N)
  "$knit" evaluate --protocol lono --model evidence-mlp --data "$data" --seed 1 --json "$@" > "$out/$name.json"
  echo "== $name: knit-grn evaluate --protocol lono --model evidence-mlp --seed 1 $* ($(( ($(date +%s%N) - start) / 1000000000 )) s)"
  scripts/dream-table.py "$out/$name.json"
}
run size100-all --size 100
run size100-no-multifactorial --size 100 --inputs timeseries,wildtype,knockouts,knockdowns
run size10-all --size 10
