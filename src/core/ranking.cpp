// scikit-learn's average precision and ROC AUC (definitions in include/knit/core/ranking.hpp).
#include "knit/core/ranking.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "knit/core/error.hpp"

namespace knit::ranking {

std::size_t check_binary_scores(const std::vector<double>& scores, const std::vector<int>& labels,
                                const char* who) {
    KNIT_CHECK_AS(value_error, scores.size() == labels.size() && !scores.empty(),
                  who << ": got " << scores.size() << " scores and " << labels.size()
                      << " labels, expected equal non-zero counts");
    std::size_t positives = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        KNIT_CHECK_AS(value_error, labels[i] == 0 || labels[i] == 1,
                      who << ": got label " << labels[i] << " at " << i << ", expected 0 or 1");
        KNIT_CHECK_AS(value_error, std::isfinite(scores[i]),
                      who << ": got score " << scores[i] << " at " << i
                          << ", expected a finite number");
        positives += static_cast<std::size_t>(labels[i]);
    }
    return positives;
}

threshold_counts count_by_threshold(const std::vector<double>& scores, const std::vector<int>& labels) {
    // Sorting (score, label) pairs by value, not indices into the scores: an index sort
    // reads the scores at random, which misses the cache on every comparison once they
    // outgrow it. The order within tied scores does not matter, since a tie is one
    // threshold and its counts are sums.
    struct scored {
        double score;
        int label;
    };
    std::vector<scored> ranked(scores.size());
    for (std::size_t i = 0; i < scores.size(); ++i) ranked[i] = {scores[i], labels[i]};
    std::sort(ranked.begin(), ranked.end(), [](const scored& a, const scored& b) { return a.score > b.score; });
    threshold_counts out;
    double tp = 0, fp = 0;
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        (ranked[i].label ? tp : fp) += 1;
        if (i + 1 == ranked.size() || ranked[i + 1].score != ranked[i].score) {
            out.thresholds.push_back(ranked[i].score);
            out.tps.push_back(tp);
            out.fps.push_back(fp);
        }
    }
    return out;
}

double average_precision(const std::vector<double>& scores, const std::vector<int>& labels,
                         const char* who) {
    const std::size_t positives = check_binary_scores(scores, labels, who);
    KNIT_CHECK_AS(value_error, positives > 0, who << ": got no positive label, expected at least one");
    const threshold_counts c = count_by_threshold(scores, labels);
    const double P = static_cast<double>(positives);
    double ap = 0, previous_recall = 0;
    for (std::size_t k = 0; k < c.tps.size(); ++k) {
        const double recall = c.tps[k] / P;
        ap += (recall - previous_recall) * (c.tps[k] / (c.tps[k] + c.fps[k]));  // (R_k - R_{k-1}) P_k
        previous_recall = recall;
    }
    return ap;
}

std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& scores,
                                                 const std::vector<int>& labels, const char* who) {
    const std::size_t positives = check_binary_scores(scores, labels, who);
    KNIT_CHECK_AS(value_error, positives > 0 && positives < labels.size(),
                  who << ": got " << positives << " positives among " << labels.size()
                      << " labels, expected both classes");
    const threshold_counts c = count_by_threshold(scores, labels);
    const double P = c.tps.back(), N = c.fps.back();
    std::vector<std::pair<double, double>> points;
    points.reserve(c.tps.size() + 1);
    points.emplace_back(0.0, 0.0);
    for (std::size_t k = 0; k < c.tps.size(); ++k) points.emplace_back(c.fps[k] / N, c.tps[k] / P);
    return points;
}

double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels, const char* who) {
    const auto points = roc_curve(scores, labels, who);
    double area = 0;
    for (std::size_t k = 1; k < points.size(); ++k)
        area += (points[k].first - points[k - 1].first) * (points[k].second + points[k - 1].second) / 2;
    return area;
}

std::vector<std::pair<double, double>> pr_curve(const std::vector<double>& scores,
                                                const std::vector<int>& labels, const char* who) {
    const std::size_t positives = check_binary_scores(scores, labels, who);
    KNIT_CHECK_AS(value_error, positives > 0, who << ": got no positive label, expected at least one");
    const threshold_counts c = count_by_threshold(scores, labels);
    const double P = static_cast<double>(positives);
    std::vector<std::pair<double, double>> points{{0.0, 1.0}};
    // Every distinct threshold, down to the lowest score (sklearn >= 1.1 no longer stops at
    // the first threshold reaching full recall).
    for (std::size_t k = 0; k < c.tps.size(); ++k)
        points.emplace_back(c.tps[k] / P, c.tps[k] / (c.tps[k] + c.fps[k]));
    return points;
}

}  // namespace knit::ranking
