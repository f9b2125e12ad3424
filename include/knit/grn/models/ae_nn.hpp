// The paper's third model (REFERENCE §3, Figs. 6 and 10): an autoencoder compresses
// each gene's series in each perturbation to a 3-D code, and a two-branch network
// classifies (code of R, code of T) in the same perturbation.
//
//   autoencoder: T -> 64 relu -> 32 relu -> 3 relu (code) -> 32 relu -> 64 relu -> T tanh
//                (7,192 parameters for T = 21); MSE, Adam(lr 1e-3), 50 epochs, batch 256,
//                shuffled; trained on genes G1..G80 (the first 80 % of the genes) x every
//                perturbation of the training networks, validated on the other genes
//   AE-NN:       two branches, each Dense 256 -> 128 -> 64 -> 32 -> 32 (relu), over the
//                codes of R and T; concatenated (64) -> Dense 200 relu -> 20 relu ->
//                1 sigmoid (107,665 parameters); binary cross-entropy, Adam(lr 1e-3),
//                batch 100, 75 epochs
//
// The autoencoder never sees a label, so encoding a network it was not trained on (the
// held-out network under leave-one-network-out) is legitimate: that network's series
// only pass through the trained encoder.
#pragma once

#include <limits>
#include <map>
#include <memory>

#include "knit/grn/models/pair_model.hpp"
#include "knit/nn/autoencoder.hpp"

namespace knit::grn {

struct ae_nn_settings {
    std::size_t code_size = 3;
    double autoencoder_train_fraction = 0.8;  // genes G1..G80 of 100
    std::size_t autoencoder_epochs = 50;
    std::size_t autoencoder_batch_size = 256;
    double autoencoder_learning_rate = 1e-3;
    std::size_t epochs = 75;
    std::size_t batch_size = 100;
    double learning_rate = 1e-3;
};

class ae_nn_model : public pair_model {
public:
    explicit ae_nn_model(ae_nn_settings settings = {}) : settings_(settings) {}
    std::string name() const override { return "ae-nn"; }
    void fit(const pair_records& records, const std::vector<std::size_t>& train,
             const training_options& options) override;
    std::vector<double> score(const pair_records& records, const std::vector<std::size_t>& indices,
                              const pair_scoring_options& options = {}) override;
    std::string summary() const override;
    std::size_t parameter_count() const override;
    void save(const std::string& path) const override;
    static std::unique_ptr<ae_nn_model> load(const std::string& path);

    const ae_nn_settings& settings() const { return settings_; }
    // The two networks; float to train, double to check (both instantiated in src/).
    template <class T>
    static std::unique_ptr<nn::autoencoder<T>> build_autoencoder(std::size_t time_points, std::size_t code_size);
    template <class T>
    static std::unique_ptr<nn::sequential<T>> build_classifier(std::size_t code_size);
    // Codes (G, E, code) of one network of records, from the trained encoder.
    tensor<float> encode_network(const pair_records& records, std::size_t network);
    // The autoencoder's validation MSE after the last fit (NaN before).
    double autoencoder_validation_loss() const { return ae_val_loss_; }

private:
    void build(std::size_t time_points, std::uint64_t seed);
    // The classifier input (N, 2 * code) of records[indices[begin, end)), from the codes
    // of each network (codes[network] as returned by encode_network).
    void gather_codes(const pair_records& records, const std::map<std::size_t, tensor<float>>& codes,
                      const std::vector<std::size_t>& indices, std::size_t begin, std::size_t end,
                      tensor<float>& out) const;
    std::map<std::size_t, tensor<float>> encode_networks(const pair_records& records,
                                                         const std::vector<std::size_t>& indices);

    ae_nn_settings settings_;
    std::size_t time_points_ = 0;
    std::unique_ptr<nn::autoencoder<float>> ae_;
    std::unique_ptr<nn::sequential<float>> classifier_;
    double ae_val_loss_ = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace knit::grn
