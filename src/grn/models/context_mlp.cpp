#include "knit/grn/models/context_mlp.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "knit/core/parallel.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/grn/streamed_dynamics_features.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/optim/adam.hpp"
#include "knit/nn/serialize.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::grn {

namespace {

struct pair_key {
    std::size_t network, regulator, target;
    bool operator<(const pair_key& o) const {
        return std::tie(network, regulator, target) < std::tie(o.network, o.regulator, o.target);
    }
};

// Pair rows of a feature table: rows[i] = features of pair i (row r * G + t of its network).
struct pair_table {
    tensor<float> x;               // (N, F)
    tensor<float> y;               // (N, 1)
    std::vector<std::size_t> network;
};

pair_table gather_pairs(const std::vector<std::pair<pair_key, bool>>& pairs,
                        const std::map<std::size_t, tensor<double>>& features, const std::vector<std::size_t>& which) {
    pair_table out;
    const std::size_t f = features.begin()->second.shape(1);
    out.x = tensor<float>::from_shape({which.size(), f});
    out.y = tensor<float>::from_shape({which.size(), 1});
    for (std::size_t i = 0; i < which.size(); ++i) {
        const auto& [key, label] = pairs[which[i]];
        const tensor<double>& table = features.at(key.network);
        const std::size_t genes = static_cast<std::size_t>(std::lround(std::sqrt(double(table.shape(0)))));
        const std::size_t row = key.regulator * genes + key.target;
        for (std::size_t c = 0; c < f; ++c) out.x(i, c) = static_cast<float>(table(row, c));
        out.y(i, 0) = label ? 1.0f : 0.0f;
        out.network.push_back(key.network);
    }
    return out;
}

std::vector<double> predict(nn::sequential<float>& net, const tensor<float>& x) {
    const tensor<float>& p = net.forward(x, nn::mode::infer);
    return std::vector<double>(p.begin(), p.end());
}

}  // namespace

context_mlp_model::context_mlp_model(context_mlp_settings settings) : settings_(std::move(settings)) {
    KNIT_CHECK_AS(value_error, settings_.hidden > 0 && settings_.batch_size > 0 && settings_.ensemble > 0,
                  "context-mlp settings: got hidden " << settings_.hidden << ", batch " << settings_.batch_size
                                                      << ", ensemble " << settings_.ensemble << ", expected all > 0");
    KNIT_CHECK_AS(value_error, !settings_.epoch_candidates.empty(),
                  "context-mlp settings: got no epoch candidates, expected at least one");
    for (std::size_t e : settings_.epoch_candidates)
        KNIT_CHECK_AS(value_error, e > 0, "context-mlp settings: got an epoch candidate 0, expected > 0");
    std::sort(settings_.epoch_candidates.begin(), settings_.epoch_candidates.end());
}

void context_mlp_model::configure(const std::string& key, const std::string& value) {
    KNIT_CHECK_AS(state_error, nets_.empty(), "context-mlp: got setting " << key << " after training, expected it before fit()");
    context_mlp_settings s = settings_;
    auto count = [&](const std::string& text) {
        const auto v = detail::parse_count_list(text, key);
        KNIT_CHECK_AS(value_error, v.size() == 1, key << ": got '" << text << "', expected one number");
        return v.front();
    };
    if (key == "hidden") s.hidden = count(value);
    else if (key == "ensemble") s.ensemble = count(value);
    else if (key == "epochs") s.epoch_candidates = detail::parse_count_list(value, key);
    else if (key == "batch") s.batch_size = count(value);
    else if (key == "lr") s.learning_rate = detail::parse_setting_number(value, key, 1e-6, 1.0);
    else KNIT_CHECK_AS(value_error, false, "context-mlp: got setting '" << key << "', expected hidden, ensemble, epochs, batch or lr");
    settings_ = context_mlp_model(s).settings_;
}

template <class T>
std::unique_ptr<nn::sequential<T>> context_mlp_model::build(const context_mlp_settings& s, std::size_t features) {
    auto net = std::make_unique<nn::sequential<T>>(shape_t{features});
    net->add(nn::dense<T>(s.hidden, nn::activation::relu));
    net->add(nn::dense<T>(1, nn::activation::sigmoid));
    return net;
}
template std::unique_ptr<nn::sequential<float>> context_mlp_model::build<float>(const context_mlp_settings&, std::size_t);
template std::unique_ptr<nn::sequential<double>> context_mlp_model::build<double>(const context_mlp_settings&, std::size_t);

void context_mlp_model::fit(const pair_records& records, const std::vector<std::size_t>& train,
                            const training_options& options) {
    detail::check_trainable(records, train, "context-mlp", required_inputs());
    // The distinct training pairs, each with its (record) label.
    std::map<pair_key, bool> labelled;
    for (std::size_t i : train) {
        const pair_record r = records.record(i);
        labelled[{r.network, r.regulator, r.target}] = records.label(i);
    }
    std::vector<std::pair<pair_key, bool>> pairs(labelled.begin(), labelled.end());
    std::set<std::size_t> networks;
    for (const auto& [key, label] : pairs) networks.insert(key.network);
    const std::vector<std::size_t> network_list(networks.begin(), networks.end());
    const std::size_t threads = std::max<std::size_t>(1, options.threads);
    // Each task owns its slot; the maps are filled in network order afterwards.
    std::vector<tensor<double>> computed(network_list.size());
    parallel_for(network_list.size(), threads, [&](std::size_t i) {
        computed[i] = dynamics_features(records.network_data(network_list[i]).time_series, settings_.features);
    });
    std::map<std::size_t, tensor<double>> features;
    for (std::size_t i = 0; i < network_list.size(); ++i) features[network_list[i]] = std::move(computed[i]);
    const std::size_t feature_count = dynamics_feature_names().size();

    auto train_net = [&](const pair_table& data, std::size_t epochs, std::uint64_t seed,
                         const std::function<void(std::size_t, nn::sequential<float>&)>& after_epoch) {
        nn::binary_crossentropy<float> loss;  // its buffers are the task's own
        auto net = build<float>(settings_, feature_count);
        net->compile(seed);
        auto optimizer = detail::keras_adam(settings_.learning_rate);
        auto fit_options = detail::fit_settings(epochs, settings_.batch_size, seed, options.progress && threads == 1);
        nn::sequential<float>* raw = net.get();
        if (after_epoch) fit_options.on_epoch_end = [&, raw](std::size_t epoch) { after_epoch(epoch + 1, *raw); return true; };
        nn::fit(*net, data.x, data.y, loss, optimizer, fit_options);
        return net;
    };

    // Leave-one-training-network-out choice of the number of epochs: one run per fold up
    // to the largest candidate, read at every candidate. Folds run as tasks; their APs are
    // collected in fold order, as a serial loop would.
    cv_ap_.clear();
    chosen_epochs_ = settings_.epoch_candidates.back();
    if (networks.size() >= 2) {
        std::vector<std::map<std::size_t, double>> per_fold(network_list.size());
        parallel_for(network_list.size(), threads, [&](std::size_t fold) {
            const std::size_t held = network_list[fold];
            std::vector<std::size_t> inner, outer;
            for (std::size_t i = 0; i < pairs.size(); ++i) (pairs[i].first.network == held ? outer : inner).push_back(i);
            const pair_table fit_part = gather_pairs(pairs, features, inner);
            const pair_table check_part = gather_pairs(pairs, features, outer);
            std::vector<int> labels;
            for (std::size_t i = 0; i < check_part.y.shape(0); ++i) labels.push_back(check_part.y(i, 0) > 0.5f);
            const bool both = std::count(labels.begin(), labels.end(), 1) > 0 && std::count(labels.begin(), labels.end(), 0) > 0;
            if (!both) return;
            if (std::count_if(inner.begin(), inner.end(), [&](std::size_t i) { return pairs[i].second; }) == 0) return;
            train_net(fit_part, settings_.epoch_candidates.back(), options.seed,
                      [&](std::size_t epoch, nn::sequential<float>& net) {
                          if (std::find(settings_.epoch_candidates.begin(), settings_.epoch_candidates.end(), epoch) ==
                              settings_.epoch_candidates.end())
                              return;
                          per_fold[fold][epoch] = average_precision(predict(net, check_part.x), labels);
                      });
        });
        std::map<std::size_t, std::vector<double>> fold_ap;
        for (const auto& fold : per_fold)
            for (const auto& [epoch, ap] : fold) fold_ap[epoch].push_back(ap);
        double best = -1;
        for (const auto& [epochs, aps] : fold_ap) {
            double mean = 0;
            for (double a : aps) mean += a / double(aps.size());
            cv_ap_[epochs] = mean;
            if (mean > best) best = mean, chosen_epochs_ = epochs;
        }
    }

    std::vector<std::size_t> everything(pairs.size());
    for (std::size_t i = 0; i < pairs.size(); ++i) everything[i] = i;
    const pair_table all = gather_pairs(pairs, features, everything);
    nets_.clear();
    std::vector<std::unique_ptr<nn::sequential<float>>> members(settings_.ensemble);
    parallel_for(settings_.ensemble, threads,
                 [&](std::size_t m) { members[m] = train_net(all, chosen_epochs_, options.seed + m, {}); });
    nets_ = std::move(members);  // only a fully trained ensemble (a throw leaves none)
}

tensor<double> context_mlp_model::score_network(const time_series_data& data, const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !nets_.empty(), "context-mlp::score: model not trained, expected fit() or load() first");
    // Rows on demand: no (G^2, F) table (dynamics_feature_rows).
    const dynamics_feature_rows rows(data, settings_.features, options.threads, options.ranks);
    const std::size_t features = rows.feature_count();
    return score_pair_rows(
        nets_, data.gene_count(), features,
        [&](std::size_t begin, std::size_t end, float* out) { rows.fill(begin, end, out); },
        [&] { return build<float>(settings_, features); }, options);
}

tensor<double> context_mlp_model::score_regulators(const time_series_data& data,
                                                   const std::vector<std::size_t>& regulators,
                                                   const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !nets_.empty(),
                  "context-mlp::score_regulators: model not trained, expected fit() or load() first");
    KNIT_CHECK_AS(value_error, options.threads >= 1 && options.block_rows >= 1,
                  "context-mlp::score_regulators: got threads " << options.threads << " and block rows "
                                                                << options.block_rows << ", expected both >= 1");
    for (std::size_t r : regulators)
        KNIT_CHECK_AS(value_error, r < data.gene_count(),
                      "context-mlp::score_regulators: got regulator " << r << ", expected < " << data.gene_count());
    const streamed_dynamics_features rows(data, settings_.features, options.threads, options.ranks);
    const std::size_t features = rows.feature_count(), genes = data.gene_count();
    // A fill() call computes (regulators, n) by (n, G) products for the rows it covers;
    // with a few dozen regulators per call they run near the GEMM's speed.
    pair_scoring_options scoring = options;
    scoring.fill_blocks = std::max<std::size_t>(1, streamed_fill_regulators * genes / options.block_rows);
    return score_pair_rows(
        nets_, regulators, genes, features,
        [&](std::size_t begin, std::size_t end, float* out) { rows.fill_rows(regulators, begin, end, out); },
        [&] { return build<float>(settings_, features); }, scoring);
}

tensor<double> context_mlp_model::score_all_pairs(const experiment_set& data, const pair_scoring_options& options) {
    data.require(required_inputs(), name());
    return score_network(data.time_series, options);
}

std::vector<double> context_mlp_model::score(const pair_records& records, const std::vector<std::size_t>& indices,
                                              const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !nets_.empty(), "context-mlp::score: model not trained, expected fit() or load() first");
    detail::check_inputs(records, indices, "context-mlp", required_inputs());
    std::map<std::size_t, tensor<double>> by_network;
    std::vector<double> out;
    out.reserve(indices.size());
    for (std::size_t i : indices) {
        const pair_record r = records.record(i);
        auto it = by_network.find(r.network);
        if (it == by_network.end()) it = by_network.emplace(r.network, score_network(records.network_data(r.network).time_series, options)).first;
        out.push_back(it->second(r.regulator, r.target));
    }
    return out;
}

std::string context_mlp_model::summary() const {
    std::ostringstream s;
    s << "context-mlp: " << settings_.ensemble << " x [" << dynamics_feature_names().size() << " pair features -> Dense("
      << settings_.hidden << ", relu) -> Dense(1, sigmoid)], epochs " << (chosen_epochs_ ? chosen_epochs_ : settings_.epoch_candidates.back())
      << "\n"
      << build<float>(settings_, dynamics_feature_names().size())->summary();
    return s.str();
}

std::size_t context_mlp_model::parameter_count() const {
    return settings_.ensemble * build<float>(settings_, dynamics_feature_names().size())->parameter_count();
}

void context_mlp_model::save(const std::string& path) const {
    KNIT_CHECK_AS(state_error, !nets_.empty(), "context-mlp::save: model not trained, expected fit() first");
    std::ostringstream header;
    header << "model=context-mlp\nhidden=" << settings_.hidden << "\nensemble=" << nets_.size()
           << "\nepochs=" << chosen_epochs_
           << "\nrelease=" << (settings_.features.release_time ? detail::exact(*settings_.features.release_time) : "detect")
           << "\nrelease_burst=" << detail::exact(settings_.features.detection.burst)
           << "\nridge_small=" << detail::exact(settings_.features.ridge_small)
           << "\nridge_large=" << detail::exact(settings_.features.ridge_large)
           << "\nfeatures=" << dynamics_feature_names().size();
    std::vector<const nn::sequential<float>*> nets;
    for (const auto& n : nets_) nets.push_back(n.get());
    nn::save_bundle<float>(path, header.str(), nets);
}

std::unique_ptr<context_mlp_model> context_mlp_model::load(const std::string& path) {
    const nn::model_file file = nn::read_model_file(path);
    const std::string& header = file.signature;
    const std::size_t stored = file.values.size();
    context_mlp_settings s;
    s.hidden = detail::header_count(header, "hidden", path, stored);
    s.ensemble = detail::header_count(header, "ensemble", path, stored);
    // Files before the release detection stated the release time (DREAM4's 500).
    if (auto old = detail::find_header_value(header, "release_time")) {
        s.features.release_time = detail::parse_exact(*old, path);
    } else {
        const std::string release = detail::header_value(header, "release", path);
        if (release != "detect") s.features.release_time = detail::parse_exact(release, path);
        s.features.detection.burst = detail::parse_exact(detail::header_value(header, "release_burst", path), path);
    }
    s.features.ridge_small = detail::parse_exact(detail::header_value(header, "ridge_small", path), path);
    s.features.ridge_large = detail::parse_exact(detail::header_value(header, "ridge_large", path), path);
    const std::size_t features = detail::parse_count(detail::header_value(header, "features", path), path);
    KNIT_CHECK_AS(io_error, features == dynamics_feature_names().size(),
                  path << ": context-mlp with " << features << " features, expected " << dynamics_feature_names().size());
    const std::size_t per_network = build<float>(s, features)->parameter_count();
    KNIT_CHECK_AS(io_error, per_network > 0 && s.ensemble <= stored / per_network,  // no overflow below
                  path << ": model file holds " << stored << " parameters, expected " << s.ensemble << " x "
                       << per_network << " for the networks its header describes (damaged or forged header)");
    detail::check_parameter_count(path, stored, s.ensemble * per_network);
    auto m = std::make_unique<context_mlp_model>(s);
    m->chosen_epochs_ = detail::parse_count(detail::header_value(header, "epochs", path), path);
    std::vector<nn::sequential<float>*> nets;
    for (std::size_t i = 0; i < s.ensemble; ++i) {
        m->nets_.push_back(build<float>(s, features));
        m->nets_.back()->compile(0);
        nets.push_back(m->nets_.back().get());
    }
    nn::load_bundle<float>(path, nets);
    return m;
}

}  // namespace knit::grn
