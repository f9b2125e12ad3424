// Option checks shared by the optimisers (sgd.hpp, rmsprop.hpp, adam.hpp).
//
// The learning rate is checked here, before the optimizer base is constructed: the
// base's own check streams the virtual name(), which cannot be called from inside the
// base constructor.
#pragma once

#include <cmath>

#include "knit/core/error.hpp"

namespace knit::nn::detail {

inline double checked_learning_rate(const char* optimizer_name, double lr) {
    KNIT_CHECK_AS(value_error, std::isfinite(lr) && lr >= 0,
                  optimizer_name << " lr: got " << lr << ", expected a finite number >= 0");
    return lr;
}

// lo <= value < hi (hi_inclusive: value <= hi); NaN fails.
inline void check_option_range(const char* optimizer_name, const char* option, double value,
                               double lo, double hi, bool hi_inclusive = false) {
    const bool ok = value >= lo && (hi_inclusive ? value <= hi : value < hi);
    KNIT_CHECK_AS(value_error, ok,
                  optimizer_name << " " << option << ": got " << value << ", expected " << lo
                                 << " <= " << option << (hi_inclusive ? " <= " : " < ") << hi);
}

}  // namespace knit::nn::detail
