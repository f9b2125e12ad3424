// Checkpoints: a model file (nn/serialize.hpp, format version 2) whose training-state
// block holds everything besides the weights that a run needs to continue exactly as if
// it had never stopped. fit() writes them through the model_checkpoint callback and
// resumes from one with fit_options::resume_from; a hand-written loop can call
// save_training() and load_training() itself.
//
// Training-state block (little-endian, scalars in the file's scalar size):
//   u64     epochs done
//   string  optimiser name; u64 steps; f64 learning rate; u8 started; u64 parameters;
//           u64 K, then K buffers (u64 n, n scalars): momenta, running averages
//   string  the batch source's state() (in_memory_source: its engine and current order)
//   u64 E,  then E strings: rng::state() of every layer engine, in model order (dropout)
//   history u64 epochs, each: f64 loss, f64 val_loss, u64 m + m (string, f64) metrics,
//           u64 v + v (string, f64) validation metrics, f64 learning rate, f64 seconds;
//           then u64 best epoch
//   u64 C,  then C callbacks' states: string name, u64 n, n f64
// (string = u64 length + bytes.) Every count is checked against the bytes present before
// anything is allocated. docs/training.md describes what resuming restores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "knit/nn/history.hpp"
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/sequential.hpp"
#include "knit/nn/serialize.hpp"

namespace knit::nn {

struct callback_state {
    std::string name;
    std::vector<double> values;
};

// Everything but the weights (non-template: the optimiser's buffers widened to double).
struct training_state {
    std::size_t epochs_done = 0;
    optimizer_state<double> optimizer;
    std::string data;                   // batch_source::state()
    std::vector<std::string> engines;   // filled by save_training from the model
    history log;
    std::vector<callback_state> callbacks;
};

std::string encode_training_state(const training_state& s, std::uint32_t scalar_size);
// source names the file in messages; refuses a malformed block with io_error.
training_state decode_training_state(const std::string& bytes, std::uint32_t scalar_size, const std::string& source);

// The engines every layer of the model draws from in training, in model order.
template <class T>
std::vector<rng*> model_engines(sequential<T>& model) {
    std::vector<rng*> out;
    model.collect_engines(out);
    return out;
}

// Writes the model's weights with s; the optimiser's state and the model's engines are
// taken from opt and model (s.optimizer and s.engines are overwritten).
template <class T>
void save_training(const std::string& path, sequential<T>& model, const optimizer<T>& opt, training_state s) {
    const optimizer_state<T> os = opt.state();
    s.optimizer.name = os.name;
    s.optimizer.steps = os.steps;
    s.optimizer.learning_rate = os.learning_rate;
    s.optimizer.started = os.started;
    s.optimizer.parameters = os.parameters;
    s.optimizer.buffers.assign(os.buffers.size(), {});
    for (std::size_t i = 0; i < os.buffers.size(); ++i)
        s.optimizer.buffers[i].assign(os.buffers[i].begin(), os.buffers[i].end());
    s.engines.clear();
    for (const rng* e : model_engines(model)) s.engines.push_back(e->state());
    const auto& store = model.store();
    write_model_file(path, model.signature(), sizeof(T), store.values(), store.size(),
                     encode_training_state(s, sizeof(T)));
}

// Restores the weights, the optimiser's state and the model's engines from a checkpoint
// and returns the rest (epochs done, the batch source's state, the history, the
// callbacks' states) for the caller. Everything is checked before anything changes; a
// file without a training state (written by save()) is refused.
template <class T>
training_state load_training(const std::string& path, sequential<T>& model, optimizer<T>& opt) {
    model_file f = read_model_file(path);
    KNIT_CHECK_AS(io_error, !f.training_state.empty(),
                  path << ": got a model file without a training state (format version " << f.version
                       << ", written by save()), expected a checkpoint written by model_checkpoint or save_training");
    check_signature(path, f.signature, model.signature());
    auto& store = model.store();
    KNIT_CHECK_AS(io_error, f.values.size() == store.size(),
                  path << ": got " << f.values.size() << " parameters, expected " << store.size());
    training_state s = decode_training_state(f.training_state, f.scalar_size, path);

    const std::vector<rng*> engines = model_engines(model);
    KNIT_CHECK_AS(io_error, s.engines.size() == engines.size(),
                  path << ": got " << s.engines.size() << " layer engines, expected " << engines.size()
                       << " (one per dropout layer)");
    std::vector<rng> restored(engines.size(), rng(0));
    for (std::size_t i = 0; i < engines.size(); ++i) restored[i].set_state(s.engines[i]);
    optimizer_state<T> os;
    os.name = s.optimizer.name;
    os.steps = s.optimizer.steps;
    os.learning_rate = s.optimizer.learning_rate;
    os.started = s.optimizer.started;
    os.parameters = s.optimizer.parameters;
    for (const auto& b : s.optimizer.buffers) os.buffers.emplace_back(b.begin(), b.end());
    KNIT_CHECK_AS(io_error, !os.started || os.parameters == store.size(),
                  path << ": got an optimiser state for " << os.parameters << " parameters, expected " << store.size());
    opt.set_state(os);

    for (std::size_t i = 0; i < engines.size(); ++i) *engines[i] = restored[i];
    for (std::size_t i = 0; i < store.size(); ++i) store.values()[i] = static_cast<T>(f.values[i]);
    return s;
}

}  // namespace knit::nn
