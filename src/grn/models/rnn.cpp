#include "knit/grn/models/rnn.hpp"

#include "knit/nn/dense.hpp"
#include "knit/nn/dropout.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/lstm.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/serialize.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::grn {

template <class T>
std::unique_ptr<nn::sequential<T>> rnn_model::build(const rnn_settings& s, std::size_t time_points,
                                                    std::uint64_t seed) {
    auto net = std::make_unique<nn::sequential<T>>(shape_t{time_points, 2});
    net->add(nn::lstm<T>(s.units, nn::lstm_options::keras()));
    net->add(nn::dropout<T>(s.dropout, seed ^ 0x5eedull));
    net->add(nn::dense<T>(1, nn::activation::sigmoid));
    return net;
}
template std::unique_ptr<nn::sequential<float>> rnn_model::build<float>(const rnn_settings&, std::size_t, std::uint64_t);
template std::unique_ptr<nn::sequential<double>> rnn_model::build<double>(const rnn_settings&, std::size_t, std::uint64_t);

void rnn_model::fit(const pair_records& records, const std::vector<std::size_t>& train,
                    const training_options& options) {
    detail::check_trainable(records, train, "rnn", required_inputs());
    time_points_ = records.time_points();
    net_ = build<float>(settings_, time_points_, options.seed);
    net_->compile(options.seed);
    const tensor<float> x = records.gather<float>(train, record_layout::time_by_series);
    tensor<float> y;
    records.gather_labels(train, 0, train.size(), y);
    nn::binary_crossentropy<float> loss;
    auto optimizer = detail::keras_adam(settings_.learning_rate);
    nn::fit(*net_, x, y, loss, optimizer, detail::fit_settings(settings_.epochs, settings_.batch_size, options.seed, options.progress));
}

std::vector<double> rnn_model::score(const pair_records& records, const std::vector<std::size_t>& indices,
                                     const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, net_ != nullptr, "rnn::score: model not trained, expected fit() or load() first");
    detail::check_inputs(records, indices, "rnn", required_inputs());
    KNIT_CHECK_AS(shape_error, records.time_points() == time_points_,
                  "rnn::score: got series of " << records.time_points() << " time points, expected " << time_points_);
    return score_in_chunks(
        *net_, [&] { return build<float>(settings_, time_points_, 0); }, indices.size(), 4096, 1, 0,
        [&](std::size_t begin, std::size_t end, tensor<float>& in) {
            records.gather(indices, begin, end, record_layout::time_by_series, in);
        },
        options);
}

std::string rnn_model::summary() const {
    return (net_ ? *net_ : *build<float>(settings_, time_points_ ? time_points_ : paper_time_points, 0)).summary();
}

std::size_t rnn_model::parameter_count() const {
    return (net_ ? *net_ : *build<float>(settings_, time_points_ ? time_points_ : paper_time_points, 0)).parameter_count();
}

void rnn_model::save(const std::string& path) const {
    KNIT_CHECK_AS(state_error, net_ != nullptr, "rnn::save: model not trained, expected fit() first");
    std::ostringstream header;
    header << "model=rnn\ntime_points=" << time_points_ << "\nunits=" << settings_.units
           << "\ndropout=" << detail::exact(settings_.dropout);
    nn::save_bundle<float>(path, header.str(), {net_.get()});
}

std::unique_ptr<rnn_model> rnn_model::load(const std::string& path) {
    const nn::model_file file = nn::read_model_file(path);
    const std::string& header = file.signature;
    const std::size_t stored = file.values.size();
    rnn_settings s;
    s.units = detail::header_count(header, "units", path, stored);
    s.dropout = detail::parse_exact(detail::header_value(header, "dropout", path), path);
    auto m = std::make_unique<rnn_model>(s);
    // The LSTM's parameters do not depend on the series length, which costs nothing here.
    m->time_points_ = detail::parse_count(detail::header_value(header, "time_points", path), path);
    m->net_ = build<float>(s, m->time_points_, 0);
    detail::check_parameter_count(path, stored, m->net_->parameter_count());
    m->net_->compile(0);
    nn::load_bundle<float>(path, {m->net_.get()});
    return m;
}

}  // namespace knit::grn
