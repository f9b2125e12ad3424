// The tensor types of knit's public API. This is the only header that includes xtensor.
//
// knit::tensor<T> is a row-major, contiguous, dynamic-rank xtensor array; layers take and
// return it so that a sequential model can hold layers of different ranks. Fixed-rank
// aliases are there for users who want them. Kernels work on raw pointers (.data()).
#pragma once

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "knit/core/error.hpp"

namespace knit {

template <class T>
using tensor = xt::xarray<T, xt::layout_type::row_major>;
template <class T, std::size_t N>
using tensor_n = xt::xtensor<T, N, xt::layout_type::row_major>;
template <class T>
using matrix = tensor_n<T, 2>;
template <class T>
using vector = tensor_n<T, 1>;

// A shape without its batch axis (layers' build()) or with it (tensors).
using shape_t = std::vector<std::size_t>;

template <class Shape>
shape_t to_shape(const Shape& s) {
    return shape_t(s.begin(), s.end());
}

// "(32, 21, 2)": for error messages and summaries.
template <class Shape>
std::string shape_to_string(const Shape& s) {
    std::ostringstream out;
    out << "(";
    bool first = true;
    for (auto extent : s) {
        out << (first ? "" : ", ") << extent;
        first = false;
    }
    if (s.size() == 1) out << ",";
    out << ")";
    return out.str();
}

inline std::size_t shape_size(const shape_t& s) {
    std::size_t n = 1;
    for (auto e : s) n *= e;
    return n;
}

// Prepends a batch axis of extent n.
inline shape_t with_batch(std::size_t n, const shape_t& s) {
    shape_t out{n};
    out.insert(out.end(), s.begin(), s.end());
    return out;
}

// Drops the batch axis.
template <class Shape>
shape_t without_batch(const Shape& s) {
    return shape_t(s.begin() + (s.size() ? 1 : 0), s.end());
}

// Resizes t to shape s unless it already has it (keeps the storage when it can).
template <class T>
void ensure_shape(tensor<T>& t, const shape_t& s) {
    if (t.dimension() != s.size() || !std::equal(s.begin(), s.end(), t.shape().begin()))
        t.resize(s);
}

// "(N, 21, 2)": a per-sample shape with its batch axis named.
inline std::string batch_shape_to_string(const shape_t& s) {
    std::string out = "(N";
    for (auto e : s) out += ", " + std::to_string(e);
    return out + ")";
}

// Throws knit::shape_error unless x's shape, without the batch axis, equals expected.
template <class T>
void check_batch_shape(const tensor<T>& x, const shape_t& expected, const char* what) {
    shape_t got = without_batch(x.shape());
    KNIT_CHECK_AS(shape_error, x.dimension() == expected.size() + 1 && got == expected,
                  what << " input shape: got " << shape_to_string(x.shape())
                       << ", expected " << batch_shape_to_string(expected));
}

}  // namespace knit
