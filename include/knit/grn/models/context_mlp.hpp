// context-mlp: a pair model that transfers to unseen networks (leave-one-network-out,
// REFERENCE §5). Unlike the paper's models it never looks at a record's raw series alone:
// it scores a pair (r, t) from whole-network features that give the pair its context
// (dynamics_features.hpp: lagged and Granger-style partial correlations over the whole
// series and after the release, multivariate lagged ridge, CLR per target/regulator, the
// reverse direction, how much each gene moves, hub scores), each z-scored within its own
// network so that the same number means the same thing in every network.
//
//   features (F = 18 per ordered pair) -> Dense(hidden, relu) -> Dense(1, sigmoid)
//   binary cross-entropy, Adam(lr), batch 64; an ensemble of `ensemble` such networks
//   (seeds seed, seed + 1, ...), whose probabilities are averaged.
//
// Training pairs are the distinct (network, regulator, target) pairs of the training
// records (their labels are the records' labels), so no label outside `train` is read.
// The number of epochs is chosen inside fit() by leave-one-training-network-out
// cross-validation over epoch_candidates (mean average precision of the held-out training
// network's pairs); with a single training network the largest candidate is used.
// A record's score is its pair's score (identical for every experiment of the pair), so
// the mean over a pair's records is exactly the pair score.
#pragma once

#include <map>
#include <memory>

#include "knit/grn/dynamics_features.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::grn {

struct context_mlp_settings {
    std::size_t hidden = 32;
    double learning_rate = 1e-3;
    std::size_t batch_size = 64;
    std::vector<std::size_t> epoch_candidates = {10, 30, 80};
    std::size_t ensemble = 3;
    dynamics_feature_options features;
};

class context_mlp_model : public pair_model {
public:
    explicit context_mlp_model(context_mlp_settings settings = {});
    std::string name() const override { return "context-mlp"; }
    void fit(const pair_records& records, const std::vector<std::size_t>& train,
             const training_options& options) override;
    std::vector<double> score(const pair_records& records, const std::vector<std::size_t>& indices,
                              const pair_scoring_options& options = {}) override;
    std::string summary() const override;
    std::size_t parameter_count() const override;
    void save(const std::string& path) const override;
    static std::unique_ptr<context_mlp_model> load(const std::string& path);
    // hidden=32 ensemble=3 epochs=10,30,80 lr=0.001 batch=64 (before fit()).
    void configure(const std::string& key, const std::string& value) override;

    const context_mlp_settings& settings() const { return settings_; }
    // The epochs fit() chose, and the cross-validated mean AP of every candidate (empty
    // when there was a single training network).
    std::size_t chosen_epochs() const { return chosen_epochs_; }
    const std::map<std::size_t, double>& cross_validation() const { return cv_ap_; }
    // P(edge) of every ordered pair of one network: (G, G), diagonal 0 (ensemble_scoring.hpp).
    tensor<double> score_network(const time_series_data& data, const pair_scoring_options& options = {});
    tensor<double> score_all_pairs(const experiment_set& data, const pair_scoring_options& options = {}) override;
    // The same scores for the rows of some regulators only (gene indices, any order), with
    // no (G, G) matrix: (R, G), [i, t] = P(regulators[i] -> t), 0 where the two are one gene.
    // The features come from streamed_dynamics_features (two passes over all rows for the
    // network-wide statistics, then each regulator's rows on demand) and are scored in
    // units of about streamed_fill_regulators regulators' rows. Memory is the (R, G) scores,
    // O(n G) samples and factors, and per thread a pass block's (128, G) matrices or a
    // unit's rows (32 G x F floats and the products behind them): genome-scale networks.
    // The scores equal score_network's rows to rounding (the features differ by about
    // 1e-12), and are the same, bit for bit, for every thread and rank count.
    static constexpr std::size_t streamed_fill_regulators = 32;
    tensor<double> score_regulators(const time_series_data& data, const std::vector<std::size_t>& regulators,
                                    const pair_scoring_options& options = {});

    template <class T>
    static std::unique_ptr<nn::sequential<T>> build(const context_mlp_settings& s, std::size_t features);

private:
    context_mlp_settings settings_;
    std::size_t chosen_epochs_ = 0;
    std::map<std::size_t, double> cv_ap_;
    std::vector<std::unique_ptr<nn::sequential<float>>> nets_;
};

}  // namespace knit::grn
