#include "knit/nn/metrics.hpp"

#include <cmath>
#include <limits>

#include "knit/core/ranking.hpp"

namespace knit::nn {

std::string to_string(metric m) {
    switch (m) {
        case metric::binary_accuracy: return "binary_accuracy";
        case metric::categorical_accuracy: return "categorical_accuracy";
        case metric::roc_auc: return "roc_auc";
        case metric::average_precision: return "average_precision";
    }
    return "unknown";
}

bool is_ranking(metric m) { return m == metric::roc_auc || m == metric::average_precision; }

namespace detail {

double ranking_metric(metric m, const std::vector<double>& scores, const std::vector<int>& labels) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::size_t positives = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (!std::isfinite(scores[i])) return nan;
        positives += static_cast<std::size_t>(labels[i]);
    }
    if (m == metric::roc_auc) {
        if (positives == 0 || positives == labels.size()) return nan;
        return ranking::roc_auc(scores, labels);
    }
    if (positives == 0) return nan;
    return ranking::average_precision(scores, labels);
}

}  // namespace detail
}  // namespace knit::nn
