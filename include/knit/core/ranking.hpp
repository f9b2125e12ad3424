// Binary ranking metrics exactly as scikit-learn 1.2 defines them, for every part of knit:
// knit::grn scores gene pairs with them, knit::nn reports them from fit() and evaluate().
//
//   Scores are grouped into distinct thresholds, in decreasing order (tied scores form one
//   threshold); TP_k and FP_k count the positives and negatives scoring >= threshold k.
//   * average precision  AP = sum_k (R_k - R_{k-1}) P_k,  R_k = TP_k / P,  P_k = TP_k / (TP_k + FP_k)
//     (a step sum, not the trapezoid: sklearn's average_precision_score)
//   * ROC AUC = the trapezoid area under (FP_k / N, TP_k / P) from (0, 0); a positive and a
//     negative with the same score count 1/2 (sklearn's roc_auc_score)
//
// Input: scores finite, labels 0 or 1, the same non-zero number of each. AP needs a
// positive, the ROC needs both classes; anything else is refused with knit::value_error
// whose message starts with the caller's name (`who`). docs/grn-metrics.md compares these
// with the DREAM metric.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace knit::ranking {

// Checks the input as described above and returns the number of positives.
std::size_t check_binary_scores(const std::vector<double>& scores, const std::vector<int>& labels,
                                const char* who);

// sklearn's _binary_clf_curve: the cumulative true and false positives at each distinct
// score, by decreasing score.
struct threshold_counts {
    std::vector<double> thresholds, tps, fps;
};
threshold_counts count_by_threshold(const std::vector<double>& scores, const std::vector<int>& labels);

double average_precision(const std::vector<double>& scores, const std::vector<int>& labels,
                         const char* who = "average_precision");
double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels,
               const char* who = "roc_auc");

// (FPR, TPR) at every distinct threshold, from (0, 0) to (1, 1): sklearn's roc_curve with
// drop_intermediate=False.
std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& scores,
                                                 const std::vector<int>& labels,
                                                 const char* who = "roc_curve");
// (recall, precision) from (0, 1), then at each distinct threshold in decreasing order:
// sklearn 1.2's precision_recall_curve, read backwards.
std::vector<std::pair<double, double>> pr_curve(const std::vector<double>& scores,
                                                const std::vector<int>& labels,
                                                const char* who = "pr_curve");

}  // namespace knit::ranking
