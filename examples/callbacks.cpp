// Callbacks around fit(): a ranking metric to watch, the best model kept on disk, the
// history as CSV, the learning rate lowered on plateaus, early stopping, a guard against
// a diverging loss, and a callback of one's own. After training, the best checkpoint is
// loaded and scored again. Exits 1 when the reloaded best model does not reproduce the
// score recorded for its epoch.
//
//   ./example_callbacks [output-folder]    writes callbacks.best.knit and callbacks.csv
#include <knit/knit.hpp>

#include <cstdio>
#include <filesystem>

using namespace knit;

namespace {

// A rare positive class (about 1 in 5), so average precision says more than accuracy.
void make_data(std::size_t n, tensor<float>& x, tensor<float>& y) {
    rng g(11);
    x = tensor<float>::from_shape({n, 8});
    y = tensor<float>::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
        double s = 0.8 * g.normal();
        for (std::size_t j = 0; j < 8; ++j) s += (j < 3 ? 1.0 : 0.1) * (x(i, j) = float(g.normal()));
        y(i, 0) = s > 1.5 ? 1.f : 0.f;
    }
}

// One's own callback: a line per epoch with the numbers that matter here.
class report : public nn::callback<float> {
public:
    std::string name() const override { return "report"; }
    void on_epoch_end(nn::training_run<float>& run) override {
        const nn::epoch_record& r = run.log.epochs.back();
        std::printf("epoch %2zu  loss %.4f  val_loss %.4f  val_AP %.4f  val_ROC_AUC %.4f  lr %.5f\n",
                    run.epoch + 1, r.loss, r.val_loss, r.val_metrics.at("average_precision"),
                    r.val_metrics.at("roc_auc"), r.learning_rate);
    }
};

}  // namespace

int main(int argc, char** argv) try {
    const std::filesystem::path folder = argc > 1 ? argv[1] : std::filesystem::temp_directory_path();
    const std::string best_path = (folder / "callbacks.best.knit").string();
    const std::string csv_path = (folder / "callbacks.csv").string();
    tensor<float> x, y;
    make_data(2000, x, y);

    nn::sequential<float> model({8});
    model.add(nn::dense<float>(16, nn::activation::relu));
    model.add(nn::dense<float>(1, nn::activation::sigmoid));
    model.compile(3);
    nn::binary_crossentropy<float> loss;
    nn::sgd<float> sgd(nn::sgd_options{0.05, 0.9});

    nn::model_checkpoint<float> best({"", best_path, "val_average_precision", nn::monitor_mode::automatic});
    nn::csv_logger<float> csv(csv_path);
    nn::plateau_options plateau;
    plateau.patience = 2;
    plateau.factor = 0.5;
    nn::reduce_on_plateau<float> lower(plateau);  // watches val_loss
    nn::terminate_on_nan<float> guard;
    report print;

    nn::fit_options<float> o;
    o.epochs = 40;
    o.batch_size = 64;
    o.validation_split = 0.25;
    o.metrics = {nn::metric::average_precision, nn::metric::roc_auc};
    o.verbose = nn::verbosity::silent;
    o.callbacks = {&best, &csv, &lower, &guard, &print};
    o.stop.enabled = true;  // early stopping is a callback too, run after those above
    o.stop.patience = 5;
    o.stop.monitor = "val_average_precision";
    const nn::history h = nn::fit(model, x, y, loss, sgd, o);
    std::printf("%s after %zu epochs; best val_AP %.4f\n", h.stopped_early ? "stopped early" : "finished",
                h.epochs.size(), best.best());

    // The best file is a full checkpoint; load() takes its weights into any model of the
    // same architecture. Scoring it on the same validation rows gives the recorded value.
    nn::sequential<float> reloaded({8});
    reloaded.add(nn::dense<float>(16, nn::activation::relu));
    reloaded.add(nn::dense<float>(1, nn::activation::sigmoid));
    reloaded.compile(0);
    nn::load(reloaded, best_path);
    const std::size_t held = 500, first = 2000 - held;  // validation_split keeps the last rows
    std::vector<std::size_t> rows(held);
    for (std::size_t i = 0; i < held; ++i) rows[i] = first + i;
    tensor<float> vx, vy;
    nn::gather_rows(x, rows.data(), held, vx);
    nn::gather_rows(y, rows.data(), held, vy);
    const double ap = nn::evaluate(reloaded, vx, vy, loss, {nn::metric::average_precision}).metrics.at("average_precision");
    std::printf("reloaded best model: val_AP %.4f; history in %s\n", ap, csv_path.c_str());
    return ap == best.best() ? 0 : 1;
} catch (const knit::error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
}
