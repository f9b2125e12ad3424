#!/usr/bin/env bash
# The genome-scale numbers of docs/performance.md (issue 16's target): knit-grn infer with
# the shipped context-mlp, streamed (no (G, G) matrix), on one simulated network of 20,000
# genes with 20 time series of 21 points (`simulate --kinds timeseries --time-series 20
# --seed 1`), regulators G1..G1600 (32 M pairs), writing the top 100,000 edges. Three runs
# per thread count (1 and 2), alternating; the table gives the median wall time, the
# largest peak resident memory (/usr/bin/time's %M), the ratio of the medians and whether
# the lists were the same bytes; then the same under mpirun -np 1 and -np 2, when knit-grn
# has MPI. Then the precision of the list's head against the
# simulated truth (the regulators' true edges are about 1 in 11,000 of the pairs).
#   scripts/genome-numbers.sh [OUT]      (default OUT: build/genome-numbers)
# Needs a built knit-grn (KNIT_GRN picks another), /usr/bin/time (Debian's `time`) and
# about 7 GB of disk in OUT: the simulator writes the whole gold standard, every pair. The
# data are kept in OUT for the next run. About 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
out="${1:-build/genome-numbers}"
[ -x "$knit" ] || { echo "genome-numbers.sh: no knit-grn at $knit (build it with scripts/demo.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "genome-numbers.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include models || echo ' (with local changes)')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

genes=20000 regulators=1600 top=100000
data="$out/ts$genes"
if [ ! -d "$data/size$genes" ]; then
  /usr/bin/time -o "$out/time.txt" -f "%e %M" "$knit" simulate --genes "$genes" --networks 1 --kinds timeseries \
    --time-series 20 --seed 1 --out "$data" > /dev/null
  read -r seconds kb < "$out/time.txt"
  echo "simulated in $seconds s, peak $(( kb / 1000 )) MB"
fi
series="$data/size$genes/insilico_size${genes}_1_timeseries.tsv"
seq 1 "$regulators" | sed 's/^/G/' > "$out/regulators.txt"

declare -A wall=() peak=()
for run in 1 2 3; do
  for threads in 1 2; do
    list="$out/top.t$threads.r$run.tsv"
    rm -f "$list"
    /usr/bin/time -o "$out/time.txt" -f "%e %M" "$knit" infer --timeseries "$series" --method context-mlp \
      --regulators "$out/regulators.txt" --top-k "$top" --format dream --out "$list" --threads "$threads" \
      > /dev/null 2> "$out/stderr.txt"
    grep -q "streamed" "$out/stderr.txt" || { echo "genome-numbers.sh: infer did not stream" >&2; exit 1; }
    read -r seconds kb < "$out/time.txt"
    wall[$threads]+="$seconds "
    peak[$threads]="$(( ${peak[$threads]:-0} > kb ? ${peak[$threads]:-0} : kb ))"
  done
done
same=same
for f in "$out"/top.t*.tsv; do cmp -s "$f" "$out/top.t1.r1.tsv" || same=DIFFERENT; done
m1=$(echo ${wall[1]} | tr ' ' '\n' | median); m2=$(echo ${wall[2]} | tr ' ' '\n' | median)
echo
echo "| genes | regulators | pairs | top | T = 1 wall | T = 1 peak | T = 2 wall | T = 2 peak | ratio | lists |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '| %s | %s | %s | %s | %s s | %s MB | %s s | %s MB | %sx | %s |\n' "$genes" "$regulators" \
  "$(( regulators * (genes - 1) ))" "$top" "$m1" "$(( peak[1] / 1000 ))" "$m2" "$(( peak[2] / 1000 ))" \
  "$(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a / b}')" "$same"

# Under MPI (a knit-grn built with -DKNIT_WITH_MPI=ON, and mpirun): the same run on 1 and
# 2 ranks of one thread each, 3 runs each alternating, against the one-process list.
if command -v mpirun > /dev/null && ldd "$knit" | grep -q libmpi; then
  declare -A ranked=()
  mpi_same=same
  for run in 1 2 3; do
    for ranks in 1 2; do
      list="$out/mpi.np$ranks.tsv"
      rm -f "$list"
      /usr/bin/time -o "$out/time.txt" -f "%e" mpirun --allow-run-as-root --oversubscribe -np "$ranks" "$knit" infer \
        --timeseries "$series" --method context-mlp --regulators "$out/regulators.txt" --top-k "$top" --format dream \
        --out "$list" --threads 1 > /dev/null 2> "$out/stderr.txt"
      ranked[$ranks]+="$(cat "$out/time.txt") "
      cmp -s "$list" "$out/top.t1.r1.tsv" || mpi_same=DIFFERENT
    done
  done
  r1=$(echo ${ranked[1]} | tr ' ' '\n' | median); r2=$(echo ${ranked[2]} | tr ' ' '\n' | median)
  echo
  echo "| genes | regulators | 1 rank wall | 2 ranks wall | ratio | lists |"
  echo "|---|---|---|---|---|---|"
  printf '| %s | %s | %s s | %s s | %sx | %s |\n' "$genes" "$regulators" "$r1" "$r2" \
    "$(awk -v a="$r1" -v b="$r2" 'BEGIN {printf "%.2f", a / b}')" "$mpi_same"
  rm -f "$out"/mpi.np*.tsv
fi

# Precision at k: the share of the first k edges that are true edges of the network.
gold="$data/size$genes/goldstandard/DREAM4_GoldStandard_InSilico_Size${genes}_1.tsv"
echo
echo "| first k edges | true edges | precision |"
echo "|---|---|---|"
grep $'\t1$' "$gold" > "$out/true-edges.tsv"
awk -F'\t' -v regulators="$regulators" -v genes="$genes" '
  FNR == NR { if ($3 == 1 && substr($1, 2) + 0 <= regulators) truth[$1 "\t" $2] = 1; next }
  { n++; hits += (($1 "\t" $2) in truth)
    if (n == 100 || n == 1000 || n == 10000 || n == 100000) printf "| %d | %d | %.4f |\n", n, hits, hits / n }
  END { printf "\nbase rate (true edges among the pairs): %.2e\n", length(truth) / (regulators * (genes - 1)) }
' "$out/true-edges.tsv" "$out/top.t1.r1.tsv"
rm -f "$out"/top.t*.tsv "$out/true-edges.tsv"
