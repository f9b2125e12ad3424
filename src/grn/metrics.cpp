// DREAM, scikit-learn and seed prec_rec metrics (definitions in include/knit/grn/metrics.hpp,
// discussion in docs/grn-metrics.md).
#include "knit/grn/metrics.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numeric>
#include <string_view>

#include "knit/core/error.hpp"
#include "knit/core/ranking.hpp"
#include "knit/grn/detail/text.hpp"

namespace knit::grn {

// =======================================================================================
// Null densities and p-values

null_density parse_null_density(const std::string& text, const std::string& source) {
    static const char* names[4] = {"auroc_X", "auroc_Y", "aupr_X", "aupr_Y"};
    null_density d;
    std::vector<double>* columns[4] = {&d.auroc_x, &d.auroc_y, &d.aupr_x, &d.aupr_y};
    detail::data_line_cursor lines(detail::text_body(text, source), source, "rows", "4 TAB-separated numbers");
    std::string_view line;
    bool have_header = false;
    while (lines.next(line)) {
        const std::size_t n = lines.line_number();
        std::vector<detail::field> cells = detail::split_fields(line, '\t', source, n);
        if (cells.size() != 4)
            throw parse_error(source, n, 0,
                              "got " + std::to_string(cells.size()) +
                                  " field(s), expected 4 (auroc_X auroc_Y aupr_X aupr_Y)");
        if (!have_header) {
            for (int c = 0; c < 4; ++c) {
                const std::string& got = cells[c].text;
                const std::string_view want = names[c];
                const bool same =
                    got.size() == want.size() &&
                    std::equal(got.begin(), got.end(), want.begin(), [](char a, char b) {
                        return std::tolower(static_cast<unsigned char>(a)) ==
                               std::tolower(static_cast<unsigned char>(b));
                    });
                if (!same)
                    throw parse_error(source, n, cells[c].column,
                                      "got header '" + detail::shorten(got) + "', expected '" +
                                          std::string(want) + "'");
            }
            have_header = true;
            continue;
        }
        for (int c = 0; c < 4; ++c) {
            const double v = detail::parse_finite_double(cells[c], source, n, "a finite number");
            std::vector<double>& column = *columns[c];
            if ((c == 0 || c == 2) && !column.empty() && !(v > column.back()))
                throw parse_error(source, n, cells[c].column,
                                  "got " + std::string(names[c]) + " = " + detail::shorten(cells[c].text) +
                                      " after " + detail::format_double(column.back()) +
                                      ", expected a strictly increasing grid");
            if ((c == 1 || c == 3) && v < 0)
                throw parse_error(source, n, cells[c].column,
                                  "got density " + detail::shorten(cells[c].text) + ", expected a value >= 0");
            column.push_back(v);
        }
    }
    if (d.auroc_x.size() < 2)
        throw parse_error(source, std::max<std::size_t>(lines.line_number(), 1), 0,
                          "got " + std::to_string(d.auroc_x.size()) +
                              " data row(s), expected a header and at least 2 rows");
    d.source = source;
    d.genes = null_density_size_from_name(source);
    return d;
}

null_density read_null_density(const std::string& path) {
    return parse_null_density(detail::read_file(path), path);
}

std::size_t null_density_size_from_name(const std::string& path) {
    const std::size_t slash = path.find_last_of('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    if (name.rfind("pdf_multifactorial_", 0) == 0) return 100;  // DREAM4's size-100 sub-challenge
    if (name.rfind("pdf_size", 0) != 0) return 0;
    std::size_t i = 8, size = 0;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && i < 16; ++i) size = size * 10 + std::size_t(name[i] - '0');
    return i > 8 && i < name.size() && name[i] == '_' ? size : 0;
}

void check_density_fits(const null_density& density, const gold_standard& gs) {
    KNIT_CHECK_AS(value_error, density.genes == 0 || density.genes == gs.size(),
                  "null density '" << density.source << "': got a density for networks of " << density.genes
                                   << " genes and a gold standard of " << gs.size()
                                   << " genes, expected the density of this network's size (p-values "
                                      "from another size are wrong by orders of magnitude)");
}

double null_p_value(const std::vector<double>& x, const std::vector<double>& y, double score) {
    KNIT_CHECK_AS(value_error, x.size() >= 2 && x.size() == y.size(),
                  "null_p_value: got a grid of " << x.size() << " points and " << y.size()
                                                 << " densities, expected >= 2 of each, equal");
    KNIT_CHECK_AS(value_error, !std::isnan(score), "null_p_value: got a NaN score, expected a number");
    const double dx = x[1] - x[0];  // as the official probability.m: the first step
    KNIT_CHECK_AS(value_error, std::isfinite(dx) && dx > 0,
                  "null_p_value: got grid step " << dx << ", expected a finite step > 0");
    double p = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i] >= score) p += y[i] * dx;
    return p;
}

// =======================================================================================
// DREAM AUROC / AUPR

namespace {

// BEELINE's early precision (Pratapa et al. 2020, BLEval/computeEarlyPrec.py) over the
// joined edges: k = P true edges; the threshold is the min(L, k)-th largest score, and
// every joined edge scoring at least that much is called (ties at the k-th score count);
// as BEELINE does, edges scored 0 (here: <= 0) count as not predicted, so when the
// threshold would fall to 0 it rises to the smallest positive score.
early_precision_score early_precision_of(const std::vector<double>& scores, const std::vector<std::uint8_t>& truth,
                                         const gold_standard& gs) {
    early_precision_score out;
    out.k = gs.positives();
    out.density = static_cast<double>(gs.positives()) / static_cast<double>(gs.pairs());
    const std::size_t m = std::min(scores.size(), out.k);
    if (m > 0) {
        std::vector<double> sorted = scores;
        std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(m - 1), sorted.end(),
                         std::greater<double>());
        double threshold = sorted[m - 1];
        if (threshold <= 0) {
            threshold = std::numeric_limits<double>::infinity();
            for (double v : scores)
                if (v > 0 && v < threshold) threshold = v;
        }
        for (std::size_t i = 0; i < scores.size(); ++i)
            if (scores[i] >= threshold) {
                ++out.called;
                out.true_positives += truth[i];
            }
    }
    out.early_precision = out.called == 0 ? 0.0 : static_cast<double>(out.true_positives) / static_cast<double>(out.called);
    out.epr = out.early_precision / out.density;
    return out;
}

// Consumes the joined list one edge at a time (O(1) each) and closes with the analytic
// random tail. Kept as a class so the name and the index front ends share one core.
class dream_accumulator {
public:
    explicit dream_accumulator(const gold_standard& gs, bool keep_points = false)
        : gs_(gs), g_(gs.size()), seen_(g_ * g_, 0), keep_points_(keep_points) {
        KNIT_CHECK_AS(value_error, gs.positives() > 0 && gs.negatives() > 0,
                      "score_dream: got a gold standard with "
                          << gs.positives() << " positive and " << gs.negatives()
                          << " negative pairs, expected at least one of each");
        P_ = static_cast<double>(gs.positives());
        N_ = static_cast<double>(gs.negatives());
        T_ = static_cast<double>(gs.pairs());
    }

    void unknown() { ++score_.dropped_unknown_genes; }

    // `score` ranks the edge for the early precision only; the DREAM areas use list order.
    void add(std::size_t r, std::size_t t, double score) {
        if (r == t) {
            ++score_.dropped_self_loops;
            return;
        }
        std::uint8_t& seen = seen_[r * g_ + t];
        if (seen) {
            ++score_.dropped_repeats;
            return;
        }
        seen = 1;
        const std::size_t k = ++L_;
        const bool positive = gs_.code(r, t) != gold_standard::no_edge;
        scores_.push_back(score);
        truth_.push_back(positive);
        if (positive) {
            ++TP_;
            // Precision interpolated between ranks k-1 and k while one positive is found:
            // integral of (TP_{k-1} + x) / (k - 1 + x) dx over [0, 1] = 1 - FP ln(k / (k-1)).
            pr_area_ += k == 1 ? 1.0
                               : 1.0 - static_cast<double>(FP_) *
                                           std::log1p(1.0 / static_cast<double>(k - 1));
            roc_left_ += static_cast<double>(FP_);  // area left of the ROC step, times N P
        } else {
            ++FP_;
        }
        if (keep_points_) {
            curves_.roc.emplace_back(FP_ / N_, TP_ / P_);
            curves_.pr.emplace_back(TP_ / P_, static_cast<double>(TP_) / static_cast<double>(k));
        }
    }

    dream_score finish(const null_density* density) {
        const double L = static_cast<double>(L_), TP = static_cast<double>(TP_);
        const double FP = static_cast<double>(FP_);
        const double rho = L_ < gs_.pairs() ? (P_ - TP) / (T_ - L) : 0.0;
        const double recall_L = TP / P_;
        double aupr;
        if (L_ == 0) {
            aupr = P_ / T_;  // the whole list is random: precision P / T everywhere
        } else if (rho != 0) {
            // Over the tail, precision (TP_L + rho x) / (L + x) against recall rho x / P,
            // integrated from x = 0 to T - L.
            aupr = pr_area_ / P_ + rho * (1 - recall_L) +
                   rho * (recall_L - L * rho / P_) * std::log(T_ / L);
        } else {
            aupr = pr_area_ / P_;
        }
        // Area left of the ROC curve: the steps over the list, then the straight tail from
        // (FP_L / N, R_L) to (1, 1).
        const double left = roc_left_ / (N_ * P_) + (1 - recall_L) * (FP / N_ + 1) / 2;
        score_.auroc = 1 - left;
        score_.aupr = aupr;
        score_.ranked = L_;
        score_.true_positives = TP_;
        const early_precision_score early = early_precision_of(scores_, truth_, gs_);
        score_.early_precision = early.early_precision;
        score_.epr = early.epr;
        score_.early_called = early.called;
        score_.early_true_positives = early.true_positives;
        score_.aupr_ratio = aupr / early.density;
        if (density != nullptr) {
            score_.p_auroc = null_p_value(density->auroc_x, density->auroc_y, score_.auroc);
            score_.p_aupr = null_p_value(density->aupr_x, density->aupr_y, score_.aupr);
        }
        return score_;
    }

    dream_curves finish_curves() {
        curves_.roc.insert(curves_.roc.begin(), {0.0, 0.0});
        const double L = static_cast<double>(L_);
        const double rho = L_ < gs_.pairs() ? (P_ - static_cast<double>(TP_)) / (T_ - L) : 0.0;
        // One point per further expected positive j, as the official script plots them:
        // at that depth x, TP = TP_L + rho x = j and FP = FP_L + (1 - rho) x.
        for (std::size_t j = TP_ + 1; j <= gs_.positives() && rho > 0; ++j) {
            const double x = (static_cast<double>(j - TP_)) / rho;
            const double tp = static_cast<double>(j);
            const double fp = static_cast<double>(FP_) + (1 - rho) * x;
            curves_.roc.emplace_back(fp / N_, tp / P_);
            curves_.pr.emplace_back(tp / P_, tp / (L + x));
        }
        return std::move(curves_);
    }

private:
    const gold_standard& gs_;
    std::size_t g_;
    std::vector<std::uint8_t> seen_;
    bool keep_points_;
    double P_ = 0, N_ = 0, T_ = 0;
    std::size_t L_ = 0, TP_ = 0, FP_ = 0;
    double pr_area_ = 0;   // sum of the AUPR gains, times P
    double roc_left_ = 0;  // sum of FP_k over true positives k
    std::vector<double> scores_;       // of the joined edges, in list order
    std::vector<std::uint8_t> truth_;  // 1 where the joined edge is a positive
    dream_score score_;
    dream_curves curves_;
};

template <class Consumer>
void join_by_name(const std::vector<scored_edge>& ranking, const gold_standard& gs,
                  Consumer& acc) {
    for (const scored_edge& e : ranking) {
        const auto r = gs.index(e.regulator);
        const auto t = r ? gs.index(e.target) : std::nullopt;
        if (!r || !t) {
            acc.unknown();
            continue;
        }
        acc.add(*r, *t, e.score);
    }
}

}  // namespace

dream_score score_dream(const std::vector<scored_edge>& ranking, const gold_standard& gs,
                        const null_density* density) {
    if (density != nullptr) check_density_fits(*density, gs);
    dream_accumulator acc(gs);
    join_by_name(ranking, gs, acc);
    return acc.finish(density);
}

dream_score score_dream(const std::vector<std::pair<std::size_t, std::size_t>>& ranking,
                        const gold_standard& gs, const null_density* density) {
    if (density != nullptr) check_density_fits(*density, gs);
    dream_accumulator acc(gs);
    for (std::size_t i = 0; i < ranking.size(); ++i) {
        const auto [r, t] = ranking[i];
        KNIT_CHECK_AS(value_error, r < gs.size() && t < gs.size(),
                      "score_dream: got pair (" << r << ", " << t << ") at rank " << i
                                                << ", expected indices < " << gs.size());
        acc.add(r, t, static_cast<double>(ranking.size() - i));  // no scores: list order (> 0), no ties
    }
    return acc.finish(density);
}

early_precision_score score_early_precision(const std::vector<scored_edge>& ranking, const gold_standard& gs) {
    // The DREAM accumulator joins the list (and refuses a gold standard without both
    // classes); its score carries the early precision.
    dream_accumulator acc(gs);
    join_by_name(ranking, gs, acc);
    const dream_score s = acc.finish(nullptr);
    early_precision_score out;
    out.k = gs.positives();
    out.density = static_cast<double>(gs.positives()) / static_cast<double>(gs.pairs());
    out.called = s.early_called;
    out.true_positives = s.early_true_positives;
    out.early_precision = s.early_precision;
    out.epr = s.epr;
    return out;
}

dream_curves dream_curve_points(const std::vector<scored_edge>& ranking, const gold_standard& gs) {
    dream_accumulator acc(gs, true);
    join_by_name(ranking, gs, acc);
    return acc.finish_curves();
}

double overall_score(const std::vector<dream_score>& networks) {
    KNIT_CHECK_AS(value_error, !networks.empty(),
                  "overall_score: got no networks, expected at least one");
    double sum_log_aupr = 0, sum_log_auroc = 0;
    for (std::size_t i = 0; i < networks.size(); ++i) {
        const double pa = networks[i].p_aupr, pr = networks[i].p_auroc;
        KNIT_CHECK_AS(value_error, pa >= 0 && pa <= 1 && pr >= 0 && pr <= 1,
                      "overall_score: got p_aupr " << pa << " and p_auroc " << pr
                                                   << " for network " << i
                                                   << ", expected p-values in [0, 1] (score "
                                                      "with a null density)");
        sum_log_aupr += std::log10(pa);
        sum_log_auroc += std::log10(pr);
    }
    const double n = static_cast<double>(networks.size());
    return 0.5 * (-sum_log_aupr / n - sum_log_auroc / n);
}

// =======================================================================================
// scikit-learn: one implementation in core (knit/core/ranking.hpp), shared with knit::nn

double average_precision(const std::vector<double>& scores, const std::vector<int>& labels) {
    return ranking::average_precision(scores, labels);
}

double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels) {
    return ranking::roc_auc(scores, labels);
}

std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& scores,
                                                 const std::vector<int>& labels) {
    return ranking::roc_curve(scores, labels);
}

std::vector<std::pair<double, double>> pr_curve(const std::vector<double>& scores,
                                                const std::vector<int>& labels) {
    return ranking::pr_curve(scores, labels);
}

// =======================================================================================
// The seed's prec_rec

namespace {

// MATLAB quantile of sorted x (n >= 1) at p: x_(i) sits at (i - 0.5) / n.
double sorted_matlab_quantile(const std::vector<double>& x, double p) {
    const std::size_t n = x.size();
    const double position = p * static_cast<double>(n) + 0.5;  // 1-based fractional index
    if (position <= 1) return x.front();
    if (position >= static_cast<double>(n)) return x.back();
    const std::size_t lower = static_cast<std::size_t>(std::floor(position));  // 1..n-1
    const double fraction = position - static_cast<double>(lower);
    return x[lower - 1] + fraction * (x[lower] - x[lower - 1]);
}

double trapz(const std::vector<double>& x, const std::vector<double>& y) {
    double area = 0;
    for (std::size_t k = 1; k < x.size(); ++k) area += (x[k] - x[k - 1]) * (y[k] + y[k - 1]) / 2;
    return area;
}

}  // namespace

double matlab_quantile(std::vector<double> x, double p) {
    KNIT_CHECK_AS(value_error, !x.empty(), "matlab_quantile: got no values, expected at least one");
    KNIT_CHECK_AS(value_error, p >= 0 && p <= 1,
                  "matlab_quantile: got p = " << p << ", expected a probability in [0, 1]");
    for (double v : x)
        KNIT_CHECK_AS(value_error, !std::isnan(v), "matlab_quantile: got NaN, expected numbers");
    std::sort(x.begin(), x.end());
    return sorted_matlab_quantile(x, p);
}

prec_rec_result prec_rec(const std::vector<double>& scores, const std::vector<int>& labels) {
    const std::size_t positives = ranking::check_binary_scores(scores, labels, "prec_rec");
    KNIT_CHECK_AS(value_error, positives > 0 && positives < labels.size(),
                  "prec_rec: got " << positives << " positives among " << labels.size()
                                   << " labels, expected both classes");
    std::vector<double> sorted = scores;
    std::sort(sorted.begin(), sorted.end());
    std::size_t n_distinct = 1;
    for (std::size_t i = 1; i < sorted.size(); ++i) n_distinct += sorted[i] != sorted[i - 1];
    const std::size_t nt = std::min<std::size_t>(n_distinct, 100);

    prec_rec_result out;
    std::vector<double>& thresholds = out.thresholds;
    thresholds.push_back(sorted.front());
    for (std::size_t i = 1; i < nt; ++i)
        thresholds.push_back(
            sorted_matlab_quantile(sorted, static_cast<double>(i) / static_cast<double>(nt)));
    std::sort(thresholds.begin(), thresholds.end(), std::greater<double>());
    thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());

    // Counts at each threshold from one pass over the scores sorted decreasingly.
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    const double P = static_cast<double>(positives);
    const double N = static_cast<double>(labels.size() - positives);
    std::size_t next = 0;
    double tp = 0, called = 0;
    for (double threshold : thresholds) {
        while (next < order.size() && scores[order[next]] >= threshold) {
            tp += labels[order[next]];
            called += 1;
            ++next;
        }
        // called >= 1: every threshold is at most the largest score.
        out.precision.push_back(tp / called);
        out.tpr.push_back(tp / P);
        out.fpr.push_back((called - tp) / N);
    }
    out.auroc = std::abs(trapz(out.fpr, out.tpr));
    out.aupr = std::abs(trapz(out.tpr, out.precision));
    return out;
}

}  // namespace knit::grn
