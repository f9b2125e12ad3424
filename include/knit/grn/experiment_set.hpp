// A network's whole experiment set: every kind of expression experiment that came with it.
//
//   experiment_kind    time series, wild type, knockouts, knockdowns, multifactorial
//   experiment_kinds   a set of kinds ("timeseries,knockouts", "all"): what data holds, what
//                      a model needs, what a user allows a model to use (--inputs)
//   experiment_set     genes (G names) plus any subset of
//                        time_series     any number of experiments, any time grid, any
//                                        lengths (time_series_data)
//                        wildtype        (E >= 1, G): unperturbed steady states (replicates)
//                        knockouts       (E, G): row e has gene perturbed[e] knocked out
//                        knockdowns      (E, G): row e has gene perturbed[e] knocked down
//                        multifactorial  (E, G): steady states under unnamed perturbations
//                      and, per kind, the file it was read from (or, for an absent kind,
//                      the file a reader looked for), so that a refusal can name the file.
//
// Nothing here assumes DREAM4's design: no fixed grid, no release time, no experiment count.
// A knockout table need not knock out every gene, nor in gene order (perturbed[] says which).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "knit/grn/expression.hpp"

namespace knit::grn {

enum class experiment_kind : std::uint8_t { time_series, wildtype, knockouts, knockdowns, multifactorial };
constexpr std::array<experiment_kind, 5> all_experiment_kinds = {
    experiment_kind::time_series, experiment_kind::wildtype, experiment_kind::knockouts,
    experiment_kind::knockdowns, experiment_kind::multifactorial};

// "timeseries", "wildtype", "knockouts", "knockdowns", "multifactorial".
const char* to_string(experiment_kind kind);
// The inverse of to_string; throws knit::value_error listing the valid names.
experiment_kind experiment_kind_from_string(const std::string& name);
// The steady-state kind of a steady-state experiment kind (time_series has none).
steady_state_kind steady_state_kind_of(experiment_kind kind);

// A set of experiment kinds.
class experiment_kinds {
public:
    experiment_kinds() = default;
    experiment_kinds(std::initializer_list<experiment_kind> kinds);
    static experiment_kinds all();
    static experiment_kinds none() { return {}; }
    // "all", or names joined by commas ("timeseries,knockouts"); spaces around names are
    // ignored. Throws knit::value_error for an empty list, an unknown or repeated name.
    static experiment_kinds parse(const std::string& list);

    bool has(experiment_kind kind) const { return (bits_ >> unsigned(kind)) & 1u; }
    bool empty() const { return bits_ == 0; }
    bool contains(const experiment_kinds& other) const { return (bits_ & other.bits_) == other.bits_; }
    experiment_kinds& add(experiment_kind kind);
    experiment_kinds operator&(const experiment_kinds& o) const { return from_bits(bits_ & o.bits_); }
    experiment_kinds operator|(const experiment_kinds& o) const { return from_bits(bits_ | o.bits_); }
    experiment_kinds without(const experiment_kinds& o) const { return from_bits(bits_ & ~o.bits_); }
    bool operator==(const experiment_kinds& o) const { return bits_ == o.bits_; }
    bool operator!=(const experiment_kinds& o) const { return bits_ != o.bits_; }
    std::vector<experiment_kind> list() const;
    // Comma-separated names in the order of all_experiment_kinds; "none" for the empty set.
    std::string to_string() const;
    std::uint8_t bits() const { return bits_; }
    static experiment_kinds from_bits(std::uint8_t bits);

private:
    std::uint8_t bits_ = 0;
};

struct experiment_set {
    std::vector<std::string> genes;
    time_series_data time_series;  // no experiments when the set has no time series
    std::optional<steady_state_data> wildtype, knockouts, knockdowns, multifactorial;
    // Index = experiment_kind: the file the kind was read from; for an absent kind, the
    // file a reader looked for (empty when nobody looked).
    std::array<std::string, 5> files;

    std::size_t gene_count() const { return genes.size(); }
    experiment_kinds kinds() const;
    bool has(experiment_kind kind) const;
    // The steady-state table of a kind, nullptr when absent (time_series: always nullptr).
    const steady_state_data* steady_state(experiment_kind kind) const;
    std::optional<steady_state_data>& steady_state_slot(experiment_kind kind);
    const std::string& file(experiment_kind kind) const { return files[std::size_t(kind)]; }

    // A copy holding only the kinds in `allowed` (files are kept, so a refusal still names
    // the file a kind would come from).
    experiment_set restricted_to(const experiment_kinds& allowed) const;
    // Throws knit::value_error unless every kind of `needed` is present; the message names
    // `who`, each missing kind and the file it would come from.
    void require(const experiment_kinds& needed, const std::string& who) const;
    // The wild-type level of every gene: the mean of the wild-type rows when there are
    // any; otherwise nullopt (callers decide which estimate replaces it, and say so).
    std::optional<std::vector<double>> wildtype_levels() const;
    // "100 genes: 10 time series (210 points), 1 wild type, 100 knockouts, 100 knockdowns".
    std::string describe() const;

    // Throws knit::value_error (or shape_error) unless: genes are non-empty and unique;
    // at least one kind is present; every part has exactly `genes` in this order and
    // passes its own validate(); each steady-state part has the kind of its slot.
    void validate() const;
};

// An experiment set holding one time series (its genes become the set's genes).
experiment_set experiments_from_time_series(time_series_data series, std::string file = "");

// Adds a steady-state table to a set. A table holding the set's genes in another order is
// reordered; one with other genes is refused with a knit::value_error naming `file` and the
// first gene that differs (readers given the set's genes report the line instead). The slot is chosen by table.kind (wildtype, knockouts, knockdowns,
// multifactorial; `other` counts as multifactorial). A slot already filled is refused.
void add_steady_state(experiment_set& set, steady_state_data table, const std::string& file);

}  // namespace knit::grn
