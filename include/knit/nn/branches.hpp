// Parallel branches over column slices of one input, outputs concatenated (the paper's
// two-branch AE-NN: each branch reads one gene's 3-D code).
//
//   forward:   x_b = x[:, begin_b:end_b]          (N, F_b)      for each branch b
//              y_b = branch_b(x_b)                (N, U_b)
//              y   = [y_1 | y_2 | ... ]           (N, sum_b U_b)
//   backward:  dy_b = dy[:, offset_b : offset_b + U_b]
//              dx[:, begin_b:end_b] += branch_b.backward(dy_b)    slices may overlap, so
//                                                                 contributions add up
//
// Shapes: x (N, F); each branch is a sequential model whose per-sample input is
// (end_b - begin_b) and whose per-sample output is rank 1. Caches: the per-branch input
// slices (inside the branches) and nothing else here.
// branches is a layer, so a sequential model can hold it; its parameters are named
// "<branch>.<index>.<kind>.<param>" inside the model's flat buffer.
#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "knit/nn/sequential.hpp"

namespace knit::nn {

template <class T>
class branches : public layer<T> {
public:
    branches() = default;

    // Adds a branch reading input columns [begin, end); returns its (empty) model, to
    // which the caller adds layers before the branches layer itself is added to a model.
    sequential<T>& add_branch(std::size_t begin, std::size_t end) {
        KNIT_CHECK_AS(state_error, !this->built(),
                      "branches::add_branch: got a branch after build, expected all branches first");
        KNIT_CHECK_AS(value_error, begin < end,
                      "branches column range: got [" << begin << ", " << end << "), expected begin < end");
        part p;
        p.begin = begin;
        p.end = end;
        p.model = std::make_unique<sequential<T>>(shape_t{end - begin});
        p.model->set_input_grad(this->input_grad());
        p.model->set_input_kept(true);  // rule 8: its input is p.slice, owned here
        parts_.push_back(std::move(p));
        return *parts_.back().model;
    }
    std::size_t count() const { return parts_.size(); }
    sequential<T>& branch(std::size_t i) { return *parts_.at(i).model; }

    std::string kind() const override { return "branches"; }
    std::string config() const override {
        std::ostringstream out;
        for (const auto& p : parts_) out << "[" << p.begin << "," << p.end << ")";
        return out.str();
    }

    std::vector<param_spec> params() const override {
        std::vector<param_spec> all;
        for (std::size_t b = 0; b < parts_.size(); ++b)
            for (auto spec : parts_[b].model->params()) {
                spec.name = std::to_string(b) + "." + spec.name;
                all.push_back(std::move(spec));
            }
        return all;
    }
    void bind(const std::vector<param_view<T>>& views) override {
        std::size_t next = 0;
        for (auto& p : parts_) {
            const std::size_t n = p.model->params().size();
            p.model->bind(std::vector<param_view<T>>(views.begin() + next, views.begin() + next + n));
            next += n;
        }
    }
    void init_params(rng& g) override {
        for (auto& p : parts_) p.model->init_params(g);
    }
    // Rule 7: every branch reads a slice of this layer's input.
    void set_input_grad(bool needed) override {
        layer<T>::set_input_grad(needed);
        for (auto& p : parts_) p.model->set_input_grad(needed);
    }
    std::vector<const layer<T>*> children() const override {
        std::vector<const layer<T>*> out;
        for (const auto& p : parts_) out.push_back(p.model.get());
        return out;
    }

    const tensor<T>& forward(const tensor<T>& x, mode m) override {
        this->require_built("forward");
        check_batch_shape(x, this->input_shape(), "branches");
        const std::size_t n = x.shape()[0], in = this->input_shape()[0], out = this->output_shape()[0];
        ensure_shape(y_, {n, out});
        for (auto& p : parts_) {
            const std::size_t width = p.end - p.begin;
            ensure_shape(p.slice, {n, width});
            for (std::size_t i = 0; i < n; ++i)
                std::copy(x.data() + i * in + p.begin, x.data() + i * in + p.end, p.slice.data() + i * width);
            const tensor<T>& yb = p.model->forward(p.slice, m);
            for (std::size_t i = 0; i < n; ++i)
                std::copy(yb.data() + i * p.width_out, yb.data() + (i + 1) * p.width_out,
                          y_.data() + i * out + p.offset);
        }
        guard_.on_forward(n);
        return y_;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        guard_.on_backward("branches", dy, y_);
        const std::size_t n = dy.shape()[0], in = this->input_shape()[0], out = this->output_shape()[0];
        const bool want_dx = this->input_grad();
        if (want_dx) {
            ensure_shape(dx_, {n, in});
            std::fill(dx_.begin(), dx_.end(), T(0));
        }
        for (auto& p : parts_) {
            ensure_shape(p.dy, {n, p.width_out});
            for (std::size_t i = 0; i < n; ++i)  // dL/dy_b is dL/dy's column block of branch b
                std::copy(dy.data() + i * out + p.offset, dy.data() + i * out + p.offset + p.width_out,
                          p.dy.data() + i * p.width_out);
            const tensor<T>& dxb = p.model->backward(p.dy);
            if (!want_dx) continue;
            const std::size_t width = p.end - p.begin;
            for (std::size_t i = 0; i < n; ++i)  // x_b = x[:, begin:end], so its gradient lands there (+=)
                for (std::size_t j = 0; j < width; ++j) dx_.data()[i * in + p.begin + j] += dxb.data()[i * width + j];
        }
        return want_dx ? dx_ : this->skipped_input_grad();
    }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(state_error, !parts_.empty(), "branches: got no branch, expected at least one");
        KNIT_CHECK_AS(shape_error, input_shape.size() == 1,
                      "branches input shape: got " << batch_shape_to_string(input_shape) << ", expected (N, F)");
        std::size_t offset = 0;
        for (std::size_t b = 0; b < parts_.size(); ++b) {
            auto& p = parts_[b];
            KNIT_CHECK_AS(shape_error, p.end <= input_shape[0],
                          "branch " << b << " reads columns [" << p.begin << ", " << p.end << "): got an input of "
                                    << input_shape[0] << " columns, expected at least " << p.end);
            KNIT_CHECK_AS(state_error, p.model->size() > 0, "branch " << b << ": got no layers, expected at least one");
            const shape_t out = p.model->build(shape_t{p.end - p.begin});
            KNIT_CHECK_AS(shape_error, out.size() == 1,
                          "branch " << b << " output: got " << batch_shape_to_string(out) << ", expected (N, U)");
            p.offset = offset;
            p.width_out = out[0];
            offset += out[0];
        }
        return {offset};
    }

private:
    struct part {
        std::size_t begin = 0, end = 0;
        std::unique_ptr<sequential<T>> model;
        std::size_t offset = 0, width_out = 0;
        tensor<T> slice, dy;
    };
    std::vector<part> parts_;
    tensor<T> y_, dx_;
    forward_guard guard_;
};

extern template class branches<float>;
extern template class branches<double>;

}  // namespace knit::nn
