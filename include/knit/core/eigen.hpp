// Zero-copy interop between knit tensors and Eigen, for tools that hold Eigen matrices.
//
// knit tensors are row-major; the maps below are row-major Eigen matrices over the same
// memory, so a write through one is seen through the other. The map is valid while the
// tensor (or Eigen object) it looks at is alive and not resized.
#pragma once

#include <Eigen/Core>

#include "knit/core/tensor.hpp"

namespace knit {

template <class T>
using eigen_row_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A 2-D knit tensor seen as an Eigen matrix.
template <class T>
Eigen::Map<eigen_row_matrix<T>> as_eigen(tensor<T>& t) {
    KNIT_CHECK_AS(shape_error, t.dimension() == 2,
                  "as_eigen: got a tensor of shape " << shape_to_string(t.shape())
                                                     << ", expected rank 2");
    return {t.data(), static_cast<Eigen::Index>(t.shape()[0]),
            static_cast<Eigen::Index>(t.shape()[1])};
}
template <class T>
Eigen::Map<const eigen_row_matrix<T>> as_eigen(const tensor<T>& t) {
    KNIT_CHECK_AS(shape_error, t.dimension() == 2,
                  "as_eigen: got a tensor of shape " << shape_to_string(t.shape())
                                                     << ", expected rank 2");
    return {t.data(), static_cast<Eigen::Index>(t.shape()[0]),
            static_cast<Eigen::Index>(t.shape()[1])};
}

// An Eigen row-major matrix (or map) seen as a 2-D xtensor, without copying.
template <class T>
auto as_tensor(eigen_row_matrix<T>& m) {
    const std::size_t rows = static_cast<std::size_t>(m.rows());
    const std::size_t cols = static_cast<std::size_t>(m.cols());
    return xt::adapt(m.data(), rows * cols, xt::no_ownership(), std::vector<std::size_t>{rows, cols});
}

// A copy of any Eigen matrix (either storage order) into a knit tensor.
template <class Derived>
tensor<typename Derived::Scalar> to_tensor(const Eigen::MatrixBase<Derived>& m) {
    using T = typename Derived::Scalar;
    tensor<T> t = tensor<T>::from_shape({static_cast<std::size_t>(m.rows()),
                                         static_cast<std::size_t>(m.cols())});
    as_eigen(t) = m;
    return t;
}

}  // namespace knit
