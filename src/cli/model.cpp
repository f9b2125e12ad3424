// knit-grn train / predict / score: a model file from labelled networks, a DREAM
// prediction list from a model and a time series, and the DREAM metric of a list.
#include <cmath>
#include <iostream>

#include "common.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/pairs.hpp"
#include "knit/grn/protocol.hpp"

namespace knit::cli {
namespace {

struct train_options : common_options {
    std::string model = "rnn";
    std::string save;
};

void run_train(train_options& o) {
    prepare(o);
    const stopwatch clock;
    const auto networks = load_networks(o);
    grn::pair_records records;
    for (const auto& n : networks) records.add_network(n.experiments, n.gold);
    auto model = grn::make_pair_model(model_spec_of(o, o.model), schedule_of(o));
    // Every positive record of each network plus as many negatives (REFERENCE §2), or every
    // record for models that learn from all pairs.
    rng g(o.seed);
    std::vector<std::size_t> train;
    for (std::size_t k = 0; k < records.network_count(); ++k) {
        const auto chosen = model->balanced_training() ? grn::balance_records(records, records.network_indices(k), g)
                                                       : records.network_indices(k);
        train.insert(train.end(), chosen.begin(), chosen.end());
    }
    model->fit(records, train, {o.seed, true});
    model->save(o.save);
    if (o.json) {
        std::cout << nlohmann::json{{"model", o.model}, {"file", o.save}, {"records", train.size()},
                                    {"parameters", model->parameter_count()}, {"seconds", clock.seconds()}}.dump(2)
                  << std::endl;
    } else {
        std::cout << model->summary() << "\ntrained " << o.model << " on " << train.size() << (model->balanced_training() ? " balanced" : "") << " records of "
                  << networks.size() << " network(s) in " << grn::fixed(clock.seconds(), 1) << " s; saved to " << o.save << "\n";
    }
}

struct predict_options : common_options {
    std::string model_file;
    std::string timeseries;
    // Steady-state files beside (or instead of) the time series, in the DREAM4 format.
    std::string wildtype, knockouts, knockdowns, multifactorial;
    int network = 0;
    std::string prediction;
    bool has_files() const {
        return !timeseries.empty() || !wildtype.empty() || !knockouts.empty() || !knockdowns.empty() || !multifactorial.empty();
    }
};

// The data of --timeseries and the steady-state files, with the genes of the first file.
grn::experiment_set read_given_files(const predict_options& o) {
    grn::experiment_set data;
    std::vector<std::string> genes;
    if (!o.timeseries.empty()) {
        data = grn::experiments_from_time_series(grn::read_time_series(o.timeseries), o.timeseries);
        genes = data.genes;
    }
    const std::pair<const std::string*, grn::steady_state_kind> files[] = {
        {&o.wildtype, grn::steady_state_kind::wildtype},
        {&o.knockouts, grn::steady_state_kind::knockouts},
        {&o.knockdowns, grn::steady_state_kind::knockdowns},
        {&o.multifactorial, grn::steady_state_kind::multifactorial}};
    for (const auto& [path, kind] : files) {
        if (path->empty()) continue;
        grn::steady_state_data table = grn::read_steady_state(*path, kind, genes);
        if (genes.empty()) genes = table.genes;
        grn::add_steady_state(data, std::move(table), *path);
    }
    data.validate();
    return data;
}

void run_predict(predict_options& o) {
    prepare(o, !o.has_files());
    KNIT_CHECK_AS(value_error, o.has_files() || o.network > 0,
                  "predict: got neither data files (--timeseries, --knockouts, ...) nor --network, expected one of them");
    const grn::experiment_set data =
        (o.has_files() ? read_given_files(o) : grn::read_dream4_experiments(o.data, o.size, o.network)).restricted_to(inputs_of(o));
    auto model = grn::load_pair_model(o.model_file);
    for (const auto& w : model->warnings(data)) std::cerr << "knit-grn: warning: " << w << "\n";
    // No labels are needed to score: an empty gold standard gives every record label 0.
    grn::pair_records records(data, grn::gold_standard(data.genes));
    const auto all = records.all_indices();
    const auto scores = model->score(records, all);
    const auto pairs = grn::aggregate_pair_scores(records, all, scores, grn::pair_aggregation::mean);
    const auto ranking = grn::rank_edges(grn::pair_score_matrix(records, 0, pairs), data.genes);
    grn::write_prediction(o.prediction, ranking);
    if (!o.json)
        std::cout << "ranked " << ranking.size() << " ordered pairs of " << data.gene_count() << " genes with "
                  << model->name() << "; wrote " << o.prediction << "\n";
}

struct score_options : common_options {
    std::string prediction, gold, density;
    int network = 0;
};

void run_score(score_options& o) {
    const bool from_folder = o.gold.empty();
    prepare(o, from_folder);
    KNIT_CHECK_AS(value_error, !from_folder || o.network > 0,
                  "score: got neither --gold nor --network, expected one of them");
    const auto ranking = grn::read_prediction(o.prediction);
    grn::gold_standard gold = from_folder ? grn::read_gold_standard(grn::dream4_path(o.data, o.size, o.network, grn::dream4_file::gold_standard))
                                          : grn::read_gold_standard(o.gold);
    std::optional<grn::null_density> density;
    if (!o.density.empty()) density = grn::read_null_density(o.density);
    else if (from_folder) {
        const grn::network_data n = grn::load_network(o.data, o.size, o.network);
        density = n.density;
    }
    const grn::dream_score s = grn::score_dream(ranking, gold, density ? &*density : nullptr);
    grn::table t({"prediction", "AUROC", "AUPR", "p(AUROC)", "p(AUPR)", "ranked", "true positives"});
    t.add_row({o.prediction, grn::fixed(s.auroc, 4), grn::fixed(s.aupr, 4), grn::scientific(s.p_auroc),
               grn::scientific(s.p_aupr), std::to_string(s.ranked), std::to_string(s.true_positives)});
    emit_table(o, "DREAM metric", t, "score");
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    emit_json(o, {{"prediction", o.prediction}, {"auroc", num(s.auroc)}, {"aupr", num(s.aupr)},
                  {"p_auroc", num(s.p_auroc)}, {"p_aupr", num(s.p_aupr)}, {"ranked", s.ranked},
                  {"dropped_self_loops", s.dropped_self_loops}, {"dropped_unknown_genes", s.dropped_unknown_genes},
                  {"dropped_repeats", s.dropped_repeats}},
              "score");
}

}  // namespace

void add_train(CLI::App& app) {
    auto o = std::make_shared<train_options>();
    auto* sub = app.add_subcommand("train", "train a pair model on labelled networks and save it");
    add_common(*sub, *o);
    sub->add_option("--model", o->model, "rnn, cnn, ae-nn, context-mlp or evidence-mlp")->capture_default_str()->check(CLI::IsMember({"rnn", "cnn", "ae-nn", "context-mlp", "evidence-mlp"}));
    sub->add_option("--save", o->save, "model file to write")->required();
    add_schedule(*sub, *o);
    add_inputs(*sub, *o);
    add_model_settings(*sub, *o);
    sub->callback([o] { run_train(*o); });
}

void add_predict(CLI::App& app) {
    auto o = std::make_shared<predict_options>();
    auto* sub = app.add_subcommand("predict", "rank all ordered gene pairs of a time series into a DREAM prediction list");
    add_common(*sub, *o);
    sub->add_option("--model-file", o->model_file, "a file written by knit-grn train")->required()->check(CLI::ExistingFile);
    sub->add_option("--timeseries", o->timeseries, "a DREAM4-format time-series file")->check(CLI::ExistingFile);
    sub->add_option("--wildtype", o->wildtype, "a DREAM4-format wild-type file")->check(CLI::ExistingFile);
    sub->add_option("--knockouts", o->knockouts, "a DREAM4-format knockout file (row i knocks out gene i)")->check(CLI::ExistingFile);
    sub->add_option("--knockdowns", o->knockdowns, "a DREAM4-format knockdown file")->check(CLI::ExistingFile);
    sub->add_option("--multifactorial", o->multifactorial, "a DREAM4-format multifactorial file")->check(CLI::ExistingFile);
    add_inputs(*sub, *o);
    sub->add_option("--network", o->network, "or: network number in --data")->check(CLI::PositiveNumber);
    sub->add_option("--prediction", o->prediction, "the list to write (Gi Gj score, best first)")->required();
    sub->callback([o] { run_predict(*o); });
}

void add_score(CLI::App& app) {
    auto o = std::make_shared<score_options>();
    auto* sub = app.add_subcommand("score", "score a DREAM prediction list against a gold standard (DREAM metric)");
    add_common(*sub, *o);
    sub->add_option("--prediction", o->prediction, "the prediction list")->required()->check(CLI::ExistingFile);
    sub->add_option("--gold", o->gold, "gold-standard file (all pairs or positives only)")->check(CLI::ExistingFile);
    sub->add_option("--density", o->density, "null density (pdf_*.tsv) for p-values")->check(CLI::ExistingFile);
    sub->add_option("--network", o->network, "or: network number in --data (gold standard and density from there)")->check(CLI::PositiveNumber);
    sub->callback([o] { run_score(*o); });
}

}  // namespace knit::cli
