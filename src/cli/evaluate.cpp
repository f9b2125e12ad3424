// knit-grn evaluate: the paper's models under the honest protocols (REFERENCE §5), beside
// the unsupervised baselines. knit-grn baselines: the baselines alone, with Fig. 2.
#include <iostream>
#include <map>

#include "common.hpp"
#include "knit/grn/features.hpp"

namespace knit::cli {
namespace {

struct evaluate_options : common_options {
    std::string protocol = "lono";
    std::string model = "all";
    std::string model_file;  // a trained model: rank every network with it, no training
    bool baselines = true;
};

std::vector<std::string> models_of(const std::string& m) {
    if (m == "all") return grn::pair_model_names();
    return {m};
}

void run_lono(evaluate_options& o, const std::vector<grn::network_data>& networks) {
    std::vector<grn::ranking_result> results;
    if (!o.model_file.empty()) {
        auto model = grn::load_pair_model(o.model_file);
        for (auto& r : grn::run_pretrained(networks, *model, model->name() + " (" + o.model_file + ")", progress_printer()))
            results.push_back(std::move(r));
    } else {
        std::vector<grn::model_spec> specs;
        for (const auto& m : models_of(o.model)) specs.push_back(model_spec_of(o, m));
        results = grn::run_leave_one_network_out(networks, specs, schedule_of(o), o.seed, progress_printer(),
                                                 std::size_t(o.threads));
    }
    if (o.baselines)
        for (auto& r : grn::run_baselines(networks, progress_printer(), std::size_t(o.threads)))
            results.push_back(std::move(r));
    write_rankings(o, results);
    for (const auto& n : networks) {
        std::vector<const grn::ranking_result*> mine;
        for (const auto& r : results)
            if (r.network == n.name) mine.push_back(&r);
        write_curve_plots(o, mine, n, "leave-one-network-out");
    }
    const std::string protocol = o.model_file.empty() ? "Leave-one-network-out" : "Trained model " + o.model_file + ", no training here";
    emit_table(o, protocol + ", DREAM metric over all " +
                      std::to_string(networks.front().experiments.gene_count() * (networks.front().experiments.gene_count() - 1)) +
                      " ordered pairs per network" + " (" + o.schedule + " schedule)",
               dream_table(results), "evaluate_lono");
    emit_json(o, {{"protocol", o.model_file.empty() ? "leave-one-network-out" : "pretrained"}, {"metric", "DREAM"}, {"schedule", o.schedule},
                  {"seed", o.seed}, {"results", dream_json(results)}},
              "evaluate_lono");
}

void run_pair_disjoint(evaluate_options& o, const std::vector<grn::network_data>& networks) {
    grn::table t({"method", "network", "test pairs", "positive", "AP (sklearn)", "ROC AUC (sklearn)", "seconds"});
    nlohmann::json rows = nlohmann::json::array();
    std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> baseline_rows;  // per network
    for (const auto& m : models_of(o.model)) {
        for (const auto& r : grn::run_pair_disjoint(networks, model_spec_of(o, m), schedule_of(o), o.seed, progress_printer(),
                                                         std::size_t(o.threads))) {
            t.add_row({m, r.network, std::to_string(r.test_pairs), std::to_string(r.test_positive_pairs),
                       grn::fixed(r.average_precision), grn::fixed(r.roc_auc), grn::fixed(r.seconds, 1)});
            rows.push_back({{"method", m}, {"network", r.network}, {"test_pairs", r.test_pairs},
                            {"average_precision", r.average_precision}, {"roc_auc", r.roc_auc}});
            if (o.baselines && m == models_of(o.model).front())
                for (const auto& [name, ap_auc] : r.baselines) {
                    t.add_row({name, r.network, std::to_string(r.test_pairs), std::to_string(r.test_positive_pairs),
                               grn::fixed(ap_auc.first), grn::fixed(ap_auc.second), "-"});
                    rows.push_back({{"method", name}, {"network", r.network}, {"test_pairs", r.test_pairs},
                                    {"average_precision", ap_auc.first}, {"roc_auc", ap_auc.second}});
                }
        }
    }
    emit_table(o, std::string("Pair-disjoint split within each network (20 % of the pairs held out, every perturbation "
                              "of a pair on one side); pair score = mean over perturbations (") + o.schedule + " schedule)",
               t, "evaluate_pair_disjoint");
    emit_json(o, {{"protocol", "pair-disjoint"}, {"seed", o.seed}, {"results", rows}}, "evaluate_pair_disjoint");
}

void run_evaluate(evaluate_options& o) {
    // Before any folder is made or any model trained: pair-disjoint ranks no full list.
    KNIT_CHECK_AS(value_error, o.edges.empty() || o.protocol == "lono",
                  "evaluate: got --edges with --protocol " << o.protocol
                                                           << ", expected lono (the pair-disjoint protocol scores "
                                                              "held-out pairs, not ranked lists)");
    prepare(o);
    const stopwatch clock;
    const auto networks = load_networks(o);
    KNIT_CHECK_AS(value_error, o.model_file.empty() || o.protocol == "lono",
                  "evaluate: got --model-file with --protocol " << o.protocol
                                                                << ", expected lono (a trained model ranks every network)");
    bool common_length = false;
    if (!o.model_file.empty()) {
        add_input(o, o.model_file, "--model-file");
        common_length = needs_common_length(model_kind_of_file(o.model_file));
    } else {
        for (const auto& m : models_of(o.model)) common_length = common_length || needs_common_length(m);
    }
    check_networks(networks, common_length);
    if (o.protocol == "lono") run_lono(o, networks);
    else run_pair_disjoint(o, networks);
    if (!o.json) std::cout << "\nwall time: " << grn::fixed(clock.seconds(), 1) << " s\n";
}

// The paper's Fig. 2: score distributions of regulatory vs non-regulatory pairs.
void write_figure_2(const common_options& o, const std::vector<grn::network_data>& networks) {
    for (const auto& n : networks)
        if (!n.experiments.has(grn::experiment_kind::time_series)) return;  // the figure is of time-series scores
    const std::vector<std::pair<std::string, std::string>> panels = {
        {"abs-pearson", "|Pearson correlation|"}, {"abs-lag1-correlation", "|lag-1 correlation|"},
        {"mutual-information", "mutual information (nats)"}};
    for (const auto& [name, label] : panels) {
        std::vector<double> regulatory, other;
        for (const auto& n : networks) {
            const tensor<double> s = grn::baseline_scores(name, n.experiments);
            for (std::size_t r = 0; r < n.gold.size(); ++r)
                for (std::size_t t = 0; t < n.gold.size(); ++t)
                    if (r != t) (n.gold.is_edge(r, t) ? regulatory : other).push_back(s(r, t));
        }
        grn::plot_options po;
        po.title = label + ", regulatory vs non-regulatory pairs (" + std::to_string(networks.size()) +
                   (networks.size() == 1 ? " network)" : " networks)");
        po.x_label = label;
        write_output(o, "fig2_" + name + ".svg", grn::svg_histograms({{"regulatory", regulatory}, {"non-regulatory", other}}, 40, po));
    }
}

void run_baselines_command(common_options& o) {
    prepare(o);
    const stopwatch clock;
    const auto networks = load_networks(o);
    check_networks(networks, false);
    const auto results = grn::run_baselines(networks, progress_printer(), std::size_t(o.threads));
    write_rankings(o, results);
    for (const auto& n : networks) {
        std::vector<const grn::ranking_result*> mine;
        for (const auto& r : results)
            if (r.network == n.name) mine.push_back(&r);
        write_curve_plots(o, mine, n, "unsupervised");
    }
    write_figure_2(o, networks);
    emit_table(o, "Unsupervised baselines, DREAM metric over all ordered pairs", dream_table(results), "baselines");
    emit_json(o, {{"metric", "DREAM"}, {"results", dream_json(results)}}, "baselines");
    if (!o.json) std::cout << "\nwall time: " << grn::fixed(clock.seconds(), 1) << " s\n";
}

}  // namespace

void add_evaluate(CLI::App& app) {
    auto o = std::make_shared<evaluate_options>();
    auto* sub = app.add_subcommand("evaluate", "honest evaluation: leave-one-network-out or pair-disjoint");
    add_shared_options(*sub, *o);
    sub->add_option("--protocol", o->protocol, "lono (DREAM metric) or pair-disjoint")->capture_default_str()->check(CLI::IsMember({"lono", "pair-disjoint"}));
    sub->add_option("--model", o->model, "rnn, cnn, ae-nn, context-mlp, evidence-mlp or all")->capture_default_str()->check(CLI::IsMember({"rnn", "cnn", "ae-nn", "context-mlp", "evidence-mlp", "all"}));
    sub->add_option("--model-file", o->model_file, "a model file (knit-grn train): rank every network with it, no training")
        ->check(CLI::ExistingFile)
        ->excludes(sub->get_option("--model"));
    sub->add_flag("!--no-baselines", o->baselines, "leave out the unsupervised baselines");
    sub->callback([o] { run_evaluate(*o); });
}

void add_baselines(CLI::App& app) {
    auto o = std::make_shared<common_options>();
    auto* sub = app.add_subcommand("baselines", "unsupervised baselines (|Pearson|, |lag-1 correlation|, MI, knockout and knockdown z-scores) and Fig. 2");
    add_shared_options(*sub, *o);
    sub->callback([o] { run_baselines_command(*o); });
}

}  // namespace knit::cli
