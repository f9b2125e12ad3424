#!/usr/bin/env bash
# The numbers docs/infer.md and README's "Your own data" quote, from shipped commands:
#   1. the shipped models on five simulated validation networks (validate-shipped-models.sh)
#   2. the byte-for-byte rebuild of models/ (train-shipped-models.sh --check)
#   3. the README's worked example on examples/data (infer, then score)
#   4. infer's wall time end to end on a 100-gene network with every kind (median of 5)
#   5. with KNIT_DREAM4_DIR set: the shipped models on every DREAM4 network, no training,
#      official metric (sizes 100 and 10; every kind, and time series alone)
#   scripts/infer-numbers.sh [OUT]      (default OUT: build/infer-numbers)
# Needs a built knit-grn; KNIT_GRN picks another. One BLAS thread throughout.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/infer-numbers}"
[ -x "$knit" ] || { echo "infer-numbers.sh: no knit-grn at $knit (build it with scripts/demo.sh)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1 KNIT_GRN="$knit"
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include models || echo ' (with local changes)')"

echo "== 1. scripts/validate-shipped-models.sh"
scripts/validate-shipped-models.sh "$out/validation" | grep -v "^commit"
echo "== 2. scripts/train-shipped-models.sh --check"
# A difference (or a skip on a CPU without AVX2 and FMA, models/README.md) is reported,
# and the other numbers are still made.
scripts/train-shipped-models.sh --check || echo "(the rebuild differs here, or cannot be compared: models/README.md says why)"

echo "== 3. README example"
ex=examples/data
"$knit" infer --timeseries $ex/timeseries.csv --steady-state $ex/steady_states.csv \
  --regulators $ex/regulators.txt --out "$out/ranked.tsv" 2>&1 | sed 's/ in [0-9.]* s$//'
head -4 "$out/ranked.tsv"
"$knit" score --prediction "$out/ranked.tsv" --gold $ex/gold_standard.tsv 2>&1

echo "== 4. infer's wall time, 100 genes, every kind (validation network 1), median of 5 runs"
times=()
for run in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$knit" infer --data "$out/validation/validation" --size 100 --network 1 --out "$out/speed.tsv" 2> /dev/null
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{t[NR] = $1} END {print "median " t[3] " ms (min " t[1] ", max " t[5] ")"}'

if [ -n "${KNIT_DREAM4_DIR:-}" ]; then
  echo "== 5. the shipped models on DREAM4, no training, official metric"
  for size in 100 10; do
    "$knit" evaluate --model-file models/evidence-mlp.knit --data "$KNIT_DREAM4_DIR" --size $size --json > "$out/dream4-evidence-$size.json"
    "$knit" evaluate --model-file models/context-mlp.knit --data "$KNIT_DREAM4_DIR" --size $size --inputs timeseries --json > "$out/dream4-context-$size.json"
    echo "-- size $size, every kind: evidence-mlp (shipped)"
    scripts/dream-table.py "$out/dream4-evidence-$size.json"
    echo "-- size $size, time series alone: context-mlp (shipped)"
    scripts/dream-table.py "$out/dream4-context-$size.json"
  done
fi
