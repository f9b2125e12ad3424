#!/usr/bin/env bash
# evidence-mlp trained on simulated networks only (no DREAM4 label is read), then scored on
# all five DREAM4 networks of each size: the check against over-fitting the five networks
# (issue 14). context-mlp likewise, on the same 100-gene training set (it reads the time
# series only), scored on DREAM4 size 100: the check for its feature families, which were
# picked on DREAM4 (docs/results-honest.md). The same seed gives the same model file, byte
# for byte, and the same scores (on x86-64 with AVX2 and FMA, on any such CPU).
#   scripts/simulated-only.sh [OUT]     (default OUT: build/simulated-only)
# Needs a built knit-grn (scripts/test.sh or scripts/demo.sh) and KNIT_DREAM4_DIR; takes
# KNIT_GRN to use another binary (about 10 minutes). Writes OUT/train-size<G>/ (the simulated training set),
# OUT/evidence-mlp-simulated-<G>.knit and OUT/eval-size<G>/ (the DREAM metric tables),
# OUT/context-mlp-simulated-100.knit and OUT/eval-context-size100/, and prints each model
# file's SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/simulated-only}"
data="${KNIT_DREAM4_DIR:?set KNIT_DREAM4_DIR to the DREAM4 folder}"
export OPENBLAS_NUM_THREADS=1
# The same kernels on every x86-64 CPU with AVX2 and FMA, so the model files' checksums
# in docs/results.md can be compared across machines (scripts/pin-kernels.sh).
source scripts/pin-kernels.sh
[ -x "$knit" ] || { echo "simulated-only.sh: no knit-grn at $knit (build it with scripts/test.sh)" >&2; exit 2; }
mkdir -p "$out"

# Simulated networks in the simulator's default (DREAM4-like) design: the design of the
# data to be scored is known to whoever trains, its labels are not. Ten of 100 genes; of
# 10 genes, 640, the count scripts/select-training-networks.sh chose on held-out simulated
# networks (ten gave 0.828 there, 640 0.918).
for genes in 10 100; do
  train="$out/train-size$genes" model="$out/evidence-mlp-simulated-$genes.knit"
  networks=10; [ "$genes" = 10 ] && networks=640
  "$knit" simulate --out "$train" --genes "$genes" --networks "$networks" --seed 301 --force
  rm -f "$model"
  "$knit" train --model evidence-mlp --data "$train" --size "$genes" --seed 1 --save "$model"
  "$knit" evaluate --model-file "$model" --data "$data" --size "$genes" --seed 1 --out "$out/eval-size$genes"
  sha256sum "$model"
done

# context-mlp, default settings, on the ten 100-gene networks above (network and experiment
# seeds 301001..301010).
model="$out/context-mlp-simulated-100.knit"
rm -f "$model"
"$knit" train --model context-mlp --data "$out/train-size100" --size 100 --seed 1 --save "$model"
"$knit" evaluate --model-file "$model" --data "$data" --size 100 --inputs timeseries --seed 1 --out "$out/eval-context-size100"
sha256sum "$model"
