// A stack of layers applied in order, owning one flat parameter buffer.
//
//   sequential<float> model({21, 2});                 // per-sample input shape
//   model.add(lstm<float>(21));                       // each add() builds the layer
//   model.add(dense<float>(1, activation::sigmoid));
//   model.compile(seed);                              // allocates and initialises params
//   float l = model.train_step(x, y, loss, optimizer);
//
// forward(x) returns the last layer's output buffer; backward(dy) runs the layers in
// reverse, adding into the parameter gradients. The model is itself a layer (so models
// nest, e.g. inside branches), with its parameters named "<i>.<kind>.<param>".
#pragma once

#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "knit/nn/layer.hpp"
#include "knit/nn/loss.hpp"
#include "knit/nn/optim/optimizer.hpp"

namespace knit::nn {

template <class T>
class sequential : public layer<T> {
public:
    explicit sequential(shape_t input_shape) : declared_input_(std::move(input_shape)) {
        KNIT_CHECK_AS(shape_error, !declared_input_.empty() && shape_size(declared_input_) > 0,
                      "sequential input shape: got " << shape_to_string(declared_input_)
                                                     << ", expected a non-empty per-sample shape");
        current_shape_ = declared_input_;
    }
    sequential(const sequential&) = delete;
    sequential& operator=(const sequential&) = delete;
    // Moving keeps every layer's parameter views valid: the buffers move, not their data.
    sequential(sequential&&) = default;
    sequential& operator=(sequential&&) = default;

    std::string kind() const override { return "sequential"; }

    // Appends a layer and builds it on the current output shape. Returns a reference to
    // the stored layer (valid for the model's lifetime).
    template <class L, class = std::enable_if_t<std::is_base_of_v<layer<T>, std::decay_t<L>>>>
    std::decay_t<L>& add(L&& l) {
        auto owned = std::make_unique<std::decay_t<L>>(std::forward<L>(l));
        auto& ref = *owned;
        add(std::move(owned));
        return ref;
    }
    void add(std::unique_ptr<layer<T>> l) {
        KNIT_CHECK_AS(state_error, !compiled_,
                      "sequential::add: got a layer after compile(), expected all layers first");
        KNIT_CHECK(l != nullptr, "sequential::add: got a null layer, expected a layer");
        current_shape_ = l->build(current_shape_);
        has_params_.push_back(!l->params().empty());  // fixed once the layer is built
        layers_.push_back(std::move(l));
        pass_input_grad();
        pass_input_kept();
    }

    // Rule 7 (layer.hpp): the first layer reads the model's input, and so does, in effect,
    // every layer up to the first one with parameters (zero_pad2d, flatten, dropout...):
    // no gradient is needed below a layer whose input needs none and that has nothing to
    // learn. A model starts with it on, like any layer; fit() turns it off for the data.
    void set_input_grad(bool needed) override {
        layer<T>::set_input_grad(needed);
        pass_input_grad();
    }
    // Rule 8: every layer after the first reads the previous layer's output buffer, which
    // stays valid until that layer's next forward; the first reads the model's input.
    void set_input_kept(bool kept) override {
        layer<T>::set_input_kept(kept);
        pass_input_kept();
    }

    // Allocates the flat buffer and initialises every parameter from the seed.
    void compile(std::uint64_t seed) {
        KNIT_CHECK_AS(state_error, !compiled_, "sequential::compile: got a second call, expected one");
        KNIT_CHECK_AS(state_error, !layers_.empty(), "sequential::compile: got no layers, expected at least one");
        if (!this->built()) this->build(declared_input_);
        rng g(seed);
        bind_layers(raw_layers(), own_store_, g);
        compiled_ = true;
    }
    bool compiled() const { return compiled_; }

    const tensor<T>& forward(const tensor<T>& x, mode m) override {
        require_ready("forward");
        const tensor<T>* h = &x;
        for (auto& l : layers_) h = &l->forward(*h, m);
        return *h;
    }

    const tensor<T>& backward(const tensor<T>& dy) override {
        require_ready("backward");
        const tensor<T>* g = &dy;
        for (auto it = layers_.rbegin(); it != layers_.rend(); ++it) {
            g = &(*it)->backward(*g);
            // Rule 7: below a layer that needs no input gradient nothing has parameters.
            if (!(*it)->input_grad()) return this->skipped_input_grad();
        }
        return *g;
    }

    // One optimisation step on one batch; returns the batch loss before the step.
    T train_step(const tensor<T>& x, const tensor<T>& y, loss<T>& objective, optimizer<T>& opt) {
        require_ready("train_step");
        const training_scope<T> training(*this);  // x is held until this call returns
        zero_grad();
        const T value = objective.forward(forward(x, mode::train), y);
        backward(objective.backward());
        opt.step(store());
        return value;
    }

    void zero_grad() { store().zero_grad(); }

    // The model's flat parameter buffer (values and gradients).
    param_store<T>& store() {
        KNIT_CHECK_AS(state_error, compiled_ && !nested_,
                      "sequential::store: expected a compiled top-level model (a nested model's "
                      "parameters live in its parent's store)");
        return own_store_;
    }
    const param_store<T>& store() const { return const_cast<sequential*>(this)->store(); }
    std::size_t parameter_count() const {
        std::size_t n = 0;
        for (const auto& l : layers_)
            for (const auto& spec : l->params()) n += shape_size(spec.shape);
        return n;
    }

    std::size_t size() const { return layers_.size(); }
    layer<T>& at(std::size_t i) { return *layers_.at(i); }
    const layer<T>& at(std::size_t i) const { return *layers_.at(i); }
    const shape_t& declared_input_shape() const { return declared_input_; }
    const shape_t& current_output_shape() const { return current_shape_; }

    // One line per layer: "<i> <kind> <config> <output shape> <param shapes>"; save/load
    // compares it to refuse a file written by a different architecture.
    std::string signature() const {
        std::ostringstream out;
        out << "input " << shape_to_string(declared_input_) << "\n";
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            const auto& l = *layers_[i];
            out << i << " " << l.kind() << " [" << l.config() << "] -> "
                << shape_to_string(l.output_shape());
            for (const auto& spec : l.params()) out << " " << spec.name << shape_to_string(spec.shape);
            out << "\n";
        }
        return out.str();
    }

    // A table like Keras' model.summary(): layer, output shape, parameter count, total.
    std::string summary() const {
        std::ostringstream out;
        const int w1 = 32, w2 = 22, w3 = 12;
        const std::string rule(w1 + w2 + w3, '=');
        out << std::left << std::setw(w1) << "Layer (type)" << std::setw(w2) << "Output Shape"
            << std::right << std::setw(w3) << "Param #" << "\n" << rule << "\n";
        for (std::size_t i = 0; i < layers_.size(); ++i) summarise(out, *layers_[i], std::to_string(i), w1, w2, w3);
        out << rule << "\nTotal params: " << with_thousands(parameter_count()) << "\n";
        return out.str();
    }

    // --- layer interface, for models nested in other models ---
    std::string config() const override { return signature(); }
    std::vector<param_spec> params() const override {
        std::vector<param_spec> all;
        for (std::size_t i = 0; i < layers_.size(); ++i)
            for (auto spec : layers_[i]->params()) {
                spec.name = std::to_string(i) + "." + layers_[i]->kind() + "." + spec.name;
                all.push_back(std::move(spec));
            }
        return all;
    }
    void bind(const std::vector<param_view<T>>& views) override {
        std::size_t next = 0;
        for (auto& l : layers_) {
            const std::size_t count = l->params().size();
            l->bind(std::vector<param_view<T>>(views.begin() + next, views.begin() + next + count));
            next += count;
        }
        nested_ = compiled_ = true;
    }
    void init_params(rng& g) override {
        for (auto& l : layers_) l->init_params(g);
    }
    std::vector<const layer<T>*> children() const override {
        std::vector<const layer<T>*> out;
        for (const auto& l : layers_) out.push_back(l.get());
        return out;
    }

    static std::string with_thousands(std::size_t n) {
        std::string digits = std::to_string(n), out;
        for (std::size_t i = 0; i < digits.size(); ++i) {
            if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
            out += digits[i];
        }
        return out;
    }

protected:
    shape_t do_build(const shape_t& input_shape) override {
        KNIT_CHECK_AS(shape_error, input_shape == declared_input_,
                      "sequential input shape: got " << shape_to_string(input_shape) << ", expected "
                                                     << shape_to_string(declared_input_));
        return current_shape_;
    }

private:
    void pass_input_grad() {
        bool needed = this->input_grad();
        for (std::size_t i = 0; i < layers_.size(); ++i) {
            layers_[i]->set_input_grad(needed);
            if (has_params_[i]) needed = true;  // its parameters need dL/d(its output)
        }
    }
    void pass_input_kept() {
        for (std::size_t i = 0; i < layers_.size(); ++i) layers_[i]->set_input_kept(i > 0 || this->input_kept());
    }
    std::vector<layer<T>*> raw_layers() {
        std::vector<layer<T>*> out;
        for (auto& l : layers_) out.push_back(l.get());
        return out;
    }
    void require_ready(const char* what) const {
        KNIT_CHECK_AS(state_error, compiled_,
                      "sequential::" << what << ": model not compiled, expected compile(seed) first");
    }
    static void summarise(std::ostringstream& out, const layer<T>& l, const std::string& label,
                          int w1, int w2, int w3) {
        std::size_t count = 0;
        for (const auto& spec : l.params()) count += shape_size(spec.shape);
        out << std::left << std::setw(w1) << (label + " (" + l.kind() + ")") << std::setw(w2)
            << batch_shape_to_string(l.output_shape()) << std::right << std::setw(w3)
            << with_thousands(count) << "\n";
        const auto kids = l.children();
        for (std::size_t i = 0; i < kids.size(); ++i)
            summarise(out, *kids[i], "  " + label + "." + std::to_string(i), w1, w2, w3);
    }

    shape_t declared_input_;
    shape_t current_shape_;
    std::vector<std::unique_ptr<layer<T>>> layers_;
    std::vector<bool> has_params_;  // per layer: params() is not empty
    param_store<T> own_store_;
    bool compiled_ = false;
    bool nested_ = false;
};

extern template class sequential<float>;
extern template class sequential<double>;

}  // namespace knit::nn
