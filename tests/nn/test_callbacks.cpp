#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "knit/nn/callbacks.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "knit/nn/trainer.hpp"
#include "training_test_util.hpp"

using namespace knit;

namespace {

nn::fit_options<float> quiet(std::size_t epochs) {
    nn::fit_options<float> o;
    o.epochs = epochs;
    o.batch_size = 10;
    o.seed = 4;
    o.verbose = nn::verbosity::silent;
    return o;
}

// Records every event as text.
class recorder : public nn::callback<float> {
public:
    std::string name() const override { return "recorder"; }
    void on_train_begin(nn::training_run<float>& run) override { log << "begin@" << run.first_epoch << " "; }
    void on_epoch_begin(nn::training_run<float>& run) override { log << "e" << run.epoch << " "; }
    void on_batch_end(nn::training_run<float>&, std::size_t batch, double) override { log << "b" << batch << " "; }
    void on_epoch_end(nn::training_run<float>& run) override { log << "end" << run.log.epochs.size() << " "; }
    void on_checkpoint(nn::training_run<float>&) override { log << "ckpt "; }
    void on_train_end(nn::training_run<float>&) override { log << "done"; }
    std::ostringstream log;
};

// Stops in the second batch of the second epoch.
class stopping_recorder : public recorder {
public:
    void on_batch_end(nn::training_run<float>& run, std::size_t batch, double loss) override {
        recorder::on_batch_end(run, batch, loss);
        if (run.epoch == 1 && batch == 1) run.stop = true;
    }
};

std::string read_all(const std::string& p) {
    std::ifstream f(p);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("callbacks see the events in order; a stop from a batch leaves the epoch unrecorded") {
    const auto d = test::two_class_data(30, 1);
    nn::binary_crossentropy<float> loss;
    auto model = test::dropout_model(1);
    nn::adam<float> opt;
    recorder r;
    auto o = quiet(2);
    o.callbacks = {&r};
    nn::fit(*model, d.x, d.y, loss, opt, o);
    CHECK(r.log.str() == "begin@0 e0 b0 b1 b2 end1 ckpt e1 b0 b1 b2 end2 ckpt done");

    stopping_recorder s;
    o.epochs = 5;
    o.callbacks = {&s};
    const auto h = nn::fit(*model, d.x, d.y, loss, opt, o);
    CHECK(s.log.str() == "begin@0 e0 b0 b1 b2 end1 ckpt e1 b0 b1 done");
    CHECK(h.epochs.size() == 1);
    CHECK_FALSE(h.stopped_early);

    o.callbacks = {nullptr};
    CHECK_THROWS_AS(nn::fit(*model, d.x, d.y, loss, opt, o), knit::error);
}

TEST_CASE("terminate_on_nan stops before the non-finite step; without it fit throws") {
    auto d = test::two_class_data(30, 2);
    d.y(25, 0) = std::nanf("");  // the third batch of ten
    nn::mean_squared_error<float> loss;
    auto o = quiet(3);
    o.shuffle = false;

    auto model = test::dropout_model(3);
    nn::sgd<float> opt(nn::sgd_options{0.1});
    nn::terminate_on_nan<float> guard;
    o.callbacks = {&guard};
    const auto h = nn::fit(*model, d.x, d.y, loss, opt, o);
    CHECK(h.stopped_on_nonfinite);
    CHECK(h.epochs.empty());
    CHECK(opt.steps() == 2);  // the NaN batch took no step

    // The same two steps by hand give the same weights: nothing of the NaN batch got in.
    auto reference = test::dropout_model(3);
    nn::sgd<float> ref_opt(nn::sgd_options{0.1});
    tensor<float> bx, by;
    for (std::size_t start : {0, 10}) {
        std::vector<std::size_t> rows(10);
        for (std::size_t i = 0; i < 10; ++i) rows[i] = start + i;
        nn::gather_rows(d.x, rows.data(), 10, bx);
        nn::gather_rows(d.y, rows.data(), 10, by);
        reference->train_step(bx, by, loss, ref_opt);
    }
    CHECK(test::same_values(*model, *reference));

    o.callbacks.clear();
    CHECK_THROWS_WITH_AS(nn::fit(*model, d.x, d.y, loss, opt, o), doctest::Contains("loss became nan at epoch 1, batch 3"),
                         value_error);
}

TEST_CASE("learning-rate schedules: their formulas, and fit records the rate of each epoch") {
    const auto step = nn::step_decay(0.1, 0.5, 2);
    CHECK(step(0) == 0.1);
    CHECK(step(1) == 0.1);
    CHECK(step(2) == 0.05);
    CHECK(step(5) == doctest::Approx(0.025).epsilon(1e-15));
    const auto exp = nn::exponential_decay(0.2, 0.9);
    CHECK(exp(3) == doctest::Approx(0.2 * 0.729).epsilon(1e-15));
    const auto cos = nn::cosine_decay(0.4, 4, 0.1);
    CHECK(cos(0) == doctest::Approx(0.4));
    CHECK(cos(2) == doctest::Approx(0.25));  // halfway: the mean of lr0 and min_lr
    CHECK(cos(4) == 0.1);
    CHECK(cos(10) == 0.1);
    CHECK_THROWS_AS(nn::step_decay(0.1, 0, 2), value_error);
    CHECK_THROWS_AS(nn::cosine_decay(0.1, 4, 0.2), value_error);

    const auto d = test::two_class_data(20, 3);
    nn::binary_crossentropy<float> loss;
    auto model = test::dropout_model(2);
    nn::adam<float> opt;
    nn::learning_rate_schedule<float> schedule(cos);
    auto o = quiet(5);
    o.callbacks = {&schedule};
    const auto h = nn::fit(*model, d.x, d.y, loss, opt, o);
    for (std::size_t e = 0; e < 5; ++e) CHECK(h.epochs[e].learning_rate == cos(e));
    CHECK(opt.learning_rate() == cos(4));
}

TEST_CASE("reduce_on_plateau follows Keras: patience, min_delta, cooldown, min_lr") {
    const auto d = test::two_class_data(10, 4);
    auto model = test::dropout_model(1);
    nn::sgd<float> opt(nn::sgd_options{1.0});
    nn::in_memory_source<float> data(d.x, d.y);
    nn::history h;
    nn::training_run<float> run{*model, opt, data, h, 20};
    nn::plateau_options po;
    po.monitor = "loss";
    po.factor = 0.5;
    po.patience = 2;
    po.min_delta = 0.1;
    po.cooldown = 1;
    po.min_lr = 0.2;
    nn::reduce_on_plateau<float> plateau(po);
    plateau.on_train_begin(run);
    // loss 1.0 is the best; 0.95 does not beat it by more than 0.1; at 0.97 two epochs have
    // passed: halve to 0.5. 0.96 falls in the cooldown (the wait restarts), 0.5 is the new
    // best, 0.45 and 0.46 do not beat it: 0.25. Cooldown at 0.47, then 0.44: wait 2, and
    // 0.125 is below min_lr: 0.2. At 0.2 = min_lr nothing lowers the rate any more (0.40
    // ties best - min_delta, which is no improvement).
    const double losses[] = {1.0, 0.95, 0.97, 0.96, 0.5, 0.45, 0.46, 0.47, 0.44, 0.43, 0.42, 0.41, 0.40};
    const double rates[] = {1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2};
    for (std::size_t e = 0; e < std::size(losses); ++e) {
        nn::epoch_record r;
        r.loss = losses[e];
        h.epochs.push_back(r);
        plateau.on_epoch_end(run);
        CAPTURE(e);
        CHECK(opt.learning_rate() == doctest::Approx(rates[e]));
    }
    const auto s = plateau.state();
    nn::reduce_on_plateau<float> other(po);
    other.set_state(s);
    CHECK(other.state() == s);
    CHECK_THROWS_AS(other.set_state({1.0, -1.0, 0.0}), value_error);
    CHECK_THROWS_AS(nn::reduce_on_plateau<float>(nn::plateau_options{"", nn::monitor_mode::automatic, 1.5}), value_error);
}

TEST_CASE("csv_logger rewrites the whole history each epoch; a resumed run's file holds every epoch") {
    const auto d = test::two_class_data(40, 5);
    const std::string csv = test::temp_file("history.csv"), ckpt = test::temp_file("csv_ckpt.knit");
    nn::binary_crossentropy<float> loss;
    auto run = [&](std::size_t epochs, const std::string& resume) {
        auto model = test::dropout_model(2);
        nn::adam<float> opt;
        nn::csv_logger<float> log(csv);
        nn::model_checkpoint<float> save({ckpt, "", "", nn::monitor_mode::automatic});
        auto o = quiet(epochs);
        o.validation_split = 0.25;
        o.metrics = {nn::metric::binary_accuracy};
        o.callbacks = {&log, &save};
        o.resume_from = resume;
        return nn::fit(*model, d.x, d.y, loss, opt, o);
    };
    run(2, "");
    const nn::history h = run(4, ckpt);
    std::istringstream in(read_all(csv));
    std::string line;
    std::getline(in, line);
    CHECK(line == "epoch,loss,binary_accuracy,val_loss,val_binary_accuracy,learning_rate,seconds");
    std::size_t rows = 0;
    while (std::getline(in, line)) {
        std::istringstream cells(line);
        std::string cell;
        std::vector<std::string> c;
        while (std::getline(cells, cell, ',')) c.push_back(cell);
        REQUIRE(c.size() == 7);
        CHECK(std::stoul(c[0]) == rows + 1);
        CHECK(std::stod(c[1]) == h.epochs[rows].loss);  // 17 digits read back exactly
        CHECK(std::stod(c[3]) == h.epochs[rows].val_loss);
        ++rows;
    }
    CHECK(rows == 4);
    CHECK(nn::history_csv(nn::history{}, false) == "epoch,loss,learning_rate,seconds\n");
    std::remove(csv.c_str());
    std::remove(ckpt.c_str());
}

TEST_CASE("early stopping through the callback interface: any monitored value, either direction") {
    const auto d = test::two_class_data(40, 6);
    nn::binary_crossentropy<float> loss;
    auto model = test::dropout_model(3);
    nn::sgd<float> frozen(nn::sgd_options{0.0});  // nothing ever improves
    auto o = quiet(20);
    o.metrics = {nn::metric::binary_accuracy};
    o.validation_x = &d.x;  // at inference, so the accuracy stays put
    o.validation_y = &d.y;
    o.stop.enabled = true;
    o.stop.patience = 2;
    o.stop.monitor = "val_binary_accuracy";  // up is better (automatic mode)
    const auto h = nn::fit(*model, d.x, d.y, loss, frozen, o);
    CHECK(h.stopped_early);
    CHECK(h.epochs.size() == 4);  // best at epoch 0, patience 2 exceeded at epoch 3

    o.stop.monitor = "val_roc_auc";  // not among the metrics
    CHECK_THROWS_WITH_AS(
        nn::fit(*model, d.x, d.y, loss, frozen, o),
        doctest::Contains("expected one of loss, val_loss, binary_accuracy, val_binary_accuracy, learning_rate"),
        value_error);
    CHECK(nn::improves(nn::monitor_mode::automatic, "val_loss", 0.5, 0.7, 0.1));
    CHECK_FALSE(nn::improves(nn::monitor_mode::automatic, "val_loss", 0.65, 0.7, 0.1));
    CHECK(nn::improves(nn::monitor_mode::automatic, "roc_auc", 0.9, 0.7, 0.1));
    CHECK(nn::improves(nn::monitor_mode::min, "roc_auc", 0.5, 0.7, 0.1));
    CHECK(nn::worst_value(nn::monitor_mode::automatic, "average_precision") == -INFINITY);
}
