// The tests' main: doctest's, after pinning OpenBLAS to one thread. knit-grn does the same
// (cli/common.cpp's prepare), and the tests assert numbers that training reaches: with
// OpenBLAS's default of one thread a core, its products can differ in the last bits, and
// training amplifies them (the toy LSTM of test_models.cpp went from AUROC 0.9995 to 0.73
// with two BLAS threads). Tests that need more BLAS threads set them and restore one.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "knit/core/blas.hpp"

int main(int argc, char** argv) {
    knit::set_blas_threads(1);
    doctest::Context context(argc, argv);
    return context.run();
}
