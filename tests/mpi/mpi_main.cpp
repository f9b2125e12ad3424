// doctest's main inside MPI_Init/MPI_Finalize: every rank runs every test, in the same
// order, so their collective calls pair up. A rank whose test failed exits non-zero, and
// so does mpirun. OpenBLAS runs on one thread, as in tests/support/doctest_main.cpp.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <mpi.h>

#include "knit/core/blas.hpp"

int main(int argc, char** argv) {
    MPI_Init(&argc, &argv);
    knit::set_blas_threads(1);
    doctest::Context context(argc, argv);
    const int failed = context.run();
    MPI_Finalize();
    return failed;
}
