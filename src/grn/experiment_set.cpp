// A network's experiment set (see include/knit/grn/experiment_set.hpp).
#include "knit/grn/experiment_set.hpp"

#include <sstream>

#include "knit/core/error.hpp"

namespace knit::grn {

const char* to_string(experiment_kind kind) {
    switch (kind) {
        case experiment_kind::time_series: return "timeseries";
        case experiment_kind::wildtype: return "wildtype";
        case experiment_kind::knockouts: return "knockouts";
        case experiment_kind::knockdowns: return "knockdowns";
        case experiment_kind::multifactorial: return "multifactorial";
    }
    return "unknown";
}

experiment_kind experiment_kind_from_string(const std::string& name) {
    for (experiment_kind k : all_experiment_kinds)
        if (name == to_string(k)) return k;
    KNIT_CHECK_AS(value_error, false,
                  "experiment kind: got '" << name
                                           << "', expected timeseries, wildtype, knockouts, knockdowns or multifactorial");
    return experiment_kind::time_series;
}

steady_state_kind steady_state_kind_of(experiment_kind kind) {
    switch (kind) {
        case experiment_kind::wildtype: return steady_state_kind::wildtype;
        case experiment_kind::knockouts: return steady_state_kind::knockouts;
        case experiment_kind::knockdowns: return steady_state_kind::knockdowns;
        case experiment_kind::multifactorial: return steady_state_kind::multifactorial;
        case experiment_kind::time_series: break;
    }
    KNIT_CHECK_AS(value_error, false, "experiment kind: got timeseries, expected a steady-state kind");
    return steady_state_kind::other;
}

experiment_kinds::experiment_kinds(std::initializer_list<experiment_kind> kinds) {
    for (experiment_kind k : kinds) add(k);
}

experiment_kinds experiment_kinds::all() {
    experiment_kinds out;
    for (experiment_kind k : all_experiment_kinds) out.add(k);
    return out;
}

experiment_kinds experiment_kinds::from_bits(std::uint8_t bits) {
    experiment_kinds out;
    out.bits_ = static_cast<std::uint8_t>(bits & all().bits_);
    return out;
}

experiment_kinds& experiment_kinds::add(experiment_kind kind) {
    bits_ = static_cast<std::uint8_t>(bits_ | (1u << unsigned(kind)));
    return *this;
}

experiment_kinds experiment_kinds::parse(const std::string& list) {
    auto trim = [](std::string s) {
        const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    if (trim(list) == "all") return all();
    experiment_kinds out;
    std::size_t start = 0;
    while (true) {
        const std::size_t comma = list.find(',', start);
        const std::string name = trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        KNIT_CHECK_AS(value_error, !name.empty(),
                      "experiment kinds '" << list << "': got an empty name, expected names separated by commas or 'all'");
        const experiment_kind k = experiment_kind_from_string(name);
        KNIT_CHECK_AS(value_error, !out.has(k),
                      "experiment kinds '" << list << "': got '" << name << "' twice, expected each kind once");
        out.add(k);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<experiment_kind> experiment_kinds::list() const {
    std::vector<experiment_kind> out;
    for (experiment_kind k : all_experiment_kinds)
        if (has(k)) out.push_back(k);
    return out;
}

std::string experiment_kinds::to_string() const {
    if (empty()) return "none";
    std::string out;
    for (experiment_kind k : list()) out += (out.empty() ? "" : ",") + std::string(grn::to_string(k));
    return out;
}

// --- experiment_set -------------------------------------------------------------------

bool experiment_set::has(experiment_kind kind) const {
    if (kind == experiment_kind::time_series) return !time_series.experiments.empty();
    return steady_state(kind) != nullptr;
}

experiment_kinds experiment_set::kinds() const {
    experiment_kinds out;
    for (experiment_kind k : all_experiment_kinds)
        if (has(k)) out.add(k);
    return out;
}

std::optional<steady_state_data>& experiment_set::steady_state_slot(experiment_kind kind) {
    switch (kind) {
        case experiment_kind::wildtype: return wildtype;
        case experiment_kind::knockouts: return knockouts;
        case experiment_kind::knockdowns: return knockdowns;
        case experiment_kind::multifactorial: return multifactorial;
        case experiment_kind::time_series: break;
    }
    KNIT_CHECK_AS(value_error, false, "experiment set: time series have no steady-state slot");
    return wildtype;
}

const steady_state_data* experiment_set::steady_state(experiment_kind kind) const {
    if (kind == experiment_kind::time_series) return nullptr;
    const auto& slot = const_cast<experiment_set*>(this)->steady_state_slot(kind);
    return slot ? &*slot : nullptr;
}

experiment_set experiment_set::restricted_to(const experiment_kinds& allowed) const {
    experiment_set out;
    out.genes = genes;
    out.files = files;
    out.time_series.genes = genes;
    if (allowed.has(experiment_kind::time_series)) out.time_series = time_series;
    for (experiment_kind k : all_experiment_kinds)
        if (k != experiment_kind::time_series && allowed.has(k) && has(k)) out.steady_state_slot(k) = *steady_state(k);
    return out;
}

void experiment_set::require(const experiment_kinds& needed, const std::string& who) const {
    const experiment_kinds missing = needed.without(kinds());
    if (missing.empty()) return;
    std::ostringstream message;
    message << who << ": needs " << needed.to_string() << "; got no ";
    bool first = true;
    for (experiment_kind k : missing.list()) {
        message << (first ? "" : ", no ") << to_string(k);
        if (!file(k).empty()) message << " (" << file(k) << ")";
        first = false;
    }
    message << ", expected " << (missing.list().size() == 1 ? "that file" : "those files")
            << " (or leave the model's kinds out of --inputs: this set has " << kinds().to_string() << ")";
    throw value_error(message.str());
}

std::optional<std::vector<double>> experiment_set::wildtype_levels() const {
    if (!wildtype) return std::nullopt;
    std::vector<double> out(genes.size(), 0.0);
    const std::size_t rows = wildtype->experiment_count();
    for (std::size_t e = 0; e < rows; ++e)
        for (std::size_t g = 0; g < genes.size(); ++g) out[g] += wildtype->values(e, g) / double(rows);
    return out;
}

std::string experiment_set::describe() const {
    std::ostringstream out;
    out << genes.size() << " genes:";
    bool first = true;
    auto part = [&](const std::string& text) {
        out << (first ? " " : ", ") << text;
        first = false;
    };
    if (has(experiment_kind::time_series))
        part(std::to_string(time_series.experiment_count()) + " time series (" +
             std::to_string(time_series.sample_count()) + " points)");
    for (experiment_kind k : all_experiment_kinds)
        if (const steady_state_data* s = steady_state(k))
            part(std::to_string(s->experiment_count()) + " " + (k == experiment_kind::wildtype ? "wild type" : to_string(k)));
    if (first) out << " no experiments";
    return out.str();
}

void experiment_set::validate() const {
    gene_index check(genes);
    KNIT_CHECK_AS(value_error, !genes.empty(), "experiment set: got 0 genes, expected at least 1");
    KNIT_CHECK_AS(value_error, !kinds().empty(),
                  "experiment set: got no experiments, expected a time series or a steady-state table");
    if (has(experiment_kind::time_series)) {
        KNIT_CHECK_AS(value_error, time_series.genes == genes,
                      "experiment set: got time series whose genes differ from the set's, expected the same genes in "
                      "the same order");
        time_series.validate();
    }
    for (experiment_kind k : all_experiment_kinds) {
        const steady_state_data* s = steady_state(k);
        if (!s) continue;
        KNIT_CHECK_AS(value_error, s->genes == genes,
                      "experiment set: got " << to_string(k)
                                             << " whose genes differ from the set's, expected the same genes in the "
                                                "same order");
        KNIT_CHECK_AS(value_error, s->kind == steady_state_kind_of(k),
                      "experiment set: got a " << to_string(s->kind) << " table in the " << to_string(k)
                                               << " slot, expected " << to_string(k));
        s->validate();
    }
}

experiment_set experiments_from_time_series(time_series_data series, std::string file) {
    experiment_set out;
    out.genes = series.genes;
    out.time_series = std::move(series);
    out.files[std::size_t(experiment_kind::time_series)] = std::move(file);
    out.validate();
    return out;
}

void add_steady_state(experiment_set& set, steady_state_data table, const std::string& file) {
    if (table.kind == steady_state_kind::other) table.kind = steady_state_kind::multifactorial;
    experiment_kind kind = experiment_kind::multifactorial;
    for (experiment_kind k : all_experiment_kinds)
        if (k != experiment_kind::time_series && steady_state_kind_of(k) == table.kind) kind = k;
    table.validate();
    if (set.genes.empty()) {
        set.genes = table.genes;
        set.time_series.genes = table.genes;
    }
    auto& slot = set.steady_state_slot(kind);
    KNIT_CHECK_AS(value_error, !slot, file << ": got a second " << to_string(kind) << " table, expected one per set (the first came from "
                                           << set.file(kind) << ")");
    if (table.genes != set.genes) {
        const gene_index index(table.genes);
        KNIT_CHECK_AS(value_error, table.genes.size() == set.genes.size(),
                      file << ": got " << table.genes.size() << " genes, expected the data set's " << set.genes.size());
        std::vector<std::size_t> column(set.genes.size());
        for (std::size_t g = 0; g < set.genes.size(); ++g) {
            const auto found = index.find(set.genes[g]);
            KNIT_CHECK_AS(value_error, found.has_value(),
                          file << ": got no gene '" << set.genes[g] << "', expected the data set's genes");
            column[g] = *found;
        }
        steady_state_data aligned = table;
        aligned.genes = set.genes;
        for (std::size_t e = 0; e < table.experiment_count(); ++e)
            for (std::size_t g = 0; g < set.genes.size(); ++g) aligned.values(e, g) = table.values(e, column[g]);
        std::vector<std::size_t> new_index(set.genes.size());
        for (std::size_t g = 0; g < set.genes.size(); ++g) new_index[column[g]] = g;
        for (auto& p : aligned.perturbed) p = new_index[p];
        table = std::move(aligned);
    }
    slot = std::move(table);
    set.files[std::size_t(kind)] = file;
}

}  // namespace knit::grn
