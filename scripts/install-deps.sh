#!/usr/bin/env bash
# Installs the Debian packages knit needs, skipping those already present.
#   scripts/install-deps.sh build|test|fuzz|bench ...
# build: compiler, CMake and the library's dependencies (enough for the main job)
# test:  + doctest, Google Benchmark, xsimd (bench_simd_library), python3 (the test of
#        scripts/check-doc-numbers.py) and Open MPI (the MPI tests, -DKNIT_WITH_MPI=ON)
# fuzz:  + clang with its libFuzzer runtime
# bench: + the peers knit's speed is compared against (docs/performance.md): libtorch and
#        dlib for the C++ peer benchmarks (-DKNIT_BUILD_PEER_BENCH=ON), PyTorch and
#        scikit-learn for bench/compare/*.py, and time (/usr/bin/time, for scripts/scale-numbers.sh). Large (libtorch alone is hundreds of MB), so not part of test.
set -euo pipefail
packages=(g++ make cmake pkg-config libxtensor-dev libxtensor-blas-dev libopenblas-dev
          libeigen3-dev zlib1g-dev libhwy-dev libcli11-dev nlohmann-json3-dev)
for what in "$@"; do
  case "$what" in
    build) ;;
    test) packages+=(doctest-dev libbenchmark-dev libxsimd-dev python3 openmpi-bin libopenmpi-dev) ;;
    fuzz) packages+=(clang libclang-rt-14-dev) ;;
    bench) packages+=(libbenchmark-dev libdlib-dev libtorch-dev python3-torch python3-sklearn time) ;;
    *) echo "install-deps.sh: got '$what', expected build, test, fuzz or bench" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
