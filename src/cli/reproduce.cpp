// knit-grn reproduce: the paper's seed protocol (REFERENCE §4) for its three models on
// the five size-100 networks, beside the paper's numbers. The seed protocol leaks (the
// split is at the record level); the output says so.
#include <cmath>
#include <iostream>
#include <map>

#include "common.hpp"

namespace knit::cli {
namespace {

struct reproduce_options : common_options {
    std::vector<std::string> models{"rnn", "cnn", "ae-nn"};
    std::size_t repeats = 1;
};

std::pair<double, double> mean_sd(const std::vector<double>& v) {
    double m = 0, s = 0;
    for (double x : v) m += x;
    m /= double(v.size());
    for (double x : v) s += (x - m) * (x - m);
    return {m, v.size() > 1 ? std::sqrt(s / double(v.size() - 1)) : std::nan("")};
}

std::string with_sd(const std::pair<double, double>& ms) {
    return std::isnan(ms.second) ? grn::fixed(ms.first) : grn::fixed(ms.first) + " ± " + grn::fixed(ms.second);
}

void run(reproduce_options& o) {
    prepare(o);
    for (std::size_t i = 0; i < o.models.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            KNIT_CHECK_AS(value_error, o.models[i] != o.models[j],
                          "--models: got " << o.models[i] << " twice, expected each model once");
    const stopwatch clock;
    const auto networks = load_networks(o);
    check_networks(networks, true);
    std::map<std::pair<std::string, std::string>, std::vector<grn::seed_result>> runs;  // (model, network)
    for (std::size_t r = 0; r < o.repeats; ++r)
        for (auto& res : grn::run_seed_protocol(networks, o.models, schedule_of(o), o.seed + r, progress_printer(),
                                                        std::size_t(o.threads)))
            runs[{res.model, res.network}].push_back(res);

    grn::table t({"model", "network", "AUROC (prec_rec)", "AUPR (prec_rec)", "AP (sklearn)", "ROC AUC (sklearn)",
                  "paper AUROC", "paper AUPR", "seconds"});
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& model : o.models) {
        const grn::paper_numbers* paper = nullptr;
        for (const auto& p : grn::paper_seed_results())
            if (p.model == model) paper = &p;
        std::vector<double> all_auroc, all_aupr, paper_auroc, paper_aupr;
        for (std::size_t i = 0; i < networks.size(); ++i) {
            const auto& rs = runs[{model, networks[i].name}];
            std::vector<double> auroc, aupr, ap, auc;
            double seconds = 0;
            for (const auto& r : rs) {
                auroc.push_back(r.seed_metrics.auroc), aupr.push_back(r.seed_metrics.aupr);
                ap.push_back(r.average_precision), auc.push_back(r.roc_auc), seconds += r.seconds;
            }
            const int k = o.networks[i];
            const bool in_paper = paper && o.size == 100 && k >= 1 && k <= 5;
            const double p_auroc = in_paper ? paper->auroc[k - 1] : std::nan("");
            const double p_aupr = in_paper ? paper->aupr[k - 1] : std::nan("");
            all_auroc.push_back(mean_sd(auroc).first), all_aupr.push_back(mean_sd(aupr).first);
            if (in_paper) paper_auroc.push_back(p_auroc), paper_aupr.push_back(p_aupr);
            t.add_row({model, networks[i].name, with_sd(mean_sd(auroc)), with_sd(mean_sd(aupr)), with_sd(mean_sd(ap)),
                       with_sd(mean_sd(auc)), grn::fixed(p_auroc), grn::fixed(p_aupr), grn::fixed(seconds, 1)});
            rows.push_back({{"model", model}, {"network", networks[i].name}, {"auroc_prec_rec", auroc},
                            {"aupr_prec_rec", aupr}, {"average_precision", ap}, {"roc_auc", auc},
                            {"paper_auroc", in_paper ? nlohmann::json(p_auroc) : nlohmann::json(nullptr)},
                            {"paper_aupr", in_paper ? nlohmann::json(p_aupr) : nlohmann::json(nullptr)},
                            {"train_records", rs.front().train_records}, {"test_records", rs.front().test_records},
                            {"seconds", seconds}});
        }
        t.add_row({model, "mean", grn::fixed(mean_sd(all_auroc).first), grn::fixed(mean_sd(all_aupr).first), "", "",
                   paper_auroc.empty() ? "-" : grn::fixed(mean_sd(paper_auroc).first),
                   paper_aupr.empty() ? "-" : grn::fixed(mean_sd(paper_aupr).first), ""});
    }
    const std::string title = "Seed protocol (the paper's: balanced records, record-level 80/20 split; it leaks, "
                              "see docs/grn.md), " + std::to_string(o.repeats) + " seed(s) from " +
                              std::to_string(o.seed) + ", " + o.schedule + " schedule";
    emit_table(o, title, t, "reproduce");
    emit_json(o, {{"protocol", "seed"}, {"schedule", o.schedule}, {"repeats", o.repeats},
                  {"seed", o.seed}, {"results", rows}, {"seconds", clock.seconds()}},
              "reproduce");
    if (!o.json) std::cout << "\nwall time: " << grn::fixed(clock.seconds(), 1) << " s\n";
}

}  // namespace

void add_reproduce(CLI::App& app) {
    auto o = std::make_shared<reproduce_options>();
    auto* sub = app.add_subcommand("reproduce", "the paper's seed protocol and models, beside its numbers");
    add_shared_options(*sub, *o);
    sub->add_option("--models", o->models, "models to run")->capture_default_str()->check(CLI::IsMember({"rnn", "cnn", "ae-nn"}));
    sub->add_option("--repeats", o->repeats, "seeds to run (mean ± sd); the paper's split was unseeded")
        ->capture_default_str()
        ->check(positive_integer("number of seeds"));
    sub->callback([o] { run(*o); });
}

}  // namespace knit::cli
