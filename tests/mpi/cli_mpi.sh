#!/usr/bin/env bash
# knit-grn under mpirun against one process (ctest's mpi_cli test; -DKNIT_WITH_MPI=ON):
#   * predict (context-mlp, and an rnn model file) and infer (evidence-mlp, and a --top-k
#     list of chosen regulators) on 2 ranks write the bytes one process writes;
#   * a rank that fails (here rank 1 is given a model file that does not exist) makes the
#     whole run exit non-zero, and neither the output nor a temporary file remains;
#   * --help is printed once; a subcommand that runs in one process is refused under 2
#     ranks, exit 2.
#   tests/mpi/cli_mpi.sh KNIT_GRN MODELS_DIR [MPIEXEC]
set -euo pipefail
knit="$1"
models="$2"
mpirun=("${3:-mpirun}" --allow-run-as-root --oversubscribe)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 KNIT_MODEL_DIR="$models"
fail() { echo "cli_mpi.sh: FAILED: $*" >&2; exit 1; }

# 150 genes, 4 time series (fewer samples than genes) and every steady-state kind.
"$knit" simulate --genes 150 --networks 1 --seed 5 --time-series 4 --out "$work/data" > /dev/null
d="$work/data/size150/insilico_size150_1"

"$knit" predict --model-file "$models/context-mlp.knit" --timeseries "${d}_timeseries.tsv" \
  --prediction "$work/one.tsv" --threads 1 > /dev/null
"${mpirun[@]}" -np 2 "$knit" predict --model-file "$models/context-mlp.knit" --timeseries "${d}_timeseries.tsv" \
  --prediction "$work/two.tsv" --threads 1 > "$work/stdout.txt"
cmp "$work/one.tsv" "$work/two.tsv" || fail "predict on 2 ranks wrote other bytes than on 1"
[ "$(wc -l < "$work/two.tsv")" -eq $((150 * 149)) ] || fail "predict: expected $((150 * 149)) rows"
[ "$(grep -c '^ranked' "$work/stdout.txt")" -eq 1 ] || fail "predict: expected one summary line (rank 0's)"

# A record model (rnn, trained briefly on another simulated network with the same design)
# scores its 89,400 records in chunks dealt over the ranks.
"$knit" simulate --genes 20 --networks 1 --seed 7 --time-series 4 --kinds timeseries --out "$work/small" > /dev/null
"$knit" train --model rnn --schedule quick --size 20 --networks 1 --data "$work/small" --threads 1 \
  --save "$work/rnn.knit" > /dev/null
"$knit" predict --model-file "$work/rnn.knit" --timeseries "${d}_timeseries.tsv" --prediction "$work/rnn1.tsv" \
  --threads 2 > /dev/null
"${mpirun[@]}" -np 2 "$knit" predict --model-file "$work/rnn.knit" --timeseries "${d}_timeseries.tsv" \
  --prediction "$work/rnn2.tsv" --threads 1 > /dev/null
cmp "$work/rnn1.tsv" "$work/rnn2.tsv" || fail "predict with an rnn on 2 ranks wrote other bytes than on 1"
[ "$(cut -f3 "$work/rnn1.tsv" | sort -u | wc -l)" -gt 1000 ] || fail "rnn scores: expected them to vary"

printf 'G1\nG2\nG3\nG7\n' > "$work/regulators.txt"
for extra in "" "--regulators $work/regulators.txt --top-k 50" "--method abs-pearson --top-k 500"; do
  # shellcheck disable=SC2086
  "$knit" infer --data "$work/data" --size 150 --network 1 --out "$work/infer1.tsv" --threads 2 $extra 2> /dev/null
  # shellcheck disable=SC2086
  "${mpirun[@]}" -np 2 "$knit" infer --data "$work/data" --size 150 --network 1 --out "$work/infer2.tsv" \
    --threads 1 $extra 2> "$work/stderr.txt"
  cmp "$work/infer1.tsv" "$work/infer2.tsv" || fail "infer $extra on 2 ranks wrote other bytes than on 1"
  expected=evidence-mlp
  case "$extra" in *abs-pearson*) expected=abs-pearson ;; esac
  grep -q "with $expected" "$work/stderr.txt" || fail "infer: expected $expected: $(cat "$work/stderr.txt")"
  rm -f "$work/infer1.tsv" "$work/infer2.tsv"
done

# predict on two ranks, rank 0 with the shipped model and the network's series and rank 1
# with MODEL and SERIES (MPMD), writing $work/out/list.tsv; sets rc, stderr in stderr.txt.
predict_mixed() {
  set +e
  "${mpirun[@]}" -np 1 "$knit" predict --model-file "$models/context-mlp.knit" --timeseries "${d}_timeseries.tsv" \
    --prediction "$work/out/list.tsv" : \
    -np 1 "$knit" predict --model-file "$1" --timeseries "$2" \
    --prediction "$work/out/list.tsv" > /dev/null 2> "$work/stderr.txt" < /dev/null
  rc=$?
  set -e
}
mkdir -p "$work/out"

# Rank 1 fails (a model file that is not there): non-zero exit, no output, no temporary.
predict_mixed "$work/missing.knit" "${d}_timeseries.tsv"
[ "$rc" -ne 0 ] || fail "a failing rank left the run's exit code 0"
grep -q "missing.knit" "$work/stderr.txt" || fail "the failing rank's message does not name the file: $(cat "$work/stderr.txt")"
[ -z "$(ls -A "$work/out")" ] || fail "a failed run left files: $(ls -A "$work/out")"

# Ranks given different data (rank 1 another network's series) are refused, no output.
"$knit" simulate --genes 150 --networks 1 --seed 6 --time-series 4 --kinds timeseries --out "$work/other" > /dev/null
predict_mixed "$models/context-mlp.knit" "$work/other/size150/insilico_size150_1_timeseries.tsv"
[ "$rc" -eq 2 ] || fail "ranks with different data: exit $rc, expected 2"
grep -q "the inputs (data, files and options; a hash)" "$work/stderr.txt" || fail "different data: $(cat "$work/stderr.txt")"
[ -z "$(ls -A "$work/out")" ] || fail "ranks with different data left files: $(ls -A "$work/out")"

# --help under 2 ranks is printed once (rank 0's).
"${mpirun[@]}" -np 2 "$knit" predict --help > "$work/help.txt"
[ "$(grep -c -- '--model-file' "$work/help.txt")" -eq "$("$knit" predict --help | grep -c -- '--model-file')" ] ||
  fail "predict --help under 2 ranks: expected the help once, got: $(cat "$work/help.txt")"

# One-process subcommands are refused under 2 ranks.
set +e
"${mpirun[@]}" -np 2 "$knit" simulate --genes 10 --networks 1 --out "$work/sim2" > /dev/null 2> "$work/stderr.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "simulate under 2 ranks: exit $rc, expected 2"
grep -q "only predict and infer share their work" "$work/stderr.txt" || fail "simulate under 2 ranks: $(cat "$work/stderr.txt")"
[ ! -e "$work/sim2" ] || fail "simulate under 2 ranks wrote $work/sim2"
echo "cli_mpi.sh: predict and infer on 2 ranks match 1 process; failures and refusals as documented"
