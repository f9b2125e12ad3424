// The optimiser contract. An optimiser is one loop over a model's flat parameter buffer
// (core/params.hpp): step() reads every gradient and updates every value in place.
//
//  * The step counter is explicit: steps() is the number of completed step() calls, and
//    the t in bias corrections is steps() + 1 during a step.
//  * State (momenta, running averages) is sized on the first step and belongs to one
//    buffer; stepping a buffer of another size throws state_error. reset() clears it.
//  * step() never touches the gradients; the trainer zeroes them between batches.
#pragma once

#include <cstddef>
#include <string>

#include "knit/core/error.hpp"
#include "knit/core/params.hpp"

namespace knit::nn {

template <class T>
class optimizer {
public:
    virtual ~optimizer() = default;
    virtual std::string name() const = 0;

    void step(param_store<T>& store) { step(store.values(), store.grads(), store.size()); }
    void step(T* values, const T* grads, std::size_t n) {
        if (state_size_ == npos) {
            state_size_ = n;
            allocate_state(n);
        }
        KNIT_CHECK_AS(state_error, n == state_size_,
                      name() << "::step: got a buffer of " << n << " parameters, expected "
                             << state_size_ << " (the buffer of the first step)");
        update(values, grads, n, steps_ + 1);
        ++steps_;
    }

    std::size_t steps() const { return steps_; }
    void reset() {
        steps_ = 0;
        state_size_ = npos;
    }

    double learning_rate() const { return lr_; }
    void set_learning_rate(double lr) {
        KNIT_CHECK_AS(value_error, lr >= 0, name() << " learning rate: got " << lr << ", expected >= 0");
        lr_ = lr;
    }

protected:
    // Not set_learning_rate(): name() is virtual, and no derived object exists yet here.
    explicit optimizer(double lr) : lr_(lr) {
        KNIT_CHECK_AS(value_error, lr >= 0, "optimiser learning rate: got " << lr << ", expected >= 0");
    }
    virtual void allocate_state(std::size_t n) = 0;
    // One update with step number t (1-based).
    virtual void update(T* values, const T* grads, std::size_t n, std::size_t t) = 0;

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    double lr_;
    std::size_t steps_ = 0;
    std::size_t state_size_ = npos;
};

}  // namespace knit::nn
