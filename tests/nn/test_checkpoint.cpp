#include <doctest/doctest.h>

#include <cstdio>
#include <optional>

#include "knit/nn/branches.hpp"
#include "knit/nn/callbacks.hpp"
#include "knit/nn/checkpoint.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/optim/rmsprop.hpp"
#include "knit/nn/optim/sgd.hpp"
#include "knit/nn/trainer.hpp"
#include "training_test_util.hpp"

using namespace knit;

namespace {

// A run with everything that carries state between epochs: shuffling, dropout, a
// validation split, reduce-on-plateau (patience 1, so that it acts before and after the
// interruption), early stopping that does not trigger, and a best-model checkpoint.
struct run_result {
    nn::history h;
    std::unique_ptr<nn::sequential<float>> model;
    std::size_t steps = 0;
};

template <class Optimizer>
run_result train(const test::labelled& d, Optimizer opt, std::size_t epochs, std::uint64_t compile_seed,
                 const std::string& last, const std::string& resume_from, const std::string& best) {
    run_result out;
    out.model = test::dropout_model(compile_seed);
    nn::binary_crossentropy<float> loss;
    nn::fit_options<float> o;
    o.epochs = epochs;
    o.batch_size = 8;
    o.seed = 17;
    o.validation_split = 0.25;
    o.metrics = {nn::metric::binary_accuracy, nn::metric::roc_auc};
    o.verbose = nn::verbosity::silent;
    o.stop.enabled = true;
    o.stop.patience = 50;
    o.resume_from = resume_from;
    nn::plateau_options po;
    po.monitor = "loss";
    po.patience = 1;
    po.min_delta = 0.03;
    po.factor = 0.5;
    nn::reduce_on_plateau<float> plateau(po);
    o.callbacks = {&plateau};
    std::optional<nn::model_checkpoint<float>> save;
    if (!last.empty() || !best.empty())
        o.callbacks.push_back(&save.emplace(nn::checkpoint_options{last, best, "val_roc_auc", nn::monitor_mode::automatic}));
    out.h = nn::fit(*out.model, d.x, d.y, loss, opt, o);
    out.steps = opt.steps();
    return out;
}

template <class Optimizer>
void check_resume_is_exact(const Optimizer& make_opt, const char* label) {
    const std::string name = label;
    CAPTURE(name);
    const auto d = test::two_class_data(60, 8);
    const std::string path = test::temp_file(std::string("resume_") + label + ".knit");
    const run_result whole = train(d, make_opt, 10, 5, "", "", "");
    const run_result first = train(d, make_opt, 5, 5, path, "", "");
    CHECK(first.h.epochs.size() == 5);
    // Compiled from another seed, so every weight must come from the checkpoint.
    const run_result rest = train(d, make_opt, 10, 99, "", path, "");
    CHECK(test::same_values(*whole.model, *rest.model));
    CHECK(rest.steps == whole.steps);
    REQUIRE(rest.h.epochs.size() == 10);
    for (std::size_t e = 0; e < 10; ++e) {
        CHECK(rest.h.epochs[e].loss == whole.h.epochs[e].loss);
        CHECK(rest.h.epochs[e].val_loss == whole.h.epochs[e].val_loss);
        CHECK(rest.h.epochs[e].learning_rate == whole.h.epochs[e].learning_rate);
        CHECK(rest.h.epochs[e].metrics == whole.h.epochs[e].metrics);
    }
    CHECK(rest.h.best_epoch == whole.h.best_epoch);
    // The plateau lowered the rate in the first part (the checkpoint carried the lower rate)
    // and again in the second, from the best and wait counts it carried.
    CHECK(whole.h.epochs[5].learning_rate < whole.h.epochs[0].learning_rate);
    CHECK(whole.h.epochs[9].learning_rate < whole.h.epochs[5].learning_rate);
    std::remove(path.c_str());
}

}  // namespace

TEST_CASE("resume: 5 epochs + checkpoint + load + 5 epochs give the weights of 10 epochs, bit for bit") {
    check_resume_is_exact(nn::adam<float>(nn::adam_options{0.02}), "adam");
    nn::adam_options ams{0.02};
    ams.amsgrad = true;
    check_resume_is_exact(nn::adam<float>(ams), "amsgrad");
    nn::rmsprop_options rms{0.01};
    rms.centered = true;
    rms.momentum = 0.5;
    check_resume_is_exact(nn::rmsprop<float>(rms), "rmsprop");
    nn::sgd_options momentum{0.1};
    momentum.momentum = 0.9;
    momentum.nesterov = true;
    check_resume_is_exact(nn::sgd<float>(momentum), "sgd");
}

TEST_CASE("resume: what a checkpoint holds, and what it refuses") {
    const auto d = test::two_class_data(40, 9);
    const std::string last = test::temp_file("ckpt_last.knit"), best = test::temp_file("ckpt_best.knit");
    const run_result r = train(d, nn::adam<float>(nn::adam_options{0.02}), 6, 5, last, "", best);

    // The last file holds the final weights; load() reads either file's weights.
    auto loaded = test::dropout_model(1);
    nn::load(*loaded, last);
    CHECK(test::same_values(*loaded, *r.model));
    const nn::model_file f = nn::read_model_file(last);
    CHECK(f.version == nn::model_format_version);
    const nn::training_state s = nn::decode_training_state(f.training_state, f.scalar_size, last);
    CHECK(s.epochs_done == 6);
    CHECK(s.optimizer.name == "adam");
    CHECK(s.optimizer.steps == r.steps);
    CHECK(s.optimizer.buffers.size() == 3);  // m, v and (empty without AMSGrad) vmax
    CHECK(s.optimizer.buffers[0].size() == r.model->store().size());
    CHECK(s.engines.size() == 1);  // the dropout layer's
    CHECK(s.log.epochs.size() == 6);
    std::vector<std::string> names;
    for (const auto& c : s.callbacks) names.push_back(c.name);
    CHECK(names == std::vector<std::string>{"reduce_on_plateau", "model_checkpoint", "early_stopping"});

    // The best file holds the weights of the epoch with the best val_roc_auc.
    std::size_t best_epoch = 0;
    for (std::size_t e = 0; e < 6; ++e)
        if (r.h.epochs[e].val_metrics.at("roc_auc") > r.h.epochs[best_epoch].val_metrics.at("roc_auc")) best_epoch = e;
    const nn::training_state bs = nn::decode_training_state(nn::read_model_file(best).training_state, 4, best);
    CHECK(bs.epochs_done == best_epoch + 1);

    // Refusals: a plain model file, another architecture, another optimiser.
    const std::string plain = test::temp_file("ckpt_plain.knit");
    nn::save(*r.model, plain);
    auto m = test::dropout_model(1);
    nn::adam<float> adam;
    CHECK_THROWS_WITH_AS(nn::load_training(plain, *m, adam), doctest::Contains("without a training state"), io_error);
    nn::sequential<float> other({4});
    other.add(nn::dense<float>(3));
    other.compile(1);
    CHECK_THROWS_WITH_AS(nn::load_training(last, other, adam), doctest::Contains("architecture line 2"), io_error);
    nn::sgd<float> sgd;
    CHECK_THROWS_WITH_AS(nn::load_training(last, *m, sgd), doctest::Contains("got the state of 'adam'"), value_error);
    CHECK(test::same_values(*m, *test::dropout_model(1)));  // nothing changed by a refused load
    nn::adam_options ams;
    ams.amsgrad = true;
    nn::adam<float> amsgrad(ams);
    CHECK_THROWS_WITH_AS(nn::load_training(last, *m, amsgrad), doctest::Contains("buffer 2"), value_error);
    CHECK(amsgrad.steps() == 0);

    // Resuming a finished run trains no further.
    const run_result again = train(d, nn::adam<float>(nn::adam_options{0.02}), 6, 5, "", last, "");
    CHECK(test::same_values(*again.model, *r.model));
    CHECK(again.h.epochs.size() == 6);
    for (const auto& p : {last, best, plain}) std::remove(p.c_str());
}

TEST_CASE("save_training / load_training: a hand-written loop resumes too") {
    const auto d = test::two_class_data(16, 10);
    nn::binary_crossentropy<float> loss;
    auto a = test::dropout_model(2);
    nn::rmsprop<float> opt_a;
    for (int i = 0; i < 3; ++i) a->train_step(d.x, d.y, loss, opt_a);
    const std::string path = test::temp_file("manual.knit");
    nn::training_state s;
    s.epochs_done = 3;
    s.log.epochs.resize(3);
    nn::save_training(path, *a, opt_a, s);
    for (int i = 0; i < 3; ++i) a->train_step(d.x, d.y, loss, opt_a);

    auto b = test::dropout_model(7, 123);  // another seed for the weights and for dropout
    nn::rmsprop<float> opt_b;
    CHECK(nn::load_training(path, *b, opt_b).epochs_done == 3);
    for (int i = 0; i < 3; ++i) b->train_step(d.x, d.y, loss, opt_b);
    CHECK(test::same_values(*a, *b));
    std::remove(path.c_str());
}

TEST_CASE("resume: callbacks continue from their saved state (patience counts, best values, best weights)") {
    // Both callbacks watch the learning rate, which never goes up, so that their counters
    // run on a fixed timetable: the plateau halves the rate after 3 epochs without a
    // higher one (epochs 3 and 6), early stopping gives up after 6 (epoch 7) and puts back
    // the weights of epoch 0. A resumed run that forgot their state would act 5 epochs late.
    const auto d = test::two_class_data(40, 11);
    const std::string path = test::temp_file("callback_state.knit");
    auto run = [&](std::size_t epochs, const std::string& last, const std::string& resume) {
        auto model = test::dropout_model(4);
        nn::binary_crossentropy<float> loss;
        nn::adam<float> opt(nn::adam_options{0.02});
        nn::plateau_options po;
        po.monitor = "learning_rate";
        po.mode = nn::monitor_mode::max;
        po.patience = 3;
        po.factor = 0.5;
        nn::reduce_on_plateau<float> plateau(po);
        std::optional<nn::model_checkpoint<float>> save;
        nn::fit_options<float> o;
        o.epochs = epochs;
        o.batch_size = 8;
        o.verbose = nn::verbosity::silent;
        o.stop.enabled = true;
        o.stop.patience = 6;
        o.stop.monitor = "learning_rate";
        o.stop.mode = nn::monitor_mode::max;
        o.callbacks = {&plateau};
        if (!last.empty()) o.callbacks.push_back(&save.emplace(nn::checkpoint_options{last, "", "", {}}));
        o.resume_from = resume;
        auto h = nn::fit(*model, d.x, d.y, loss, opt, o);
        return std::make_pair(std::move(h), std::move(model));
    };
    const auto [whole, whole_model] = run(12, "", "");
    CHECK(whole.stopped_early);
    REQUIRE(whole.epochs.size() == 8);
    CHECK(whole.epochs[4].learning_rate == 0.01);
    CHECK(whole.epochs[7].learning_rate == 0.005);
    run(5, path, "");
    const auto [rest, rest_model] = run(12, "", path);
    CHECK(rest.stopped_early);
    CHECK(rest.epochs.size() == 8);
    CHECK(test::same_values(*whole_model, *rest_model));  // epoch 0's weights, from the checkpoint
    std::remove(path.c_str());
}

TEST_CASE("checkpoints find dropout engines at any depth: inside branches and nested models") {
    auto build = [](std::uint64_t seed) {
        auto m = std::make_unique<nn::sequential<float>>(shape_t{4});
        auto two = std::make_unique<nn::branches<float>>();
        two->add_branch(0, 2).add(nn::dropout<float>(0.5, seed));
        auto& right = two->add_branch(2, 4);
        right.add(nn::dense<float>(3));
        right.add(nn::dropout<float>(0.5, seed + 1));
        m->add(std::unique_ptr<nn::layer<float>>(std::move(two)));
        m->add(nn::dropout<float>(0.5, seed + 2));
        m->add(nn::dense<float>(1));
        m->compile(1);
        return m;
    };
    auto a = build(10);
    CHECK(nn::model_engines(*a).size() == 3);
    const std::string path = test::temp_file("nested.knit");
    nn::sgd<float> opt;
    nn::save_training(path, *a, opt, {});
    auto b = build(50);  // other dropout seeds: other masks until the engines are restored
    nn::load_training(path, *b, opt);
    const tensor<float> x = xt::ones<float>({8, 4});
    CHECK(a->forward(x, nn::mode::train) == b->forward(x, nn::mode::train));
    std::remove(path.c_str());
}
