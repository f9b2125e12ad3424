# knit's dependencies, all from Debian packages; nothing is downloaded.
include(GNUInstallDirs)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
find_package(xtl REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
# zlib: the text readers take gzip-compressed files (detail::read_file inflates them).
find_package(ZLIB REQUIRED)
# Highway: the kernels' one SIMD source, compiled per instruction set and dispatched at
# run time (include/knit/nn/simd.hpp).
find_package(hwy REQUIRED)
# OpenMP: GCC's libgomp runs parallel_for's threads (include/knit/core/parallel.hpp,
# docs/threads.md). It ships with g++; no other package.
find_package(OpenMP REQUIRED COMPONENTS CXX)
