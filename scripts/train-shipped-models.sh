#!/usr/bin/env bash
# Rebuilds the pretrained models that knit-grn infer and knit::grn::infer ship with
# (models/*.knit), from simulated networks only: no DREAM4 file and no label of any data
# to be ranked is read. Training is deterministic, so the files come out byte for byte.
#   scripts/train-shipped-models.sh [OUT]       write OUT/*.knit (default: models)
#   scripts/train-shipped-models.sh --check     rebuild into a temporary folder and compare
#                                               with the committed files (exit 1 if any differ,
#                                               77 on a CPU without AVX2 and FMA: not comparable)
# KNIT_SHIPPED_NETWORKS sets the number of training networks (default 20, the shipped
# models; docs/infer.md compares 10 on simulated validation networks).
# OPENBLAS_CORETYPE and KNIT_SIMD are set here (below), whatever the caller exported.
# Needs a built knit-grn (scripts/demo.sh or scripts/test.sh); KNIT_GRN picks another.
# Provenance (data, seeds, settings, checksums): models/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
[ -x "$knit" ] || { echo "train-shipped-models.sh: no knit-grn at $knit (build it with scripts/demo.sh)" >&2; exit 2; }
check=0 out=models
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "${1:-}" = "--check" ]; then check=1; out="$work/models"
elif [ -n "${1:-}" ]; then out="$1"; fi
mkdir -p "$out"
export OPENBLAS_NUM_THREADS=1
# The same kernels on every x86-64 CPU with AVX2 and FMA (scripts/pin-kernels.sh): the
# bytes depend on which ones OpenBLAS runs.
source scripts/pin-kernels.sh
if [ "$knit_kernels_pinned" = 0 ]; then
  [ "$check" = 1 ] && { echo "train-shipped-models.sh: this CPU has no AVX2 and FMA, so --check cannot compare byte for byte; skipped" >&2; exit 77; }
  echo "train-shipped-models.sh: this CPU has no AVX2 and FMA, so the files will not match models/ byte for byte" >&2
fi

# Twenty 100-gene networks in the simulator's default design (time series, wild type,
# knockouts, knockdowns, multifactorial; docs/simulator.md), seed 301.
networks="${KNIT_SHIPPED_NETWORKS:-20}"
"$knit" simulate --out "$work/train" --genes 100 --networks "$networks" --seed 301 > /dev/null
for model in evidence-mlp context-mlp; do
  rm -f "$out/$model.knit"
  "$knit" train --model "$model" --data "$work/train" --size 100 --seed 1 --threads 1 --save "$out/$model.knit" > /dev/null
done
if [ "$check" = 1 ]; then
  status=0
  for f in "$out"/*.knit; do
    if cmp -s "$f" "models/$(basename "$f")"; then echo "same: models/$(basename "$f")"
    else echo "DIFFERENT: models/$(basename "$f")"; status=1; fi
  done
  exit $status
fi
sha256sum "$out"/*.knit
