#!/usr/bin/env bash
# Cross-compiles the library and its nn tests for aarch64 with Debian's cross toolchain and
# runs them under qemu-user (docs/simd.md, "aarch64 under qemu"). Not run by CI.
#   scripts/test-aarch64.sh            every nn test case
#   scripts/test-aarch64.sh 'conv2d*'  only the test cases doctest's -tc filter selects
# Installs what is missing first: the cross compiler, qemu-user, and the arm64 -dev packages
# of knit's compiled dependencies through multiarch (this adds arm64 to dpkg's
# architectures for good). KNIT_BUILD_DIR overrides the build folder (build/aarch64).
# Fails if the build fails, a test fails, or no test case ran.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${KNIT_BUILD_DIR:-build/aarch64}"
filter="${1:-*}"
jobs=$(nproc)
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi

# The header-only dependencies serve both architectures as installed: Eigen, xtl, doctest
# and nlohmann-json are Architecture: all. xtensor and xtensor-blas are amd64 packages, with
# their CMake configs under /usr/lib/x86_64-linux-gnu, but those configs name nothing but
# /usr/include (xtensor-blas's finds BLAS and LAPACK again, which gives the arm64 OpenBLAS).
# Their arm64 builds cannot be installed: libxtensor-dev:arm64 needs an xtl-dev:arm64,
# and xtl-dev, being Architecture: all without Multi-Arch: foreign, has none.
host_packages=(cmake make g++-aarch64-linux-gnu qemu-user libeigen3-dev xtl-dev doctest-dev
               nlohmann-json3-dev libxtensor-dev libxtensor-blas-dev)
arm64_packages=(libopenblas-dev:arm64 zlib1g-dev:arm64 libhwy-dev:arm64)
missing=()
for p in "${host_packages[@]}" "${arm64_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

start=$SECONDS
cmake -S . -B "$build" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DKNIT_SANITIZE=OFF -DKNIT_BUILD_TESTS=ON -DKNIT_BUILD_BENCH=OFF \
  -DKNIT_BUILD_EXAMPLES=OFF -DKNIT_BUILD_CLI=OFF -DKNIT_INSTALL=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target test_nn
# Every dependency must have resolved to arm64 files, not to the host's: no host library
# directory in the cache, in a compile flag or on a link line.
if grep -rn --include=CMakeCache.txt --include=flags.make --include=link.txt \
     "x86_64-linux-gnu" "$build"; then
  echo "test-aarch64.sh: the build above used host (x86-64) files" >&2; exit 1
fi
built=$((SECONDS - start))
test_nn="$build/tests/test_nn"
aarch64-linux-gnu-readelf -h "$test_nn" | grep -q "Machine: *AArch64" ||
  { echo "test-aarch64.sh: $test_nn is not an aarch64 binary" >&2; exit 1; }

# The same command ctest runs (CMAKE_CROSSCOMPILING_EMULATOR), called directly so that a
# filter can be passed and doctest's summary read.
# OpenBLAS on one thread: see cmake/aarch64-linux-gnu.cmake (more hang under qemu-user).
qemu=$(sed -n 's/^KNIT_QEMU_AARCH64:[A-Z]*=//p' "$build/CMakeCache.txt")
run() { OPENBLAS_NUM_THREADS=1 "$qemu" -L /usr/aarch64-linux-gnu "$test_nn" "$@"; }
run -tc='simd levels: the CPU*' |
  sed -n 's/.*MESSAGE: simd levels available: /test-aarch64.sh: each kernel test runs at SIMD levels: /p'
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
run -tc="$filter" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
ran=$(sed -n 's/^\[doctest\] test cases: *\([0-9]*\) |.*/\1/p' "$log" | tail -n 1)
echo "test-aarch64.sh: build ${built} s, tests $((SECONDS - start - built)) s"
[ "$rc" -eq 0 ] || exit "$rc"
if [ -z "$ran" ] || [ "$ran" -eq 0 ]; then echo "test-aarch64.sh: no test case ran" >&2; exit 1; fi
