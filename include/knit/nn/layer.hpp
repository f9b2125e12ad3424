// The layer contract. Every knit layer derives from knit::nn::layer<T> and keeps these
// rules; tests/support/contract.hpp checks them mechanically for every layer.
//
//  1. Shapes are batch first: dense (N, F), sequences (N, T, F), images (N, C, H, W).
//     build(input_shape) receives the per-sample shape (no batch axis), fixes the
//     layer's configuration and returns the per-sample output shape. It is called once,
//     before parameters are bound.
//  2. params() lists the parameters the layer needs (after build); bind() hands the
//     layer its views into the model's flat buffer (core/params.hpp); init_params()
//     fills the values from a seeded engine.
//  3. forward(x, mode) checks x's shape, caches what backward needs and nothing more,
//     and returns a reference to an output buffer the layer owns. The reference stays
//     valid until the next forward() on the same layer.
//  4. backward(dy) takes dL/dy for the last forward's output, ADDS dL/dparam into the
//     gradient views (+=; the model's zero_grad() clears them) and returns dL/dx in a
//     buffer the layer owns. backward without a matching forward throws state_error.
//  5. Every layer is a template on its scalar type: tests run in double, training in
//     float; src/ instantiates both.
//  6. Nothing allocates per call once the batch size is steady: output, cache and
//     gradient buffers are resized only when the batch size changes.
//  7. set_input_grad(false) says nobody will read dL/dx (the layer reads the model's
//     data, like PyTorch's requires_grad=False input). The layer may then skip that
//     work and return an empty (size 0) tensor from backward; parameter gradients are the same
//     either way. Containers pass the setting to the children that read their input.
//  8. set_input_kept(true) promises that forward's input stays alive and unchanged until
//     the matching backward. A layer that needs its input in backward may then keep a
//     pointer to it instead of a copy. Off by default, so a layer used alone is always
//     safe; containers turn it on for children whose input they own (a sequential's
//     layers after the first read the previous layer's buffer, valid until that layer's
//     next forward), and fit()/train_step() for the batch they hold during the step.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/params.hpp"
#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"

namespace knit::nn {

// Training turns on dropout and similar; inference is deterministic.
enum class mode { train, infer };

template <class T>
class layer {
public:
    using value_type = T;
    virtual ~layer() = default;

    // The layer's type, e.g. "dense"; used in summaries and model files.
    virtual std::string kind() const = 0;
    // Its settings as "key=value" pairs; a model file refuses a mismatch.
    virtual std::string config() const { return ""; }

    // Fixes the per-sample input shape; returns the per-sample output shape.
    shape_t build(const shape_t& input_shape) {
        KNIT_CHECK_AS(state_error, !built_,
                      kind() << ": build called twice, expected once per layer");
        output_shape_ = do_build(input_shape);
        input_shape_ = input_shape;
        built_ = true;
        return output_shape_;
    }
    bool built() const { return built_; }
    const shape_t& input_shape() const { return input_shape_; }
    const shape_t& output_shape() const { return output_shape_; }

    // The parameters this layer needs, with names local to the layer.
    virtual std::vector<param_spec> params() const { return {}; }
    // Receives views in the order params() listed them.
    virtual void bind(const std::vector<param_view<T>>& views) { (void)views; }
    // Fills parameter values (not gradients) from g.
    virtual void init_params(rng& g) { (void)g; }

    virtual const tensor<T>& forward(const tensor<T>& x, mode m) = 0;
    virtual const tensor<T>& backward(const tensor<T>& dy) = 0;

    // Rule 7. Containers override this to pass the setting on, then call the base.
    virtual void set_input_grad(bool needed) { input_grad_ = needed; }
    bool input_grad() const { return input_grad_; }
    // Rule 8. Containers override this to pass the setting on, then call the base.
    virtual void set_input_kept(bool kept) { input_kept_ = kept; }
    bool input_kept() const { return input_kept_; }

    // A layer holding other layers (branches, wrappers) lists them here for summaries.
    // Such a layer also gathers its children's params() under prefixed names and hands
    // each child its views in bind(), so models never need to walk the tree themselves.
    virtual std::vector<const layer<T>*> children() const { return {}; }

    // The random engines the layer draws from while training (dropout's masks), its
    // children's included, in a fixed order: checkpoints save and restore them so that a
    // resumed run draws what the uninterrupted one would have. A layer with an engine
    // appends it and then calls the base.
    virtual void collect_engines(std::vector<rng*>& out) {
        // children() is const for summaries; the container owns its children mutably.
        for (const layer<T>* child : children()) const_cast<layer<T>*>(child)->collect_engines(out);
    }

protected:
    virtual shape_t do_build(const shape_t& input_shape) = 0;

    void require_built(const char* what) const {
        KNIT_CHECK_AS(state_error, built_,
                      kind() << "::" << what << ": layer not built, expected build() first");
    }
    // What backward returns when rule 7 let it skip dL/dx.
    const tensor<T>& skipped_input_grad() const { return no_grad_; }

private:
    bool built_ = false;
    bool input_grad_ = true;
    bool input_kept_ = false;
    tensor<T> no_grad_ = tensor<T>::from_shape({0});  // size 0 (a default xarray holds 1)
    shape_t input_shape_;
    shape_t output_shape_;
};

// A training loop's settings for a layer, for a scope, restored after: the data needs no
// gradient (rule 7), and the loop holds each batch from forward to backward (rule 8).
template <class T>
class training_scope {
public:
    explicit training_scope(layer<T>& l) : layer_(l), grad_was_(l.input_grad()), kept_was_(l.input_kept()) {
        layer_.set_input_grad(false);
        layer_.set_input_kept(true);
    }
    ~training_scope() {
        layer_.set_input_grad(grad_was_);
        layer_.set_input_kept(kept_was_);
    }
    training_scope(const training_scope&) = delete;
    training_scope& operator=(const training_scope&) = delete;

private:
    layer<T>& layer_;
    bool grad_was_, kept_was_;
};

// Tracks whether backward() has a forward() to differentiate, for contract rule 4.
class forward_guard {
public:
    void on_forward(std::size_t batch) { batch_ = batch; ready_ = true; consumed_ = false; }
    // Call at the top of backward: dy must follow a forward, and have the shape of that
    // forward's output y (the same batch first, then every other extent).
    template <class T>
    void on_backward(const std::string& kind, const tensor<T>& dy, const tensor<T>& y) const {
        KNIT_CHECK_AS(state_error, ready_,
                      kind << "::backward: got no preceding forward, expected forward() first");
        KNIT_CHECK_AS(state_error, !consumed_,
                      kind << "::backward: got a second backward for one forward, expected a new "
                              "forward first (this layer's backward reuses its forward cache)");
        const std::size_t dy_batch = dy.dimension() ? dy.shape()[0] : 0;
        KNIT_CHECK_AS(shape_error, dy_batch == batch_,
                      kind << "::backward: got dy with batch " << dy_batch
                           << ", expected " << batch_ << " (the last forward's batch)");
        KNIT_CHECK_AS(shape_error, dy.shape() == y.shape(),
                      kind << "::backward dy shape: got " << shape_to_string(dy.shape())
                           << ", expected " << shape_to_string(y.shape()));
    }

    // For a backward that overwrites its forward cache: the next backward needs a new forward.
    void consume() { consumed_ = true; }

private:
    bool consumed_ = false;
    std::size_t batch_ = 0;
    bool ready_ = false;
};

// Allocates one flat buffer for a list of layers (and all their children), binds every
// layer to its views and initialises the values. Names are "<index>.<kind>.<param>".
// Used by models; tests and users holding a single layer call it directly.
template <class T>
void bind_layers(const std::vector<layer<T>*>& layers, param_store<T>& store, rng& g) {
    std::vector<std::pair<std::string, param_spec>> specs;
    std::vector<std::pair<layer<T>*, std::size_t>> owners;  // layer, number of params
    for (std::size_t i = 0; i < layers.size(); ++i) {
        layer<T>* l = layers[i];
        KNIT_CHECK_AS(state_error, l->built(),
                      "bind_layers: layer " << i << " (" << l->kind()
                                            << ") not built, expected build() first");
        auto own = l->params();
        for (const auto& spec : own)
            specs.emplace_back(std::to_string(i) + "." + l->kind() + "." + spec.name, spec);
        owners.emplace_back(l, own.size());
    }
    auto views = store.allocate(specs);
    std::size_t next = 0;
    for (auto& [l, count] : owners) {
        std::vector<param_view<T>> mine(views.begin() + next, views.begin() + next + count);
        next += count;
        l->bind(mine);
        l->init_params(g);
    }
}

}  // namespace knit::nn
