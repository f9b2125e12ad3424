// The metrics fit() and evaluate() report beside the loss, pooled over an epoch's batches.
//
//   binary_accuracy       share of elements with (prediction > 0.5) == (target > 0.5)
//   categorical_accuracy  share of rows whose largest prediction is the target's largest
//   roc_auc               scikit-learn's ROC AUC      } every output element is one binary
//   average_precision     scikit-learn's AP           } decision: score = prediction,
//                                                       label = target > 0.5
// The ranking metrics are knit::ranking's (knit/core/ranking.hpp), the ones knit::grn
// scores with; they are computed once over all the epoch's elements, not averaged over
// batches. Where a ranking metric is undefined (one class only, a non-finite prediction)
// it is NaN.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "knit/core/error.hpp"
#include "knit/core/tensor.hpp"

namespace knit::nn {

enum class metric { binary_accuracy, categorical_accuracy, roc_auc, average_precision };
std::string to_string(metric m);
// roc_auc and average_precision: pooled as scores, not as counts.
bool is_ranking(metric m);

// An accuracy over a batch of predictions (sums, so batches can be pooled): returns
// (number correct, number counted). Ranking metrics do not pool as counts: use
// metric_accumulator.
template <class T>
std::pair<double, double> metric_counts(metric m, const tensor<T>& pred, const tensor<T>& target) {
    KNIT_CHECK_AS(shape_error, pred.shape() == target.shape(),
                  to_string(m) << ": got prediction " << shape_to_string(pred.shape())
                               << " and target " << shape_to_string(target.shape())
                               << ", expected equal shapes");
    KNIT_CHECK_AS(value_error, !is_ranking(m),
                  "metric_counts: got " << to_string(m) << ", expected an accuracy (ranking metrics "
                                                           "pool the scores: use metric_accumulator)");
    double correct = 0;
    if (m == metric::binary_accuracy) {
        for (std::size_t i = 0; i < pred.size(); ++i)
            correct += (pred.data()[i] > T(0.5)) == (target.data()[i] > T(0.5));
        return {correct, double(pred.size())};
    }
    const std::size_t classes = pred.shape().back(), rows = pred.size() / classes;
    for (std::size_t r = 0; r < rows; ++r) {
        const T* p = pred.data() + r * classes;
        const T* t = target.data() + r * classes;
        correct += std::max_element(p, p + classes) - p == std::max_element(t, t + classes) - t;
    }
    return {correct, double(rows)};
}

namespace detail {
// A ranking metric of pooled scores and 0/1 labels, NaN where it is undefined.
double ranking_metric(metric m, const std::vector<double>& scores, const std::vector<int>& labels);
}  // namespace detail

// One metric pooled over batches: add() each batch, result() at the end.
template <class T>
class metric_accumulator {
public:
    explicit metric_accumulator(metric m) : metric_(m) {}

    void add(const tensor<T>& pred, const tensor<T>& target) {
        if (!is_ranking(metric_)) {
            const auto [c, t] = metric_counts(metric_, pred, target);
            correct_ += c;
            counted_ += t;
            return;
        }
        KNIT_CHECK_AS(shape_error, pred.shape() == target.shape(),
                      to_string(metric_) << ": got prediction " << shape_to_string(pred.shape())
                                         << " and target " << shape_to_string(target.shape())
                                         << ", expected equal shapes");
        for (std::size_t i = 0; i < pred.size(); ++i) {
            scores_.push_back(static_cast<double>(pred.data()[i]));
            labels_.push_back(target.data()[i] > T(0.5) ? 1 : 0);
        }
    }
    double result() const {
        return is_ranking(metric_) ? detail::ranking_metric(metric_, scores_, labels_) : correct_ / counted_;
    }
    metric which() const { return metric_; }

private:
    metric metric_;
    double correct_ = 0, counted_ = 0;
    std::vector<double> scores_;
    std::vector<int> labels_;
};

}  // namespace knit::nn
