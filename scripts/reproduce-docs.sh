#!/usr/bin/env bash
# Reruns the shipped commands whose numbers the docs quote, and writes what they print
# under OUT (default build/docs-numbers), one log per section, headed by the commit, the
# machine and the load average; then checks the docs' tables against those logs.
#   scripts/reproduce-docs.sh [--out DIR] [SECTION ...]
#   scripts/reproduce-docs.sh [--out DIR] --check [SECTION ...]   (run nothing, check only)
# Sections (default: all but the slow ones marked *):
#   paper          docs/results.md §1     knit-grn reproduce
#   lono*          docs/results.md §2-3   knit-grn evaluate --protocol lono --model all (about 7 min)
#   sensitivity    docs/results-honest.md context-mlp's hidden size, ensemble and seed (about 1 min)
#   demo           docs/results.md §4     knit-grn demo
#   selection*     docs/selection.md      scripts/select-evidence-mlp.py (about 25 min; rewrites docs/selection.*)
#   evidence       docs/results.md §5     scripts/evidence-dream4.sh
#   simulated*     docs/results.md §5     scripts/simulated-only.sh (about 10 min)
#   networks*      docs/results.md §5     scripts/select-training-networks.sh (about 10 min)
#   infer          docs/infer.md, README  scripts/infer-numbers.sh (about 8 min)
#   scale          docs/performance.md    scripts/scale-numbers.sh (about 2 min)
#   genome*        docs/performance.md    scripts/genome-numbers.sh (about 15 min, 7 GB of disk)
#   avx512*        docs/simd.md           scripts/avx512-kernels.sh (about 5 min; AVX-512 CPUs only)
#   fuzz*          docs/robustness.md     scripts/fuzz.sh --long
# Needs a built knit-grn (scripts/test.sh) and, except for demo and selection,
# KNIT_DREAM4_DIR. The docs are not edited (selection excepted).
#
# The check (scripts/check-doc-numbers.py): a docs table (README.md, docs/*.md) whose
# numbers a section prints verbatim has the line `<!-- reproduce-docs: SECTION -->` right
# before it. Every decimal number of the table (a token with a decimal point: 0.917, 47.13,
# 5.33e-39; integers are not checked) must appear as a token in OUT/SECTION.log; each one
# that does not is printed as FILE:LINE: NUMBER and the exit status is 1. After a run, the
# sections run are checked; --check checks the given sections (default: every section with
# a log in OUT). Tables with numbers derived by hand (means computed from a log, published
# scores of others) are not marked, so they are not checked.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/docs-numbers
sections=()
check_only=
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --check) check_only=1; shift ;;
    paper|lono|sensitivity|demo|selection|evidence|simulated|networks|infer|scale|genome|avx512|fuzz) sections+=("$1"); shift ;;
    *) echo "reproduce-docs.sh: got '$1', expected --out DIR, --check or a section (paper lono sensitivity demo selection evidence simulated networks infer scale genome avx512 fuzz)" >&2; exit 2 ;;
  esac
done
check() {  # the sections to check, comma-separated ("" for every one with a log)
  /usr/bin/python3 scripts/check-doc-numbers.py --logs "$out" --sections "$1" README.md docs/*.md
}
if [ -n "$check_only" ]; then
  check "$(IFS=,; echo "${sections[*]}")"
  exit
fi
[ ${#sections[@]} -gt 0 ] || sections=(paper sensitivity demo evidence infer scale)
knit="${KNIT_GRN:-build/release/src/cli/knit-grn}"
[ -x "$knit" ] || { echo "reproduce-docs.sh: no knit-grn at $knit (build it with scripts/test.sh)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out"
commit="$(git rev-parse --short HEAD)"
need_dream4() { [ -n "${KNIT_DREAM4_DIR:-}" ] || { echo "reproduce-docs.sh: section $1 needs KNIT_DREAM4_DIR" >&2; exit 2; }; }

for section in "${sections[@]}"; do
  case "$section" in paper|lono|sensitivity|evidence|simulated) need_dream4 "$section" ;; esac
  log="$out/$section.log"
  echo "== $section (commit $commit) -> $log"
  {
    echo "commit $commit, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores, $(grep -q avx512f /proc/cpuinfo && echo AVX-512 || { grep -q avx2 /proc/cpuinfo && echo 'AVX2, no AVX-512' || echo 'no AVX2'; })"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    case "$section" in
      paper) "$knit" reproduce --data "$KNIT_DREAM4_DIR" --out "$out/reproduce" ;;
      lono) "$knit" evaluate --protocol lono --model all --data "$KNIT_DREAM4_DIR" --out "$out/lono" ;;
      sensitivity)
        # context-mlp's settings. --seed S draws the balanced training records' negatives
        # and seeds the ensemble's members S, S+1, ..., S+E-1.
        for setting in "32 3 0" "32 3 1" "32 3 2" "32 1 0" "16 3 0" "64 3 0"; do
          read -r hidden ensemble seed <<< "$setting"
          args=(evaluate --protocol lono --model context-mlp --model-option "hidden=$hidden"
                --model-option "ensemble=$ensemble" --seed "$seed" --no-baselines --size 100)
          echo "== knit-grn ${args[*]} --data \$KNIT_DREAM4_DIR"
          "$knit" "${args[@]}" --data "$KNIT_DREAM4_DIR"
        done ;;
      demo) "$knit" demo --threads 2 --out "$out/demo" --force ;;
      selection) scripts/select-evidence-mlp.py --knit-grn "$knit" ;;
      evidence) KNIT_GRN="$knit" scripts/evidence-dream4.sh "$out/evidence" ;;
      simulated) KNIT_GRN="$knit" scripts/simulated-only.sh "$out/simulated" ;;
      networks) KNIT_GRN="$knit" scripts/select-training-networks.sh "$out/networks" ;;
      infer) KNIT_GRN="$knit" scripts/infer-numbers.sh "$out/infer" ;;
      scale) KNIT_GRN="$knit" scripts/scale-numbers.sh "$out/scale" ;;
      genome) KNIT_GRN="$knit" scripts/genome-numbers.sh "$out/genome" ;;
      avx512) scripts/avx512-kernels.sh ;;
      fuzz) scripts/fuzz.sh --long ;;
    esac
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  } > "$log" 2>&1
done
check "$(IFS=,; echo "${sections[*]}")"
