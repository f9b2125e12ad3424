#include "knit/grn/models/evidence_mlp.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "knit/core/parallel.hpp"
#include "knit/grn/metrics.hpp"
#include "knit/nn/dense.hpp"
#include "knit/nn/losses.hpp"
#include "knit/nn/serialize.hpp"
#include "knit/nn/trainer.hpp"

namespace knit::grn {

namespace {

std::string join(const std::vector<std::size_t>& v) {
    std::string out;
    for (std::size_t x : v) out += (out.empty() ? "" : ",") + std::to_string(x);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ",") + x;
    return out;
}

std::vector<std::string> split_names(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) out.push_back(item);
    return out;
}

struct pair_key {
    std::size_t network, regulator, target;
    bool operator<(const pair_key& o) const {
        return std::tie(network, regulator, target) < std::tie(o.network, o.regulator, o.target);
    }
};

// Rows of the evidence tables for chosen pairs, optionally with families dropped.
struct pair_rows {
    tensor<float> x;  // (N, F)
    tensor<float> y;  // (N, 1)
    std::vector<int> labels;
};

// keep[f] == false zeroes family f's columns and its indicator.
void copy_row(const evidence_table& table, std::size_t row, const std::vector<bool>& keep, float* out) {
    const std::size_t columns = table.columns.size();
    for (std::size_t c = 0; c < columns; ++c)
        out[c] = keep[table.column_family[c]] ? static_cast<float>(table.values(row, c)) : 0.0f;
}

std::vector<double> predict(nn::sequential<float>& net, const tensor<float>& x) {
    const tensor<float>& p = net.forward(x, nn::mode::infer);
    return std::vector<double>(p.begin(), p.end());
}

}  // namespace

// --- data_design ---------------------------------------------------------------------

data_design data_design::of(const experiment_set& data) {
    data_design d;
    d.kinds = data.kinds();
    d.genes_min = d.genes_max = data.gene_count();
    const auto& ts = data.time_series;
    d.series_min = d.series_max = ts.experiment_count();
    if (!ts.experiments.empty()) {
        d.points_min = d.points_max = ts.experiments.front().time_points();
        d.span_min = d.span_max = ts.experiments.front().times.back() - ts.experiments.front().times.front();
        for (const auto& e : ts.experiments) {
            d.points_min = std::min(d.points_min, e.time_points());
            d.points_max = std::max(d.points_max, e.time_points());
            const double span = e.times.back() - e.times.front();
            d.span_min = std::min(d.span_min, span);
            d.span_max = std::max(d.span_max, span);
        }
    }
    auto rows = [&](experiment_kind k) {
        const steady_state_data* s = data.steady_state(k);
        return s ? s->experiment_count() : std::size_t{0};
    };
    d.knockouts_min = d.knockouts_max = rows(experiment_kind::knockouts);
    d.knockdowns_min = d.knockdowns_max = rows(experiment_kind::knockdowns);
    d.multifactorial_min = d.multifactorial_max = rows(experiment_kind::multifactorial);
    return d;
}

data_design data_design::merged(const data_design& o) const {
    data_design d = *this;
    d.kinds = kinds & o.kinds;
    auto widen = [](std::size_t& lo, std::size_t& hi, std::size_t olo, std::size_t ohi) {
        lo = std::min(lo, olo);
        hi = std::max(hi, ohi);
    };
    widen(d.genes_min, d.genes_max, o.genes_min, o.genes_max);
    widen(d.series_min, d.series_max, o.series_min, o.series_max);
    widen(d.points_min, d.points_max, o.points_min, o.points_max);
    widen(d.knockouts_min, d.knockouts_max, o.knockouts_min, o.knockouts_max);
    widen(d.knockdowns_min, d.knockdowns_max, o.knockdowns_min, o.knockdowns_max);
    widen(d.multifactorial_min, d.multifactorial_max, o.multifactorial_min, o.multifactorial_max);
    d.span_min = std::min(d.span_min, o.span_min);
    d.span_max = std::max(d.span_max, o.span_max);
    return d;
}

std::string data_design::to_text() const {
    std::ostringstream s;
    s << "kinds:" << kinds.to_string() << ";genes:" << genes_min << "-" << genes_max << ";series:" << series_min << "-"
      << series_max << ";points:" << points_min << "-" << points_max << ";span:" << detail::exact(span_min) << "-"
      << detail::exact(span_max) << ";knockouts:" << knockouts_min << "-" << knockouts_max << ";knockdowns:"
      << knockdowns_min << "-" << knockdowns_max << ";multifactorial:" << multifactorial_min << "-"
      << multifactorial_max;
    return s.str();
}

data_design data_design::parse(const std::string& text, const std::string& path) {
    data_design d;
    std::map<std::string, std::string> fields;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ';')) {
        const auto colon = item.find(':');
        KNIT_CHECK_AS(io_error, colon != std::string::npos, path << ": design '" << text << "': got '" << item << "', expected key:value");
        fields[item.substr(0, colon)] = item.substr(colon + 1);
    }
    auto field = [&](const std::string& key) {
        KNIT_CHECK_AS(io_error, fields.count(key), path << ": design has no '" << key << "'");
        return fields[key];
    };
    auto range = [&](const std::string& key, std::size_t& lo, std::size_t& hi) {
        const std::string v = field(key);
        const auto dash = v.find('-');
        KNIT_CHECK_AS(io_error, dash != std::string::npos, path << ": design " << key << ": got '" << v << "', expected lo-hi");
        // A kind absent from the training data has the range 0-0, so zero is a valid bound.
        auto bound = [&](const std::string& text) {
            return text == "0" ? std::size_t(0) : detail::parse_count(text, path + ": design " + key);
        };
        lo = bound(v.substr(0, dash));
        hi = bound(v.substr(dash + 1));
    };
    const std::string k = field("kinds");
    d.kinds = k == "none" ? experiment_kinds{} : experiment_kinds::parse(k);
    range("genes", d.genes_min, d.genes_max);
    range("series", d.series_min, d.series_max);
    range("points", d.points_min, d.points_max);
    range("knockouts", d.knockouts_min, d.knockouts_max);
    range("knockdowns", d.knockdowns_min, d.knockdowns_max);
    range("multifactorial", d.multifactorial_min, d.multifactorial_max);
    const std::string span = field("span");
    // Hexadecimal floats hold no '-' except a sign (never negative here) and exponents: split
    // at the dash that follows the first number.
    const auto p = span.find("-0x");
    KNIT_CHECK_AS(io_error, p != std::string::npos, path << ": design span: got '" << span << "', expected lo-hi");
    d.span_min = detail::parse_exact(span.substr(0, p), path);
    d.span_max = detail::parse_exact(span.substr(p + 1), path);
    return d;
}

std::vector<std::string> data_design::differences(const data_design& data) const {
    std::vector<std::string> out;
    const experiment_kinds missing = kinds.without(data.kinds), extra = data.kinds.without(kinds);
    if (!missing.empty())
        out.push_back("the data have no " + missing.to_string() + ", which the model was trained with: it ranks from " +
                      (kinds & data.kinds).to_string() + " alone (it was trained for that too, by dropping families)");
    if (!extra.empty())
        out.push_back("the data have " + extra.to_string() + ", which the model was not trained with: ignored");
    auto outside = [&](const char* what, std::size_t lo, std::size_t hi, std::size_t vlo, std::size_t vhi) {
        if (vlo < lo || vhi > hi)
            out.push_back(std::string(what) + ": " + std::to_string(vlo) + (vlo == vhi ? "" : "-" + std::to_string(vhi)) +
                          ", trained on " + std::to_string(lo) + (lo == hi ? "" : "-" + std::to_string(hi)));
    };
    outside("genes", genes_min, genes_max, data.genes_min, data.genes_max);
    if (kinds.has(experiment_kind::time_series) && data.kinds.has(experiment_kind::time_series)) {
        outside("time-series experiments", series_min, series_max, data.series_min, data.series_max);
        outside("time points per experiment", points_min, points_max, data.points_min, data.points_max);
        if (data.span_min < span_min || data.span_max > span_max) {
            std::ostringstream s;
            s << "time span " << data.span_min << "-" << data.span_max << ", trained on " << span_min << "-" << span_max;
            out.push_back(s.str());
        }
    }
    if (kinds.has(experiment_kind::knockouts) && data.kinds.has(experiment_kind::knockouts))
        outside("knockout rows", knockouts_min, knockouts_max, data.knockouts_min, data.knockouts_max);
    if (kinds.has(experiment_kind::knockdowns) && data.kinds.has(experiment_kind::knockdowns))
        outside("knockdown rows", knockdowns_min, knockdowns_max, data.knockdowns_min, data.knockdowns_max);
    if (kinds.has(experiment_kind::multifactorial) && data.kinds.has(experiment_kind::multifactorial))
        outside("multifactorial rows", multifactorial_min, multifactorial_max, data.multifactorial_min,
                data.multifactorial_max);
    return out;
}

// --- the model -------------------------------------------------------------------------

evidence_mlp_model::evidence_mlp_model(evidence_mlp_settings settings) : settings_(std::move(settings)) {
    KNIT_CHECK_AS(value_error, !settings_.hidden.empty() && settings_.batch_size > 0 && settings_.ensemble > 0,
                  "evidence-mlp settings: got " << settings_.hidden.size() << " hidden layers, batch "
                                                << settings_.batch_size << ", ensemble " << settings_.ensemble
                                                << ", expected all > 0");
    for (std::size_t h : settings_.hidden)
        KNIT_CHECK_AS(value_error, h > 0, "evidence-mlp settings: got a hidden layer of 0 units, expected > 0");
    KNIT_CHECK_AS(value_error, !settings_.epoch_candidates.empty(), "evidence-mlp settings: got no epoch candidates");
    for (std::size_t e : settings_.epoch_candidates)
        KNIT_CHECK_AS(value_error, e > 0, "evidence-mlp settings: got an epoch candidate 0, expected > 0");
    KNIT_CHECK_AS(value_error, settings_.family_dropout >= 0 && settings_.family_dropout < 1,
                  "evidence-mlp settings: got family dropout " << settings_.family_dropout << ", expected in [0, 1)");
    std::sort(settings_.epoch_candidates.begin(), settings_.epoch_candidates.end());
    evidence_layout(settings_.evidence);  // refuses unknown family names now, not at fit()
}

std::vector<std::string> evidence_mlp_model::setting_keys() {
    return {"hidden", "ensemble", "families", "epochs", "lr", "batch", "family_dropout", "copies", "lambda"};
}

void evidence_mlp_model::configure(const std::string& key, const std::string& value) {
    KNIT_CHECK_AS(state_error, nets_.empty(), "evidence-mlp: got setting " << key << " after training, expected it before fit()");
    evidence_mlp_settings s = settings_;
    if (key == "hidden") s.hidden = detail::parse_count_list(value, "hidden");
    else if (key == "ensemble") s.ensemble = detail::parse_count_list(value, "ensemble").front();
    else if (key == "families") s.evidence.families = split_names(value);
    else if (key == "epochs") s.epoch_candidates = detail::parse_count_list(value, "epochs");
    else if (key == "lr") s.learning_rate = detail::parse_setting_number(value, "lr", 1e-6, 1.0);
    else if (key == "batch") s.batch_size = detail::parse_count_list(value, "batch").front();
    else if (key == "family_dropout") s.family_dropout = detail::parse_setting_number(value, "family_dropout", 0.0, 0.95);
    else if (key == "copies") s.augmented_copies = std::size_t(detail::parse_setting_number(value, "copies", 0, 10));
    else if (key == "lambda") s.evidence.regression_lambda = detail::parse_setting_number(value, "lambda", 1e-6, 1e6);
    else
        KNIT_CHECK_AS(value_error, false,
                      "evidence-mlp: got setting '" << key << "', expected one of " << join(setting_keys()));
    *this = evidence_mlp_model(s);
}

std::unique_ptr<nn::sequential<float>> evidence_mlp_model::build(const evidence_mlp_settings& s, std::size_t features) {
    auto net = std::make_unique<nn::sequential<float>>(shape_t{features});
    for (std::size_t h : s.hidden) net->add(nn::dense<float>(h, nn::activation::relu));
    net->add(nn::dense<float>(1, nn::activation::sigmoid));
    return net;
}

evidence_options evidence_mlp_model::scoring_options() const {
    evidence_options o = settings_.evidence;
    return o;
}

void evidence_mlp_model::fit(const pair_records& records, const std::vector<std::size_t>& train,
                             const training_options& options) {
    detail::check_trainable(records, train, "evidence-mlp", required_inputs());
    std::map<pair_key, bool> labelled;
    for (std::size_t i : train) {
        const pair_record r = records.record(i);
        labelled[{r.network, r.regulator, r.target}] = records.label(i);
    }
    const std::vector<std::pair<pair_key, bool>> pairs(labelled.begin(), labelled.end());
    std::set<std::size_t> networks;
    for (const auto& [key, label] : pairs) networks.insert(key.network);
    const std::vector<std::size_t> network_list(networks.begin(), networks.end());
    const std::size_t threads = std::max<std::size_t>(1, options.threads);
    // Each task owns its slot; the map and the design are filled in network order afterwards.
    std::vector<evidence_table> computed(network_list.size());
    parallel_for(network_list.size(), threads, [&](std::size_t i) {
        computed[i] = evidence_features(records.network_data(network_list[i]), settings_.evidence);
    });
    std::map<std::size_t, evidence_table> tables;
    for (std::size_t i = 0; i < network_list.size(); ++i) {
        const data_design d = data_design::of(records.network_data(network_list[i]));
        design_ = i == 0 ? d : design_.merged(d);
        tables.emplace(network_list[i], std::move(computed[i]));
    }
    // The families present in every training network: the model is trained for those.
    const evidence_table layout = evidence_layout(settings_.evidence);
    std::vector<bool> trained(layout.families.size(), true);
    for (const auto& [k, table] : tables)
        for (std::size_t f = 0; f < trained.size(); ++f) trained[f] = trained[f] && table.present[f];
    trained_families_.clear();
    for (std::size_t f = 0; f < trained.size(); ++f)
        if (trained[f]) trained_families_.push_back(layout.families[f]);
    KNIT_CHECK_AS(value_error, !trained_families_.empty(),
                  "evidence-mlp: got training networks with no evidence family in common, expected at least one of "
                      << join(layout.families) << " computable from every training network (their kinds: "
                      << design_.kinds.to_string() << ")");
    const std::size_t columns = layout.columns.size();

    // Rows for pairs[which]: the full row, then `copies` rows with families dropped.
    auto rows_of = [&](const std::vector<std::size_t>& which, std::size_t copies, std::uint64_t seed) {
        rng draws(seed);
        pair_rows out;
        const std::size_t n = which.size() * (1 + copies);
        out.x = tensor<float>::from_shape({n, columns});
        out.y = tensor<float>::from_shape({n, 1});
        std::size_t row = 0;
        for (std::size_t copy = 0; copy <= copies; ++copy)
            for (std::size_t i : which) {
                const auto& [key, label] = pairs[i];
                const evidence_table& table = tables.at(key.network);
                const std::size_t genes = records.network_data(key.network).gene_count();
                std::vector<bool> keep = trained;
                if (copy > 0) {
                    bool any = false;
                    for (std::size_t f = 0; f < keep.size(); ++f) {
                        if (keep[f] && draws.uniform() < settings_.family_dropout) keep[f] = false;
                        any = any || keep[f];
                    }
                    if (!any) keep = trained;  // never a row with no evidence at all
                }
                copy_row(table, key.regulator * genes + key.target, keep, out.x.data() + row * columns);
                out.y(row, 0) = label ? 1.0f : 0.0f;
                if (copy == 0) out.labels.push_back(label ? 1 : 0);
                ++row;
            }
        return out;
    };

    auto train_net = [&](const pair_rows& data, std::size_t epochs, std::uint64_t seed,
                         const std::function<void(std::size_t, nn::sequential<float>&)>& after_epoch) {
        nn::binary_crossentropy<float> loss;  // its buffers are the task's own
        auto net = build(settings_, columns);
        net->compile(seed);
        auto optimizer = detail::keras_adam(settings_.learning_rate);
        auto fit_options = detail::fit_settings(epochs, settings_.batch_size, seed, options.progress && threads == 1);
        nn::sequential<float>* raw = net.get();
        if (after_epoch) fit_options.on_epoch_end = [&, raw](std::size_t epoch) { after_epoch(epoch + 1, *raw); return true; };
        nn::fit(*net, data.x, data.y, loss, optimizer, fit_options);
        return net;
    };

    // Folds run as tasks; their APs are collected in fold order, as a serial loop would.
    cv_ap_.clear();
    chosen_epochs_ = settings_.epoch_candidates.back();
    if (networks.size() >= 2 && settings_.epoch_candidates.size() > 1) {
        std::vector<std::map<std::size_t, double>> per_fold(network_list.size());
        parallel_for(network_list.size(), threads, [&](std::size_t fold) {
            const std::size_t held = network_list[fold];
            std::vector<std::size_t> inner, outer;
            for (std::size_t i = 0; i < pairs.size(); ++i) (pairs[i].first.network == held ? outer : inner).push_back(i);
            const pair_rows fit_part = rows_of(inner, settings_.augmented_copies, options.seed ^ 0x5eedULL);
            const pair_rows check_part = rows_of(outer, 0, 0);
            const auto positives = std::count(check_part.labels.begin(), check_part.labels.end(), 1);
            if (positives == 0 || positives == std::ptrdiff_t(check_part.labels.size())) return;
            if (std::count(fit_part.labels.begin(), fit_part.labels.end(), 1) == 0) return;
            train_net(fit_part, settings_.epoch_candidates.back(), options.seed,
                      [&](std::size_t epoch, nn::sequential<float>& net) {
                          if (std::find(settings_.epoch_candidates.begin(), settings_.epoch_candidates.end(), epoch) !=
                              settings_.epoch_candidates.end())
                              per_fold[fold][epoch] = average_precision(predict(net, check_part.x), check_part.labels);
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
    nets_.clear();
    std::vector<std::unique_ptr<nn::sequential<float>>> members(settings_.ensemble);
    parallel_for(settings_.ensemble, threads, [&](std::size_t m) {
        const pair_rows all = rows_of(everything, settings_.augmented_copies, options.seed + m);
        members[m] = train_net(all, chosen_epochs_, options.seed + m, {});
    });
    nets_ = std::move(members);  // only a fully trained ensemble (a throw leaves none)
}

std::vector<std::string> evidence_mlp_model::warnings(const experiment_set& data) const {
    std::vector<std::string> out = design_.differences(data_design::of(data));
    const evidence_table table = evidence_layout(settings_.evidence);
    std::vector<std::string> unusable;
    for (const auto& f : evidence_families())
        if (std::find(trained_families_.begin(), trained_families_.end(), f.name) != trained_families_.end() &&
            !(data.kinds().contains(f.needs) && (f.needs_any.empty() || !(f.needs_any & data.kinds()).empty())))
            unusable.push_back(f.name);
    if (!unusable.empty())
        out.push_back("evidence families the data cannot give: " + join(unusable) + " (the model ranks without them)");
    return out;
}

tensor<double> evidence_mlp_model::score_network(const experiment_set& data, const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !nets_.empty(), "evidence-mlp::score: model not trained, expected fit() or load() first");
    // Rows on demand, not the (G * G, F) table: memory for the sources, not for every row.
    const evidence_feature_rows rows(data, settings_.evidence, options.threads, options.ranks);
    const evidence_table& table = rows.layout();
    std::vector<bool> keep(table.families.size(), false);
    bool any = false;
    for (std::size_t f = 0; f < keep.size(); ++f) {
        keep[f] = table.present[f] && std::find(trained_families_.begin(), trained_families_.end(), table.families[f]) !=
                                          trained_families_.end();
        any = any || keep[f];
    }
    KNIT_CHECK_AS(value_error, any,
                  "evidence-mlp: got data (" << data.describe() << ") that give none of the evidence families the model was "
                                             << "trained with (" << join(trained_families_) << "), expected at least one");
    const std::size_t columns = table.columns.size();
    return score_pair_rows(
        nets_, data.gene_count(), columns,
        [&](std::size_t begin, std::size_t end, float* out) {
            rows.fill(begin, end, out);
            // The families the model was not trained with (or the data cannot give) read 0,
            // as copy_row leaves them.
            for (std::size_t row = begin; row < end; ++row)
                for (std::size_t c = 0; c < columns; ++c)
                    if (!keep[table.column_family[c]]) out[(row - begin) * columns + c] = 0.0f;
        },
        [&] { return build(settings_, columns); }, options);
}

tensor<double> evidence_mlp_model::score_all_pairs(const experiment_set& data, const pair_scoring_options& options) {
    return score_network(data, options);
}

std::vector<double> evidence_mlp_model::score(const pair_records& records, const std::vector<std::size_t>& indices,
                                              const pair_scoring_options& options) {
    KNIT_CHECK_AS(state_error, !nets_.empty(), "evidence-mlp::score: model not trained, expected fit() or load() first");
    std::map<std::size_t, tensor<double>> by_network;
    std::vector<double> out;
    out.reserve(indices.size());
    for (std::size_t i : indices) {
        const pair_record r = records.record(i);
        auto it = by_network.find(r.network);
        if (it == by_network.end()) it = by_network.emplace(r.network, score_network(records.network_data(r.network), options)).first;
        out.push_back(it->second(r.regulator, r.target));
    }
    return out;
}

std::string evidence_mlp_model::summary() const {
    const std::size_t columns = evidence_layout(settings_.evidence).columns.size();
    std::ostringstream s;
    s << "evidence-mlp: " << settings_.ensemble << " x [" << columns << " evidence columns -> Dense(" << join(settings_.hidden)
      << ", relu) -> Dense(1, sigmoid)], epochs " << (chosen_epochs_ ? chosen_epochs_ : settings_.epoch_candidates.back())
      << (trained_families_.empty() ? "" : ", trained with " + join(trained_families_)) << "\n"
      << build(settings_, columns)->summary();
    return s.str();
}

std::size_t evidence_mlp_model::parameter_count() const {
    return settings_.ensemble * build(settings_, evidence_layout(settings_.evidence).columns.size())->parameter_count();
}

void evidence_mlp_model::save(const std::string& path) const {
    KNIT_CHECK_AS(state_error, !nets_.empty(), "evidence-mlp::save: model not trained, expected fit() first");
    const evidence_table layout = evidence_layout(settings_.evidence);
    const evidence_options& e = settings_.evidence;
    std::ostringstream header;
    header << "model=evidence-mlp\nhidden=" << join(settings_.hidden) << "\nensemble=" << nets_.size()
           << "\nepochs=" << chosen_epochs_ << "\nfamilies=" << join(layout.families)
           << "\ntrained_families=" << join(trained_families_) << "\ncolumns=" << layout.columns.size()
           << "\nlambda=" << detail::exact(e.regression_lambda) << "\nradius=" << detail::exact(e.deconvolution_radius)
           << "\nresponds_at=" << detail::exact(e.responds_at)
           << "\nrelease=" << (e.dynamics.release_time ? detail::exact(*e.dynamics.release_time) : "detect")
           << "\nrelease_burst=" << detail::exact(e.dynamics.detection.burst)
           << "\nridge_small=" << detail::exact(e.dynamics.ridge_small)
           << "\nridge_large=" << detail::exact(e.dynamics.ridge_large) << "\ndesign=" << design_.to_text();
    std::vector<const nn::sequential<float>*> nets;
    for (const auto& n : nets_) nets.push_back(n.get());
    nn::save_bundle<float>(path, header.str(), nets);
}

std::unique_ptr<evidence_mlp_model> evidence_mlp_model::load(const std::string& path) {
    const nn::model_file file = nn::read_model_file(path);
    const std::string& header = file.signature;
    const std::size_t stored = file.values.size();
    auto value = [&](const char* key) { return detail::header_value(header, key, path); };
    evidence_mlp_settings s;
    s.hidden = detail::parse_count_list(value("hidden"), path + ": hidden");
    KNIT_CHECK_AS(io_error, s.hidden.size() <= stored,
                  path << ": got " << s.hidden.size() << " hidden layers, expected at most the " << stored
                       << " parameters the file holds (damaged or forged header)");
    s.ensemble = detail::parse_count(value("ensemble"), path);
    KNIT_CHECK_AS(io_error, s.ensemble >= 1 && s.ensemble <= 64, path << ": got ensemble " << s.ensemble << ", expected 1..64");
    for (std::size_t h : s.hidden)
        KNIT_CHECK_AS(io_error, h <= 4096, path << ": got a hidden layer of " << h << " units, expected at most 4096");
    s.evidence.families = split_names(value("families"));
    s.evidence.regression_lambda = detail::parse_exact(value("lambda"), path);
    s.evidence.deconvolution_radius = detail::parse_exact(value("radius"), path);
    s.evidence.responds_at = detail::parse_exact(value("responds_at"), path);
    const std::string release = value("release");
    if (release != "detect") s.evidence.dynamics.release_time = detail::parse_exact(release, path);
    s.evidence.dynamics.detection.burst = detail::parse_exact(value("release_burst"), path);
    s.evidence.dynamics.ridge_small = detail::parse_exact(value("ridge_small"), path);
    s.evidence.dynamics.ridge_large = detail::parse_exact(value("ridge_large"), path);
    auto m = std::make_unique<evidence_mlp_model>(s);
    const std::size_t columns = detail::parse_count(value("columns"), path);
    KNIT_CHECK_AS(io_error, columns == evidence_layout(s.evidence).columns.size(),
                  path << ": evidence-mlp with " << columns << " columns, expected "
                       << evidence_layout(s.evidence).columns.size() << " for its families");
    m->chosen_epochs_ = detail::parse_count(value("epochs"), path);
    m->trained_families_ = split_names(value("trained_families"));
    m->design_ = data_design::parse(value("design"), path);
    // Built, not compiled: the parameter count is known before any buffer is allocated.
    detail::check_parameter_count(path, stored, s.ensemble * build(s, columns)->parameter_count());
    std::vector<nn::sequential<float>*> nets;
    for (std::size_t i = 0; i < s.ensemble; ++i) {
        m->nets_.push_back(build(s, columns));
        m->nets_.back()->compile(0);
        nets.push_back(m->nets_.back().get());
    }
    nn::load_bundle<float>(path, nets);
    return m;
}

}  // namespace knit::grn
