#include "common.hpp"

#include <unistd.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "knit/core/atomic_file.hpp"
#include "knit/core/blas.hpp"
#include "knit/core/parallel.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/dream4.hpp"
#include "knit/grn/experiment_set.hpp"
#include "knit/grn/models/pair_model.hpp"
#include "knit/nn/serialize.hpp"

namespace knit::cli {

CLI::Validator kinds_validator() {
    return CLI::Validator(
        [](std::string& v) {
            try {
                grn::experiment_kinds::parse(v);
            } catch (const knit::error& e) {
                std::string message = e.what();
                return message.substr(0, message.find(" [check `"));
            }
            return std::string();
        },
        "KINDS");
}

namespace {

// One shared option: the subcommands that take it, and how it is added. To give an option
// to another subcommand, add the subcommand to its row; a new shared option is a new row.
struct shared_option {
    std::vector<std::string> subcommands;
    void (*add)(CLI::App&, common_options&);
};

// A seed: a decimal number 0 .. 2^64-1, nothing else (CLI11 would wrap -1 and saturate
// 2^64 to 2^64-1 without a word).
CLI::Validator seed_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const std::string max = "18446744073709551615";
            const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || text.size() > max.size() || (text.size() == max.size() && text > max))
                return "got '" + grn::detail::shorten(text) + "', expected a decimal number from 0 to " + max;
            return "";
        },
        "0..2^64-1");
}

// --threads: a decimal count from 1 to 1024; the message names the default.
CLI::Validator thread_count() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const bool digits = !text.empty() && text.size() <= 4 &&
                                text.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || std::stoi(text) < 1 || std::stoi(text) > 1024)
                return "got '" + grn::detail::shorten(text) + "', expected a thread count from 1 to 1024 (default: " +
                       std::to_string(default_threads()) + ", the number of cores" +
                       (ranks().size() > 1 ? " over this machine's MPI ranks)" : ")");
            return "";
        },
        "1..1024");
}

const std::vector<shared_option>& shared_options() {
    static const std::vector<shared_option> table = {
        {{"reproduce", "evaluate", "baselines", "train", "predict", "score", "infer"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--data", o.data, "DREAM4-layout data folder (default: $KNIT_DREAM4_DIR)");
         }},
        {{"reproduce", "evaluate", "baselines", "train", "predict", "score", "infer"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--size", o.size, "network size label (DREAM4: 10 or 100)")
                 ->capture_default_str()
                 ->check(positive_integer("network size"));
         }},
        {{"reproduce", "evaluate", "baselines", "train"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--networks", o.networks, "network numbers, e.g. --networks 1 2 3 (default: all in --data)")
                 ->check(positive_integer("network number"));
         }},
        {{"demo", "reproduce", "evaluate", "train", "simulate"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--seed", o.seed, "random seed (splits, initial weights, shuffling, simulation)")
                 ->capture_default_str()
                 ->check(seed_number());
         }},
        {{"demo", "reproduce", "evaluate", "baselines", "train", "predict", "infer", "simulate"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--threads", o.threads,
                          "threads for knit's parallel tasks (evaluation folds, baselines, simulated experiments, "
                          "training folds and ensemble members, blocks of pairs and chunks of records to score; docs/threads.md); BLAS "
                          "runs on one thread, so the results are the same for every N (default: the number of cores)")
                 ->check(thread_count());
         }},
        {{"predict", "infer"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--block-rows", o.block_rows,
                          "pair rows per scoring block of context-mlp and evidence-mlp; each of the --threads tasks "
                          "holds one block's features and activations, so lower it when memory is short (the list "
                          "is the same for every value up to the scores' last float bits; docs/threads.md). Streamed "
                          "(infer --streaming), a task's features are about 32 regulators' rows whatever the value")
                 ->each([&o](const std::string&) { o.block_rows_given = true; })
                 ->capture_default_str()
                 ->check(CLI::Range(std::size_t(1), std::size_t(1) << 24));
         }},
        {{"demo", "reproduce", "evaluate", "baselines", "score"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--out", o.out, "folder for TSV, JSON and SVG results (created if missing)");
         }},
        {{"evaluate", "baselines"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--edges", o.edges,
                          "folder for every ranked list scored, one file per method and network "
                          "(<method>_<network>.tsv; created if missing)");
             a.add_option("--edges-format", o.edges_format, "format of the --edges files: dream, arboreto or beeline")
                 ->capture_default_str()
                 ->check(CLI::IsMember({"dream", "arboreto", "beeline"}))
                 ->needs(a.get_option("--edges"));
         }},
        {{"reproduce", "evaluate", "baselines", "train", "predict", "score", "simulate"},
         [](CLI::App& a, common_options& o) {
             a.add_flag("--json", o.json, "print JSON on stdout instead of tables (progress stays on stderr)");
         }},
        {{"reproduce", "evaluate", "train"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--schedule", o.schedule,
                          "training: exact (REFERENCE §3 to the letter; the CNN's 1,500 full-batch updates are slow), "
                          "standard (exact but CNN mini-batches), quick (a tenth)")
                 ->capture_default_str()
                 ->check(CLI::IsMember({"exact", "standard", "quick"}));
         }},
        {{"demo", "simulate"},
         [](CLI::App& a, common_options& o) {
             a.add_flag("--force", o.force, "replace the data set already in the folder");
         }},
        {{"evaluate", "baselines", "train", "predict", "infer"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--inputs", o.inputs,
                          "experiment kinds the model may use: all (everything present), or a list of timeseries, "
                          "wildtype, knockouts, knockdowns, multifactorial separated by commas")
                 ->capture_default_str()
                 ->check(kinds_validator());
         }},
        {{"evaluate", "train"},
         [](CLI::App& a, common_options& o) {
             a.add_option("--model-option", o.model_settings,
                          "a model setting key=value, repeatable (evidence-mlp: hidden=64,32 ensemble=3 families=... "
                          "epochs=5,15,40 lr batch family_dropout copies lambda; context-mlp: hidden ensemble epochs lr batch)")
                 ->take_all();
         }},
    };
    return table;
}

// The path of a file for messages: at most 200 characters.
std::string shown(const std::string& path) {
    return path.size() <= 200 ? path : path.substr(0, 200) + "...";
}

}  // namespace

CLI::Validator positive_integer(const std::string& what) {
    return CLI::Validator(
        [what](std::string& text) -> std::string {
            const bool digits = !text.empty() && text.size() <= 9 &&
                                text.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || std::stol(text) < 1)
                return "got '" + grn::detail::shorten(text) + "', expected a " + what + " from 1 to 999999999";
            return "";
        },
        "INT>=1");
}

void add_shared_options(CLI::App& sub, common_options& o) {
    for (const auto& option : shared_options())
        for (const auto& name : option.subcommands)
            if (name == sub.get_name()) option.add(sub, o);
}

grn::experiment_kinds inputs_of(const common_options& o) { return grn::experiment_kinds::parse(o.inputs); }

grn::model_spec model_spec_of(const common_options& o, const std::string& name) {
    grn::model_spec spec(name);
    for (const auto& kv : o.model_settings) spec.add_setting(kv);
    return spec;
}

void prepare(common_options& o, bool needs_data) {
    // BLAS on one thread everywhere, not only inside parallel_for's tasks: multi-threaded
    // OpenBLAS can move the last bits of a product, and no number knit-grn prints may depend
    // on --threads (before --threads meant BLAS threads, 1 by default; the scripts that
    // publish numbers rely on that default). --threads is parallel_for's.
    set_blas_threads(1);
    for (std::size_t i = 0; i < o.networks.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            KNIT_CHECK_AS(value_error, o.networks[i] != o.networks[j],
                          "--networks: got network " << o.networks[i] << " twice, expected each network once");
    if (needs_data && o.data.empty()) {
        const char* env = std::getenv("KNIT_DREAM4_DIR");
        KNIT_CHECK_AS(value_error, env != nullptr && *env != '\0',
                      "no data folder: got neither --data nor $KNIT_DREAM4_DIR, expected one of them "
                      "(or run `knit-grn simulate --out DIR` to make a data set)");
        o.data = env;
    }
    if (needs_data)
        KNIT_CHECK_AS(io_error, std::filesystem::is_directory(o.data),
                      "data folder '" << shown(o.data) << "': not a directory, expected a DREAM4-layout folder");
    auto create_folder = [](const std::string& folder, const char* option) {
        if (folder.empty()) return;
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        KNIT_CHECK_AS(io_error, !ec && std::filesystem::is_directory(folder),
                      option << " '" << shown(folder) << "': cannot create the folder: "
                             << (ec ? ec.message() : std::string("a file is in the way")));
    };
    create_folder(o.out, "--out");
    create_folder(o.edges, "--edges");
}

void add_input(common_options& o, const std::string& path, const std::string& what) {
    if (!path.empty()) o.input_files.emplace_back(path, what);
}

void check_same_inputs_on_every_rank(const common_options& o, const grn::experiment_set& data,
                                     const std::string& settings) {
    if (ranks().size() == 1) return;
    std::uint64_t hash = 14695981039346656037ull;
    const auto add_bytes = [&hash](const void* bytes, std::size_t count) {
        const auto* p = static_cast<const unsigned char*>(bytes);
        for (std::size_t i = 0; i < count; ++i) hash = (hash ^ p[i]) * 1099511628211ull;
    };
    const auto add_text = [&](const std::string& text) { add_bytes(text.data(), text.size() + 1); };
    for (const auto& gene : data.genes) add_text(gene);
    for (const auto& experiment : data.time_series.experiments) {
        add_bytes(experiment.times.data(), experiment.times.size() * sizeof(double));
        add_bytes(experiment.values.data(), experiment.values.size() * sizeof(double));
    }
    for (grn::experiment_kind kind : {grn::experiment_kind::wildtype, grn::experiment_kind::knockouts,
                                      grn::experiment_kind::knockdowns, grn::experiment_kind::multifactorial})
        if (const grn::steady_state_data* table = data.steady_state(kind)) {
            add_bytes(table->values.data(), table->values.size() * sizeof(double));
            add_bytes(table->perturbed.data(), table->perturbed.size() * sizeof(std::size_t));
        }
    for (const auto& [path, option] : o.input_files) add_text(path + " " + option);
    add_text(settings);
    check_same_on_every_rank(ranks(), hash, "the inputs (data, files and options; a hash)");
}

void check_output(const common_options& o, const std::string& path, const std::string& what) {
    if (path.empty()) return;
    std::error_code ec;
    KNIT_CHECK_AS(value_error, !std::filesystem::is_directory(path, ec),
                  what << " '" << shown(path) << "': got a directory, expected a file path to write");
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    KNIT_CHECK_AS(value_error, parent.empty() || std::filesystem::is_directory(parent, ec),
                  what << " '" << shown(path) << "': the folder '" << shown(parent.string())
                       << "' does not exist, expected an existing folder");
    for (const auto& [input, option] : o.input_files)
        KNIT_CHECK_AS(value_error, !same_file(path, input),
                      what << " '" << shown(path) << "': got the same file as the input '" << shown(input) << "' ("
                           << option << "), expected another path (knit never writes over its inputs)");
    // The write replaces `path` by a rename: over a device, a pipe or a symbolic link, that
    // would replace the special file or the link itself, not write into it.
    KNIT_CHECK_AS(value_error, !std::filesystem::is_symlink(path, ec),
                  what << " '" << shown(path) << "': got a symbolic link, expected a plain file path (knit writes a "
                       << "new file and renames it into place, which would replace the link; give the link's target)");
    KNIT_CHECK_AS(value_error, !std::filesystem::exists(path, ec) || std::filesystem::is_regular_file(path, ec),
                  what << " '" << shown(path) << "': got a device, pipe or socket, expected a plain file path"
                       << (what == "--out" ? " (use --out - for stdout)" : ""));
}

void add_network_inputs(common_options& o, int network) {
    using grn::dream4_file;
    for (dream4_file f : {dream4_file::time_series, dream4_file::wildtype, dream4_file::knockouts,
                          dream4_file::knockdowns, dream4_file::multifactorial, dream4_file::gold_standard,
                          dream4_file::gold_standard_signed, dream4_file::dual_knockout_indexes,
                          dream4_file::multifactorial_gene_map, dream4_file::null_density}) {
        const std::string path = grn::dream4_path(o.data, o.size, network, f);
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) add_input(o, path, "--data");
    }
}

std::string model_kind_of_file(const std::string& path) {
    return grn::detail::header_value(nn::read_model_file(path).signature, "model", path);
}

void check_block_rows_apply(const common_options& o, const std::string& method) {
    KNIT_CHECK_AS(value_error, !o.block_rows_given || method == "context-mlp" || method == "evidence-mlp",
                  "--block-rows: sizes the pair-scoring blocks of context-mlp and evidence-mlp, and " + method +
                      (method == "rnn" || method == "cnn" || method == "ae-nn"
                           ? " scores its records in chunks of a fixed size"
                           : " scores one matrix of all pairs") +
                      "; expected no --block-rows with it");
}

std::vector<grn::network_data> load_networks(common_options& o) {
    if (o.networks.empty()) {  // every network 1, 2, ... whose data are there
        o.networks = grn::dream4_networks(o.data, o.size);
        KNIT_CHECK_AS(io_error, !o.networks.empty(),
                      "data folder '" << shown(o.data) << "': got no size-" << o.size << " network, expected "
                                      << grn::dream4_path(o.data, o.size, 1, grn::dream4_file::time_series));
    }
    std::vector<grn::network_data> out;
    for (int k : o.networks) {
        out.push_back(load_one_network(o, k));
        note_missing_wildtype(out.back().name, out.back().experiments);
    }
    return out;
}

void note_missing_wildtype(const std::string& name, const grn::experiment_set& data) {
    if (data.has(grn::experiment_kind::wildtype) || ranks().rank() != 0) return;
    for (grn::experiment_kind kind : {grn::experiment_kind::knockouts, grn::experiment_kind::knockdowns})
        if (data.has(kind))
            std::cerr << "knit-grn: note: " << name << ": no wild type; the z-scores of the " << grn::to_string(kind)
                      << " use the median of their rows as each gene's reference\n";
}

void check_trained_length(const std::string& model_file, const std::string& model, const grn::experiment_set& data) {
    if (!needs_common_length(model)) return;
    const std::string header = nn::read_model_file(model_file).signature;
    const std::size_t trained =
        grn::detail::parse_count(grn::detail::header_value(header, "time_points", model_file), model_file);
    for (const auto& e : data.time_series.experiments)
        if (e.time_points() != trained)
            throw parse_error(data.file(grn::experiment_kind::time_series), e.first_line, 0,
                              "got an experiment of " + std::to_string(e.time_points()) + " time points, expected " +
                                  std::to_string(trained) + ", the length " + model + " model '" + model_file +
                                  "' was trained on");
}

grn::network_data load_one_network(common_options& o, int network) {
    add_network_inputs(o, network);
    return grn::load_network(o.data, o.size, network, inputs_of(o));
}

bool needs_common_length(const std::string& model) { return model == "rnn" || model == "cnn" || model == "ae-nn"; }

void check_networks(const std::vector<grn::network_data>& networks, bool common_length) {
    std::vector<const grn::experiment_set*> sets;
    for (const auto& n : networks) sets.push_back(&n.experiments);
    check_experiments(sets, common_length);
}

void check_experiments(const std::vector<const grn::experiment_set*>& sets, bool common_length) {
    std::string reference_file;  // the first experiment seen, which sets the common length
    std::size_t reference_line = 0, reference_points = 0;
    for (const grn::experiment_set* each : sets) {
        const grn::experiment_set& set = *each;
        std::string file;
        for (grn::experiment_kind kind : grn::all_experiment_kinds)
            if (file.empty() && set.has(kind)) file = set.file(kind);
        if (set.gene_count() < 2)
            throw parse_error(file, 1, 0,
                              "got " + std::to_string(set.gene_count()) +
                                  (set.gene_count() == 1 ? " gene" : " genes") +
                                  " in the header, expected at least 2 (knit ranks pairs of genes)");
        if (!set.has(grn::experiment_kind::time_series)) continue;
        const std::string& series = set.file(grn::experiment_kind::time_series);
        for (const auto& e : set.time_series.experiments) {
            if (e.time_points() < 2)
                throw parse_error(series, e.first_line, 0,
                                  "got an experiment of 1 time point, expected at least 2 (a series; an empty "
                                  "line starts the next experiment)");
            if (!common_length) continue;
            if (reference_points == 0) {
                reference_file = series, reference_line = e.first_line, reference_points = e.time_points();
            } else if (e.time_points() != reference_points) {
                throw parse_error(series, e.first_line, 0,
                                  "got an experiment of " + std::to_string(e.time_points()) +
                                      " time points, expected " + std::to_string(reference_points) +
                                      " like the experiment at " + reference_file + ":" +
                                      std::to_string(reference_line) +
                                      " (the paper's models read series of one length)");
            }
        }
    }
}

grn::schedule schedule_of(const common_options& o) { return grn::schedule_from_string(o.schedule); }

std::string write_output(const common_options& o, const std::string& name, const std::string& content) {
    if (o.out.empty()) return "";
    const std::string path = (std::filesystem::path(o.out) / name).string();
    check_output(o, path, "--out");
    write_file_atomically(path, content);
    return path;
}

namespace {
// A method name as part of a file name: letters, digits, '.', '_' and '-' stay, every run
// of other characters becomes one '-' ("rnn (m.knit)" -> "rnn-m.knit").
std::string file_stem(const std::string& name) {
    std::string out;
    for (char c : name) {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
        if (keep) out += c;
        else if (!out.empty() && out.back() != '-') out += '-';
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? "method" : out;
}
}  // namespace

void write_rankings(const common_options& o, const std::vector<grn::ranking_result>& results) {
    if (o.edges.empty()) return;
    const grn::edge_format format = grn::edge_format_from_string(o.edges_format);
    const std::string extension = format == grn::edge_format::beeline ? ".csv" : ".tsv";
    std::vector<std::string> paths;
    for (const auto& r : results) {
        const std::string path =
            (std::filesystem::path(o.edges) / (file_stem(r.method) + "_" + file_stem(r.network) + extension)).string();
        for (const auto& earlier : paths)
            KNIT_CHECK_AS(value_error, earlier != path,
                          "--edges: two rankings map to the file '" << shown(path) << "', expected one file per method and network");
        check_output(o, path, "--edges");
        paths.push_back(path);
    }
    for (std::size_t i = 0; i < results.size(); ++i) grn::write_edges(paths[i], results[i].ranking, format);
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
                        {"p_aupr", num(r.score.p_aupr)}, {"aupr_ratio", num(r.score.aupr_ratio)},
                        {"early_precision", num(r.score.early_precision)}, {"epr", num(r.score.epr)},
                        {"seconds", r.seconds}});
    return rows;
}

}  // namespace knit::cli
