// Keras-like training loop over a sequential model: fit, evaluate, predict.
//
//   nn::fit_options<float> o;
//   o.epochs = 60;
//   o.batch_size = 32;
//   auto history = nn::fit(model, x, y, loss, optimizer, o);      // in-memory tensors
//   auto history = nn::fit(model, source, loss, optimizer, o);    // any batch_source
//
// * Batches are rows of x and y (the batch axis); the last batch may be smaller. The
//   tensor overload serves them through an in_memory_source (data_source.hpp).
// * shuffle draws a new order each epoch from the options' seed, so the same seed and
//   thread count give bit-identical weights.
// * validation_split holds out the LAST fraction of the rows before any shuffling, as
//   Keras does; or pass validation data explicitly (tensors or a batch_source).
// * metrics are reported for the training batches (pooled over the epoch, from each
//   step's forward, as in Keras) and for the validation data: metrics.hpp.
// * Callbacks (callbacks.hpp) run at fixed points; early stopping (stop) and on_epoch_end
//   are callbacks too, run after those in `callbacks`.
// * resume_from continues a run from a checkpoint written by model_checkpoint: weights,
//   optimiser state, epoch, data order, dropout engines, history and callback states, so
//   that 5 epochs + resume + 5 epochs give the same weights, bit for bit, as 10 epochs.
//   epochs counts from the start of the run, not from the resume.
// * A progress bar is drawn on stdout only when stdout is a terminal.
// * A non-finite batch loss never reaches the optimiser; it stops training with
//   knit::value_error naming epoch and batch, unless a callback (terminate_on_nan) stops.
// docs/training.md describes the whole loop.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "knit/core/stopwatch.hpp"
#include "knit/nn/callbacks.hpp"
#include "knit/nn/checkpoint.hpp"
#include "knit/nn/data_source.hpp"
#include "knit/nn/history.hpp"
#include "knit/nn/loss.hpp"
#include "knit/nn/metrics.hpp"
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::nn {

enum class verbosity { automatic, silent, progress };

template <class T>
struct fit_options {
    std::size_t epochs = 1;
    // The tensor overload's batches (a batch_source decides its own):
    std::size_t batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 0;
    double validation_split = 0;
    // Validation data: tensors, or a source (at most one of the two).
    const tensor<T>* validation_x = nullptr;
    const tensor<T>* validation_y = nullptr;
    batch_source<T>* validation_data = nullptr;
    std::vector<metric> metrics;
    early_stopping stop;
    verbosity verbose = verbosity::automatic;
    // Called after every epoch with its 0-based index; return false to stop training.
    std::function<bool(std::size_t)> on_epoch_end;
    std::vector<callback<T>*> callbacks;  // not owned
    std::string resume_from;              // a checkpoint to continue from ("" = start afresh)
};

struct evaluation {
    double loss = 0;
    std::map<std::string, double> metrics;
};

namespace detail {
bool stdout_is_terminal();
void draw_progress(std::size_t epoch, std::size_t epochs, std::size_t done, std::size_t total,
                   double loss);
void end_progress(std::size_t epoch, std::size_t epochs, const epoch_record& r);

template <class T>
void check_xy(const tensor<T>& x, const tensor<T>& y, const char* what) {
    KNIT_CHECK_AS(shape_error, x.dimension() >= 1 && y.dimension() >= 1 && x.shape()[0] == y.shape()[0],
                  what << ": got x " << shape_to_string(x.shape()) << " and y "
                       << shape_to_string(y.shape()) << ", expected the same number of rows");
    KNIT_CHECK_AS(shape_error, x.shape()[0] > 0, what << ": got 0 rows, expected at least one");
}

// Puts the rest of a checkpoint's training state into a run: the data order, the history
// and the callbacks' states (matched by name, then by order among equal names).
template <class T>
void resume(training_run<T>& run, const std::string& path) {
    training_state s = load_training(path, run.model, run.opt);
    run.data.set_state(s.data);
    run.log = std::move(s.log);
    run.first_epoch = s.epochs_done;
    std::map<std::string, std::size_t> seen;
    for (callback<T>* c : *run.callbacks) {
        const std::string name = c->name();
        std::size_t wanted = seen[name]++;
        for (const callback_state& saved : s.callbacks)
            if (saved.name == name && wanted-- == 0) {
                c->set_state(saved.values);
                break;
            }
    }
}
}  // namespace detail

// Loss and metrics over every batch of a source, at inference. The batches are read in
// the source's current order; evaluate() does not start an epoch.
template <class T>
evaluation evaluate(sequential<T>& model, batch_source<T>& data, loss<T>& objective,
                    const std::vector<metric>& metrics = {}) {
    tensor<T> bx, by;
    double loss_sum = 0;
    std::size_t rows = 0;
    std::vector<metric_accumulator<T>> pooled(metrics.begin(), metrics.end());
    for (std::size_t b = 0; b < data.batches(); ++b) {
        data.batch(b, bx, by);
        const tensor<T>& pred = model.forward(bx, mode::infer);
        const std::size_t count = bx.shape()[0];
        loss_sum += double(objective.forward(pred, by)) * double(count);
        rows += count;
        for (auto& p : pooled) p.add(pred, by);
    }
    evaluation e;
    e.loss = loss_sum / double(rows);
    for (const auto& p : pooled) e.metrics[to_string(p.which())] = p.result();
    return e;
}

// Loss and metrics over (x, y), in batches, at inference.
template <class T>
evaluation evaluate(sequential<T>& model, const tensor<T>& x, const tensor<T>& y, loss<T>& objective,
                    const std::vector<metric>& metrics = {}, std::size_t batch_size = 256) {
    detail::check_xy(x, y, "evaluate");
    KNIT_CHECK_AS(value_error, batch_size > 0, "evaluate batch size: got 0, expected > 0");
    in_memory_options o;
    o.batch_size = batch_size;
    in_memory_source<T> data(x, y, o);
    return evaluate(model, data, objective, metrics);
}

// The model's outputs for every row of x, in batches, at inference.
template <class T>
tensor<T> predict(sequential<T>& model, const tensor<T>& x, std::size_t batch_size = 256) {
    KNIT_CHECK_AS(shape_error, x.dimension() >= 1 && x.shape()[0] > 0,
                  "predict: got x " << shape_to_string(x.shape()) << ", expected at least one row");
    KNIT_CHECK_AS(value_error, batch_size > 0, "predict batch size: got 0, expected > 0");
    const std::size_t n = x.shape()[0];
    tensor<T> out = tensor<T>::from_shape(with_batch(n, model.current_output_shape()));
    const std::size_t out_row = out.size() / n;
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    tensor<T> bx;
    for (std::size_t start = 0; start < n; start += batch_size) {
        const std::size_t b = std::min(batch_size, n - start);
        gather_rows(x, order.data() + start, b, bx);
        const tensor<T>& pred = model.forward(bx, mode::infer);
        std::copy(pred.begin(), pred.end(), out.data() + start * out_row);
    }
    return out;
}

namespace detail {

template <class T>
history fit_loop(sequential<T>& model, batch_source<T>& data, batch_source<T>* validation, loss<T>& objective,
                 optimizer<T>& opt, const fit_options<T>& o) {
    const std::size_t batches = data.batches();
    KNIT_CHECK_AS(value_error, batches > 0, "fit: got a data source with 0 batches, expected at least one");
    std::vector<callback<T>*> all;
    for (callback<T>* c : o.callbacks) {
        KNIT_CHECK(c != nullptr, "fit callbacks: got a null callback, expected a callback");
        all.push_back(c);
    }
    std::optional<early_stopper<T>> stopper;
    if (o.stop.enabled) all.push_back(&stopper.emplace(o.stop));
    std::optional<epoch_end_function<T>> hook;
    if (o.on_epoch_end) all.push_back(&hook.emplace(o.on_epoch_end));

    history h;
    training_run<T> run{model, opt, data, h, o.epochs};
    run.has_validation = validation != nullptr;
    run.callbacks = &all;
    if (!o.resume_from.empty()) resume(run, o.resume_from);

    // history::best_epoch, over the restored epochs too.
    double best = std::numeric_limits<double>::infinity();
    auto track_best = [&](std::size_t epoch) {
        const epoch_record& r = h.epochs[epoch];
        const double monitored = validation != nullptr ? r.val_loss : r.loss;
        if (monitored < best - o.stop.min_delta) {
            best = monitored;
            h.best_epoch = epoch;
        }
    };
    for (std::size_t e = 0; e < h.epochs.size(); ++e) track_best(e);

    const bool show = o.verbose == verbosity::progress ||
                      (o.verbose == verbosity::automatic && stdout_is_terminal());
    const training_scope<T> training(model);  // bx lives from each forward to its backward
    for (callback<T>* c : all) c->on_train_begin(run);
    tensor<T> bx, by;
    for (std::size_t epoch = run.first_epoch; epoch < o.epochs && !run.stop; ++epoch) {
        run.epoch = epoch;
        const stopwatch clock;
        data.begin_epoch(epoch);
        for (callback<T>* c : all) c->on_epoch_begin(run);
        epoch_record r;
        r.learning_rate = opt.learning_rate();
        double loss_sum = 0;
        std::size_t rows = 0;
        std::vector<metric_accumulator<T>> pooled(o.metrics.begin(), o.metrics.end());
        for (std::size_t b = 0; b < batches && !run.stop; ++b) {
            data.batch(b, bx, by);
            model.zero_grad();
            const tensor<T>& pred = model.forward(bx, mode::train);
            const T value = objective.forward(pred, by);
            const std::size_t count = bx.shape()[0];
            const bool finite = std::isfinite(double(value));
            if (finite) {
                // Metrics on the training batch come from this step's forward, as in Keras.
                for (auto& p : pooled) p.add(pred, by);
                model.backward(objective.backward());
                opt.step(model.store());
                loss_sum += double(value) * double(count);
                rows += count;
            }
            for (callback<T>* c : all) c->on_batch_end(run, b, double(value));
            KNIT_CHECK_AS(value_error, finite || run.stop,
                          "training stopped: loss became " << value << " at epoch " << epoch + 1 << ", batch " << b + 1
                                                           << ", expected a finite loss (lower the learning rate?)");
            if (show && !run.stop) draw_progress(epoch, o.epochs, b + 1, batches, loss_sum / double(rows));
        }
        if (run.stop) break;  // a batch ended the run: the unfinished epoch gets no record
        r.loss = loss_sum / double(rows);
        for (const auto& p : pooled) r.metrics[to_string(p.which())] = p.result();
        if (validation != nullptr) {
            const evaluation e = evaluate(model, *validation, objective, o.metrics);
            r.val_loss = e.loss;
            r.val_metrics = e.metrics;
        }
        r.seconds = clock.seconds();
        if (show) end_progress(epoch, o.epochs, r);
        h.epochs.push_back(r);
        track_best(epoch);
        for (callback<T>* c : all) c->on_epoch_end(run);
        for (callback<T>* c : all) c->on_checkpoint(run);
    }
    for (callback<T>* c : all) c->on_train_end(run);
    return h;
}

}  // namespace detail

// Trains on the batches of a source. The options' batch_size, shuffle, seed and
// validation_split belong to the tensor overload; here the source decides.
template <class T>
history fit(sequential<T>& model, batch_source<T>& data, loss<T>& objective, optimizer<T>& opt,
            const fit_options<T>& o = {}) {
    KNIT_CHECK_AS(value_error, o.validation_split == 0,
                  "fit over a batch_source: got validation_split " << o.validation_split
                                                                   << ", expected 0 (pass validation_data instead)");
    KNIT_CHECK_AS(value_error, (o.validation_x == nullptr) == (o.validation_y == nullptr),
                  "fit validation data: got only one of x and y, expected both or neither");
    KNIT_CHECK_AS(value_error, o.validation_data == nullptr || o.validation_x == nullptr,
                  "fit validation data: got both tensors and a source, expected one of them");
    std::optional<in_memory_source<T>> tensors;
    batch_source<T>* validation = o.validation_data;
    if (o.validation_x != nullptr) {
        detail::check_xy(*o.validation_x, *o.validation_y, "fit validation data");
        in_memory_options vo;
        vo.batch_size = std::max<std::size_t>(o.batch_size, 256);
        validation = &tensors.emplace(*o.validation_x, *o.validation_y, vo);
    }
    return detail::fit_loop(model, data, validation, objective, opt, o);
}

template <class T>
history fit(sequential<T>& model, const tensor<T>& x, const tensor<T>& y, loss<T>& objective,
            optimizer<T>& opt, const fit_options<T>& o = {}) {
    detail::check_xy(x, y, "fit");
    KNIT_CHECK_AS(value_error, o.batch_size > 0, "fit batch size: got 0, expected > 0");
    KNIT_CHECK_AS(value_error, o.validation_split >= 0 && o.validation_split < 1,
                  "fit validation_split: got " << o.validation_split << ", expected 0 <= split < 1");
    KNIT_CHECK_AS(value_error, (o.validation_x == nullptr) == (o.validation_y == nullptr),
                  "fit validation data: got only one of x and y, expected both or neither");

    // Split off validation rows (the last fraction, before shuffling).
    const std::size_t rows = x.shape()[0];
    tensor<T> split_vx, split_vy;
    fit_options<T> inner = o;
    std::size_t train_rows = rows;
    if (o.validation_x == nullptr && o.validation_data == nullptr && o.validation_split > 0) {
        const std::size_t held = static_cast<std::size_t>(double(rows) * o.validation_split);
        KNIT_CHECK_AS(value_error, held > 0 && held < rows,
                      "fit validation_split " << o.validation_split << " of " << rows
                                              << " rows: got " << held << " validation rows, expected 1.." << rows - 1);
        train_rows = rows - held;
        std::vector<std::size_t> tail(held);
        for (std::size_t i = 0; i < held; ++i) tail[i] = train_rows + i;
        gather_rows(x, tail.data(), held, split_vx);
        gather_rows(y, tail.data(), held, split_vy);
        inner.validation_x = &split_vx;
        inner.validation_y = &split_vy;
    }
    inner.validation_split = 0;
    in_memory_options data_options;
    data_options.batch_size = o.batch_size;
    data_options.shuffle = o.shuffle;
    data_options.seed = o.seed;
    data_options.rows = train_rows;
    in_memory_source<T> data(x, y, data_options);
    return fit(model, data, objective, opt, inner);
}

extern template history fit<float>(sequential<float>&, const tensor<float>&, const tensor<float>&, loss<float>&,
                                   optimizer<float>&, const fit_options<float>&);
extern template history fit<double>(sequential<double>&, const tensor<double>&, const tensor<double>&,
                                    loss<double>&, optimizer<double>&, const fit_options<double>&);
extern template history fit<float>(sequential<float>&, batch_source<float>&, loss<float>&, optimizer<float>&,
                                   const fit_options<float>&);
extern template history fit<double>(sequential<double>&, batch_source<double>&, loss<double>&, optimizer<double>&,
                                    const fit_options<double>&);
extern template evaluation evaluate<float>(sequential<float>&, batch_source<float>&, loss<float>&,
                                           const std::vector<metric>&);
extern template evaluation evaluate<double>(sequential<double>&, batch_source<double>&, loss<double>&,
                                            const std::vector<metric>&);

}  // namespace knit::nn
