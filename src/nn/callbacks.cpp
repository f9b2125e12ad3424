// The callbacks of include/knit/nn/callbacks.hpp.
#include "knit/nn/callbacks.hpp"

#include <cmath>
#include <limits>
#include <sstream>

#include "knit/core/atomic_file.hpp"
#include "knit/nn/serialize.hpp"

namespace knit::nn {

// ---- watching a metric ------------------------------------------------------------------

std::string monitored_name(const std::string& name, bool has_validation) {
    if (!name.empty()) return name;
    return has_validation ? "val_loss" : "loss";
}

double monitored_value(const epoch_record& r, const std::string& name, bool has_validation) {
    const std::string n = monitored_name(name, has_validation);
    if (n == "loss") return r.loss;
    if (n == "val_loss" && has_validation) return r.val_loss;
    if (n == "learning_rate") return r.learning_rate;
    if (auto it = r.metrics.find(n); it != r.metrics.end()) return it->second;
    if (n.rfind("val_", 0) == 0)
        if (auto it = r.val_metrics.find(n.substr(4)); it != r.val_metrics.end()) return it->second;
    std::ostringstream known;
    known << "loss";
    if (has_validation) known << ", val_loss";
    for (const auto& [metric_name, value] : r.metrics) known << ", " << metric_name;
    for (const auto& [metric_name, value] : r.val_metrics) known << ", val_" << metric_name;
    known << ", learning_rate";
    KNIT_CHECK_AS(value_error, false,
                  "monitored value: got '" << n << "', expected one of " << known.str()
                                           << " (metrics come from fit_options::metrics)");
    return 0;
}

namespace {
bool lower_is_better(monitor_mode mode, const std::string& name) {
    if (mode != monitor_mode::automatic) return mode == monitor_mode::min;
    const std::string suffix = "loss";
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

bool improves(monitor_mode mode, const std::string& name, double current, double best, double min_delta) {
    return lower_is_better(mode, name) ? current < best - min_delta : current > best + min_delta;
}

double worst_value(monitor_mode mode, const std::string& name) {
    const double inf = std::numeric_limits<double>::infinity();
    return lower_is_better(mode, name) ? inf : -inf;
}

// ---- training_run -----------------------------------------------------------------------

template <class T>
void training_run<T>::save_checkpoint(const std::string& path) {
    training_state s;
    s.epochs_done = log.epochs.size();
    s.data = data.state();
    s.log = log;
    s.log.stopped_early = s.log.stopped_on_nonfinite = false;
    if (callbacks != nullptr)
        for (const callback<T>* c : *callbacks) s.callbacks.push_back({c->name(), c->state()});
    save_training(path, model, opt, std::move(s));
}

// ---- model_checkpoint -------------------------------------------------------------------

template <class T>
model_checkpoint<T>::model_checkpoint(checkpoint_options o)
    : options_(std::move(o)) {
    KNIT_CHECK_AS(value_error, !options_.last_path.empty() || !options_.best_path.empty(),
                  "model_checkpoint: got no path, expected last_path, best_path or both");
}

template <class T>
void model_checkpoint<T>::on_train_begin(training_run<T>& run) {
    monitor_ = monitored_name(options_.monitor, run.has_validation);
    if (!restored_) best_ = worst_value(options_.mode, monitor_);
    restored_ = false;
}

template <class T>
void model_checkpoint<T>::set_state(const std::vector<double>& s) {
    KNIT_CHECK_AS(value_error, s.size() == 1,
                  "model_checkpoint state: got " << s.size() << " values, expected 1 (the best value)");
    best_ = s[0];
    restored_ = true;
}

template <class T>
void model_checkpoint<T>::on_checkpoint(training_run<T>& run) {
    bool better = false;
    if (!options_.best_path.empty()) {
        const double value = monitored_value(run.log.epochs.back(), monitor_, run.has_validation);
        better = improves(options_.mode, monitor_, value, best_, 0);
        if (better) best_ = value;  // before writing, so that both files hold the new best
    }
    if (!options_.last_path.empty()) run.save_checkpoint(options_.last_path);
    if (better) run.save_checkpoint(options_.best_path);
}

// ---- csv_logger -------------------------------------------------------------------------

std::string history_csv(const history& h, bool has_validation, char separator) {
    std::ostringstream out;
    out.precision(17);
    std::vector<std::string> names;
    if (!h.epochs.empty())
        for (const auto& [name, value] : h.epochs.front().metrics) names.push_back(name);
    out << "epoch" << separator << "loss";
    for (const auto& n : names) out << separator << n;
    if (has_validation) {
        out << separator << "val_loss";
        for (const auto& n : names) out << separator << "val_" << n;
    }
    out << separator << "learning_rate" << separator << "seconds\n";
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto find = [&](const std::map<std::string, double>& m, const std::string& n) {
        auto it = m.find(n);
        return it == m.end() ? nan : it->second;
    };
    for (std::size_t e = 0; e < h.epochs.size(); ++e) {
        const epoch_record& r = h.epochs[e];
        out << e + 1 << separator << r.loss;
        for (const auto& n : names) out << separator << find(r.metrics, n);
        if (has_validation) {
            out << separator << r.val_loss;
            for (const auto& n : names) out << separator << find(r.val_metrics, n);
        }
        out << separator << r.learning_rate << separator << r.seconds << "\n";
    }
    return out.str();
}

template <class T>
csv_logger<T>::csv_logger(std::string path, char separator) : path_(std::move(path)), separator_(separator) {
    KNIT_CHECK_AS(value_error, !path_.empty(), "csv_logger: got an empty path, expected a file name");
}

template <class T>
void csv_logger<T>::on_epoch_end(training_run<T>& run) {
    knit::write_file_atomically(path_, history_csv(run.log, run.has_validation, separator_));
}

// ---- learning-rate schedules --------------------------------------------------------------

namespace {
void check_rate(double lr0, const char* who) {
    KNIT_CHECK_AS(value_error, std::isfinite(lr0) && lr0 >= 0,
                  who << " initial learning rate: got " << lr0 << ", expected a finite value >= 0");
}
}  // namespace

rate_schedule step_decay(double lr0, double factor, std::size_t every) {
    check_rate(lr0, "step_decay");
    KNIT_CHECK_AS(value_error, factor > 0 && factor <= 1, "step_decay factor: got " << factor << ", expected 0 < factor <= 1");
    KNIT_CHECK_AS(value_error, every > 0, "step_decay every: got 0, expected at least 1 epoch");
    return [=](std::size_t epoch) { return lr0 * std::pow(factor, double(epoch / every)); };
}

rate_schedule exponential_decay(double lr0, double rate) {
    check_rate(lr0, "exponential_decay");
    KNIT_CHECK_AS(value_error, rate > 0 && rate <= 1, "exponential_decay rate: got " << rate << ", expected 0 < rate <= 1");
    return [=](std::size_t epoch) { return lr0 * std::pow(rate, double(epoch)); };
}

rate_schedule cosine_decay(double lr0, std::size_t epochs, double min_lr) {
    check_rate(lr0, "cosine_decay");
    KNIT_CHECK_AS(value_error, epochs > 0, "cosine_decay epochs: got 0, expected at least 1");
    KNIT_CHECK_AS(value_error, min_lr >= 0 && min_lr <= lr0,
                  "cosine_decay min_lr: got " << min_lr << ", expected 0 <= min_lr <= " << lr0);
    return [=](std::size_t epoch) {
        if (epoch >= epochs) return min_lr;
        const double pi = 3.14159265358979323846;
        return min_lr + (lr0 - min_lr) * (1 + std::cos(pi * double(epoch) / double(epochs))) / 2;
    };
}

template <class T>
learning_rate_schedule<T>::learning_rate_schedule(rate_schedule s) : schedule_(std::move(s)) {
    KNIT_CHECK(static_cast<bool>(schedule_), "learning_rate_schedule: got an empty function, expected a schedule");
}

template <class T>
void learning_rate_schedule<T>::on_epoch_begin(training_run<T>& run) {
    const double lr = schedule_(run.epoch);
    KNIT_CHECK_AS(value_error, std::isfinite(lr) && lr >= 0,
                  "learning_rate_schedule at epoch " << run.epoch + 1 << ": got " << lr
                                                     << ", expected a finite learning rate >= 0");
    run.opt.set_learning_rate(lr);
}

// ---- reduce_on_plateau ------------------------------------------------------------------

template <class T>
reduce_on_plateau<T>::reduce_on_plateau(plateau_options o)
    : options_(std::move(o)) {
    KNIT_CHECK_AS(value_error, options_.factor > 0 && options_.factor < 1,
                  "reduce_on_plateau factor: got " << options_.factor << ", expected 0 < factor < 1");
    KNIT_CHECK_AS(value_error, options_.min_lr >= 0 && options_.min_delta >= 0,
                  "reduce_on_plateau: got min_lr " << options_.min_lr << " and min_delta " << options_.min_delta
                                                   << ", expected both >= 0");
}

template <class T>
void reduce_on_plateau<T>::on_train_begin(training_run<T>& run) {
    monitor_ = monitored_name(options_.monitor, run.has_validation);
    if (!restored_) {
        best_ = worst_value(options_.mode, monitor_);
        wait_ = cooldown_left_ = 0;
    }
    restored_ = false;
}

template <class T>
void reduce_on_plateau<T>::on_epoch_end(training_run<T>& run) {
    const double current = monitored_value(run.log.epochs.back(), monitor_, run.has_validation);
    if (cooldown_left_ > 0) {
        --cooldown_left_;
        wait_ = 0;
    }
    if (improves(options_.mode, monitor_, current, best_, options_.min_delta)) {
        best_ = current;
        wait_ = 0;
    } else if (cooldown_left_ == 0 && ++wait_ >= options_.patience) {
        const double lr = run.opt.learning_rate();
        if (lr > options_.min_lr) {
            run.opt.set_learning_rate(std::max(lr * options_.factor, options_.min_lr));
            cooldown_left_ = options_.cooldown;
        }
        wait_ = 0;
    }
}

namespace {
std::size_t as_count(double v, const char* what) {
    KNIT_CHECK_AS(value_error, v >= 0 && v <= 9007199254740992.0 && v == std::floor(v),
                  what << ": got " << v << ", expected a whole number >= 0");
    return static_cast<std::size_t>(v);
}
}  // namespace

template <class T>
void reduce_on_plateau<T>::set_state(const std::vector<double>& s) {
    KNIT_CHECK_AS(value_error, s.size() == 3,
                  "reduce_on_plateau state: got " << s.size() << " values, expected 3 (best, wait, cooldown)");
    const std::size_t wait = as_count(s[1], "reduce_on_plateau state wait");
    const std::size_t cooldown = as_count(s[2], "reduce_on_plateau state cooldown");
    best_ = s[0];
    wait_ = wait;
    cooldown_left_ = cooldown;
    restored_ = true;
}

// ---- terminate_on_nan -------------------------------------------------------------------

template <class T>
void terminate_on_nan<T>::on_batch_end(training_run<T>& run, std::size_t, double loss) {
    if (std::isfinite(loss)) return;
    run.log.stopped_on_nonfinite = true;
    run.stop = true;
}

// ---- early_stopper ----------------------------------------------------------------------

template <class T>
early_stopper<T>::early_stopper(early_stopping o) : options_(std::move(o)) {
    KNIT_CHECK_AS(value_error, options_.min_delta >= 0,
                  "early stopping min_delta: got " << options_.min_delta << ", expected >= 0");
}

template <class T>
void early_stopper<T>::on_train_begin(training_run<T>& run) {
    monitor_ = monitored_name(options_.monitor, run.has_validation);
    if (!restored_) {
        best_ = worst_value(options_.mode, monitor_);
        since_best_ = 0;
        best_weights_.clear();
    }
    restored_ = false;
    KNIT_CHECK_AS(value_error, best_weights_.empty() || best_weights_.size() == run.model.store().size(),
                  "early stopping state: got " << best_weights_.size() << " best weights, expected "
                                               << run.model.store().size() << " (the model's parameters)");
}

template <class T>
void early_stopper<T>::on_epoch_end(training_run<T>& run) {
    const double value = monitored_value(run.log.epochs.back(), monitor_, run.has_validation);
    if (improves(options_.mode, monitor_, value, best_, options_.min_delta)) {
        best_ = value;
        since_best_ = 0;
        if (options_.restore_best)
            best_weights_.assign(run.model.store().values(), run.model.store().values() + run.model.store().size());
    } else if (++since_best_ > options_.patience) {
        run.log.stopped_early = true;
        run.stop = true;
    }
}

template <class T>
void early_stopper<T>::on_train_end(training_run<T>& run) {
    if (run.log.stopped_early && options_.restore_best && !best_weights_.empty())
        std::copy(best_weights_.begin(), best_weights_.end(), run.model.store().values());
}

template <class T>
std::vector<double> early_stopper<T>::state() const {
    std::vector<double> s{best_, double(since_best_)};
    s.insert(s.end(), best_weights_.begin(), best_weights_.end());
    return s;
}

template <class T>
void early_stopper<T>::set_state(const std::vector<double>& s) {
    KNIT_CHECK_AS(value_error, s.size() >= 2,
                  "early stopping state: got " << s.size() << " values, expected the best value, a count and the weights");
    const std::size_t since = as_count(s[1], "early stopping state count");
    best_ = s[0];
    since_best_ = since;
    best_weights_.assign(s.begin() + 2, s.end());
    restored_ = true;
}

template struct training_run<float>;
template struct training_run<double>;
template class model_checkpoint<float>;
template class model_checkpoint<double>;
template class csv_logger<float>;
template class csv_logger<double>;
template class learning_rate_schedule<float>;
template class learning_rate_schedule<double>;
template class reduce_on_plateau<float>;
template class reduce_on_plateau<double>;
template class terminate_on_nan<float>;
template class terminate_on_nan<double>;
template class early_stopper<float>;
template class early_stopper<double>;

}  // namespace knit::nn
