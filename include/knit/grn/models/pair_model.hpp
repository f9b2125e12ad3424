// The common interface of knit::grn's supervised pair classifiers: the paper's RNN, CNN
// and AE-NN (REFERENCE §3), and later models.
//
// A pair model learns from pair records (regulator, target, perturbation; pairs.hpp)
// and scores records with P(edge). Ranking pairs of a network = scoring its records and
// aggregating per pair (aggregate_pair_scores, then rank_edges).
//
//   auto model = grn::make_pair_model("rnn");
//   model->fit(records, split.train, {.seed = 1});
//   std::vector<double> p = model->score(records, split.test);
//   model->save("rnn.knit");  auto same = grn::load_pair_model("rnn.knit");
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "knit/grn/models/ensemble_scoring.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::grn {

// The series length of the paper's DREAM4 records (21 points, t = 0..1000). The record
// models (rnn, cnn, ae-nn) take their length from the data they are trained on; this one
// only sizes the summary of a model not trained yet.
inline constexpr std::size_t paper_time_points = 21;

struct training_options {
    std::uint64_t seed = 0;
    bool progress = false;  // draw the trainer's progress bar (only on a terminal, one thread)
    // Threads for the parts of fit() that are independent: the training networks'
    // features, the cross-validation folds and the ensemble members of context-mlp and
    // evidence-mlp (the paper's models train one network, on one thread). The model is
    // the same, bit for bit, for every count.
    std::size_t threads = 1;
};

class pair_model {
public:
    virtual ~pair_model() = default;
    // "rnn", "cnn", "ae-nn", ...
    virtual std::string name() const = 0;
    // Trains from scratch on records[train] with their gold-standard labels.
    virtual void fit(const pair_records& records, const std::vector<std::size_t>& train,
                     const training_options& options) = 0;
    // P(edge) of each record, in the order given. Requires a fitted (or loaded) model.
    // options.threads and options.ranks share the work (pair_scoring_options): the record
    // models score chunks of records as parallel tasks, dealt over the ranks
    // (score_in_chunks); context-mlp and evidence-mlp score each network's pairs that way
    // (score_all_pairs). The scores are the same, bit for bit, for every thread and rank
    // count; every rank gets them all.
    virtual std::vector<double> score(const pair_records& records, const std::vector<std::size_t>& indices,
                                      const pair_scoring_options& options = {}) = 0;
    // The score of every ordered pair of one network: (G, G), diagonal 0; what predict and
    // infer rank. The record models (rnn, cnn, ae-nn) score the records (score(), with
    // these options; options.block_rows is not theirs: their chunks are fixed) and give
    // the mean of each pair's record scores (aggregate_pair_scores). The models that score
    // pairs from whole-network features (context-mlp, evidence-mlp) give the pair score
    // itself, the one score() gives each of the pair's records (the mean over those
    // E equal copies can differ from it by rounding, about 1e-16). They work through the
    // rows in blocks of options.block_rows, as options.threads parallel tasks, without the
    // (G^2, F) feature copy and activations; the result is the same, bit for bit, for every
    // thread count (ensemble_scoring.hpp says what the block size can change).
    virtual tensor<double> score_all_pairs(const experiment_set& data, const pair_scoring_options& options = {});
    // The experiment kinds the model needs (time series for the paper's models). fit and
    // score refuse a network without them with a knit::value_error naming the missing file.
    virtual experiment_kinds required_inputs() const { return {experiment_kind::time_series}; }
    // Whether fit() wants the paper's balanced training records (all positives plus as many
    // negatives, REFERENCE §2) or every record of the training networks. Models that rank
    // pairs from whole-network features learn better from every pair, and the number of
    // records per pair then does not change what they see.
    virtual bool balanced_training() const { return true; }
    // Sets one of the model's settings from text before fit() (knit-grn's --model-option
    // key=value); throws knit::value_error for a key the model does not have or a bad value.
    virtual void configure(const std::string& key, const std::string& value);
    // What differs between the data the model was trained on and `data`, one line each
    // (knit-grn predict prints them as warnings); empty when nothing does or unknown.
    virtual std::vector<std::string> warnings(const experiment_set& data) const;
    // Keras-style summaries and parameter totals of the networks inside.
    virtual std::string summary() const = 0;
    virtual std::size_t parameter_count() const = 0;
    // One file holds everything needed to score (weights, standardisation, settings).
    virtual void save(const std::string& path) const = 0;
};

// The models make_pair_model() knows.
std::vector<std::string> pair_model_names();
// A model with the paper's settings; throws value_error for an unknown name.
std::unique_ptr<pair_model> make_pair_model(const std::string& name);

// A model name with settings to apply (pair_model::configure), e.g. evidence-mlp with
// hidden=32. label() names it in results: "evidence-mlp" or "evidence-mlp[hidden=32]".
struct model_spec {
    std::string name;
    std::vector<std::pair<std::string, std::string>> settings;
    model_spec(std::string n = {}) : name(std::move(n)) {}
    model_spec(const char* n) : name(n) {}
    std::string label() const;
    // "key=value" -> a setting; throws value_error without '='.
    void add_setting(const std::string& key_value);
};
// Reads a file written by pair_model::save, whatever the model.
std::unique_ptr<pair_model> load_pair_model(const std::string& path);

namespace detail {
// "key=value" lines of a model file's header, and helpers to write/read them exactly.
std::string header_value(const std::string& header, const std::string& key, const std::string& path);
std::optional<std::string> find_header_value(const std::string& header, const std::string& key);
std::string exact(double value);  // hexadecimal float text: reads back bit for bit
double parse_exact(const std::string& text, const std::string& path);
std::size_t parse_count(const std::string& text, const std::string& path);
// The count under `key`, refused unless 1 <= count <= limit. A model file's header sizes
// what its loader allocates, so each size that costs parameters is bounded by the number of
// parameters the file holds (which the reader bounded by the file size): a checksum-valid
// file with a forged `units=5000` is refused before anything is allocated.
std::size_t header_count(const std::string& header, const std::string& key, const std::string& path,
                         std::size_t limit);
// Refuses (knit::io_error) a file whose parameter count differs from what the networks its
// header describes need. Call it with networks built but not compiled (no buffers yet).
void check_parameter_count(const std::string& path, std::size_t in_file, std::size_t needed);
// Settings text (pair_model::configure): "64,32" -> {64, 32} (positive whole numbers), and a
// finite number in [low, high]; value_error naming `what` otherwise.
std::vector<std::size_t> parse_count_list(const std::string& text, const std::string& what);
double parse_setting_number(const std::string& text, const std::string& what, double low, double high);
// Refuses a training set without both classes, or whose networks lack a kind of `needed`.
void check_trainable(const pair_records& records, const std::vector<std::size_t>& train, const char* model,
                     const experiment_kinds& needed);
// Refuses records of a network that lacks a kind of `needed` (naming the missing file).
void check_inputs(const pair_records& records, const std::vector<std::size_t>& indices, const char* model,
                  const experiment_kinds& needed);

// What the authors' Keras 2.2 models trained with: Adam with epsilon 1e-7 outside the
// bias-corrected root, at learning rate lr.
nn::adam<float> keras_adam(double lr);
// The trainer's settings for one model: epochs, batch size, shuffling seed, and a
// progress bar when asked for (and stdout is a terminal).
nn::fit_options<float> fit_settings(std::size_t epochs, std::size_t batch_size, std::uint64_t seed, bool progress);

}  // namespace detail

}  // namespace knit::grn
