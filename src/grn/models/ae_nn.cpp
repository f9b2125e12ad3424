#include "knit/grn/models/ae_nn.hpp"

#include <set>

#include "knit/nn/branches.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/serialize.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::grn {

template <class T>
std::unique_ptr<nn::autoencoder<T>> ae_nn_model::build_autoencoder(std::size_t time_points, std::size_t code_size) {
    auto enc = std::make_unique<nn::sequential<T>>(shape_t{time_points});
    enc->add(nn::dense<T>(64, nn::activation::relu));
    enc->add(nn::dense<T>(32, nn::activation::relu));
    enc->add(nn::dense<T>(code_size, nn::activation::relu));
    auto dec = std::make_unique<nn::sequential<T>>(shape_t{code_size});
    dec->add(nn::dense<T>(32, nn::activation::relu));
    dec->add(nn::dense<T>(64, nn::activation::relu));
    dec->add(nn::dense<T>(time_points, nn::activation::tanh));
    return std::make_unique<nn::autoencoder<T>>(std::move(enc), std::move(dec));
}

template <class T>
std::unique_ptr<nn::sequential<T>> ae_nn_model::build_classifier(std::size_t code_size) {
    auto net = std::make_unique<nn::sequential<T>>(shape_t{2 * code_size});
    auto two = std::make_unique<nn::branches<T>>();
    for (std::size_t side = 0; side < 2; ++side) {  // side 0 reads R's code, side 1 T's
        auto& branch = two->add_branch(side * code_size, (side + 1) * code_size);
        for (std::size_t units : {256, 128, 64, 32, 32}) branch.add(nn::dense<T>(units, nn::activation::relu));
    }
    net->add(std::unique_ptr<nn::layer<T>>(std::move(two)));
    net->add(nn::dense<T>(200, nn::activation::relu));
    net->add(nn::dense<T>(20, nn::activation::relu));
    net->add(nn::dense<T>(1, nn::activation::sigmoid));
    return net;
}

template std::unique_ptr<nn::autoencoder<float>> ae_nn_model::build_autoencoder<float>(std::size_t, std::size_t);
template std::unique_ptr<nn::autoencoder<double>> ae_nn_model::build_autoencoder<double>(std::size_t, std::size_t);
template std::unique_ptr<nn::sequential<float>> ae_nn_model::build_classifier<float>(std::size_t);
template std::unique_ptr<nn::sequential<double>> ae_nn_model::build_classifier<double>(std::size_t);

void ae_nn_model::build(std::size_t time_points, std::uint64_t seed) {
    time_points_ = time_points;
    ae_ = build_autoencoder<float>(time_points, settings_.code_size);
    ae_->compile(seed);
    classifier_ = build_classifier<float>(settings_.code_size);
    classifier_->compile(seed + 1);
}

tensor<float> ae_nn_model::encode_network(const pair_records& records, std::size_t network) {
    KNIT_CHECK_AS(state_error, ae_ != nullptr, "ae-nn: model not trained, expected fit() or load() first");
    const time_series_data& data = records.network_data(network).time_series;
    const std::size_t genes = data.gene_count(), experiments = data.experiment_count();
    tensor<float> series = tensor<float>::from_shape({genes * experiments, time_points_});
    for (std::size_t g = 0; g < genes; ++g)
        for (std::size_t e = 0; e < experiments; ++e)
            for (std::size_t t = 0; t < time_points_; ++t)
                series((g * experiments + e), t) = float(data.experiments[e].values(t, g));
    tensor<float> codes = ae_->encode(series);
    codes.reshape({genes, experiments, settings_.code_size});
    return codes;
}

std::map<std::size_t, tensor<float>> ae_nn_model::encode_networks(const pair_records& records,
                                                                  const std::vector<std::size_t>& indices) {
    std::set<std::size_t> networks;
    for (std::size_t i : indices) networks.insert(records.record(i).network);
    std::map<std::size_t, tensor<float>> codes;
    for (std::size_t k : networks) codes.emplace(k, encode_network(records, k));
    return codes;
}

void ae_nn_model::gather_codes(const pair_records& records, const std::map<std::size_t, tensor<float>>& codes,
                               const std::vector<std::size_t>& indices, std::size_t begin, std::size_t end,
                               tensor<float>& out) const {
    const std::size_t k = settings_.code_size;
    ensure_shape(out, {end - begin, 2 * k});
    for (std::size_t i = begin; i < end; ++i) {
        const pair_record r = records.record(indices[i]);
        const tensor<float>& c = codes.at(r.network);
        const std::size_t experiments = c.shape()[1];
        const float* reg = c.data() + (r.regulator * experiments + r.experiment) * k;
        const float* tgt = c.data() + (r.target * experiments + r.experiment) * k;
        std::copy(reg, reg + k, out.data() + (i - begin) * 2 * k);
        std::copy(tgt, tgt + k, out.data() + (i - begin) * 2 * k + k);
    }
}

void ae_nn_model::fit(const pair_records& records, const std::vector<std::size_t>& train,
                      const training_options& options) {
    detail::check_trainable(records, train, "ae-nn", required_inputs());
    build(records.time_points(), options.seed);

    // 1. The autoencoder: genes G1..G80 (the first 80 %) of each training network, in
    //    every perturbation, train it; the remaining genes validate it.
    std::set<std::size_t> networks;
    for (std::size_t i : train) networks.insert(records.record(i).network);
    std::vector<std::vector<float>> fit_rows, val_rows;
    for (std::size_t k : networks) {
        const time_series_data& data = records.network_data(k).time_series;
        const std::size_t cut = static_cast<std::size_t>(double(data.gene_count()) * settings_.autoencoder_train_fraction);
        for (std::size_t g = 0; g < data.gene_count(); ++g)
            for (const auto& e : data.experiments) {
                std::vector<float> row(time_points_);
                for (std::size_t t = 0; t < time_points_; ++t) row[t] = float(e.values(t, g));
                (g < cut ? fit_rows : val_rows).push_back(std::move(row));
            }
    }
    auto to_tensor = [&](const std::vector<std::vector<float>>& rows) {
        tensor<float> t = tensor<float>::from_shape({rows.size(), time_points_});
        for (std::size_t i = 0; i < rows.size(); ++i) std::copy(rows[i].begin(), rows[i].end(), t.data() + i * time_points_);
        return t;
    };
    const tensor<float> ae_x = to_tensor(fit_rows);
    nn::mean_squared_error<float> mse;
    auto ae_opt = detail::keras_adam(settings_.autoencoder_learning_rate);
    nn::fit_options<float> ao = detail::fit_settings(settings_.autoencoder_epochs, settings_.autoencoder_batch_size,
                                                      options.seed, options.progress);
    tensor<float> ae_val;
    if (!val_rows.empty()) {
        ae_val = to_tensor(val_rows);
        ao.validation_x = ao.validation_y = &ae_val;
    }
    const nn::history h = ae_->fit(ae_x, mse, ae_opt, ao);
    ae_val_loss_ = h.epochs.back().val_loss;

    // 2. The two-branch classifier on (code of R, code of T) in the same perturbation.
    const auto codes = encode_networks(records, train);
    tensor<float> x, y;
    gather_codes(records, codes, train, 0, train.size(), x);
    records.gather_labels(train, 0, train.size(), y);
    nn::binary_crossentropy<float> bce;
    auto opt = detail::keras_adam(settings_.learning_rate);
    nn::fit(*classifier_, x, y, bce, opt, detail::fit_settings(settings_.epochs, settings_.batch_size, options.seed + 1, options.progress));
}

std::vector<double> ae_nn_model::score(const pair_records& records, const std::vector<std::size_t>& indices,
                                       const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, classifier_ != nullptr, "ae-nn::score: model not trained, expected fit() or load() first");
    detail::check_inputs(records, indices, "ae-nn", required_inputs());
    KNIT_CHECK_AS(shape_error, records.time_points() == time_points_,
                  "ae-nn::score: got series of " << records.time_points() << " time points, expected " << time_points_);
    const auto codes = encode_networks(records, indices);
    return score_in_chunks(
        *classifier_, [&] { return build_classifier<float>(settings_.code_size); }, indices.size(), 8192, 1, 0,
        [&](std::size_t begin, std::size_t end, tensor<float>& in) { gather_codes(records, codes, indices, begin, end, in); },
        options);
}

std::string ae_nn_model::summary() const {
    const std::size_t t = time_points_ ? time_points_ : paper_time_points;
    auto ae = ae_ ? nullptr : build_autoencoder<float>(t, settings_.code_size);
    auto cls = classifier_ ? nullptr : build_classifier<float>(settings_.code_size);
    return "autoencoder\n" + (ae_ ? *ae_ : *ae).model().summary() + "\nAE-NN\n" + (classifier_ ? *classifier_ : *cls).summary();
}

std::size_t ae_nn_model::parameter_count() const {
    const std::size_t t = time_points_ ? time_points_ : paper_time_points;
    const std::size_t ae = ae_ ? ae_->model().parameter_count() : build_autoencoder<float>(t, settings_.code_size)->model().parameter_count();
    const std::size_t cls = classifier_ ? classifier_->parameter_count() : build_classifier<float>(settings_.code_size)->parameter_count();
    return ae + cls;
}

void ae_nn_model::save(const std::string& path) const {
    KNIT_CHECK_AS(state_error, classifier_ != nullptr, "ae-nn::save: model not trained, expected fit() first");
    std::ostringstream header;
    header << "model=ae-nn\ntime_points=" << time_points_ << "\ncode_size=" << settings_.code_size;
    nn::save_bundle<float>(path, header.str(), {&ae_->model(), classifier_.get()});
}

std::unique_ptr<ae_nn_model> ae_nn_model::load(const std::string& path) {
    const nn::model_file file = nn::read_model_file(path);
    const std::string& header = file.signature;
    const std::size_t stored = file.values.size();
    ae_nn_settings s;
    s.code_size = detail::header_count(header, "code_size", path, stored);
    const std::size_t time_points = detail::header_count(header, "time_points", path, stored);
    detail::check_parameter_count(path, stored,
                                  build_autoencoder<float>(time_points, s.code_size)->model().parameter_count() +
                                      build_classifier<float>(s.code_size)->parameter_count());
    auto m = std::make_unique<ae_nn_model>(s);
    m->build(time_points, 0);
    nn::load_bundle<float>(path, {&m->ae_->model(), m->classifier_.get()});
    return m;
}

}  // namespace knit::grn
