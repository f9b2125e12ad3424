#!/usr/bin/env bash
# How infer's default method was chosen, on simulated data only: the shipped models rank
# five simulated 100-gene validation networks (seed 401, not among the training networks'
# seeds 301..310) with time series alone, then with every kind. The model with the higher
# mean AUPR on time series alone is infer's default for time-series-only data
# (docs/infer.md). Prints mean AUROC / AUPR per method and the commit.
#   scripts/validate-shipped-models.sh [OUT [MODELS]]   (default OUT: build/shipped-validation,
#                                                        MODELS: models, the shipped files)
# The shipped models' training-set size was chosen the same way: models trained on 10
# networks (KNIT_SHIPPED_NETWORKS=10 scripts/train-shipped-models.sh DIR) against 20.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/shipped-validation}"
models="${2:-models}"
[ -x "$knit" ] || { echo "validate-shipped-models.sh: no knit-grn at $knit (build it with scripts/demo.sh)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include models || echo ' (with local changes)')"
"$knit" simulate --out "$out/validation" --genes 100 --networks 5 --seed 401 --force > /dev/null
for inputs in timeseries all; do
  for model in evidence-mlp context-mlp; do
    [ "$inputs" = all ] && [ "$model" = context-mlp ] && continue  # context-mlp reads time series only
    "$knit" evaluate --model-file "$models/$model.knit" --data "$out/validation" --size 100 --inputs "$inputs" \
      --json > "$out/$model-$inputs.json"
    python3 - "$out/$model-$inputs.json" "$inputs" <<'PY'
import collections, json, sys
rows = collections.defaultdict(list)
for r in json.load(open(sys.argv[1]))["results"]:
    rows[r["method"].split(" (")[0]].append((r["auroc"], r["aupr"]))
for method, v in rows.items():
    print(f"inputs={sys.argv[2]:<10} {method:<22} AUROC {sum(a for a, _ in v) / len(v):.3f}  AUPR {sum(b for _, b in v) / len(v):.3f}  ({len(v)} networks)")
PY
  done
done
