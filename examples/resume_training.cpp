// Resumable training: train 10 epochs in one go; train again, but stop after epoch 5 as
// if the process had been killed, keeping a checkpoint; resume from the checkpoint in a
// fresh model and optimiser; check that both runs end with the same weights, bit for bit.
// Exits 1 when they differ.
//
//   ./example_resume_training [folder-for-the-checkpoint]
//
// Everything that carries state from one epoch to the next is in play: shuffling, a
// dropout layer, Adam's moments, a validation split and a learning-rate schedule.
#include <knit/knit.hpp>

#include <cstdio>
#include <filesystem>

using namespace knit;

namespace {

struct problem {
    tensor<float> x, y;
};

// Is a noisy weighted sum of 6 features positive?
problem make_problem(std::size_t n) {
    rng g(2024);
    problem p{tensor<float>::from_shape({n, 6}), tensor<float>::from_shape({n, 1})};
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0.3 * g.normal();
        for (std::size_t j = 0; j < 6; ++j) s += (j % 2 ? -0.5 : 1.0) * (p.x(i, j) = float(g.normal()));
        p.y(i, 0) = s > 0 ? 1.f : 0.f;
    }
    return p;
}

std::unique_ptr<nn::sequential<float>> make_model(std::uint64_t seed) {
    auto m = std::make_unique<nn::sequential<float>>(shape_t{6});
    m->add(nn::dense<float>(32, nn::activation::relu));
    m->add(nn::dropout<float>(0.2, /*seed=*/5));
    m->add(nn::dense<float>(1, nn::activation::sigmoid));
    m->compile(seed);
    return m;
}

// Stands in for a killed process: ends training after the given number of epochs.
class stop_after : public nn::callback<float> {
public:
    explicit stop_after(std::size_t epochs) : epochs_(epochs) {}
    std::string name() const override { return "stop_after"; }
    void on_epoch_end(nn::training_run<float>& run) override {
        if (run.log.epochs.size() == epochs_) run.stop = true;
    }

private:
    std::size_t epochs_;
};

// The same settings for every run; only the callbacks and the resume file differ.
nn::history train(nn::sequential<float>& model, const problem& p, std::vector<nn::callback<float>*> extra,
                  const std::string& resume_from) {
    nn::binary_crossentropy<float> loss;
    nn::adam<float> adam(nn::adam_options{0.01});
    nn::learning_rate_schedule<float> schedule(nn::cosine_decay(0.01, 10, 0.001));
    nn::fit_options<float> o;
    o.epochs = 10;
    o.batch_size = 32;
    o.seed = 7;  // the shuffle
    o.validation_split = 0.2;
    o.metrics = {nn::metric::binary_accuracy};
    o.verbose = nn::verbosity::silent;
    o.callbacks = {&schedule};
    o.callbacks.insert(o.callbacks.end(), extra.begin(), extra.end());
    o.resume_from = resume_from;
    return nn::fit(model, p.x, p.y, loss, adam, o);
}

}  // namespace

int main(int argc, char** argv) try {
    const std::filesystem::path folder = argc > 1 ? argv[1] : std::filesystem::temp_directory_path();
    const std::string checkpoint = (folder / "resume_training.last.knit").string();
    const problem p = make_problem(1000);

    auto whole = make_model(1);
    const nn::history h_whole = train(*whole, p, {}, "");
    std::printf("uninterrupted: %zu epochs, val_loss %.4f\n", h_whole.epochs.size(), h_whole.epochs.back().val_loss);

    auto first = make_model(1);
    nn::model_checkpoint<float> save({checkpoint, "", "", nn::monitor_mode::automatic});
    stop_after kill(5);
    const nn::history h_first = train(*first, p, {&save, &kill}, "");
    std::printf("interrupted after %zu epochs; checkpoint %s\n", h_first.epochs.size(), checkpoint.c_str());

    // A fresh process would build the model and the optimiser again: the weights (even
    // from another seed), Adam's moments, the epoch, the shuffle order, dropout's engine,
    // the history and the schedule's place all come back from the checkpoint.
    auto resumed = make_model(99);
    const nn::history h_rest = train(*resumed, p, {}, checkpoint);
    std::printf("resumed: %zu epochs in the history, val_loss %.4f\n", h_rest.epochs.size(),
                h_rest.epochs.back().val_loss);

    const auto& a = whole->store();
    const auto& b = resumed->store();
    std::size_t differ = 0;
    for (std::size_t i = 0; i < a.size(); ++i) differ += a.values()[i] != b.values()[i];
    std::printf("%zu of %zu parameters differ: %s\n", differ, a.size(),
                differ == 0 ? "resumed run is bit-identical" : "NOT identical");
    std::filesystem::remove(checkpoint);
    return differ == 0 && h_rest.epochs.size() == 10 ? 0 : 1;
} catch (const knit::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
}
