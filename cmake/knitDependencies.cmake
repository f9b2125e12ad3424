# knit's dependencies, all from Debian packages; nothing is downloaded.
include(GNUInstallDirs)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
find_package(xtl REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
