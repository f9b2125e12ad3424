# Cross-compiles knit for 64-bit Arm Linux with Debian's aarch64 toolchain, against the
# arm64 -dev packages installed through multiarch (dpkg --add-architecture arm64), and runs
# the test binaries under qemu-user. scripts/test-aarch64.sh installs all of that and uses
# this file:
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian's multiarch layout: arm64 libraries and their CMake configs live under
# /usr/lib/aarch64-linux-gnu; the architecture-independent packages (Eigen, xtl, doctest,
# nlohmann-json) keep theirs under /usr/share and /usr/lib/cmake, usable by any target.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# The host's own libraries must never satisfy a find_*(): a find_package(hwy) that found
# the amd64 config would link x86-64 files and fail only at link time, far from the cause.
list(APPEND CMAKE_IGNORE_PATH
  /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/cmake /lib/x86_64-linux-gnu)
# The two exceptions: xtensor and xtensor-blas are header-only, but Debian ships them per
# architecture and their arm64 builds cannot be installed (scripts/test-aarch64.sh says
# why). The amd64 configs name nothing but /usr/include, so they serve as they are.
set(xtensor_DIR /usr/lib/x86_64-linux-gnu/cmake/xtensor)
set(xtensor-blas_DIR /usr/lib/x86_64-linux-gnu/cmake/xtensor-blas)
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
# Programs of the build machine (none in knit) come from the host; what is found to link
# comes from the target's directories above.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)

# ctest runs each test binary through qemu, with the cross toolchain's loader and C/C++
# runtime under /usr/aarch64-linux-gnu. OpenBLAS on one thread: with more, Debian's arm64
# OpenBLAS 0.3.21 never returns from its thread pool's start-up under qemu-user 7.2 (a
# program that only links it hangs before main).
find_program(KNIT_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR
  env OPENBLAS_NUM_THREADS=1 ${KNIT_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
