// Network-inference metrics of knit::grn. Three families, which give different numbers on
// the same scores (docs/grn-metrics.md compares them); every reported number names its
// metric.
//
// 1. DREAM AUROC / AUPR (the official DREAM3/DREAM4 scorer, DREAM4_Challenge2_Evaluation.m,
//    Prill et al. 2010). Input: a ranked edge list (order only; ties keep list order) and a
//    gold standard with T = G (G - 1) pairs, P positives, N = T - P negatives.
//      * Edges are joined with the gold standard: self-loops, edges naming a gene the gold
//        standard lacks, and repeats of an edge already ranked drop out (first occurrence
//        wins) and are counted in dream_score. L = edges left, in list order.
//      * Over the list, at rank k (TP_k, FP_k counted up to k):
//          AUPR gains (1 - FP_{k-1} ln(k / (k-1))) / P at each true positive (1/P at k = 1):
//          precision interpolated continuously between ranks (Stolovitzky et al. 2009).
//          The ROC is the step curve through (FP_k / N, TP_k / P).
//      * The pairs not listed are a random ordering of the rest: each further rank adds
//        rho = (P - TP_L) / (T - L) true and 1 - rho false positives. In closed form this
//        adds to AUPR  rho (1 - R_L) + rho (R_L - L rho / P) ln(T / L)   (R_L = TP_L / P),
//        and to the ROC a straight segment from (FP_L / N, R_L) to (1, 1). With L = 0,
//        AUPR = P / T; with rho = 0 the tail adds nothing.
//      * p-value of a score s: P(s) = sum_{i: X_i >= s} Y_i dx, dx = X_2 - X_1, over the
//        official null density (X, Y) of that network (probability.m).
//      * overall score of a set of networks = mean of -mean(log10 p_AUPR) and
//        -mean(log10 p_AUROC) (DREAM4 / DREAMTools D4C2).
//    Beside them, BEELINE's measures (Pratapa et al., Nature Methods 2020; BLEval), on the
//    same joined list, with density d = P / T (the precision of a random ranking):
//      * early precision EP: k = P; the threshold s* is the min(L, k)-th largest score of
//        the joined list; the called edges are every joined edge with score >= s* (ties at
//        the k-th score included, anywhere in the list); EP = positives among them /
//        their number. Scores <= 0 count as no prediction: when s* <= 0 it rises to the
//        smallest positive score (BEELINE: the smallest non-zero |weight|); with none, EP
//        = 0. BEELINE compares |EdgeWeight| rounded to 6 decimals; knit compares the
//        scores as they are (the same on non-negative scores of at most 6 decimals). The
//        index front end has no scores: its first min(L, k) edges are called.
//      * EPR = EP / d (early precision ratio; Beeline PR #118: random EP = true edges /
//        possible edges);
//      * AUPR ratio = DREAM AUPR / d (a random ranking's DREAM AUPR is exactly d).
// 2. Average precision and ROC AUC exactly as scikit-learn 1.2 defines them: scores are
//    grouped into distinct thresholds (ties count together), AP = sum_k (R_k - R_{k-1}) P_k
//    over decreasing thresholds, ROC AUC = trapezoid over the distinct-threshold ROC
//    (a tie between a positive and a negative counts 1/2). The implementation is
//    knit::ranking's (knit/core/ranking.hpp), which knit::nn's fit() and evaluate() use too.
// 3. The seed paper's prec_rec (MATLAB, S. Schroedl): thresholds = {min score} and the
//    quantiles at (1..nt-1)/nt with nt = min(#distinct scores, 100), MATLAB quantile
//    definition (sorted x_(i) sits at probability (i - 0.5)/n, linear in between, clamped at
//    the ends); duplicates removed; a sample is called positive when score >= threshold;
//    AUROC = |trapz(FPR, TPR)|, AUPR = |trapz(recall, precision)| over those points only.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "knit/grn/gold_standard.hpp"
#include "knit/grn/prediction.hpp"

namespace knit::grn {

// ---- DREAM ----------------------------------------------------------------------------

// The official null densities of one network (pdf_<name>_N.tsv: header
// `auroc_X auroc_Y aupr_X aupr_Y`, then rows of 4 finite numbers; X strictly increasing,
// Y >= 0, at least 2 rows). A density holds only for networks of its size; the file name
// implies it: pdf_size<G>_<k>.tsv is for G genes, pdf_multifactorial_<k>.tsv for 100
// (DREAM4's names); another name leaves the size unknown (genes = 0, not checked).
struct null_density {
    std::vector<double> auroc_x, auroc_y, aupr_x, aupr_y;
    std::size_t genes = 0;  // network size it is for, 0 when unknown
    std::string source;     // where it was read from (for messages)
};
null_density read_null_density(const std::string& path);
null_density parse_null_density(const std::string& text, const std::string& source);
// The network size a density file's name implies (see above), 0 when it implies none.
std::size_t null_density_size_from_name(const std::string& path);
// Refuses (knit::value_error) a density of a known size other than the gold standard's
// gene count; score_dream calls it whenever it is given a density.
void check_density_fits(const null_density& density, const gold_standard& gs);

// P(score' >= score) under the null: sum_{i: x_i >= score} y_i * (x_1 - x_0).
double null_p_value(const std::vector<double>& x, const std::vector<double>& y, double score);

struct dream_score {
    static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    double auroc = nan, aupr = nan;
    double p_auroc = nan, p_aupr = nan;  // NaN when no density was given
    std::size_t ranked = 0;              // L: list entries scored
    std::size_t true_positives = 0;      // TP_L: positives among them
    std::size_t dropped_self_loops = 0, dropped_unknown_genes = 0, dropped_repeats = 0;
    // BEELINE's early precision, its ratio to a random ranking's, and AUPR / density.
    double early_precision = nan, epr = nan, aupr_ratio = nan;
    std::size_t early_called = 0, early_true_positives = 0;  // edges called at the k-th score, positives among them
};

// BEELINE's early precision alone (the same numbers as score_dream's).
struct early_precision_score {
    double early_precision = 0, epr = 0;
    double density = 0;          // P / T
    std::size_t k = 0;           // P, the true edges of the gold standard
    std::size_t called = 0;      // joined edges scoring >= the k-th score (ties included)
    std::size_t true_positives = 0;
};
early_precision_score score_early_precision(const std::vector<scored_edge>& ranking, const gold_standard& gs);

// Refuses a gold standard without a positive or without a negative (knit::value_error).
dream_score score_dream(const std::vector<scored_edge>& ranking, const gold_standard& gs,
                        const null_density* density = nullptr);
// The same on (regulator, target) index pairs; an index >= gs.size() is refused.
dream_score score_dream(const std::vector<std::pair<std::size_t, std::size_t>>& ranking,
                        const gold_standard& gs, const null_density* density = nullptr);

// Mean of -mean(log10 p_aupr) and -mean(log10 p_auroc). Refuses an empty set and p-values
// that are NaN or outside [0, 1]; a p-value of 0 gives +inf.
double overall_score(const std::vector<dream_score>& networks);

// The points of the official DREAM curves, for plotting: roc = (FPR, TPR) from (0, 0), one
// point per ranked edge, then the random tail (one point per further expected true
// positive, on the straight line to (1, 1)); pr = (recall, precision) likewise, from rank 1.
struct dream_curves {
    std::vector<std::pair<double, double>> roc, pr;
};
dream_curves dream_curve_points(const std::vector<scored_edge>& ranking, const gold_standard& gs);

// ---- scikit-learn ----------------------------------------------------------------------
// labels are 0/1, scores finite, same length; AP needs a positive, ROC AUC both classes.
// Each calls its knit::ranking namesake (knit/core/ranking.hpp).

double average_precision(const std::vector<double>& scores, const std::vector<int>& labels);
double roc_auc(const std::vector<double>& scores, const std::vector<int>& labels);

// (FPR, TPR) at every distinct threshold, from (0, 0) to (1, 1): sklearn's roc_curve with
// drop_intermediate=False.
std::vector<std::pair<double, double>> roc_curve(const std::vector<double>& scores,
                                                 const std::vector<int>& labels);
// (recall, precision) from (0, 1), then at each distinct threshold in decreasing order:
// sklearn 1.2's precision_recall_curve, read backwards.
std::vector<std::pair<double, double>> pr_curve(const std::vector<double>& scores,
                                                const std::vector<int>& labels);

// ---- the seed's prec_rec ----------------------------------------------------------------

struct prec_rec_result {
    double auroc = 0, aupr = 0;
    // The operating points, by decreasing threshold.
    std::vector<double> thresholds, precision, tpr, fpr;
};
// Needs both classes (knit::value_error otherwise).
prec_rec_result prec_rec(const std::vector<double>& scores, const std::vector<int>& labels);

// MATLAB's quantile of (unsorted) x at probability p in [0, 1] (see 3. above).
double matlab_quantile(std::vector<double> x, double p);

}  // namespace knit::grn
