// One matrix product for all of knit: C = alpha * op(A) * op(B) + beta * C, row-major.
//
// Shapes: op(A) is (m, k), op(B) is (k, n), C is (m, n); lda/ldb/ldc are the row strides
// of A, B and C as stored (before op). op(X) = X or X^T by the transpose flags.
// gemm() calls cblas_sgemm/cblas_dgemm (OpenBLAS); gemm_reference() is the naive triple
// loop the tests and benchmarks hold it against.
#pragma once

#include <cstddef>
#include <string>

#include "knit/core/error.hpp"

namespace knit {

enum class transpose : bool { no = false, yes = true };

void gemm(transpose trans_a, transpose trans_b, std::size_t m, std::size_t n, std::size_t k,
          float alpha, const float* a, std::size_t lda, const float* b, std::size_t ldb,
          float beta, float* c, std::size_t ldc);
void gemm(transpose trans_a, transpose trans_b, std::size_t m, std::size_t n, std::size_t k,
          double alpha, const double* a, std::size_t lda, const double* b, std::size_t ldb,
          double beta, double* c, std::size_t ldc);

// The naive reference: same contract, plain loops, accumulation in T.
template <class T>
void gemm_reference(transpose trans_a, transpose trans_b, std::size_t m, std::size_t n,
                    std::size_t k, T alpha, const T* a, std::size_t lda, const T* b,
                    std::size_t ldb, T beta, T* c, std::size_t ldc) {
    const bool ta = trans_a == transpose::yes;
    const bool tb = trans_b == transpose::yes;
    for (std::size_t i = 0; i < m; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            T sum = 0;
            for (std::size_t p = 0; p < k; ++p) {
                const T av = ta ? a[p * lda + i] : a[i * lda + p];
                const T bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                sum += av * bv;
            }
            // beta == 0 overwrites, so C may hold garbage (NaN) on entry, as in BLAS.
            c[i * ldc + j] = alpha * sum + (beta == T(0) ? T(0) : beta * c[i * ldc + j]);
        }
    }
}

// Sets the number of threads OpenBLAS uses (0 leaves its default). The setting is
// process-wide: parallel_for (parallel.hpp) sets 1 while its tasks run and restores this.
void set_blas_threads(int threads);
// The number of threads OpenBLAS uses now.
int blas_threads();

// OpenBLAS picks its kernels from the CPU model at load time. On virtual machines that
// hide the model it falls back to its generic SSE3 ("Prescott") kernels, 4-5x slower
// than its AVX-512 ones (bench_gemm: 33 vs 154 GFLOP/s at 512^3 on this project's
// machines). When that fallback happened on a CPU that can do better, and
// OPENBLAS_CORETYPE is unset, this returns the core type to ask for ("SkylakeX" or
// "Haswell"); otherwise "". The variable only takes effect in a new process, so
// programs re-execute themselves (see knit-grn's main) or scripts export it.
std::string blas_core_override();
// The kernel set OpenBLAS is using, e.g. "Cooperlake" or "Prescott".
std::string blas_core_name();

}  // namespace knit
