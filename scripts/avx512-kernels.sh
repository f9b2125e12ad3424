#!/usr/bin/env bash
# The comparison of docs/simd.md "Hand-written AVX-512 or Highway's AVX3 build": on an
# AVX-512 machine, the avx512 level's hand-written kernels (conv2d and lstm<float>; float
# Adam too until d5a42f3) against Highway's AVX3 build of the same kernels. Builds
# build/release (as scripts/test.sh does) and build/highway-avx3 (-DKNIT_HANDWRITTEN_AVX512=OFF),
# runs the nn tests of the second, then the benchmarks of both at simd:avx512, one after
# the other per benchmark program, one thread, 5 repetitions, and prints the medians.
#   scripts/avx512-kernels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
grep -q avx512f /proc/cpuinfo || { echo "avx512-kernels.sh: this CPU has no AVX-512; nothing to compare" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
jobs=$(nproc)
for variant in release highway-avx3; do
  flag=ON; [ "$variant" = highway-avx3 ] && flag=OFF
  cmake -S . -B "build/$variant" -DCMAKE_BUILD_TYPE=Release -DKNIT_BUILD_TESTS=ON -DKNIT_BUILD_BENCH=ON \
    -DKNIT_HANDWRITTEN_AVX512=$flag > /dev/null
  cmake --build "build/$variant" -j"$jobs" --target bench_conv bench_lstm bench_optim test_nn > /dev/null
done
build/highway-avx3/tests/test_nn > /dev/null && echo "test_nn of the Highway AVX3 build: passed"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src include CMakeLists.txt || echo ' (with local changes)')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for bench in "bench_conv simd:avx512/" "bench_lstm (train_step|inference)/simd:avx512/" "bench_optim adam_step.*simd:avx512"; do
  read -r program filter <<< "$bench"
  for variant in release highway-avx3; do
    "build/$variant/bench/$program" --benchmark_filter="$filter" --benchmark_repetitions=5 \
      --benchmark_report_aggregates_only=true --benchmark_format=json > "$out/$program.$variant.json" 2> /dev/null
  done
done
/usr/bin/python3 - "$out" <<'PY'
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
def medians(path):
    return {b["run_name"]: (b["real_time"], b["time_unit"]) for b in json.loads(path.read_text())["benchmarks"]
            if b.get("aggregate_name") == "median"}
print("| benchmark (simd:avx512, median of 5) | hand-written | Highway AVX3 | Highway / hand-written |")
print("|---|---|---|---|")
for program in ("bench_conv", "bench_lstm", "bench_optim"):
    hand, hwy = medians(out / f"{program}.release.json"), medians(out / f"{program}.highway-avx3.json")
    for name, (t, unit) in hand.items():
        if name in hwy:
            print(f"| {name} | {t:.4g} {unit} | {hwy[name][0]:.4g} {unit} | {hwy[name][0] / t:.3f} |")
PY
