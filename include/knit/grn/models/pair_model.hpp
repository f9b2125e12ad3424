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

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "knit/grn/pairs.hpp"

namespace knit::grn {

struct training_options {
    std::uint64_t seed = 0;
    bool progress = false;  // draw the trainer's progress bar (only on a terminal)
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
    virtual std::vector<double> score(const pair_records& records,
                                      const std::vector<std::size_t>& indices) = 0;
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
// Reads a file written by pair_model::save, whatever the model.
std::unique_ptr<pair_model> load_pair_model(const std::string& path);

namespace detail {
// "key=value" lines of a model file's header, and helpers to write/read them exactly.
std::string header_value(const std::string& header, const std::string& key, const std::string& path);
std::string exact(double value);  // hexadecimal float text: reads back bit for bit
double parse_exact(const std::string& text, const std::string& path);
std::size_t parse_count(const std::string& text, const std::string& path);
// Labels of records[train] as floats (N, 1), and a check that both classes occur.
void check_trainable(const pair_records& records, const std::vector<std::size_t>& train, const char* model);
}  // namespace detail

}  // namespace knit::grn
