// Callbacks: code that fit() runs at fixed points of training, behind one interface.
//
//   nn::model_checkpoint<float> save({"run.last.knit", "run.best.knit", "val_loss"});
//   nn::csv_logger<float> log("history.csv");
//   nn::learning_rate_schedule<float> decay(nn::cosine_decay(1e-3, 100));
//   nn::terminate_on_nan<float> guard;
//   options.callbacks = {&save, &log, &decay, &guard};    // not owned; they outlive fit()
//
// Order of events in fit(), each in the order of fit_options::callbacks (then early
// stopping from fit_options::stop, then fit_options::on_epoch_end):
//   on_train_begin                     after a resume has restored everything
//   per epoch:  on_epoch_begin         the epoch's learning rate is read after this
//               on_batch_end(b, loss)  after each step; a non-finite loss skips the step,
//                                      and fit() throws unless a callback sets stop
//               on_epoch_end           the epoch's record is run.log.epochs.back()
//               on_checkpoint          after every on_epoch_end: the state is final, and a
//                                      checkpoint written here resumes exactly
//   on_train_end                       also after a stop
// Setting run.stop ends training after the current batch (the unfinished epoch gets no
// record) or, from on_epoch_end, after the epoch.
//
// A callback with state (a best value, a patience counter) returns it from state() and
// takes it back in set_state(), so checkpoints carry it; states are matched by name()
// (and by order among callbacks of the same name). docs/training.md has the details.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "knit/nn/checkpoint.hpp"
#include "knit/nn/data_source.hpp"
#include "knit/nn/history.hpp"
#include "knit/nn/optim/optimizer.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::nn {

template <class T>
class callback;

// What callbacks see of a fit() call in progress.
template <class T>
struct training_run {
    sequential<T>& model;
    optimizer<T>& opt;
    batch_source<T>& data;
    history& log;
    std::size_t epochs;              // the epoch count fit() was asked for
    std::size_t first_epoch = 0;     // > 0 when resumed from a checkpoint
    std::size_t epoch = 0;           // the current epoch, 0-based
    bool has_validation = false;
    bool stop = false;               // set to end training (see above)
    const std::vector<callback<T>*>* callbacks = nullptr;  // every callback of the run

    // Writes the weights and the whole training state as it stands (model_checkpoint
    // calls it from on_checkpoint).
    void save_checkpoint(const std::string& path);
};

template <class T>
class callback {
public:
    virtual ~callback() = default;
    // Identifies the callback's state in checkpoints.
    virtual std::string name() const = 0;

    virtual void on_train_begin(training_run<T>& run) { (void)run; }
    virtual void on_epoch_begin(training_run<T>& run) { (void)run; }
    virtual void on_batch_end(training_run<T>& run, std::size_t batch, double loss) {
        (void)run, (void)batch, (void)loss;
    }
    virtual void on_epoch_end(training_run<T>& run) { (void)run; }
    virtual void on_checkpoint(training_run<T>& run) { (void)run; }
    virtual void on_train_end(training_run<T>& run) { (void)run; }

    virtual std::vector<double> state() const { return {}; }
    virtual void set_state(const std::vector<double>& s) { (void)s; }
};

// ---- watching a metric ------------------------------------------------------------------

// Which way a monitored value improves: automatic = down for names ending in "loss", up
// for the rest (accuracies, roc_auc, average_precision).
enum class monitor_mode { automatic, min, max };

// The value named `name` in an epoch's record: "loss", "val_loss", a metric name
// ("binary_accuracy") or "val_" + a metric name; refuses an unknown name, listing the
// known ones. An empty name means val_loss when the run has validation data, else loss.
double monitored_value(const epoch_record& r, const std::string& name, bool has_validation);
std::string monitored_name(const std::string& name, bool has_validation);
// Whether `current` beats `best` by more than min_delta in the resolved direction.
bool improves(monitor_mode mode, const std::string& name, double current, double best, double min_delta);
// The starting "best": +inf when lower is better, -inf otherwise.
double worst_value(monitor_mode mode, const std::string& name);

// ---- the callbacks (instantiated for float and double in src/nn/callbacks.cpp) ----------

struct checkpoint_options {
    std::string last_path;  // written after every epoch ("" = never): resume from it
    std::string best_path;  // written when the monitored value improves ("" = never)
    std::string monitor;    // "" = val_loss, or loss without validation data
    monitor_mode mode = monitor_mode::automatic;
};

// Saves full checkpoints (weights and training state; load() reads the weights of
// either file) through the atomic writer, so a crash mid-write leaves the previous file.
template <class T>
class model_checkpoint : public callback<T> {
public:
    explicit model_checkpoint(checkpoint_options o);
    std::string name() const override { return "model_checkpoint"; }
    void on_train_begin(training_run<T>& run) override;
    void on_checkpoint(training_run<T>& run) override;
    std::vector<double> state() const override { return {best_}; }
    void set_state(const std::vector<double>& s) override;
    double best() const { return best_; }

private:
    checkpoint_options options_;
    std::string monitor_;
    double best_ = 0;
    bool restored_ = false;  // set_state() came before on_train_begin: a resumed run
};

// Rewrites a CSV file after every epoch, atomically, from the whole history (so a resumed
// run's file holds every epoch): epoch (1-based), loss, the metrics, val_loss and the
// validation metrics when there is validation data, learning_rate, seconds. Values are
// written with 17 significant digits, so they read back exactly.
template <class T>
class csv_logger : public callback<T> {
public:
    explicit csv_logger(std::string path, char separator = ',');
    std::string name() const override { return "csv_logger"; }
    void on_epoch_end(training_run<T>& run) override;

private:
    std::string path_;
    char separator_;
};

// The CSV text csv_logger writes for a history (non-template, src/nn/callbacks.cpp).
std::string history_csv(const history& h, bool has_validation, char separator = ',');

// Learning rate as a function of the 0-based epoch, set at the start of every epoch.
using rate_schedule = std::function<double(std::size_t epoch)>;
// lr0 * factor^floor(epoch / every)
rate_schedule step_decay(double lr0, double factor, std::size_t every);
// lr0 * rate^epoch
rate_schedule exponential_decay(double lr0, double rate);
// min_lr + (lr0 - min_lr) (1 + cos(pi epoch / epochs)) / 2 up to `epochs`, min_lr after
// (SGDR's curve without restarts; Loshchilov & Hutter 2017).
rate_schedule cosine_decay(double lr0, std::size_t epochs, double min_lr = 0);

template <class T>
class learning_rate_schedule : public callback<T> {
public:
    explicit learning_rate_schedule(rate_schedule s);
    std::string name() const override { return "learning_rate_schedule"; }
    void on_epoch_begin(training_run<T>& run) override;

private:
    rate_schedule schedule_;
};

struct plateau_options {
    std::string monitor;   // "" = val_loss, or loss without validation data
    monitor_mode mode = monitor_mode::automatic;
    double factor = 0.1;   // new lr = max(lr * factor, min_lr)
    std::size_t patience = 10;
    double min_delta = 1e-4;
    std::size_t cooldown = 0;  // epochs after a reduction before waiting again
    double min_lr = 0;
};

// Keras' ReduceLROnPlateau: multiplies the learning rate by factor once the monitored
// value has not improved for `patience` epochs, then waits `cooldown` epochs.
template <class T>
class reduce_on_plateau : public callback<T> {
public:
    explicit reduce_on_plateau(plateau_options o = {});
    std::string name() const override { return "reduce_on_plateau"; }
    void on_train_begin(training_run<T>& run) override;
    void on_epoch_end(training_run<T>& run) override;
    std::vector<double> state() const override { return {best_, double(wait_), double(cooldown_left_)}; }
    void set_state(const std::vector<double>& s) override;

private:
    plateau_options options_;
    std::string monitor_;
    double best_ = 0;
    std::size_t wait_ = 0, cooldown_left_ = 0;
    bool restored_ = false;
};

// Ends training at the first non-finite batch loss, before that batch's step, and sets
// history::stopped_on_nonfinite (without it, fit() throws value_error there).
template <class T>
class terminate_on_nan : public callback<T> {
public:
    std::string name() const override { return "terminate_on_nan"; }
    void on_batch_end(training_run<T>& run, std::size_t batch, double loss) override;
};

struct early_stopping {
    bool enabled = false;
    std::size_t patience = 5;       // epochs without improvement before stopping
    double min_delta = 0;           // an improvement must beat the best by more than this
    bool restore_best = true;       // put back the weights of the best epoch when stopping
    std::string monitor;            // "" = val_loss, or loss without validation data
    monitor_mode mode = monitor_mode::automatic;
};

// Early stopping (fit_options::stop becomes one of these): stops once the monitored value
// has not improved by more than min_delta for more than `patience` epochs, and with
// restore_best puts back the best epoch's weights when it stops.
template <class T>
class early_stopper : public callback<T> {
public:
    explicit early_stopper(early_stopping o);
    std::string name() const override { return "early_stopping"; }
    void on_train_begin(training_run<T>& run) override;
    void on_epoch_end(training_run<T>& run) override;
    void on_train_end(training_run<T>& run) override;
    // best, epochs since the best, then the best weights (when restore_best).
    std::vector<double> state() const override;
    void set_state(const std::vector<double>& s) override;

private:
    early_stopping options_;
    std::string monitor_;
    double best_ = 0;
    std::size_t since_best_ = 0;
    std::vector<T> best_weights_;
    bool restored_ = false;
};

// fit_options::on_epoch_end as a callback: calls f(epoch) and stops when it returns false.
template <class T>
class epoch_end_function : public callback<T> {
public:
    explicit epoch_end_function(std::function<bool(std::size_t)> f) : f_(std::move(f)) {}
    std::string name() const override { return "on_epoch_end"; }
    void on_epoch_end(training_run<T>& run) override {
        if (!f_(run.epoch)) run.stop = true;
    }

private:
    std::function<bool(std::size_t)> f_;
};

extern template struct training_run<float>;
extern template struct training_run<double>;
extern template class model_checkpoint<float>;
extern template class model_checkpoint<double>;
extern template class csv_logger<float>;
extern template class csv_logger<double>;
extern template class learning_rate_schedule<float>;
extern template class learning_rate_schedule<double>;
extern template class reduce_on_plateau<float>;
extern template class reduce_on_plateau<double>;
extern template class terminate_on_nan<float>;
extern template class terminate_on_nan<double>;
extern template class early_stopper<float>;
extern template class early_stopper<double>;

}  // namespace knit::nn
