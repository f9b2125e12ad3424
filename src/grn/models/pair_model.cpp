#include "knit/grn/models/pair_model.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "knit/grn/models/ae_nn.hpp"
#include "knit/grn/models/cnn.hpp"
#include "knit/grn/models/context_mlp.hpp"
#include "knit/grn/models/evidence_mlp.hpp"
#include "knit/grn/models/rnn.hpp"
#include "knit/nn/serialize.hpp"

namespace knit::grn {

std::vector<std::string> pair_model_names() { return {"rnn", "cnn", "ae-nn", "context-mlp", "evidence-mlp"}; }

std::unique_ptr<pair_model> make_pair_model(const std::string& name) {
    if (name == "rnn") return std::make_unique<rnn_model>();
    if (name == "cnn") return std::make_unique<cnn_model>();
    if (name == "ae-nn") return std::make_unique<ae_nn_model>();
    if (name == "context-mlp") return std::make_unique<context_mlp_model>();
    if (name == "evidence-mlp") return std::make_unique<evidence_mlp_model>();
    KNIT_CHECK_AS(value_error, false, "model: got '" << name << "', expected rnn, cnn, ae-nn, context-mlp or evidence-mlp");
    return nullptr;
}

std::unique_ptr<pair_model> load_pair_model(const std::string& path) {
    const nn::model_file f = nn::read_model_file(path);
    const std::string kind = detail::header_value(f.signature, "model", path);
    if (kind == "rnn") return rnn_model::load(path);
    if (kind == "cnn") return cnn_model::load(path);
    if (kind == "ae-nn") return ae_nn_model::load(path);
    if (kind == "context-mlp") return context_mlp_model::load(path);
    if (kind == "evidence-mlp") return evidence_mlp_model::load(path);
    KNIT_CHECK_AS(io_error, false, path << ": model kind '" << kind << "', expected rnn, cnn, ae-nn, context-mlp or evidence-mlp");
    return nullptr;
}

void pair_model::configure(const std::string& key, const std::string&) {
    KNIT_CHECK_AS(value_error, false, name() << ": got setting '" << key << "', expected none (this model has no settings)");
}

std::vector<std::string> pair_model::warnings(const experiment_set&) const { return {}; }

tensor<double> pair_model::score_all_pairs(const experiment_set& data, const pair_scoring_options& options) {
    // No labels are needed to score: an empty gold standard gives every record label 0.
    pair_records records;
    records.add_network(data, gold_standard(data.genes));
    const auto all = records.all_indices();
    const auto pairs = aggregate_pair_scores(records, all, score(records, all, options), pair_aggregation::mean);
    tensor<double> out = pair_score_matrix(records, 0, pairs);
    // A model whose score() ignores the ranks scored everything on every rank; rank 0's
    // scores are the ones every rank ranks (two machines' CPUs can round differently).
    if (options.ranks) use_rank_zero_values(*options.ranks, out.data(), out.size(), "pair scoring: the pairs scored");
    return out;
}

std::string model_spec::label() const {
    std::string out = name;
    for (std::size_t i = 0; i < settings.size(); ++i)
        out += (i == 0 ? "[" : ",") + settings[i].first + "=" + settings[i].second + (i + 1 == settings.size() ? "]" : "");
    return out;
}

void model_spec::add_setting(const std::string& key_value) {
    const auto eq = key_value.find('=');
    KNIT_CHECK_AS(value_error, eq != std::string::npos && eq > 0,
                  "model setting: got '" << key_value << "', expected key=value (e.g. hidden=32)");
    settings.emplace_back(key_value.substr(0, eq), key_value.substr(eq + 1));
}

namespace detail {

std::vector<std::size_t> parse_count_list(const std::string& text, const std::string& what) {
    std::vector<std::size_t> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        char* end = nullptr;
        const unsigned long long v = std::strtoull(item.c_str(), &end, 10);
        KNIT_CHECK_AS(value_error, !item.empty() && end && *end == '\0' && item[0] != '-' && v > 0 && v < 1000000,
                      what << ": got '" << text << "', expected positive whole numbers separated by commas");
        out.push_back(std::size_t(v));
    }
    KNIT_CHECK_AS(value_error, !out.empty(), what << ": got '" << text << "', expected at least one number");
    return out;
}

double parse_setting_number(const std::string& text, const std::string& what, double low, double high) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    KNIT_CHECK_AS(value_error, !text.empty() && end && *end == '\0' && std::isfinite(v) && v >= low && v <= high,
                  what << ": got '" << text << "', expected a number in [" << low << ", " << high << "]");
    return v;
}


std::optional<std::string> find_header_value(const std::string& header, const std::string& key) {
    std::istringstream in(header);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("=== model", 0) == 0) break;
        if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == '=')
            return line.substr(key.size() + 1);
    }
    return std::nullopt;
}

std::string header_value(const std::string& header, const std::string& key, const std::string& path) {
    auto value = find_header_value(header, key);
    KNIT_CHECK_AS(io_error, value.has_value(), path << ": model file header has no '" << key << "=' line");
    return *value;
}

std::string exact(double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%a", value);
    return buf;
}

double parse_exact(const std::string& text, const std::string& path) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    KNIT_CHECK_AS(io_error, end != text.c_str() && *end == '\0',
                  path << ": model file header value '" << text << "', expected a number");
    return v;
}

std::size_t parse_count(const std::string& text, const std::string& path) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    KNIT_CHECK_AS(io_error, !text.empty() && text[0] != '-' && end != text.c_str() && *end == '\0' && v > 0 && v < (1ull << 32),
                  path << ": model file header value '" << text << "', expected a positive count");
    return static_cast<std::size_t>(v);
}

std::size_t header_count(const std::string& header, const std::string& key, const std::string& path,
                         std::size_t limit) {
    const std::size_t v = parse_count(header_value(header, key, path), path);
    KNIT_CHECK_AS(io_error, v <= limit,
                  path << ": model file header " << key << "=" << v << ", expected at most " << limit
                       << " (the file holds " << limit << " parameters; damaged or forged header)");
    return v;
}

void check_parameter_count(const std::string& path, std::size_t in_file, std::size_t needed) {
    KNIT_CHECK_AS(io_error, in_file == needed,
                  path << ": model file holds " << in_file << " parameters, expected " << needed
                       << " for the networks its header describes (damaged or forged header)");
}

nn::adam<float> keras_adam(double lr) {
    nn::adam_options o = nn::adam_options::keras();
    o.lr = lr;
    return nn::adam<float>(o);
}

nn::fit_options<float> fit_settings(std::size_t epochs, std::size_t batch_size, std::uint64_t seed, bool progress) {
    nn::fit_options<float> o;
    o.epochs = epochs;
    o.batch_size = batch_size;
    o.seed = seed;
    o.verbose = progress ? nn::verbosity::automatic : nn::verbosity::silent;
    return o;
}

void check_inputs(const pair_records& records, const std::vector<std::size_t>& indices, const char* model,
                  const experiment_kinds& needed) {
    std::vector<bool> checked(records.network_count(), false);
    for (std::size_t i : indices) {
        const std::size_t k = records.record(i).network;
        if (checked[k]) continue;
        records.network_data(k).require(needed, model);
        checked[k] = true;
    }
}

void check_trainable(const pair_records& records, const std::vector<std::size_t>& train, const char* model,
                     const experiment_kinds& needed) {
    KNIT_CHECK_AS(value_error, !train.empty(), model << " training set: got no records, expected some");
    check_inputs(records, train, model, needed);
    std::size_t positives = 0;
    for (std::size_t i : train) positives += records.label(i);
    KNIT_CHECK_AS(value_error, positives > 0 && positives < train.size(),
                  model << " training set: got " << positives << " positive records of " << train.size()
                        << ", expected both classes");
}

}  // namespace detail
}  // namespace knit::grn
