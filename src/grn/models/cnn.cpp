#include "knit/grn/models/cnn.hpp"

#include <cmath>

#include "knit/nn/conv2d.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/pool2d.hpp"
#include "knit/nn/reshape.hpp"
#include "knit/nn/serialize.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::grn {

namespace {
// The padding of REFERENCE §3: one row above and below, one column left, two right.
constexpr std::size_t pad_top = 1, pad_bottom = 1, pad_left = 1, pad_right = 2;
constexpr std::size_t padded_rows = 2 + pad_top + pad_bottom;
}  // namespace

template <class T>
std::unique_ptr<nn::sequential<T>> cnn_model::build(std::size_t time_points) {
    auto net = std::make_unique<nn::sequential<T>>(shape_t{1, padded_rows, time_points + pad_left + pad_right});
    for (std::size_t filters : {50, 25, 15}) {
        net->add(nn::conv2d<T>(filters, {2, 3}, nn::activation::relu, nn::padding2d::same()));
        net->add(nn::max_pool2d<T>({1, 2}));
    }
    net->add(nn::flatten<T>());
    net->add(nn::dense<T>(120, nn::activation::relu));
    net->add(nn::dense<T>(100, nn::activation::relu));
    net->add(nn::dense<T>(2, nn::activation::softmax));
    return net;
}
template std::unique_ptr<nn::sequential<float>> cnn_model::build<float>(std::size_t);
template std::unique_ptr<nn::sequential<double>> cnn_model::build<double>(std::size_t);

void cnn_model::prepare(const pair_records& records, const std::vector<std::size_t>& indices,
                        std::size_t begin, std::size_t end, tensor<float>& out) const {
    tensor<float> raw;
    records.gather(indices, begin, end, record_layout::image, raw);  // (N, 1, 2, T)
    const std::size_t n = end - begin, t = records.time_points(), width = t + pad_left + pad_right;
    ensure_shape(out, {n, 1, padded_rows, width});
    const float zero = float((0.0 - mean_) / std_);  // the padding, standardised
    std::fill(out.begin(), out.end(), zero);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t r = 0; r < 2; ++r)
            for (std::size_t c = 0; c < t; ++c)
                out.data()[(i * padded_rows + r + pad_top) * width + c + pad_left] =
                    float((double(raw.data()[(i * 2 + r) * t + c]) - mean_) / std_);
}

void cnn_model::fit(const pair_records& records, const std::vector<std::size_t>& train,
                    const training_options& options) {
    detail::check_trainable(records, train, "cnn", required_inputs());
    time_points_ = records.time_points();
    // Global mean and standard deviation (ddof 0) of the padded training arrays: the
    // padding zeros count, as they did in the authors' numpy code.
    const tensor<double> raw = records.gather<double>(train, record_layout::image);
    const double cells = double(train.size() * padded_rows * (time_points_ + pad_left + pad_right));
    double sum = 0, sum_sq = 0;
    for (double v : raw) sum += v, sum_sq += v * v;
    mean_ = sum / cells;
    std_ = std::sqrt(std::max(sum_sq / cells - mean_ * mean_, 0.0));
    KNIT_CHECK_AS(value_error, std_ > 0, "cnn training set: got constant inputs, expected some variation");

    net_ = build<float>(time_points_);
    net_->compile(options.seed);
    tensor<float> x, y;
    prepare(records, train, 0, train.size(), x);
    records.gather_labels(train, 0, train.size(), y, /*one_hot=*/true);
    nn::categorical_crossentropy<float> loss;
    auto optimizer = detail::keras_adam(settings_.learning_rate);
    nn::fit_options<float> o = detail::fit_settings(settings_.epochs, settings_.batch_size, options.seed, options.progress);
    if (settings_.batch_size == 0) {
        o.epochs = settings_.epochs * settings_.steps_per_epoch;  // one full-batch update each
        o.batch_size = train.size();
        o.shuffle = false;
    }
    nn::fit(*net_, x, y, loss, optimizer, o);
}

std::vector<double> cnn_model::score(const pair_records& records, const std::vector<std::size_t>& indices,
                                     const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, net_ != nullptr, "cnn::score: model not trained, expected fit() or load() first");
    detail::check_inputs(records, indices, "cnn", required_inputs());
    KNIT_CHECK_AS(shape_error, records.time_points() == time_points_,
                  "cnn::score: got series of " << records.time_points() << " time points, expected " << time_points_);
    // The output is (N, 2) softmax; the score is P(class 1).
    return score_in_chunks(
        *net_, [&] { return build<float>(time_points_); }, indices.size(), 2048, 2, 1,
        [&](std::size_t begin, std::size_t end, tensor<float>& in) { prepare(records, indices, begin, end, in); },
        options);
}

std::string cnn_model::summary() const { return (net_ ? *net_ : *build<float>(time_points_ ? time_points_ : paper_time_points)).summary(); }

std::size_t cnn_model::parameter_count() const {
    return (net_ ? *net_ : *build<float>(time_points_ ? time_points_ : paper_time_points)).parameter_count();
}

void cnn_model::save(const std::string& path) const {
    KNIT_CHECK_AS(state_error, net_ != nullptr, "cnn::save: model not trained, expected fit() first");
    std::ostringstream header;
    header << "model=cnn\ntime_points=" << time_points_ << "\nmean=" << detail::exact(mean_)
           << "\nstd=" << detail::exact(std_);
    nn::save_bundle<float>(path, header.str(), {net_.get()});
}

std::unique_ptr<cnn_model> cnn_model::load(const std::string& path) {
    const nn::model_file file = nn::read_model_file(path);
    const std::string& header = file.signature;
    const std::size_t stored = file.values.size();
    auto m = std::make_unique<cnn_model>();
    m->time_points_ = detail::header_count(header, "time_points", path, stored);
    m->mean_ = detail::parse_exact(detail::header_value(header, "mean", path), path);
    m->std_ = detail::parse_exact(detail::header_value(header, "std", path), path);
    KNIT_CHECK_AS(io_error, std::isfinite(m->mean_) && std::isfinite(m->std_) && m->std_ > 0,
                  path << ": standardisation mean " << m->mean_ << ", std " << m->std_ << ", expected finite and std > 0");
    m->net_ = build<float>(m->time_points_);
    detail::check_parameter_count(path, stored, m->net_->parameter_count());
    m->net_->compile(0);
    nn::load_bundle<float>(path, {m->net_.get()});
    return m;
}

}  // namespace knit::grn
