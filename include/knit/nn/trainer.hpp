// Keras-like training loop over a sequential model: fit, evaluate, predict.
//
//   auto history = nn::fit(model, x, y, loss, optimizer, {.epochs = 60, .batch_size = 32});
//
// * Batches are rows of x and y (the batch axis); the last batch may be smaller.
// * shuffle draws a new order each epoch from the options' seed, so the same seed and
//   thread count give bit-identical weights.
// * validation_split holds out the LAST fraction of the rows before any shuffling, as
//   Keras does; or pass validation data explicitly.
// * Early stopping watches val_loss (or loss when there is no validation data).
// * A progress bar is drawn on stdout only when stdout is a terminal.
// * A non-finite batch loss stops training with knit::value_error naming epoch and batch.
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "knit/nn/loss.hpp"
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::nn {

enum class metric { binary_accuracy, categorical_accuracy };
std::string to_string(metric m);

enum class verbosity { automatic, silent, progress };

struct early_stopping {
    bool enabled = false;
    std::size_t patience = 5;       // epochs without improvement before stopping
    double min_delta = 0;           // an improvement must beat the best by more than this
    bool restore_best = true;       // put back the weights of the best epoch when stopping
};

template <class T>
struct fit_options {
    std::size_t epochs = 1;
    std::size_t batch_size = 32;
    bool shuffle = true;
    std::uint64_t seed = 0;
    double validation_split = 0;
    const tensor<T>* validation_x = nullptr;  // explicit validation data (takes precedence)
    const tensor<T>* validation_y = nullptr;
    std::vector<metric> metrics;
    early_stopping stop;
    verbosity verbose = verbosity::automatic;
    // Called after every epoch with its 0-based index; return false to stop training.
    std::function<bool(std::size_t)> on_epoch_end;
};

// One row per epoch. val_* are NaN when there is no validation data.
struct epoch_record {
    double loss = 0;
    double val_loss = std::numeric_limits<double>::quiet_NaN();
    std::map<std::string, double> metrics;      // e.g. "binary_accuracy"
    std::map<std::string, double> val_metrics;
};

struct history {
    std::vector<epoch_record> epochs;
    std::size_t best_epoch = 0;      // index of the best monitored value
    bool stopped_early = false;
};

struct evaluation {
    double loss = 0;
    std::map<std::string, double> metrics;
};

// Copies the rows idx[0..n) of src (any rank, batch first) into dst.
template <class T>
void gather_rows(const tensor<T>& src, const std::size_t* idx, std::size_t n, tensor<T>& dst) {
    shape_t shape = to_shape(src.shape());
    const std::size_t row = shape_size(shape) / (shape[0] ? shape[0] : 1);
    shape[0] = n;
    ensure_shape(dst, shape);
    for (std::size_t i = 0; i < n; ++i)
        std::copy(src.data() + idx[i] * row, src.data() + (idx[i] + 1) * row, dst.data() + i * row);
}

// The metric over a batch of predictions (sums, so batches can be pooled): returns
// (number correct, number counted).
template <class T>
std::pair<double, double> metric_counts(metric m, const tensor<T>& pred, const tensor<T>& target) {
    KNIT_CHECK_AS(shape_error, pred.shape() == target.shape(),
                  to_string(m) << ": got prediction " << shape_to_string(pred.shape())
                               << " and target " << shape_to_string(target.shape())
                               << ", expected equal shapes");
    double correct = 0;
    if (m == metric::binary_accuracy) {
        for (std::size_t i = 0; i < pred.size(); ++i)
            correct += (pred.data()[i] > T(0.5)) == (target.data()[i] > T(0.5));
        return {correct, double(pred.size())};
    }
    const std::size_t classes = pred.shape().back(), rows = pred.size() / classes;
    for (std::size_t r = 0; r < rows; ++r) {
        const T* p = pred.data() + r * classes;
        const T* t = target.data() + r * classes;
        correct += std::max_element(p, p + classes) - p == std::max_element(t, t + classes) - t;
    }
    return {correct, double(rows)};
}

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
}  // namespace detail

// Loss and metrics over (x, y), in batches, at inference.
template <class T>
evaluation evaluate(sequential<T>& model, const tensor<T>& x, const tensor<T>& y, loss<T>& objective,
                    const std::vector<metric>& metrics = {}, std::size_t batch_size = 256) {
    detail::check_xy(x, y, "evaluate");
    KNIT_CHECK_AS(value_error, batch_size > 0, "evaluate batch size: got 0, expected > 0");
    const std::size_t n = x.shape()[0];
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    tensor<T> bx, by;
    double loss_sum = 0;
    std::vector<std::pair<double, double>> counts(metrics.size());
    for (std::size_t start = 0; start < n; start += batch_size) {
        const std::size_t b = std::min(batch_size, n - start);
        gather_rows(x, order.data() + start, b, bx);
        gather_rows(y, order.data() + start, b, by);
        const tensor<T>& pred = model.forward(bx, mode::infer);
        loss_sum += double(objective.forward(pred, by)) * double(b);
        for (std::size_t k = 0; k < metrics.size(); ++k) {
            auto [c, t] = metric_counts(metrics[k], pred, by);
            counts[k].first += c;
            counts[k].second += t;
        }
    }
    evaluation e;
    e.loss = loss_sum / double(n);
    for (std::size_t k = 0; k < metrics.size(); ++k)
        e.metrics[to_string(metrics[k])] = counts[k].first / counts[k].second;
    return e;
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
    const tensor<T>* vx = o.validation_x;
    const tensor<T>* vy = o.validation_y;
    std::size_t train_rows = rows;
    if (vx == nullptr && o.validation_split > 0) {
        const std::size_t held = static_cast<std::size_t>(double(rows) * o.validation_split);
        KNIT_CHECK_AS(value_error, held > 0 && held < rows,
                      "fit validation_split " << o.validation_split << " of " << rows
                                              << " rows: got " << held << " validation rows, expected 1.." << rows - 1);
        train_rows = rows - held;
        std::vector<std::size_t> tail(held);
        for (std::size_t i = 0; i < held; ++i) tail[i] = train_rows + i;
        gather_rows(x, tail.data(), held, split_vx);
        gather_rows(y, tail.data(), held, split_vy);
        vx = &split_vx;
        vy = &split_vy;
    }
    if (vx != nullptr) detail::check_xy(*vx, *vy, "fit validation data");

    const bool show = o.verbose == verbosity::progress ||
                      (o.verbose == verbosity::automatic && detail::stdout_is_terminal());
    rng order_rng(o.seed);
    std::vector<std::size_t> order(train_rows);
    for (std::size_t i = 0; i < train_rows; ++i) order[i] = i;

    history h;
    const training_scope<T> training(model);  // bx lives from each forward to its backward
    double best = std::numeric_limits<double>::infinity();
    std::size_t since_best = 0;
    std::vector<T> best_weights;
    tensor<T> bx, by;
    const std::size_t batches = (train_rows + o.batch_size - 1) / o.batch_size;
    for (std::size_t epoch = 0; epoch < o.epochs; ++epoch) {
        if (o.shuffle) order_rng.shuffle(order.begin(), order.end());
        double loss_sum = 0;
        std::vector<std::pair<double, double>> counts(o.metrics.size());
        for (std::size_t b = 0; b < batches; ++b) {
            const std::size_t start = b * o.batch_size;
            const std::size_t count = std::min(o.batch_size, train_rows - start);
            gather_rows(x, order.data() + start, count, bx);
            gather_rows(y, order.data() + start, count, by);
            model.zero_grad();
            const tensor<T>& pred = model.forward(bx, mode::train);
            const T value = objective.forward(pred, by);
            KNIT_CHECK_AS(value_error, std::isfinite(double(value)),
                          "training stopped: loss became " << value << " at epoch " << epoch + 1
                                                           << ", batch " << b + 1
                                                           << ", expected a finite loss (lower the learning rate?)");
            // Metrics on the training batch come from this step's forward, as in Keras.
            for (std::size_t k = 0; k < o.metrics.size(); ++k) {
                auto [c, t] = metric_counts(o.metrics[k], pred, by);
                counts[k].first += c;
                counts[k].second += t;
            }
            model.backward(objective.backward());
            opt.step(model.store());
            loss_sum += double(value) * double(count);
            if (show) detail::draw_progress(epoch, o.epochs, b + 1, batches, loss_sum / double(start + count));
        }
        epoch_record r;
        r.loss = loss_sum / double(train_rows);
        for (std::size_t k = 0; k < o.metrics.size(); ++k)
            r.metrics[to_string(o.metrics[k])] = counts[k].first / counts[k].second;
        if (vx != nullptr) {
            const evaluation e = evaluate(model, *vx, *vy, objective, o.metrics, std::max<std::size_t>(o.batch_size, 256));
            r.val_loss = e.loss;
            r.val_metrics = e.metrics;
        }
        if (show) detail::end_progress(epoch, o.epochs, r);
        h.epochs.push_back(r);

        const double monitored = vx != nullptr ? r.val_loss : r.loss;
        if (monitored < best - o.stop.min_delta) {
            best = monitored;
            h.best_epoch = epoch;
            since_best = 0;
            if (o.stop.enabled && o.stop.restore_best)
                best_weights.assign(model.store().values(), model.store().values() + model.store().size());
        } else if (o.stop.enabled && ++since_best > o.stop.patience) {
            h.stopped_early = true;
            break;
        }
        if (o.on_epoch_end && !o.on_epoch_end(epoch)) break;
    }
    if (h.stopped_early && o.stop.restore_best && !best_weights.empty())
        std::copy(best_weights.begin(), best_weights.end(), model.store().values());
    return h;
}

}  // namespace knit::nn
