// The task layer for the fuzzers. They link the parsers' sources only, built with clang
// and without OpenMP (src/core/parallel.cpp needs it, and OpenBLAS); the one task loop a
// parser's file reaches, the prediction writer's blocks (src/grn/prediction.cpp), runs
// here as the plain loop it is with one thread: parallel_for_without_blas's contract for
// threads == 1.
#include <cstddef>
#include <functional>

#include "knit/core/error.hpp"
#include "knit/core/parallel.hpp"

namespace knit {

void parallel_for_without_blas(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& body) {
    KNIT_CHECK_AS(value_error, threads >= 1,
                  "parallel_for_without_blas: got " << threads << " threads, expected at least 1");
    for (std::size_t i = 0; i < count; ++i) body(i);
}

}  // namespace knit
