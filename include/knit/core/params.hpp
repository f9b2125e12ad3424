// Parameters live in one flat buffer per model: all values contiguous, all gradients
// contiguous beside them, in the same order. Layers see their parameters as named views
// (raw pointers into the buffer plus a shape); optimisers are one loop over the buffer;
// checkpoints write it in one go.
//
// The buffer is allocated once, when the layers are bound, and never reallocated, so
// the views stay valid for the store's lifetime. A store is not copyable for the same
// reason (a copy's views would point into the original).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/tensor.hpp"

namespace knit {

// What a layer asks for: a name local to the layer ("weight") and a shape.
struct param_spec {
    std::string name;
    shape_t shape;
};

// What a layer gets back: its slice of the buffer.
template <class T>
struct param_view {
    std::string name;  // full name, e.g. "2.dense.weight"
    shape_t shape;
    T* value = nullptr;
    T* grad = nullptr;
    std::size_t size = 0;

    // xtensor views over the slice (no copy), for users and tests.
    auto values() const { return xt::adapt(value, size, xt::no_ownership(), shape); }
    auto grads() const { return xt::adapt(grad, size, xt::no_ownership(), shape); }
};

template <class T>
class param_store {
public:
    param_store() = default;
    param_store(const param_store&) = delete;
    param_store& operator=(const param_store&) = delete;
    param_store(param_store&&) = default;
    param_store& operator=(param_store&&) = default;

    // Lays out the buffer for the given (full name, spec) list and returns the views in
    // the same order. Values and gradients start at zero.
    std::vector<param_view<T>> allocate(const std::vector<std::pair<std::string, param_spec>>& specs) {
        KNIT_CHECK_AS(state_error, views_.empty(),
                      "param_store::allocate: got a second call, expected one per store");
        std::size_t total = 0;
        for (const auto& [full_name, spec] : specs) total += shape_size(spec.shape);
        values_.assign(total, T(0));
        grads_.assign(total, T(0));
        std::size_t offset = 0;
        for (const auto& [full_name, spec] : specs) {
            param_view<T> v;
            v.name = full_name;
            v.shape = spec.shape;
            v.size = shape_size(spec.shape);
            v.value = values_.data() + offset;
            v.grad = grads_.data() + offset;
            offset += v.size;
            views_.push_back(v);
        }
        return views_;
    }

    std::size_t size() const { return values_.size(); }
    T* values() { return values_.data(); }
    const T* values() const { return values_.data(); }
    T* grads() { return grads_.data(); }
    const T* grads() const { return grads_.data(); }
    const std::vector<param_view<T>>& views() const { return views_; }

    const param_view<T>& view(const std::string& name) const {
        auto it = std::find_if(views_.begin(), views_.end(),
                               [&](const param_view<T>& v) { return v.name == name; });
        KNIT_CHECK_AS(value_error, it != views_.end(),
                      "parameter: got name '" << name << "', expected one of the model's "
                                              << views_.size() << " parameter names");
        return *it;
    }

    void zero_grad() { std::fill(grads_.begin(), grads_.end(), T(0)); }

private:
    std::vector<T> values_;
    std::vector<T> grads_;
    std::vector<param_view<T>> views_;
};

}  // namespace knit
