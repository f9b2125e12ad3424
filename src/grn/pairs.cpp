// Pair records, balancing and pair-level aggregation (see include/knit/grn/pairs.hpp).
#include "knit/grn/pairs.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "knit/core/error.hpp"

namespace knit::grn {

pair_records::pair_records(const experiment_set& data, const gold_standard& gs) {
    add_network(data, gs);
}

pair_records::pair_records(const time_series_data& data, const gold_standard& gs) {
    add_network(data, gs);
}

std::size_t pair_records::add_network(const time_series_data& data, const gold_standard& gs) {
    return add_network(experiments_from_time_series(data), gs);
}

std::size_t pair_records::add_network(const experiment_set& data, const gold_standard& gs) {
    data.validate();
    const std::size_t genes = data.gene_count();
    KNIT_CHECK_AS(value_error, genes >= 2,
                  "pair_records: got " << genes << " genes, expected at least 2");
    KNIT_CHECK_AS(value_error, gs.size() == genes,
                  "pair_records: got a gold standard of " << gs.size() << " genes for data of "
                                                          << genes << " genes, expected the same genes");
    // The data's gene order rules; the gold standard is looked up by name.
    std::vector<std::size_t> to_gs(genes);
    for (std::size_t g = 0; g < genes; ++g) {
        const auto found = gs.index(data.genes[g]);
        KNIT_CHECK_AS(value_error, found.has_value(),
                      "pair_records: got gene '" << data.genes[g]
                                                 << "' in the data, expected a gene of the gold standard");
        to_gs[g] = *found;
    }
    network net;
    net.data = data;
    net.edges.resize(genes * genes);
    for (std::size_t r = 0; r < genes; ++r)
        for (std::size_t c = 0; c < genes; ++c)
            net.edges[r * genes + c] = r == c ? gold_standard::no_edge : gs.code(to_gs[r], to_gs[c]);
    if (offsets_.empty()) offsets_.push_back(0);
    const std::size_t per_pair = std::max<std::size_t>(1, data.time_series.experiment_count());
    offsets_.push_back(offsets_.back() + genes * (genes - 1) * per_pair);
    networks_.push_back(std::move(net));
    return networks_.size() - 1;
}

const experiment_set& pair_records::network_data(std::size_t k) const {
    KNIT_CHECK_AS(value_error, k < networks_.size(),
                  "pair_records: got network " << k << ", expected < " << networks_.size());
    return networks_[k].data;
}

std::size_t pair_records::records_per_pair(std::size_t k) const {
    return std::max<std::size_t>(1, network_data(k).time_series.experiment_count());
}

experiment_kinds pair_records::common_kinds() const {
    if (networks_.empty()) return {};
    experiment_kinds out = experiment_kinds::all();
    for (const auto& net : networks_) out = out & net.data.kinds();
    return out;
}

std::optional<std::size_t> pair_records::common_time_points() const {
    std::optional<std::size_t> out;
    for (const auto& net : networks_) {
        const auto t = net.data.time_series.common_time_points();
        if (!t || (out && *out != *t)) return std::nullopt;
        out = t;
    }
    return out;
}

std::size_t pair_records::time_points() const {
    const auto t = common_time_points();
    if (t) return *t;
    KNIT_CHECK_AS(value_error, !networks_.empty(), "pair_records: got no network, expected at least one");
    std::ostringstream lengths;
    for (std::size_t k = 0; k < networks_.size(); ++k) {
        const auto& ts = networks_[k].data.time_series;
        lengths << (k ? "; " : "") << "network " << k << ": ";
        if (ts.experiments.empty()) lengths << "no time series";
        for (std::size_t e = 0; e < ts.experiment_count() && e < 6; ++e)
            lengths << (e ? ", " : "") << ts.experiments[e].time_points();
        if (ts.experiment_count() > 6) lengths << ", ...";
    }
    KNIT_CHECK_AS(value_error, false,
                  "pair records: got time series of unequal lengths or none (" << lengths.str()
                      << " points), expected one common number of time points for record arrays");
    return 0;
}

std::size_t pair_records::network_begin(std::size_t k) const {
    network_data(k);
    return offsets_[k];
}

std::size_t pair_records::network_end(std::size_t k) const {
    network_data(k);
    return offsets_[k + 1];
}

std::vector<std::size_t> pair_records::network_indices(std::size_t k) const {
    std::vector<std::size_t> out(network_end(k) - network_begin(k));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = offsets_[k] + i;
    return out;
}

std::vector<std::size_t> pair_records::all_indices() const {
    std::vector<std::size_t> out(size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
    return out;
}

const pair_records::network& pair_records::network_of(std::size_t index, std::size_t& local) const {
    KNIT_CHECK_AS(value_error, index < size(),
                  "pair_records: got record " << index << ", expected < " << size());
    // Few networks: a linear scan beats a binary search's bookkeeping.
    std::size_t k = 0;
    while (index >= offsets_[k + 1]) ++k;
    local = index - offsets_[k];
    return networks_[k];
}

pair_record pair_records::record(std::size_t index) const {
    std::size_t local = 0;
    const network& net = network_of(index, local);
    const std::size_t genes = net.data.gene_count();
    const std::size_t experiments = std::max<std::size_t>(1, net.data.time_series.experiment_count());
    pair_record out;
    out.network = static_cast<std::size_t>(&net - networks_.data());
    out.experiment = local % experiments;
    const std::size_t pair = local / experiments;
    out.regulator = pair / (genes - 1);
    const std::size_t t = pair % (genes - 1);
    out.target = t < out.regulator ? t : t + 1;
    return out;
}

std::size_t pair_records::index_of(const pair_record& rec) const {
    const std::size_t genes = network_data(rec.network).gene_count();
    const std::size_t experiments = records_per_pair(rec.network);
    KNIT_CHECK_AS(value_error,
                  rec.regulator < genes && rec.target < genes && rec.regulator != rec.target &&
                      rec.experiment < experiments,
                  "pair_records: got record (" << rec.regulator << ", " << rec.target << ", "
                                               << rec.experiment
                                               << "), expected regulator != target < " << genes
                                               << " and experiment < " << experiments);
    const std::size_t t = rec.target < rec.regulator ? rec.target : rec.target - 1;
    return offsets_[rec.network] + (rec.regulator * (genes - 1) + t) * experiments + rec.experiment;
}

bool pair_records::label(std::size_t index) const {
    const pair_record rec = record(index);
    const network& net = networks_[rec.network];
    return net.edges[rec.regulator * net.data.gene_count() + rec.target] != gold_standard::no_edge;
}

int pair_records::sign(std::size_t index) const {
    const pair_record rec = record(index);
    const network& net = networks_[rec.network];
    const auto code = net.edges[rec.regulator * net.data.gene_count() + rec.target];
    return code == gold_standard::activation ? 1 : code == gold_standard::repression ? -1 : 0;
}

std::size_t pair_records::positives() const {
    std::size_t n = 0;
    for (const auto& net : networks_) {
        std::size_t edges = 0;
        for (auto code : net.edges) edges += code != gold_standard::no_edge;
        n += edges * std::max<std::size_t>(1, net.data.time_series.experiment_count());
    }
    return n;
}

void pair_records::check_range(const std::vector<std::size_t>& indices, std::size_t begin,
                               std::size_t end) const {
    KNIT_CHECK_AS(value_error, begin <= end && end <= indices.size(),
                  "pair_records: got the range [" << begin << ", " << end << "), expected a range of "
                                                  << indices.size() << " indices");
}

template <class T>
void pair_records::gather(const std::vector<std::size_t>& indices, std::size_t begin,
                          std::size_t end, record_layout layout, tensor<T>& out) const {
    check_range(indices, begin, end);
    const std::size_t n = end - begin;
    const std::size_t steps = time_points();
    switch (layout) {
        case record_layout::series_by_time: ensure_shape(out, {n, 2, steps}); break;
        case record_layout::time_by_series: ensure_shape(out, {n, steps, 2}); break;
        case record_layout::image: ensure_shape(out, {n, 1, 2, steps}); break;
    }
    // (N, 2, T) and (N, 1, 2, T) share one memory order; (N, T, 2) interleaves.
    const bool interleaved = layout == record_layout::time_by_series;
    T* dst = out.data();
    for (std::size_t i = begin; i < end; ++i, dst += 2 * steps) {
        const pair_record rec = record(indices[i]);
        const time_series_data& data = networks_[rec.network].data.time_series;
        const std::size_t genes = data.gene_count();
        const double* x = data.experiments[rec.experiment].values.data();
        for (std::size_t k = 0; k < steps; ++k) {
            const T regulator = static_cast<T>(x[k * genes + rec.regulator]);
            const T target = static_cast<T>(x[k * genes + rec.target]);
            if (interleaved) {
                dst[2 * k] = regulator;
                dst[2 * k + 1] = target;
            } else {
                dst[k] = regulator;
                dst[steps + k] = target;
            }
        }
    }
}

template <class T>
void pair_records::gather_labels(const std::vector<std::size_t>& indices, std::size_t begin,
                                 std::size_t end, tensor<T>& out, bool one_hot) const {
    check_range(indices, begin, end);
    const std::size_t n = end - begin;
    ensure_shape(out, {n, one_hot ? std::size_t{2} : std::size_t{1}});
    for (std::size_t i = 0; i < n; ++i) {
        const T y = label(indices[begin + i]) ? T(1) : T(0);
        if (one_hot) {
            out(i, 0) = T(1) - y;
            out(i, 1) = y;
        } else {
            out(i, 0) = y;
        }
    }
}

template void pair_records::gather<float>(const std::vector<std::size_t>&, std::size_t,
                                          std::size_t, record_layout, tensor<float>&) const;
template void pair_records::gather<double>(const std::vector<std::size_t>&, std::size_t,
                                           std::size_t, record_layout, tensor<double>&) const;
template void pair_records::gather_labels<float>(const std::vector<std::size_t>&, std::size_t,
                                                 std::size_t, tensor<float>&, bool) const;
template void pair_records::gather_labels<double>(const std::vector<std::size_t>&, std::size_t,
                                                  std::size_t, tensor<double>&, bool) const;

std::vector<std::size_t> balance_records(const pair_records& records,
                                         const std::vector<std::size_t>& candidates, rng& engine,
                                         double negatives_per_positive) {
    KNIT_CHECK_AS(value_error, std::isfinite(negatives_per_positive) && negatives_per_positive >= 0,
                  "balance_records: got negatives_per_positive = " << negatives_per_positive
                                                                   << ", expected a finite value >= 0");
    std::vector<std::size_t> positives, negatives;
    for (std::size_t index : candidates) (records.label(index) ? positives : negatives).push_back(index);
    const auto wanted = static_cast<std::size_t>(
        std::llround(negatives_per_positive * static_cast<double>(positives.size())));
    const std::size_t draw = std::min(wanted, negatives.size());
    // Partial Fisher-Yates: the first `draw` slots become a uniform sample without replacement.
    for (std::size_t i = 0; i < draw; ++i)
        std::swap(negatives[i], negatives[i + engine.below(negatives.size() - i)]);
    std::vector<std::size_t> out = std::move(positives);
    out.insert(out.end(), negatives.begin(), negatives.begin() + static_cast<std::ptrdiff_t>(draw));
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<pair_score> aggregate_pair_scores(const pair_records& records,
                                              const std::vector<std::size_t>& indices,
                                              const std::vector<double>& scores,
                                              pair_aggregation how) {
    KNIT_CHECK_AS(value_error, indices.size() == scores.size(),
                  "aggregate_pair_scores: got " << scores.size() << " scores for " << indices.size()
                                                << " records, expected one score per record");
    // Sorting (pair key, position) groups a pair's records without a hash table; the key
    // is the record index with the experiment divided out, which orders by (network, r, t).
    struct keyed {
        std::size_t pair_start;  // index of the pair's experiment-0 record
        std::size_t position;
    };
    std::vector<keyed> order(indices.size());
    for (std::size_t i = 0; i < indices.size(); ++i) {
        KNIT_CHECK_AS(value_error, std::isfinite(scores[i]),
                      "aggregate_pair_scores: got score " << scores[i] << " for record " << indices[i]
                                                          << ", expected a finite score");
        pair_record rec = records.record(indices[i]);
        rec.experiment = 0;
        order[i] = {records.index_of(rec), i};
    }
    std::sort(order.begin(), order.end(), [](const keyed& a, const keyed& b) {
        return a.pair_start != b.pair_start ? a.pair_start < b.pair_start : a.position < b.position;
    });
    std::vector<pair_score> out;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        double sum = 0;
        double best = scores[order[i].position];
        for (; j < order.size() && order[j].pair_start == order[i].pair_start; ++j) {
            const double s = scores[order[j].position];
            sum += s;
            best = std::max(best, s);
        }
        const pair_record rec = records.record(order[i].pair_start);
        pair_score ps;
        ps.network = rec.network;
        ps.regulator = rec.regulator;
        ps.target = rec.target;
        ps.records = j - i;
        ps.score = how == pair_aggregation::mean ? sum / static_cast<double>(j - i) : best;
        ps.label = records.label(order[i].pair_start);
        out.push_back(ps);
        i = j;
    }
    return out;
}

tensor<double> pair_score_matrix(const pair_records& records, std::size_t network,
                                 const std::vector<pair_score>& scores) {
    const std::size_t genes = records.network_data(network).gene_count();
    tensor<double> out = xt::zeros<double>({genes, genes});
    std::vector<std::uint8_t> seen(genes * genes, 0);
    std::size_t filled = 0;
    for (const auto& s : scores) {
        if (s.network != network) continue;
        KNIT_CHECK_AS(value_error, s.regulator < genes && s.target < genes && s.regulator != s.target,
                      "pair_score_matrix: got pair (" << s.regulator << ", " << s.target
                                                      << "), expected regulator != target < " << genes);
        auto& mark = seen[s.regulator * genes + s.target];
        KNIT_CHECK_AS(value_error, mark == 0,
                      "pair_score_matrix: got pair (" << s.regulator << ", " << s.target
                                                      << ") twice, expected each pair once");
        mark = 1;
        ++filled;
        out(s.regulator, s.target) = s.score;
    }
    if (filled != genes * (genes - 1)) {
        const auto& names = records.network_data(network).genes;
        for (std::size_t r = 0; r < genes; ++r)
            for (std::size_t t = 0; t < genes; ++t)
                KNIT_CHECK_AS(value_error, r == t || seen[r * genes + t],
                              "pair_score_matrix: pair (" << names[r] << ", " << names[t] << ") of network "
                                                         << network << " has no score, expected all "
                                                         << genes * (genes - 1) << " ordered pairs");
    }
    return out;
}

}  // namespace knit::grn
