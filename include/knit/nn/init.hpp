// Parameter initialisers, with the Keras 2.x and PyTorch defaults both reachable.
//
//   glorot_uniform  U(-l, l), l = sqrt(6 / (fan_in + fan_out))          Keras' default kernel
//   glorot_normal   N(0, s), s = sqrt(2 / (fan_in + fan_out)); Keras truncates at 2s and
//                   divides s by 0.8796 (truncated=true), PyTorch's xavier_normal_ does not
//   he_uniform      U(-l, l), l = sqrt(6 / fan_in)                       PyTorch kaiming_uniform_
//   he_normal       N(0, sqrt(2 / fan_in)), truncated like glorot_normal in Keras
//   torch_default   U(-1/sqrt(fan_in), 1/sqrt(fan_in)): nn.Linear / nn.Conv2d weight and bias
//                   (kaiming_uniform with a = sqrt(5) reduces to this), and every nn.LSTM
//                   tensor with fan_in = hidden size
//   orthogonal      rows (or columns) orthonormal, from the QR of a Gaussian matrix with the
//                   signs of R's diagonal folded in (Saxe et al. 2014; Keras, PyTorch)
//   zeros, constant(c), uniform(lo, hi), normal(mean, std)
//
// Fans follow both libraries: a (in, out) matrix has fan_in = in, fan_out = out; a conv
// kernel (C_out, C_in, kh, kw) has fan_in = C_in*kh*kw, fan_out = C_out*kh*kw.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/random.hpp"

namespace knit::nn {

struct init {
    enum class kind {
        zeros, constant, uniform, normal, glorot_uniform, glorot_normal, he_uniform,
        he_normal, torch_default, orthogonal
    };
    kind type = kind::glorot_uniform;
    double a = 0;  // constant value, uniform low, normal mean, or gain (orthogonal)
    double b = 0;  // uniform high or normal std
    bool truncated = true;  // glorot_normal / he_normal: Keras' truncated normal

    static init zeros() { return {kind::zeros, 0, 0, false}; }
    static init constant(double c) { return {kind::constant, c, 0, false}; }
    static init uniform(double lo, double hi) { return {kind::uniform, lo, hi, false}; }
    static init normal(double mean, double stddev) { return {kind::normal, mean, stddev, false}; }
    static init glorot_uniform() { return {kind::glorot_uniform, 0, 0, false}; }
    static init glorot_normal(bool keras_truncated = true) {
        return {kind::glorot_normal, 0, 0, keras_truncated};
    }
    static init he_uniform() { return {kind::he_uniform, 0, 0, false}; }
    static init he_normal(bool keras_truncated = true) {
        return {kind::he_normal, 0, 0, keras_truncated};
    }
    static init torch_default() { return {kind::torch_default, 0, 0, false}; }
    static init orthogonal(double gain = 1.0) { return {kind::orthogonal, gain, 0, false}; }

    std::string name() const {
        std::ostringstream out;
        switch (type) {
            case kind::zeros: return "zeros";
            case kind::constant: out << "constant(" << a << ")"; return out.str();
            case kind::uniform: out << "uniform(" << a << "," << b << ")"; return out.str();
            case kind::normal: out << "normal(" << a << "," << b << ")"; return out.str();
            case kind::glorot_uniform: return "glorot_uniform";
            case kind::glorot_normal: return truncated ? "glorot_normal" : "glorot_normal_plain";
            case kind::he_uniform: return "he_uniform";
            case kind::he_normal: return truncated ? "he_normal" : "he_normal_plain";
            case kind::torch_default: return "torch_default";
            case kind::orthogonal: out << "orthogonal(" << a << ")"; return out.str();
        }
        return "unknown";
    }
};

// Keras divides the std of its truncated normal by this, the std of a unit normal
// truncated to [-2, 2], so that the drawn values keep the intended variance.
inline constexpr double truncated_normal_std_correction = 0.87962566103423978;

namespace detail {
// The orthogonal initialiser in double: gain times a (rows x cols) row-major block with
// orthonormal rows or columns, from the QR of rows * cols standard normals drawn from g
// (src/nn/init.cpp, so that only that file compiles Eigen's QR).
void orthogonal_values(double* out, std::size_t rows, std::size_t cols, double gain, rng& g);
}  // namespace detail

// Fills the row-major (rows x cols) block at data. fan_in and fan_out are passed
// explicitly because they depend on the layer (conv kernels, packed LSTM gates).
template <class T>
void initialize(const init& how, T* data, std::size_t rows, std::size_t cols,
                std::size_t fan_in, std::size_t fan_out, rng& g) {
    const std::size_t n = rows * cols;
    auto fill_uniform = [&](double lo, double hi) {
        for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<T>(g.uniform(lo, hi));
    };
    auto fill_normal = [&](double stddev, bool truncated) {
        for (std::size_t i = 0; i < n; ++i)
            data[i] = static_cast<T>(truncated ? g.truncated_normal(0, stddev / truncated_normal_std_correction)
                                               : g.normal(0, stddev));
    };
    auto need_fans = [&](const char* what) {
        KNIT_CHECK_AS(value_error, fan_in > 0 && fan_out > 0,
                      what << " initialiser: got fan_in " << fan_in << " and fan_out " << fan_out
                           << ", expected both > 0");
    };
    switch (how.type) {
        case init::kind::zeros:
            for (std::size_t i = 0; i < n; ++i) data[i] = T(0);
            return;
        case init::kind::constant:
            for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<T>(how.a);
            return;
        case init::kind::uniform:
            KNIT_CHECK_AS(value_error, how.a <= how.b,
                          "uniform initialiser: got [" << how.a << ", " << how.b << "), expected low <= high");
            fill_uniform(how.a, how.b);
            return;
        case init::kind::normal:
            KNIT_CHECK_AS(value_error, how.b >= 0,
                          "normal initialiser: got std " << how.b << ", expected >= 0");
            for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<T>(g.normal(how.a, how.b));
            return;
        case init::kind::glorot_uniform: {
            need_fans("glorot_uniform");
            const double limit = std::sqrt(6.0 / double(fan_in + fan_out));
            fill_uniform(-limit, limit);
            return;
        }
        case init::kind::glorot_normal:
            need_fans("glorot_normal");
            fill_normal(std::sqrt(2.0 / double(fan_in + fan_out)), how.truncated);
            return;
        case init::kind::he_uniform: {
            need_fans("he_uniform");
            const double limit = std::sqrt(6.0 / double(fan_in));
            fill_uniform(-limit, limit);
            return;
        }
        case init::kind::he_normal:
            need_fans("he_normal");
            fill_normal(std::sqrt(2.0 / double(fan_in)), how.truncated);
            return;
        case init::kind::torch_default: {
            need_fans("torch_default");
            const double bound = 1.0 / std::sqrt(double(fan_in));
            fill_uniform(-bound, bound);
            return;
        }
        case init::kind::orthogonal: {
            if (n == 0) return;
            std::vector<double> values(n);
            detail::orthogonal_values(values.data(), rows, cols, how.a, g);
            for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<T>(values[i]);
            return;
        }
    }
}

}  // namespace knit::nn
