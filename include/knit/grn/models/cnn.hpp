// The paper's CNN, "LeNet-5 adapted" (REFERENCE §3, Fig. 4), as the authors ran it:
//
//   the 2 x T record zero-padded to 4 x (T+3) (one row above and below, one column
//   left, two right), then standardised by the global mean and standard deviation of
//   the padded training arrays (so the padding becomes -mean/std, as in their code)
//   -> Conv2D(50, 2x3, same, relu) -> MaxPool(1x2)
//   -> Conv2D(25, 2x3, same, relu) -> MaxPool(1x2)
//   -> Conv2D(15, 2x3, same, relu) -> MaxPool(1x2)
//   -> Flatten (180 for T = 21) -> Dense(120, relu) -> Dense(100, relu) -> Dense(2, softmax)
//                                                                      44,162 parameters
//   categorical cross-entropy on one-hot labels, Adam(lr 1e-3, Keras eps), 30 epochs x
//   50 steps without a batch size: in Keras 2.x every step is the whole training set,
//   1,500 full-batch updates. Score = P(class 1).
//
// knit's tensors are NCHW, so Flatten orders (channel, row, column) where Keras'
// channels-last Flatten orders (row, column, channel); the count and the function class
// are the same.
#pragma once

#include <memory>

#include "knit/grn/models/pair_model.hpp"
#include "knit/nn/sequential.hpp"

namespace knit::grn {

struct cnn_settings {
    std::size_t epochs = 30;
    std::size_t steps_per_epoch = 50;  // full-batch updates per epoch (batch_size 0)
    // 0: the paper's full-batch updates (epochs x steps_per_epoch of them); otherwise
    // ordinary shuffled mini-batches of this size for `epochs` passes.
    std::size_t batch_size = 0;
    double learning_rate = 1e-3;
};

class cnn_model : public pair_model {
public:
    explicit cnn_model(cnn_settings settings = {}) : settings_(settings) {}
    std::string name() const override { return "cnn"; }
    void fit(const pair_records& records, const std::vector<std::size_t>& train,
             const training_options& options) override;
    std::vector<double> score(const pair_records& records, const std::vector<std::size_t>& indices,
                              const pair_scoring_options& options = {}) override;
    std::string summary() const override;
    std::size_t parameter_count() const override;
    void save(const std::string& path) const override;
    static std::unique_ptr<cnn_model> load(const std::string& path);

    const cnn_settings& settings() const { return settings_; }
    // The network on padded (1, 4, T + 3) inputs; float to train, double to check.
    template <class T>
    static std::unique_ptr<nn::sequential<T>> build(std::size_t time_points);
    // The padded, standardised (N, 1, 4, T + 3) input of records[indices[begin, end)).
    void prepare(const pair_records& records, const std::vector<std::size_t>& indices,
                 std::size_t begin, std::size_t end, tensor<float>& out) const;
    double input_mean() const { return mean_; }
    double input_std() const { return std_; }

private:
    cnn_settings settings_;
    std::size_t time_points_ = 0;
    double mean_ = 0, std_ = 1;
    std::unique_ptr<nn::sequential<float>> net_;
};

}  // namespace knit::grn
