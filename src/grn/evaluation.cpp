#include "knit/grn/evaluation.hpp"

#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "knit/grn/dream4.hpp"
#include "knit/grn/features.hpp"
#include "knit/grn/models/ae_nn.hpp"
#include "knit/grn/models/cnn.hpp"
#include "knit/grn/models/context_mlp.hpp"
#include "knit/grn/models/evidence_mlp.hpp"
#include "knit/grn/models/rnn.hpp"
#include "knit/core/parallel.hpp"
#include "knit/core/stopwatch.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/protocol.hpp"
#include "knit/grn/steady_state_features.hpp"

namespace knit::grn {

namespace {
void say(const progress_fn& progress, const std::string& text) {
    if (progress) progress(text);
}
std::vector<int> labels_of(const pair_records& records, const std::vector<std::size_t>& indices) {
    std::vector<int> out;
    out.reserve(indices.size());
    for (std::size_t i : indices) out.push_back(records.label(i) ? 1 : 0);
    return out;
}
}  // namespace

network_data load_network(const std::string& root, int size, int index, const experiment_kinds& inputs) {
    experiment_set all = read_dream4_experiments(root, size, index);
    gold_standard gold = read_gold_standard(dream4_path(root, size, index, dream4_file::gold_standard), all.genes);
    network_data n{"size" + std::to_string(size) + "_" + std::to_string(index), all.restricted_to(inputs),
                   std::move(gold), std::nullopt};
    KNIT_CHECK_AS(value_error, !n.experiments.kinds().empty(),
                  "network " << n.name << " in '" << root << "': got " << all.kinds().to_string()
                             << ", none of which --inputs " << inputs.to_string() << " allows, expected at least one");
    const std::string density = dream4_path(root, size, index, dream4_file::null_density);
    if (std::filesystem::exists(density)) n.density = read_null_density(density);
    return n;
}

std::string to_string(schedule s) {
    switch (s) {
        case schedule::exact: return "exact";
        case schedule::standard: return "standard";
        case schedule::quick: return "quick";
    }
    return "unknown";
}

schedule schedule_from_string(const std::string& name) {
    for (schedule s : {schedule::exact, schedule::standard, schedule::quick})
        if (to_string(s) == name) return s;
    KNIT_CHECK_AS(value_error, false, "schedule: got '" << name << "', expected exact, standard or quick");
    return schedule::standard;
}

namespace {
std::unique_ptr<pair_model> scheduled_model(const std::string& name, schedule s);
}

std::unique_ptr<pair_model> make_pair_model(const model_spec& spec, schedule s) {
    auto model = scheduled_model(spec.name, s);
    for (const auto& [key, value] : spec.settings) model->configure(key, value);
    return model;
}

namespace {
std::unique_ptr<pair_model> scheduled_model(const std::string& name, schedule s) {
    if (s == schedule::exact) return make_pair_model(name);
    if (s == schedule::standard) {
        if (name != "cnn") return make_pair_model(name);
        cnn_settings c;
        c.batch_size = 32;  // 30 epochs of mini-batches instead of 1,500 full-batch updates
        return std::make_unique<cnn_model>(c);
    }
    if (name == "rnn") {
        rnn_settings r;
        r.epochs = 6;
        return std::make_unique<rnn_model>(r);
    }
    if (name == "cnn") {
        cnn_settings c;
        c.batch_size = 128;
        c.epochs = 2;
        return std::make_unique<cnn_model>(c);
    }
    if (name == "ae-nn") {
        ae_nn_settings a;
        a.autoencoder_epochs = 10;
        a.epochs = 8;
        return std::make_unique<ae_nn_model>(a);
    }
    if (name == "context-mlp") {
        context_mlp_settings c;
        c.ensemble = 1;
        return std::make_unique<context_mlp_model>(c);
    }
    if (name == "evidence-mlp") {
        evidence_mlp_settings e;
        e.ensemble = 1;
        e.epoch_candidates = {10};
        return std::make_unique<evidence_mlp_model>(e);
    }
    return make_pair_model(name);  // refuses the unknown name
}
}  // namespace

std::vector<seed_result> run_seed_protocol(const std::vector<network_data>& networks,
                                           const std::vector<std::string>& models, schedule s,
                                           std::uint64_t seed, const progress_fn& progress, std::size_t threads) {
    // One split per network, shared by all models, as in the paper; made first, in order.
    std::vector<pair_records> records;
    std::vector<record_split> splits;
    std::vector<std::vector<int>> labels;
    for (const auto& n : networks) {
        records.emplace_back(n.experiments, n.gold);
        splits.push_back(seed_protocol_split(records.back(), 0, seed));
        labels.push_back(labels_of(records.back(), splits.back().test));
    }
    // One task per (network, model), each with its own model, into its own slot in the
    // serial order (network by network, models in order).
    std::vector<seed_result> out(networks.size() * models.size());
    std::mutex progress_lock;
    parallel_for(out.size(), threads, [&](std::size_t t) {
        const std::size_t k = t / models.size();
        const std::string& name = models[t % models.size()];
        const stopwatch clock;
        auto model = make_pair_model(name, s);
        model->fit(records[k], splits[k].train, {seed});
        const std::vector<double> scores = model->score(records[k], splits[k].test);
        seed_result r;
        r.network = networks[k].name;
        r.model = name;
        r.train_records = splits[k].train.size();
        r.test_records = splits[k].test.size();
        r.seed_metrics = prec_rec(scores, labels[k]);
        r.average_precision = average_precision(scores, labels[k]);
        r.roc_auc = roc_auc(scores, labels[k]);
        r.seconds = clock.seconds();
        {
            const std::lock_guard<std::mutex> lock(progress_lock);
            say(progress, networks[k].name + " " + name + " done");
        }
        out[t] = std::move(r);
    });
    return out;
}

ranking_result score_matrix(const tensor<double>& scores, const network_data& network, const std::string& method) {
    ranking_result r;
    r.network = network.name;
    r.method = method;
    r.ranking = rank_edges(scores, network.experiments.genes);
    r.score = score_dream(r.ranking, network.gold, network.density ? &*network.density : nullptr);
    return r;
}

std::vector<std::string> baseline_names() {
    return {"abs-pearson", "abs-lag1-correlation", "mutual-information", "knockout-z", "knockdown-z"};
}

experiment_kinds baseline_inputs(const std::string& name) {
    if (name == "abs-pearson" || name == "abs-lag1-correlation" || name == "mutual-information")
        return {experiment_kind::time_series};
    if (name == "knockout-z") return {experiment_kind::knockouts};
    if (name == "knockdown-z") return {experiment_kind::knockdowns};
    KNIT_CHECK_AS(value_error, false,
                  "baseline: got '" << name
                                    << "', expected abs-pearson, abs-lag1-correlation, mutual-information, knockout-z "
                                       "or knockdown-z");
    return {};
}

std::vector<std::string> baseline_names_for(const experiment_kinds& available) {
    std::vector<std::string> out;
    for (const auto& name : baseline_names())
        if (available.contains(baseline_inputs(name))) out.push_back(name);
    return out;
}

tensor<double> baseline_scores(const std::string& name, const experiment_set& data) {
    data.require(baseline_inputs(name), name);
    if (name == "knockout-z") return xt::abs(perturbation_z_scores(data, experiment_kind::knockouts));
    if (name == "knockdown-z") return xt::abs(perturbation_z_scores(data, experiment_kind::knockdowns));
    return baseline_scores(name, data.time_series);
}

tensor<double> baseline_scores(const std::string& name, const time_series_data& data) {
    if (name == "abs-pearson") return xt::abs(pearson_scores(data));
    if (name == "abs-lag1-correlation") return xt::abs(lag_correlation_scores(data, 1));
    if (name == "mutual-information") return mutual_information_scores(data);
    // A known name that needs steady states, or an unknown name (baseline_inputs refuses it).
    throw value_error("baseline " + name + ": needs " + baseline_inputs(name).to_string() +
                      ", got a time series only");
}

std::vector<ranking_result> run_baselines(const std::vector<network_data>& networks, const progress_fn& progress,
                                          std::size_t threads) {
    experiment_kinds common = experiment_kinds::all();
    for (const auto& n : networks) common = common & n.experiments.kinds();
    const std::vector<std::string> names = baseline_names_for(common);
    // One task per (baseline, network), each into its own slot in the serial order.
    std::vector<ranking_result> out(names.size() * networks.size());
    std::mutex progress_lock;
    parallel_for(out.size(), threads, [&](std::size_t t) {
        const std::string& name = names[t / networks.size()];
        const network_data& n = networks[t % networks.size()];
        const stopwatch clock;
        ranking_result r = score_matrix(baseline_scores(name, n.experiments), n, name);
        r.seconds = clock.seconds();
        {
            const std::lock_guard<std::mutex> lock(progress_lock);
            say(progress, n.name + " " + name + " done");
        }
        out[t] = std::move(r);
    });
    return out;
}

std::vector<ranking_result> run_leave_one_network_out(const std::vector<network_data>& networks,
                                                      const std::vector<model_spec>& models, schedule s,
                                                      std::uint64_t seed, const progress_fn& progress,
                                                      std::size_t threads) {
    KNIT_CHECK_AS(value_error, networks.size() >= 2,
                  "leave-one-network-out: got " << networks.size() << " networks, expected at least 2");
    pair_records records;
    for (const auto& n : networks) records.add_network(n.experiments, n.gold);
    // One task per (model, fold). Each depends only on (records, model, k, seed): its own
    // model, split and training seed, exactly as when they ran one after another, so any
    // thread count gives the same results. The tasks read `records` and write their own slot.
    const std::size_t folds = networks.size();
    std::vector<ranking_result> out(models.size() * folds);
    std::mutex progress_lock;
    parallel_for(out.size(), threads, [&](std::size_t t) {
        const model_spec& model = models[t / folds];
        const std::size_t k = t % folds;
        const stopwatch clock;
        auto m = make_pair_model(model, s);
        const network_fold fold = leave_one_network_out(records, k, seed, m->balanced_training());
        m->fit(records, fold.train, {seed});
        const std::vector<double> scores = m->score(records, fold.test);
        const auto pairs = aggregate_pair_scores(records, fold.test, scores, pair_aggregation::mean);
        ranking_result r = score_matrix(pair_score_matrix(records, k, pairs), networks[k], model.label());
        r.seconds = clock.seconds();
        {
            const std::lock_guard<std::mutex> lock(progress_lock);
            say(progress, networks[k].name + " " + model.label() + " (held out) done");
        }
        out[t] = std::move(r);
    });
    return out;
}

std::vector<ranking_result> run_leave_one_network_out(const std::vector<network_data>& networks,
                                                      const model_spec& model, schedule s,
                                                      std::uint64_t seed, const progress_fn& progress,
                                                      std::size_t threads) {
    return run_leave_one_network_out(networks, std::vector<model_spec>{model}, s, seed, progress, threads);
}

std::vector<ranking_result> run_pretrained(const std::vector<network_data>& networks, pair_model& model,
                                           const std::string& method, const progress_fn& progress) {
    std::vector<ranking_result> out;
    for (const auto& n : networks) {
        const stopwatch clock;
        // Every record gets label 0 here: the model never sees the gold standard.
        pair_records records(n.experiments, gold_standard(n.experiments.genes));
        const auto all = records.all_indices();
        const auto pairs = aggregate_pair_scores(records, all, model.score(records, all), pair_aggregation::mean);
        ranking_result r = score_matrix(pair_score_matrix(records, 0, pairs), n, method);
        r.seconds = clock.seconds();
        say(progress, n.name + " " + method + " done");
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<pair_split_result> run_pair_disjoint(const std::vector<network_data>& networks,
                                                 const model_spec& model, schedule s,
                                                 std::uint64_t seed, const progress_fn& progress,
                                                 std::size_t threads) {
    // One task per network, its own records, split and model, into its own slot.
    std::vector<pair_split_result> out(networks.size());
    std::mutex progress_lock;
    parallel_for(networks.size(), threads, [&](std::size_t k) {
        const network_data& n = networks[k];
        const stopwatch clock;
        pair_records records(n.experiments, n.gold);
        const record_split split = pair_disjoint_split(records, records.all_indices(), seed);
        auto m = make_pair_model(model, s);
        m->fit(records, split.train, {seed});
        const std::vector<double> scores = m->score(records, split.test);
        const auto pairs = aggregate_pair_scores(records, split.test, scores, pair_aggregation::mean);
        std::vector<double> pair_scores;
        std::vector<int> pair_labels;
        for (const auto& p : pairs) {
            pair_scores.push_back(p.score);
            pair_labels.push_back(p.label ? 1 : 0);
        }
        std::set<std::pair<std::size_t, std::size_t>> train_pairs;
        for (std::size_t i : split.train) {
            const pair_record r = records.record(i);
            train_pairs.insert({r.regulator, r.target});
        }
        pair_split_result r;
        r.network = n.name;
        r.model = model.label();
        r.train_pairs = train_pairs.size();
        r.test_pairs = pairs.size();
        for (int l : pair_labels) r.test_positive_pairs += std::size_t(l);
        r.average_precision = average_precision(pair_scores, pair_labels);
        r.roc_auc = roc_auc(pair_scores, pair_labels);
        for (const auto& name : baseline_names_for(n.experiments.kinds())) {
            const tensor<double> b = baseline_scores(name, n.experiments);
            std::vector<double> on_test;
            for (const auto& p : pairs) on_test.push_back(b(p.regulator, p.target));
            r.baselines[name] = {average_precision(on_test, pair_labels), roc_auc(on_test, pair_labels)};
        }
        r.seconds = clock.seconds();
        {
            const std::lock_guard<std::mutex> lock(progress_lock);
            say(progress, n.name + " " + model.label() + " pair-disjoint done");
        }
        out[k] = std::move(r);
    });
    return out;
}

const std::vector<paper_numbers>& paper_seed_results() {
    static const std::vector<paper_numbers> numbers = {
        {"cnn", {0.790, 0.686, 0.676, 0.604, 0.605}, {0.846, 0.814, 0.718, 0.681, 0.703}},
        {"ae-nn", {0.795, 0.822, 0.629, 0.663, 0.711}, {0.839, 0.829, 0.656, 0.708, 0.733}},
        {"rnn", {0.804, 0.805, 0.637, 0.636, 0.641}, {0.855, 0.822, 0.654, 0.683, 0.652}},
    };
    return numbers;
}

}  // namespace knit::grn
