#!/usr/bin/env bash
# The numbers of docs/performance.md's "All pairs at scale": knit-grn predict with the
# shipped context-mlp (the best time-series model) on every ordered pair of one simulated
# network of 1,000 and of 2,000 genes (time series only: 10 experiments x 21 points),
# with --threads 1 and 2, then the shipped evidence-mlp on one simulated 1,000-gene network
# with every experiment kind. Each setting runs 3 times, the two thread counts alternating;
# the table gives the median wall time, the largest peak resident memory (/usr/bin/time's
# %M) and the ratio of the medians, and says whether every list was the same bytes.
# Then, when knit-grn is built with MPI (-DKNIT_WITH_MPI=ON, as scripts/test.sh builds it)
# and mpirun is there: context-mlp's 2,000 genes and evidence-mlp's 1,000 under
# `mpirun -np 1` and `-np 2`, one thread per rank, 3 runs each alternating, median wall
# time, ratio and whether the lists were the same bytes as one process's list.
#   scripts/scale-numbers.sh [OUT]      (default OUT: build/scale-numbers)
# Needs a built knit-grn (KNIT_GRN picks another) and /usr/bin/time (Debian's `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/scale-numbers}"
[ -x "$knit" ] || { echo "scale-numbers.sh: no knit-grn at $knit (build it with scripts/demo.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scale-numbers.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include models || echo ' (with local changes)')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
# table_row GENES MODEL INPUT-ARGS...: one row of the thread tables, predict with
# models/MODEL.knit on the inputs, 3 runs per thread count alternating.
table_row() {
  local genes="$1" model="$2"; shift 2
  declare -A wall=() peak=()
  for run in 1 2 3; do
    for threads in 1 2; do
      list="$out/p$genes.t$threads.r$run.tsv"
      rm -f "$list"
      /usr/bin/time -o "$out/time.txt" -f "%e %M" "$knit" predict --model-file "models/$model.knit" \
        "$@" --prediction "$list" --threads "$threads" > /dev/null 2> "$out/stderr.txt"
      read -r seconds kb < "$out/time.txt"
      wall[$threads]+="$seconds "
      peak[$threads]="$(( ${peak[$threads]:-0} > kb ? ${peak[$threads]:-0} : kb ))"
    done
  done
  local same=same
  for f in "$out"/p$genes.t*.tsv; do cmp -s "$f" "$out/p$genes.t1.r1.tsv" || same=DIFFERENT; done
  local m1 m2
  m1=$(echo ${wall[1]} | tr ' ' '\n' | median); m2=$(echo ${wall[2]} | tr ' ' '\n' | median)
  printf '| %s | %s | %s s | %s MB | %s s | %s MB | %sx | %s |\n' "$genes" "$(( genes * (genes - 1) ))" "$m1" \
    "$(( peak[1] / 1000 ))" "$m2" "$(( peak[2] / 1000 ))" "$(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a / b}')" "$same"
  rm -f "$out"/p$genes.t*.tsv
}
header() {
  echo
  echo "| genes | pairs | T = 1 wall | T = 1 peak | T = 2 wall | T = 2 peak | ratio | lists |"
  echo "|---|---|---|---|---|---|---|---|"
}

header
for genes in 1000 2000; do
  data="$out/ts$genes"
  [ -d "$data/size$genes" ] || "$knit" simulate --genes "$genes" --networks 1 --kinds timeseries --seed 1 \
    --out "$data" > /dev/null
  table_row "$genes" context-mlp --timeseries "$data/size$genes/insilico_size${genes}_1_timeseries.tsv"
done

# evidence-mlp, every experiment kind: one simulated 1,000-gene network with all of them
# (`simulate --seed 1`; simulating it takes a few minutes the first time, and the data are
# kept in OUT for the next run).
header
genes=1000
data="$out/all$genes"
[ -d "$data/size$genes" ] || "$knit" simulate --genes "$genes" --networks 1 --seed 1 --out "$data" > /dev/null
prefix="$data/size$genes/insilico_size${genes}_1"
table_row "$genes" evidence-mlp --timeseries "${prefix}_timeseries.tsv" --wildtype "${prefix}_wildtype.tsv" \
  --knockouts "${prefix}_knockouts.tsv" --knockdowns "${prefix}_knockdowns.tsv" \
  --multifactorial "${prefix}_multifactorial.tsv"

# mpi_row GENES MODEL INPUT-ARGS...: one row of the MPI table, predict with models/MODEL.knit
# under mpirun -np 1 and -np 2, 3 runs each alternating, against one process's list.
mpi_row() {
  local genes="$1" model="$2"; shift 2
  "$knit" predict --model-file "models/$model.knit" "$@" --prediction "$out/alone.tsv" --threads 1 \
    > /dev/null 2> "$out/stderr.txt"
  declare -A wall=()
  local same=same
  for run in 1 2 3; do
    for ranks in 1 2; do
      list="$out/mpi.np$ranks.tsv"
      rm -f "$list"
      /usr/bin/time -o "$out/time.txt" -f "%e" mpirun --allow-run-as-root --oversubscribe -np "$ranks" "$knit" predict \
        --model-file "models/$model.knit" "$@" --prediction "$list" --threads 1 > /dev/null 2> "$out/stderr.txt"
      wall[$ranks]+="$(cat "$out/time.txt") "
      cmp -s "$list" "$out/alone.tsv" || same=DIFFERENT
    done
  done
  local m1 m2
  m1=$(echo ${wall[1]} | tr ' ' '\n' | median); m2=$(echo ${wall[2]} | tr ' ' '\n' | median)
  printf '| %s | %s | %s | %s s | %s s | %sx | %s |\n' "$model" "$genes" "$(( genes * (genes - 1) ))" "$m1" "$m2" \
    "$(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a / b}')" "$same"
  rm -f "$out"/mpi.np*.tsv "$out/alone.tsv"
}

if command -v mpirun > /dev/null && ldd "$knit" | grep -q libmpi; then
  echo
  echo "| model | genes | pairs | 1 rank wall | 2 ranks wall | ratio | lists |"
  echo "|---|---|---|---|---|---|---|"
  mpi_row 2000 context-mlp --timeseries "$out/ts2000/size2000/insilico_size2000_1_timeseries.tsv"
  mpi_row 1000 evidence-mlp --timeseries "${prefix}_timeseries.tsv" --wildtype "${prefix}_wildtype.tsv" \
    --knockouts "${prefix}_knockouts.tsv" --knockdowns "${prefix}_knockdowns.tsv" \
    --multifactorial "${prefix}_multifactorial.tsv"
fi
