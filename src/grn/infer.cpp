#include "knit/grn/infer.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "knit/core/error.hpp"
#include "knit/grn/detail/text.hpp"
#include "knit/grn/evaluation.hpp"
#include "knit/grn/models/context_mlp.hpp"
#include "knit/grn/pairs.hpp"

#ifndef KNIT_SOURCE_MODEL_DIR
#define KNIT_SOURCE_MODEL_DIR ""
#endif
#ifndef KNIT_INSTALLED_MODEL_DIR
#define KNIT_INSTALLED_MODEL_DIR ""
#endif

namespace knit::grn {
namespace {

// "'a', 'b', 'c' and 2 more" for messages.
std::string listed(const std::vector<std::string>& names) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(names.size(), 5);
    for (std::size_t i = 0; i < shown; ++i) out += (i ? ", '" : "'") + detail::shorten(names[i]) + "'";
    if (names.size() > shown) out += " and " + std::to_string(names.size() - shown) + " more";
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// The gene indices named by `names` (every gene when empty), ascending, each once, so the
// ranking's tie order is the data's gene order whatever the order of the list.
std::vector<std::size_t> chosen_genes(const std::vector<std::string>& names, const std::vector<std::string>& genes,
                                      const char* what) {
    std::vector<std::size_t> out;
    if (names.empty()) {
        for (std::size_t g = 0; g < genes.size(); ++g) out.push_back(g);
        return out;
    }
    const gene_index index(genes);
    std::vector<std::string> unknown;
    for (const auto& name : names) {
        if (const auto g = index.find(name)) out.push_back(*g);
        else unknown.push_back(name);
    }
    KNIT_CHECK_AS(value_error, unknown.empty(),
                  "infer: " << unknown.size() << " of the " << names.size() << " " << what << " are not genes of the data ("
                            << listed(unknown) << "); the data have " << genes.size() << " genes (" << listed(genes) << ")");
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool is_baseline(const std::string& name) {
    const auto names = baseline_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

// The chosen pairs of the inference's scores as flat indices row * G + t, best first; ties
// in (regulator, target) order of the data's genes. The row of regulator r is r in (G, G)
// scores, and its place among the regulators in streamed (R, G) ones (score_rows are the
// regulators then). With top_k > 0 only the best top_k are sorted and kept.
std::vector<std::size_t> ranked_pairs(const pair_inference& inferred, const std::vector<std::string>& genes,
                                      const std::vector<std::size_t>& regulators,
                                      const std::vector<std::size_t>& targets, std::size_t top_k,
                                      std::size_t threads, communicator* ranks, std::size_t& pairs_scored) {
    const bool streamed = !inferred.score_rows.empty();
    KNIT_CHECK_AS(state_error, !streamed || inferred.score_rows == regulators,
                  "infer: the streamed scores' rows are not the chosen regulators");
    const std::size_t g = genes.size();
    std::vector<std::size_t> pairs;
    pairs.reserve(regulators.size() * targets.size());
    for (std::size_t i = 0; i < regulators.size(); ++i)
        for (std::size_t t : targets)
            if (regulators[i] != t) pairs.push_back((streamed ? i : regulators[i]) * g + t);
    pairs_scored = pairs.size();
    if (!streamed) return rank_pair_indices(inferred.scores, genes, std::move(pairs), top_k, threads, ranks);
    return rank_pair_indices(inferred.scores, inferred.row_names(genes), genes, std::move(pairs), top_k, threads, ranks);
}

// Scores every rank computed alone (a baseline): rank 0's, on every rank.
void use_rank_zero_scores(tensor<double>& scores, communicator* ranks) {
    if (ranks) use_rank_zero_values(*ranks, scores.data(), scores.size(), "infer: the scores");
}

// The models that rank pairs from whole-network features score every pair at once, in
// parallel blocks (pair_model::score_all_pairs). The record models score only the chosen
// pairs' records (the mean over a pair's records), in parallel chunks dealt over the ranks
// (score_in_chunks); the other entries stay 0 and are not read.
tensor<double> model_scores(pair_model& model, const experiment_set& data, const std::vector<std::size_t>& regulators,
                            const std::vector<std::size_t>& targets, std::size_t threads, std::size_t block_rows,
                            communicator* ranks) {
    pair_scoring_options scoring;
    scoring.threads = threads;
    scoring.block_rows = block_rows;
    scoring.ranks = ranks;
    if (model.name() == "context-mlp" || model.name() == "evidence-mlp") return model.score_all_pairs(data, scoring);
    // No labels here: an empty gold standard gives every record label 0.
    const pair_records records(data, gold_standard(data.genes));
    const std::size_t per_pair = records.records_per_pair(0);
    std::vector<std::size_t> indices;
    for (std::size_t r : regulators)
        for (std::size_t t : targets)
            if (r != t)
                for (std::size_t p = 0; p < per_pair; ++p) indices.push_back(records.index_of({0, r, t, p}));
    tensor<double> out = xt::zeros<double>({data.gene_count(), data.gene_count()});
    for (const auto& p : aggregate_pair_scores(records, indices, model.score(records, indices, scoring), pair_aggregation::mean))
        out(p.regulator, p.target) = p.score;
    return out;  // the same on every rank: each record was scored on one rank, and the ranks summed
}

}  // namespace

std::vector<std::string> shipped_model_names() { return {"evidence-mlp", "context-mlp"}; }

std::vector<std::string> infer_method_names() {
    std::vector<std::string> out = shipped_model_names();
    for (const auto& b : baseline_names()) out.push_back(b);
    return out;
}

std::string default_method(const experiment_kinds& present) {
    return present.without({experiment_kind::time_series}).empty() ? "context-mlp" : "evidence-mlp";
}

std::string shipped_model_path(const std::string& name) {
    const auto names = shipped_model_names();
    KNIT_CHECK_AS(value_error, std::find(names.begin(), names.end(), name) != names.end(),
                  "shipped model: got '" << detail::shorten(name) << "', expected one of " << joined(names));
    std::vector<std::string> folders;
    if (const char* env = std::getenv("KNIT_MODEL_DIR"); env && *env) folders.emplace_back(env);
    for (const char* compiled : {KNIT_SOURCE_MODEL_DIR, KNIT_INSTALLED_MODEL_DIR})
        if (*compiled) folders.emplace_back(compiled);
    std::string tried;
    for (const auto& folder : folders) {
        const std::string path = (std::filesystem::path(folder) / (name + ".knit")).string();
        std::error_code ec;
        if (std::filesystem::is_regular_file(path, ec)) return path;
        tried += (tried.empty() ? "" : ", ") + path;
    }
    KNIT_CHECK_AS(io_error, false,
                  "shipped model '" << name << "': not found (looked for " << (tried.empty() ? "nothing" : tried)
                                    << "); set KNIT_MODEL_DIR to the folder holding " << name << ".knit");
    return {};
}

std::unique_ptr<pair_model> load_shipped_model(const std::string& name) {
    return load_pair_model(shipped_model_path(name));
}

pair_inference infer_pairs(const experiment_set& given, const infer_options& options) {
    KNIT_CHECK_AS(value_error, options.method.empty() || options.model_file.empty(),
                  "infer: got both method '" << options.method << "' and model file '" << options.model_file
                                             << "', expected one of them");
    const experiment_set data = given.restricted_to(options.inputs);
    data.validate();
    KNIT_CHECK_AS(value_error, data.gene_count() >= 2,
                  "infer: got " << data.gene_count() << " gene, expected at least 2 to rank pairs");
    const auto regulators = chosen_genes(options.regulators, data.genes, "regulators");
    const auto targets = chosen_genes(options.targets, data.genes, "targets");
    KNIT_CHECK_AS(value_error, regulators.size() > 1 || targets.size() > 1 || regulators != targets,
                  "infer: the regulators and targets leave no pair to rank (the only gene of both is '"
                      << data.genes[regulators.front()] << "'), expected a regulator and a different target");

    pair_inference out;
    out.used = data.kinds();
    std::unique_ptr<pair_model> model;
    tensor<double>& scores = out.scores;
    // Refused before any scoring, so a genome-scale baseline is not computed first.
    const auto check_streaming = [&](const std::string& kind) {
        KNIT_CHECK_AS(value_error, options.streamed != infer_options::streaming::always || kind == "context-mlp",
                      "infer: streamed scoring is context-mlp's (its features in passes over the rows), got method '"
                          << kind << "'; expected context-mlp, or no streaming");
    };
    if (!options.model_file.empty()) {
        model = load_pair_model(options.model_file);
        out.method = model->name() + " (" + options.model_file + ")";
        check_streaming(model->name());
    } else {
        const std::string method = options.method.empty() ? default_method(data.kinds()) : options.method;
        check_streaming(method);
        if (is_baseline(method)) {
            out.method = method;
            scores = baseline_scores(method, data);
            use_rank_zero_scores(scores, options.ranks);
        } else {
            const auto shipped = shipped_model_names();
            KNIT_CHECK_AS(value_error, std::find(shipped.begin(), shipped.end(), method) != shipped.end(),
                          "infer: got method '" << detail::shorten(method) << "', expected one of "
                                                << joined(infer_method_names())
                                                << " (the paper's rnn, cnn and ae-nn have no shipped model: train one "
                                                   "with knit-grn train and give the model file)");
            model = load_shipped_model(method);
            out.method = method + " (shipped)";
        }
    }
    // The kinds the method reads: a baseline's inputs, or a model's needs (evidence-mlp
    // needs none and reads every kind present).
    experiment_kinds reads = model ? (model->name() == "evidence-mlp" ? experiment_kinds::all() : model->required_inputs())
                                   : baseline_inputs(out.method);
    // The perturbation z-scores take their reference from the wild type when there is one.
    if (reads.has(experiment_kind::knockouts) || reads.has(experiment_kind::knockdowns))
        reads.add(experiment_kind::wildtype);
    const experiment_kinds unread = data.kinds().without(reads);
    if (!unread.empty())
        out.warnings.push_back("the data's " + unread.to_string() + " are not used: " +
                               (model ? model->name() : out.method) + " reads " + reads.to_string() +
                               " only (pick another --method to use them)");
    const std::string kind = model ? model->name() : out.method;
    if (model) {
        data.require(model->required_inputs(), model->name());
        for (auto& w : model->warnings(data)) out.warnings.push_back(std::move(w));
        if (streams(kind, data.gene_count(), options.streamed)) {
            pair_scoring_options scoring;
            scoring.threads = options.threads;
            scoring.block_rows = options.block_rows;
            scoring.ranks = options.ranks;
            scores = dynamic_cast<context_mlp_model&>(*model).score_regulators(data.time_series, regulators, scoring);
            out.score_rows = regulators;
        } else {
            scores = model_scores(*model, data, regulators, targets, options.threads, options.block_rows, options.ranks);
        }
    }
    out.order = ranked_pairs(out, data.genes, regulators, targets, options.top_k, options.threads, options.ranks,
                             out.pairs_scored);
    return out;
}

bool streams(const std::string& method_or_model_kind, std::size_t genes, infer_options::streaming setting) {
    if (method_or_model_kind != "context-mlp" || setting == infer_options::streaming::never) return false;
    // Eleven (G, G) matrices of doubles: context-mlp's ten feature scores and the scores.
    const double whole_bytes = 11.0 * double(genes) * double(genes) * sizeof(double);
    return setting == infer_options::streaming::always || whole_bytes > double(std::size_t(2) << 30);
}

inference infer(const experiment_set& data, const infer_options& options) {
    pair_inference pairs = infer_pairs(data, options);
    inference out;
    out.edges.reserve(pairs.order.size());
    for (std::size_t k : pairs.order)
        out.edges.push_back({data.genes[pairs.regulator_of(k)], data.genes[pairs.target_of(k)], pairs.scores.data()[k]});
    out.method = std::move(pairs.method);
    out.pairs_scored = pairs.pairs_scored;
    out.used = pairs.used;
    out.warnings = std::move(pairs.warnings);
    return out;
}

}  // namespace knit::grn
