// The orthogonal initialiser's QR (Saxe et al. 2014; the construction of Keras' and
// PyTorch's orthogonal initialisers), kept out of the public headers with its Eigen QR.
#include "knit/nn/init.hpp"

#include <Eigen/Dense>

namespace knit::nn::detail {

void orthogonal_values(double* out, std::size_t rows, std::size_t cols, double gain, rng& g) {
    // QR of a tall Gaussian matrix gives orthonormal columns; for a wide block we factor
    // its transpose so that its rows come out orthonormal instead.
    const bool wide = rows < cols;
    const std::size_t tall_rows = wide ? cols : rows, tall_cols = wide ? rows : cols;
    Eigen::MatrixXd a(tall_rows, tall_cols);
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < a.cols(); ++j) a(i, j) = g.normal();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
    Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(tall_rows, tall_cols);
    Eigen::MatrixXd r = qr.matrixQR().topRows(tall_cols).template triangularView<Eigen::Upper>();
    for (Eigen::Index j = 0; j < q.cols(); ++j)
        if (r(j, j) < 0) q.col(j) = -q.col(j);  // make the factorisation unique
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j) {
            const auto ei = static_cast<Eigen::Index>(i), ej = static_cast<Eigen::Index>(j);
            out[i * cols + j] = gain * (wide ? q(ej, ei) : q(ei, ej));
        }
}

}  // namespace knit::nn::detail
