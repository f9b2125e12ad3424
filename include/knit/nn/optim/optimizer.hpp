// The optimiser contract. An optimiser is one loop over a model's flat parameter buffer
// (core/params.hpp): step() reads every gradient and updates every value in place.
//
//  * The step counter is explicit: steps() is the number of completed step() calls, and
//    the t in bias corrections is steps() + 1 during a step.
//  * State (momenta, running averages) is sized on the first step and belongs to one
//    buffer; stepping a buffer of another size throws state_error. reset() clears it.
//  * step() never touches the gradients; the trainer zeroes them between batches.
//  * state() and set_state() give checkpoints everything a continued run needs (the step
//    count, the learning rate, the state buffers): an optimiser with state lists its
//    buffers in state_buffers(), or a resumed run would diverge.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/params.hpp"

namespace knit::nn {

// An optimiser's state at a step boundary, for checkpoints.
template <class T>
struct optimizer_state {
    std::string name;                      // the optimiser's name(); set_state refuses another
    std::size_t steps = 0;
    double learning_rate = 0;
    bool started = false;                  // false before the first step (no buffers yet)
    std::size_t parameters = 0;            // the buffer size of the first step, when started
    std::vector<std::vector<T>> buffers;   // state_buffers() in order, when started
};

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

    optimizer_state<T> state() const {
        optimizer_state<T> s;
        s.name = name();
        s.steps = steps_;
        s.learning_rate = lr_;
        s.started = state_size_ != npos;
        if (s.started) {
            s.parameters = state_size_;
            // state_buffers() hands out writable pointers for set_state(); here they are only read.
            for (const std::vector<T>* b : const_cast<optimizer*>(this)->state_buffers()) s.buffers.push_back(*b);
        }
        return s;
    }
    // Continues from a state() of an optimiser of the same kind and settings. A state
    // that does not fit is refused with value_error and leaves the optimiser reset.
    void set_state(const optimizer_state<T>& s) {
        KNIT_CHECK_AS(value_error, s.name == name(),
                      name() << "::set_state: got the state of '" << s.name << "', expected '" << name() << "'");
        KNIT_CHECK_AS(value_error, s.learning_rate >= 0,
                      name() << "::set_state learning rate: got " << s.learning_rate << ", expected >= 0");
        if (s.started) {
            reset();
            allocate_state(s.parameters);  // sizes the buffers as this optimiser's settings need
            const std::vector<std::vector<T>*> mine = state_buffers();
            const bool same_count = s.buffers.size() == mine.size();
            std::size_t bad = mine.size();  // the first buffer of another size
            for (std::size_t i = 0; same_count && i < mine.size() && bad == mine.size(); ++i)
                if (s.buffers[i].size() != mine[i]->size()) bad = i;
            if (!same_count || bad != mine.size()) {
                for (std::vector<T>* b : mine) b->clear();
                KNIT_CHECK_AS(value_error, same_count,
                              name() << "::set_state: got " << s.buffers.size() << " state buffers, expected " << mine.size());
                KNIT_CHECK_AS(value_error, false,
                              name() << "::set_state buffer " << bad << ": got " << s.buffers[bad].size()
                                     << " values, expected " << mine[bad]->size()
                                     << " (another parameter count or other settings)");
            }
            for (std::size_t i = 0; i < mine.size(); ++i) *mine[i] = s.buffers[i];
        }
        state_size_ = s.started ? s.parameters : npos;
        steps_ = s.steps;
        lr_ = s.learning_rate;
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
    // The buffers allocate_state() sized, for state() and set_state().
    virtual std::vector<std::vector<T>*> state_buffers() { return {}; }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    double lr_;
    std::size_t steps_ = 0;
    std::size_t state_size_ = npos;
};

}  // namespace knit::nn
