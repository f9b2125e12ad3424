// evidence-mlp: a pair model that uses every experiment a network comes with (knockouts,
// knockdowns, multifactorial, wild type, time series) and transfers to networks it never
// saw (leave-one-network-out, REFERENCE §5).
//
//   evidence table (evidence_features.hpp: F columns per ordered pair, standardised within
//   each network, absent families zeroed with an indicator)
//   -> Dense(h1, relu) -> ... -> Dense(1, sigmoid)
//   binary cross-entropy, Adam(lr), batch B; an ensemble of `ensemble` such networks
//   (seeds seed, seed + 1, ...) whose probabilities are averaged.
//
// One model serves any subset of the experiment kinds. Beside every training pair's full
// row, `augmented_copies` copies drop each present evidence family with probability
// `family_dropout` (zero columns, indicator 0), so the network also learns to rank from
// the families a new data set has. Families the model never saw in training are ignored
// when scoring, and warnings() says so.
//
// Training pairs are the distinct (network, regulator, target) pairs of the training
// records, so no label outside `train` is read. The number of epochs is chosen inside fit()
// by leave-one-training-network-out cross-validation over epoch_candidates (mean average
// precision on the held-out training network); one training network: the largest.
#pragma once

#include <map>
#include <memory>

#include "knit/grn/evidence_features.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::grn {

struct evidence_mlp_settings {
    std::vector<std::size_t> hidden = {64, 32};
    double learning_rate = 1e-3;
    std::size_t batch_size = 128;
    std::vector<std::size_t> epoch_candidates = {5, 15, 40};
    std::size_t ensemble = 3;
    double family_dropout = 0.3;
    std::size_t augmented_copies = 1;
    evidence_options evidence;
};

// What a network's data look like, to compare the data a model was trained on with the
// data it is asked to score: the kinds, and per kind the counts, lengths and time spans.
struct data_design {
    experiment_kinds kinds;
    std::size_t genes_min = 0, genes_max = 0;
    std::size_t series_min = 0, series_max = 0;   // time-series experiments per network
    std::size_t points_min = 0, points_max = 0;   // points per experiment
    double span_min = 0, span_max = 0;            // last time - first time
    std::size_t knockouts_min = 0, knockouts_max = 0;
    std::size_t knockdowns_min = 0, knockdowns_max = 0;
    std::size_t multifactorial_min = 0, multifactorial_max = 0;

    static data_design of(const experiment_set& data);
    // The design covering both (ranges widened, kinds intersected).
    data_design merged(const data_design& other) const;
    std::string to_text() const;  // one line of key=value pairs, read back by parse
    static data_design parse(const std::string& text, const std::string& path);
    // Human-readable differences of `data` from this (training) design; empty when it fits.
    std::vector<std::string> differences(const data_design& data) const;
};

class evidence_mlp_model : public pair_model {
public:
    explicit evidence_mlp_model(evidence_mlp_settings settings = {});
    std::string name() const override { return "evidence-mlp"; }
    // Needs no kind in particular: at least one evidence family must be computable.
    experiment_kinds required_inputs() const override { return {}; }
    bool balanced_training() const override { return false; }
    void fit(const pair_records& records, const std::vector<std::size_t>& train,
             const training_options& options) override;
    std::vector<double> score(const pair_records& records, const std::vector<std::size_t>& indices,
                              const pair_scoring_options& options = {}) override;
    std::string summary() const override;
    std::size_t parameter_count() const override;
    void save(const std::string& path) const override;
    static std::unique_ptr<evidence_mlp_model> load(const std::string& path);

    // Sets one setting from text (hidden=64,32 ensemble=5 families=knockout,timeseries
    // epochs=5,15,40 lr=0.001 batch=128 family_dropout=0.3 copies=1 lambda=0.5); throws
    // value_error for an unknown key or a bad value. Before fit() only.
    void configure(const std::string& key, const std::string& value) override;
    static std::vector<std::string> setting_keys();

    const evidence_mlp_settings& settings() const { return settings_; }
    std::size_t chosen_epochs() const { return chosen_epochs_; }
    const std::map<std::size_t, double>& cross_validation() const { return cv_ap_; }
    // The families the model was trained with, and the design of its training data.
    const std::vector<std::string>& trained_families() const { return trained_families_; }
    const data_design& trained_design() const { return design_; }
    // What differs between the training data and `data` (missing or extra kinds, another
    // grid, other counts), one line each; empty when nothing does.
    std::vector<std::string> warnings(const experiment_set& data) const override;
    // P(edge) of every ordered pair of one network: (G, G), diagonal 0 (ensemble_scoring.hpp).
    tensor<double> score_network(const experiment_set& data, const pair_scoring_options& options = {});
    tensor<double> score_all_pairs(const experiment_set& data, const pair_scoring_options& options = {}) override;

    static std::unique_ptr<nn::sequential<float>> build(const evidence_mlp_settings& s, std::size_t features);

private:
    evidence_options scoring_options() const;
    evidence_mlp_settings settings_;
    std::size_t chosen_epochs_ = 0;
    std::map<std::size_t, double> cv_ap_;
    std::vector<std::string> trained_families_;
    data_design design_;
    std::vector<std::unique_ptr<nn::sequential<float>>> nets_;
};

}  // namespace knit::grn
