// The paper's RNN (REFERENCE §3, Fig. 3), as the authors ran it in Keras 2.2:
//
//   input (T = 21 steps, 2 features: x_R(t), x_T(t))
//   -> LSTM(21 units, last output; Glorot-uniform W, orthogonal U, forget bias 1,
//           recurrent activation hard_sigmoid)
//   -> Dropout(0.2) -> Dense(1, sigmoid)                               2,038 parameters
//   binary cross-entropy, Adam(lr 0.01, Keras eps 1e-7), batch 32, 60 epochs, shuffled,
//   the last epoch's weights.
#pragma once

#include <memory>

#include "knit/grn/models/pair_model.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::grn {

struct rnn_settings {
    std::size_t units = 21;
    double dropout = 0.2;
    double learning_rate = 0.01;
    std::size_t batch_size = 32;
    std::size_t epochs = 60;
};

class rnn_model : public pair_model {
public:
    explicit rnn_model(rnn_settings settings = {}) : settings_(settings) {}
    std::string name() const override { return "rnn"; }
    void fit(const pair_records& records, const std::vector<std::size_t>& train,
             const training_options& options) override;
    std::vector<double> score(const pair_records& records, const std::vector<std::size_t>& indices,
                              const pair_scoring_options& options = {}) override;
    std::string summary() const override;
    std::size_t parameter_count() const override;
    void save(const std::string& path) const override;
    static std::unique_ptr<rnn_model> load(const std::string& path);

    const rnn_settings& settings() const { return settings_; }
    // Builds (uncompiled) the network for series of `time_points` steps; float for
    // training, double for gradient checks (both instantiated in src/).
    template <class T>
    static std::unique_ptr<nn::sequential<T>> build(const rnn_settings& s, std::size_t time_points, std::uint64_t seed);

private:
    rnn_settings settings_;
    std::size_t time_points_ = 0;
    std::unique_ptr<nn::sequential<float>> net_;
};

}  // namespace knit::grn
