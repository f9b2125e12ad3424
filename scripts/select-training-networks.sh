#!/usr/bin/env bash
# How many simulated 10-gene networks scripts/simulated-only.sh trains the size-10
# evidence-mlp on, chosen on simulated networks only (issue 14; no DREAM4 file is read):
# for each candidate count, train evidence-mlp on that many networks of the training seed
# (the smaller sets are the first networks of the larger ones), then score 20 held-out
# networks of another seed, and print the mean AUROC / AUPR beside knockout-z's on the
# same held-out networks.
# Rule: the highest mean AUPR wins; a smaller count within 0.003 of it wins instead.
#   scripts/select-training-networks.sh [OUT]     (default OUT: build/select-training-networks)
# Takes KNIT_GRN to use another binary. Pins the kernels as simulated-only.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/select-training-networks}"
export OPENBLAS_NUM_THREADS=1
source scripts/pin-kernels.sh
[ -x "$knit" ] || { echo "select-training-networks.sh: no knit-grn at $knit (build it with scripts/test.sh)" >&2; exit 2; }
mkdir -p "$out"
genes=10 training_seed=301 held_out_seed=401 held_out_networks=20 counts=(10 40 160 640)

"$knit" simulate --out "$out/held-out" --genes $genes --networks $held_out_networks --seed $held_out_seed --force > /dev/null
"$knit" simulate --out "$out/train" --genes $genes --networks "${counts[-1]}" --seed $training_seed --force > /dev/null
echo "held out: simulate --genes $genes --networks $held_out_networks --seed $held_out_seed"
echo "training: simulate --genes $genes --networks N --seed $training_seed (its first N networks)"
printf '%-12s %-26s %-26s\n' networks "evidence-mlp AUROC AUPR" "knockout-z AUROC AUPR"
results=()
for n in "${counts[@]}"; do
  model="$out/evidence-mlp-$n.knit"
  rm -f "$model"
  # shellcheck disable=SC2046
  "$knit" train --model evidence-mlp --data "$out/train" --size $genes --networks $(seq 1 "$n") --seed 1 \
    --save "$model" > "$out/train-$n.log"
  "$knit" evaluate --model-file "$model" --data "$out/held-out" --size $genes --seed 1 > "$out/held-out-$n.log"
  # The means' rows: "evidence-mlp (FILE)  mean  AUROC AUPR ..." and "knockout-z  mean  AUROC AUPR ...".
  # Fields are counted from the end, so a space in OUT (inside the model's name) does not
  # shift them: ... mean AUROC AUPR - - seconds.
  model_means=$(awk '$1 == "evidence-mlp" && $(NF-5) == "mean" { print $(NF-4), $(NF-3) }' "$out/held-out-$n.log")
  z_means=$(awk '$1 == "knockout-z" && $(NF-5) == "mean" { print $(NF-4), $(NF-3) }' "$out/held-out-$n.log")
  [ -n "$model_means" ] && [ -n "$z_means" ] || { echo "select-training-networks.sh: no means in $out/held-out-$n.log" >&2; exit 1; }
  printf '%-12s %-26s %-26s\n' "$n" "$model_means" "$z_means"
  results+=("$n ${model_means#* }")
done
# counts is ascending, so the first count within the tie is the smallest. AUPRs are
# compared in thousandths (they are printed to three decimals), so an exact 0.003 gap ties.
chosen=$(printf '%s\n' "${results[@]}" | awk '
  { count[NR] = $1; aupr[NR] = int($2 * 1000 + 0.5); if (aupr[NR] > best) best = aupr[NR] }
  END { for (i = 1; i <= NR; ++i) if (aupr[i] >= best - 3) { print count[i]; exit } }')
echo "chosen: $chosen networks (rule: the highest mean AUPR; a smaller count within 0.003 of it wins)"
