#include "common.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "knit/core/blas.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"

namespace knit::cli {

void add_common(CLI::App& app, common_options& o, bool data) {
    if (data) {
        app.add_option("--data", o.data, "DREAM4-layout data folder (default: $KNIT_DREAM4_DIR)");
        app.add_option("--size", o.size, "network size label (DREAM4: 10 or 100)")->capture_default_str()->check(CLI::PositiveNumber);
        app.add_option("--networks", o.networks, "network numbers, e.g. --networks 1 2 3 (default: all in --data)")->check(CLI::PositiveNumber);
    }
    app.add_option("--seed", o.seed, "random seed (splits, initial weights, shuffling)")->capture_default_str();
    app.add_option("--threads", o.threads, "BLAS threads")->capture_default_str()->check(CLI::Range(1, 256));
    app.add_option("--out", o.out, "folder for TSV, JSON and SVG results (created if missing)");
    app.add_flag("--json", o.json, "print JSON on stdout instead of tables");
}

void add_inputs(CLI::App& app, common_options& o) {
    app.add_option("--inputs", o.inputs,
                   "experiment kinds the model may use: all (everything present), or a list of timeseries, wildtype, "
                   "knockouts, knockdowns, multifactorial separated by commas")
        ->capture_default_str()
        ->check([](const std::string& v) {
            try {
                grn::experiment_kinds::parse(v);
            } catch (const knit::error& e) {
                return std::string(e.what());
            }
            return std::string();
        });
}

void add_model_settings(CLI::App& app, common_options& o) {
    app.add_option("--model-option", o.model_settings,
                   "a model setting key=value, repeatable (evidence-mlp: hidden=64,32 ensemble=3 families=... epochs=5,15,40 "
                   "lr batch family_dropout copies lambda; context-mlp: hidden ensemble epochs lr batch)")
        ->take_all();
}

grn::experiment_kinds inputs_of(const common_options& o) { return grn::experiment_kinds::parse(o.inputs); }

grn::model_spec model_spec_of(const common_options& o, const std::string& name) {
    grn::model_spec spec(name);
    for (const auto& kv : o.model_settings) spec.add_setting(kv);
    return spec;
}

void prepare(common_options& o, bool needs_data) {
    set_blas_threads(o.threads);
    if (needs_data && o.data.empty()) {
        const char* env = std::getenv("KNIT_DREAM4_DIR");
        KNIT_CHECK_AS(value_error, env != nullptr && *env != '\0',
                      "no data folder: got neither --data nor $KNIT_DREAM4_DIR, expected one of them "
                      "(or run `knit-grn simulate --out DIR` to make a data set)");
        o.data = env;
    }
    if (needs_data)
        KNIT_CHECK_AS(io_error, std::filesystem::is_directory(o.data),
                      "data folder '" << o.data << "': not a directory, expected a DREAM4-layout folder");
    if (!o.out.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(o.out, ec);
        KNIT_CHECK_AS(io_error, !ec, "--out '" << o.out << "': cannot create the folder: " << ec.message());
    }
}

std::vector<grn::network_data> load_networks(common_options& o) {
    if (o.networks.empty()) {  // every network 1, 2, ... whose data are there
        o.networks = grn::dream4_networks(o.data, o.size);
        KNIT_CHECK_AS(io_error, !o.networks.empty(),
                      "data folder '" << o.data << "': got no size-" << o.size << " network, expected "
                                      << grn::dream4_path(o.data, o.size, 1, grn::dream4_file::time_series));
    }
    std::vector<grn::network_data> out;
    for (int k : o.networks) out.push_back(grn::load_network(o.data, o.size, k, inputs_of(o)));
    return out;
}

grn::schedule schedule_of(const common_options& o) { return grn::schedule_from_string(o.schedule); }

void add_schedule(CLI::App& app, common_options& o) {
    app.add_option("--schedule", o.schedule,
                   "training: exact (REFERENCE §3 to the letter; the CNN's 1,500 full-batch updates are slow), "
                   "standard (exact but CNN mini-batches), quick (a tenth)")
        ->capture_default_str()
        ->check(CLI::IsMember({"exact", "standard", "quick"}));
}

std::string write_output(const common_options& o, const std::string& name, const std::string& content) {
    if (o.out.empty()) return "";
    const std::string path = (std::filesystem::path(o.out) / name).string();
    grn::detail::write_file_atomically(path, content);
    return path;
}

void emit_table(const common_options& o, const std::string& title, const grn::table& t, const std::string& name) {
    if (!o.json) std::cout << "\n" << title << "\n" << t.to_text() << std::flush;
    write_output(o, name + ".tsv", t.to_tsv());
}

void emit_json(const common_options& o, const nlohmann::json& doc, const std::string& name) {
    if (o.json) std::cout << doc.dump(2) << std::endl;
    write_output(o, name + ".json", doc.dump(2) + "\n");
}

grn::progress_fn progress_printer() {
    if (isatty(fileno(stderr)) != 1) return {};
    return [](const std::string& line) { std::cerr << "  " << line << std::endl; };
}

void write_curve_plots(const common_options& o, const std::vector<const grn::ranking_result*>& rankings,
                       const grn::network_data& network, const std::string& protocol) {
    if (o.out.empty() || rankings.empty()) return;
    std::vector<grn::plot_series> roc, pr;
    for (const auto* r : rankings) {
        const grn::dream_curves c = grn::dream_curve_points(r->ranking, network.gold);
        grn::plot_series a{r->method + " (AUROC " + grn::fixed(r->score.auroc) + ")", {}, {}};
        for (auto [x, y] : c.roc) a.x.push_back(x), a.y.push_back(y);
        grn::plot_series b{r->method + " (AUPR " + grn::fixed(r->score.aupr) + ")", {}, {}};
        for (auto [x, y] : c.pr) b.x.push_back(x), b.y.push_back(y);
        roc.push_back(std::move(a));
        pr.push_back(std::move(b));
    }
    grn::plot_options po;
    po.x_min = po.y_min = 0;
    po.x_max = po.y_max = 1;
    po.title = "ROC, " + network.name + " (" + protocol + ", DREAM metric)";
    po.x_label = "false positive rate";
    po.y_label = "true positive rate";
    po.diagonal = true;
    write_output(o, "roc_" + network.name + ".svg", grn::svg_line_plot(roc, po));
    po.title = "Precision-recall, " + network.name + " (" + protocol + ", DREAM metric)";
    po.x_label = "recall";
    po.y_label = "precision";
    po.diagonal = false;
    write_output(o, "pr_" + network.name + ".svg", grn::svg_line_plot(pr, po));
}

grn::table dream_table(const std::vector<grn::ranking_result>& results) {
    grn::table t({"method", "network", "AUROC", "AUPR", "p(AUROC)", "p(AUPR)", "seconds"});
    std::map<std::string, std::vector<const grn::ranking_result*>> by_method;
    std::vector<std::string> order;
    for (const auto& r : results) {
        if (!by_method.count(r.method)) order.push_back(r.method);
        by_method[r.method].push_back(&r);
        t.add_row({r.method, r.network, grn::fixed(r.score.auroc), grn::fixed(r.score.aupr),
                   grn::scientific(r.score.p_auroc), grn::scientific(r.score.p_aupr), grn::fixed(r.seconds, 1)});
    }
    for (const auto& method : order) {
        const auto& rs = by_method[method];
        double auroc = 0, aupr = 0, seconds = 0;
        bool have_p = true;
        std::vector<grn::dream_score> scores;
        for (const auto* r : rs) {
            auroc += r->score.auroc, aupr += r->score.aupr, seconds += r->seconds;
            have_p = have_p && !std::isnan(r->score.p_auroc) && !std::isnan(r->score.p_aupr);
            scores.push_back(r->score);
        }
        const double n = double(rs.size());
        t.add_row({method, "mean", grn::fixed(auroc / n), grn::fixed(aupr / n),
                   have_p ? "overall" : "-", have_p ? grn::fixed(grn::overall_score(scores), 2) : "-",
                   grn::fixed(seconds, 1)});
    }
    return t;
}

nlohmann::json dream_json(const std::vector<grn::ranking_result>& results) {
    nlohmann::json rows = nlohmann::json::array();
    auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
    for (const auto& r : results)
        rows.push_back({{"method", r.method}, {"network", r.network}, {"auroc", num(r.score.auroc)},
                        {"aupr", num(r.score.aupr)}, {"p_auroc", num(r.score.p_auroc)},
                        {"p_aupr", num(r.score.p_aupr)}, {"seconds", r.seconds}});
    return rows;
}

}  // namespace knit::cli
