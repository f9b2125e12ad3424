// The paper's pair records (REFERENCE §2): one record per (network, regulator r, target t,
// time-series experiment p), r != t, whose input is the 2 x T array [x_r(p); x_t(p)] and
// whose label is 1 iff r -> t is an edge of the gold standard. Direction matters: (t, r) is
// labelled by its own entry, so the reverse of an edge is 0 unless it is an edge itself.
//
// Each network carries its whole experiment set (experiment_set.hpp): time series of any
// grid and length, wild type, knockouts, knockdowns, multifactorial, any subset. Models
// that score a pair from whole-network features read it through network_data(). A network
// without time series has one record per pair (experiment 0), so labels, protocols and
// pair aggregation work the same for every kind of data.
//
// Storage is compact: a record is its index. Within a network, records are ordered by
// regulator, then target (skipping the regulator), then experiment:
//     index = begin(network) + (r * (G - 1) + (t < r ? t : t - 1)) * E + p
// with E = max(1, time-series experiments), so 99,000 records of a size-100 network cost
// nothing beyond the network's data (a copy of its experiments and its G x G edge table).
// Record arrays (the paper's models) need one common number of time points T over every
// experiment of every network; they are materialised on demand, a batch at a time, into a
// caller-owned tensor in one of three layouts:
//     record_layout::series_by_time   (N, 2, T)     row 0 = regulator, row 1 = target
//     record_layout::time_by_series   (N, T, 2)     the RNN input: T steps of (x_r, x_t)
//     record_layout::image            (N, 1, 2, T)  the CNN input: one channel, 2 x T
// Labels come out as (N, 1) (sigmoid outputs) or one-hot (N, 2) (softmax outputs).
//
// Balancing (REFERENCE §2): all positive records plus an equal seeded random draw of the
// negatives (undersampling without replacement).
// Pair-level aggregation (REFERENCE §5): a pair's score is the mean or the max of its
// records' scores; pair_score_matrix() lays them out as (G, G) for grn::rank_edges.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "knit/core/random.hpp"
#include "knit/core/tensor.hpp"
#include "knit/grn/experiment_set.hpp"
#include "knit/grn/gold_standard.hpp"

namespace knit::grn {

struct pair_record {
    std::size_t network = 0;
    std::size_t regulator = 0;
    std::size_t target = 0;
    std::size_t experiment = 0;
};

enum class record_layout { series_by_time, time_by_series, image };

class pair_records {
public:
    pair_records() = default;
    // All records of one network.
    pair_records(const experiment_set& data, const gold_standard& gs);
    pair_records(const time_series_data& data, const gold_standard& gs);

    // Appends all G (G - 1) E records of a network and returns its network number. The
    // data's genes must be exactly the gold standard's genes (any order; an unknown or
    // missing gene is a knit::value_error).
    std::size_t add_network(const experiment_set& data, const gold_standard& gs);
    std::size_t add_network(const time_series_data& data, const gold_standard& gs);

    std::size_t size() const { return offsets_.empty() ? 0 : offsets_.back(); }
    std::size_t network_count() const { return networks_.size(); }
    // The number of time points T that every time-series experiment of every network has;
    // nullopt when a network has no time series or lengths differ.
    std::optional<std::size_t> common_time_points() const;
    // The same, or a knit::value_error saying why there is none (record arrays need it).
    std::size_t time_points() const;
    const experiment_set& network_data(std::size_t network) const;
    // The kinds of experiment every network has.
    experiment_kinds common_kinds() const;
    // Records per pair of a network: max(1, its time-series experiments).
    std::size_t records_per_pair(std::size_t network) const;
    // Records of `network` are [network_begin, network_end).
    std::size_t network_begin(std::size_t network) const;
    std::size_t network_end(std::size_t network) const;
    std::vector<std::size_t> network_indices(std::size_t network) const;
    std::vector<std::size_t> all_indices() const;

    pair_record record(std::size_t index) const;
    std::size_t index_of(const pair_record& record) const;
    bool label(std::size_t index) const;
    // +1 / -1 for a signed edge, 0 for an unsigned edge or no edge.
    int sign(std::size_t index) const;
    std::size_t positives() const;

    // Writes records indices[begin, end) into out, resized to the layout's shape with
    // N = end - begin (its storage is kept when the shape already fits).
    template <class T>
    void gather(const std::vector<std::size_t>& indices, std::size_t begin, std::size_t end,
                record_layout layout, tensor<T>& out) const;
    template <class T>
    tensor<T> gather(const std::vector<std::size_t>& indices, record_layout layout) const {
        tensor<T> out;
        gather(indices, 0, indices.size(), layout, out);
        return out;
    }
    // Labels of indices[begin, end): (N, 1) with 0/1, or one-hot (N, 2) = [1 - y, y].
    template <class T>
    void gather_labels(const std::vector<std::size_t>& indices, std::size_t begin, std::size_t end,
                       tensor<T>& out, bool one_hot = false) const;

private:
    struct network {
        experiment_set data;
        std::vector<std::uint8_t> edges;  // (G, G) gold_standard codes in data's gene order
    };
    const network& network_of(std::size_t index, std::size_t& local) const;
    void check_range(const std::vector<std::size_t>& indices, std::size_t begin,
                     std::size_t end) const;

    std::vector<network> networks_;
    std::vector<std::size_t> offsets_;  // offsets_[k] = first record of network k; back() = size
};

extern template void pair_records::gather<float>(const std::vector<std::size_t>&, std::size_t,
                                                 std::size_t, record_layout, tensor<float>&) const;
extern template void pair_records::gather<double>(const std::vector<std::size_t>&, std::size_t,
                                                  std::size_t, record_layout, tensor<double>&) const;
extern template void pair_records::gather_labels<float>(const std::vector<std::size_t>&,
                                                        std::size_t, std::size_t, tensor<float>&,
                                                        bool) const;
extern template void pair_records::gather_labels<double>(const std::vector<std::size_t>&,
                                                         std::size_t, std::size_t, tensor<double>&,
                                                         bool) const;

// The positive records among `candidates` plus round(negatives_per_positive * positives)
// negatives drawn without replacement (all of them when there are fewer), in ascending
// index order. Deterministic for a given engine state.
std::vector<std::size_t> balance_records(const pair_records& records,
                                         const std::vector<std::size_t>& candidates, rng& engine,
                                         double negatives_per_positive = 1.0);

enum class pair_aggregation { mean, max };

struct pair_score {
    std::size_t network = 0;
    std::size_t regulator = 0;
    std::size_t target = 0;
    double score = 0;
    bool label = false;
    std::size_t records = 0;  // how many record scores were aggregated
};

// Groups scores[i] (the score of record indices[i]) by pair and aggregates them; the
// result is in (network, regulator, target) order. Non-finite scores are refused.
std::vector<pair_score> aggregate_pair_scores(const pair_records& records,
                                              const std::vector<std::size_t>& indices,
                                              const std::vector<double>& scores,
                                              pair_aggregation how = pair_aggregation::mean);

// (G, G) with [r, t] = the pair's score for every ordered pair of `network` (diagonal 0).
// Every ordered pair r != t of that network must be present (knit::value_error otherwise).
tensor<double> pair_score_matrix(const pair_records& records, std::size_t network,
                                 const std::vector<pair_score>& scores);

}  // namespace knit::grn
